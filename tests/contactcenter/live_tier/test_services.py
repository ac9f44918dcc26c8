"""The live tier's services: service requests and address changes as the services take or refuse them,
callers who hang up, and the agent's state around wrap-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AuditEvent,
    BenefitCase,
    Channel,
    ContactStatus,
    Interaction,
    Outcome,
    ServiceRequest,
    WaitingContact,
)
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _address_change, _ivr_contact, _signed_in, _within_normal_case


def _verified_contact(agent, case: BenefitCase) -> WaitingContact:
    """`agent` on the line with a caller who answered the verification questions for `case`."""
    context = AuditContext(actor=agent)
    services.agent_state_set(context=context, user=agent, state="available")
    contact = _ivr_contact(receipt_number=case.receipt_number)
    assert services.route_next(queue_name="tier1-en").agent_id == agent.pk
    services.contact_answer(context=context, user=agent, contact_id=contact.pk)
    verification = services.caller_verify(
        context=context,
        user=agent,
        contact_id=contact.pk,
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        a_number=case.a_number,
    )
    assert verification.outcome == "passed"
    return contact


def test_an_address_change_updates_every_pending_case_under_the_verified_a_number_and_is_due_in_seven_days(
    reference, make_staff
):
    csr = make_staff(Role.CSR)
    first = BenefitCase.objects.filter(status__terminal=False).exclude(a_number="").first()
    second = BenefitCase.objects.filter(status__terminal=False).exclude(pk=first.pk).first()
    decided = BenefitCase.objects.filter(status__terminal=True).exclude(pk__in=[first.pk, second.pk]).first()
    BenefitCase.objects.filter(pk__in=[second.pk, decided.pk]).update(
        a_number=first.a_number, applicant_name=first.applicant_name, date_of_birth=first.date_of_birth
    )
    before = decided.mailing_address_line
    contact = _verified_contact(csr, first)

    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        contact_id=contact.pk,
        kind="address_change",
        receipt_number=first.receipt_number,
        date_of_birth=first.date_of_birth,
        requester_role="applicant",
        contact_phone="+12135550142",
        new_address_line="1200 Main St Apt 4",
        new_city="Los Angeles",
        new_state="ca",
        new_zip="90012",
        moved_on=timezone.localdate() - timedelta(days=3),
    )

    assert request.due_on == business_days_after(timezone.localdate(), 7)
    for case in (first, second):
        case.refresh_from_db()
        assert (case.mailing_address_line, case.mailing_city, case.mailing_state, case.mailing_zip) == (
            "1200 Main St Apt 4",
            "Los Angeles",
            "CA",
            "90012",
        )
    decided.refresh_from_db()
    assert decided.mailing_address_line == before
    assert AuditEvent.objects.filter(target_type="contactcenter.benefitcase", summary__contains="AR-11").count() == 2


def test_service_requests_refuse_unknown_numbers_wrong_identity_and_cases_within_normal_time(reference, make_staff):
    csr = make_staff(Role.CSR)
    case = _within_normal_case()
    base = {
        "context": AuditContext(actor=csr),
        "user": csr,
        "requester_role": "applicant",
        "contact_phone": "+12135550142",
        "date_of_birth": case.date_of_birth,
    }
    with pytest.raises(ApplicationError, match="No case is on file"):
        services.service_request_create(kind="card_not_received", receipt_number="EAC0000000001", **base)
    with pytest.raises(ApplicationError, match="does not match"):
        services.service_request_create(
            kind="card_not_received",
            receipt_number=case.receipt_number,
            **{**base, "date_of_birth": case.date_of_birth - timedelta(days=1)},
        )
    with pytest.raises(ApplicationError, match="within normal processing time"):
        services.service_request_create(kind="outside_normal", receipt_number=case.receipt_number, **base)
    with pytest.raises(ApplicationError, match="criterion"):
        services.service_request_create(kind="expedite", receipt_number=case.receipt_number, **base)
    assert ServiceRequest.objects.count() == 0


def test_a_caller_who_hangs_up_while_offered_frees_the_agent_and_counts_as_abandoned(reference, make_staff):
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")

    services.contact_abandon(context=AuditContext.system(), call_sid=contact.call_sid)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.ABANDONED and contact.wait_seconds is not None
    assert AgentState.objects.get(user=csr).state == "available"


def test_a_caller_who_hangs_up_mid_conversation_leaves_the_agent_in_wrap_up(reference, make_staff):
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk)

    services.contact_abandon(context=AuditContext.system(), call_sid=contact.call_sid)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.COMPLETED and contact.handle_seconds is not None
    assert AgentState.objects.get(user=csr).state == "wrap_up"
    services.contact_wrap_up(
        context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, disposition="disconnected"
    )
    assert Interaction.objects.get(channel=Channel.TIER1).outcome == Outcome.ABANDONED
    with pytest.raises(ApplicationError, match="no contact of yours to wrap up"):
        services.contact_wrap_up(
            context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, disposition="resolved"
        )


@pytest.mark.parametrize(("field", "value"), [("new_zip", "9001"), ("new_state", "ZZ"), ("new_zip", "9001a")])
def test_the_service_refuses_a_bad_zip_or_state_with_the_field_it_names(reference, make_staff, field, value):
    csr = make_staff(Role.CSR)
    case = BenefitCase.objects.filter(status__terminal=False).first()
    data = _address_change(case, **{field: value})
    data["date_of_birth"] = case.date_of_birth

    with pytest.raises(ApplicationError) as refused:
        services.service_request_create(context=AuditContext(actor=csr), user=csr, **data)

    assert refused.value.field == field
    assert ServiceRequest.objects.count() == 0
    assert not BenefitCase.objects.filter(mailing_zip=value).exists()


def test_a_case_that_refuses_the_new_address_becomes_a_refusal_on_the_field_not_a_server_error(
    reference, make_staff, monkeypatch
):
    from django.core.exceptions import ValidationError

    def refuse(self):
        raise ValidationError({"mailing_zip": "5 digits."})

    csr = make_staff(Role.CSR)
    case = BenefitCase.objects.filter(status__terminal=False).first()
    contact = _verified_contact(csr, case)
    monkeypatch.setattr(BenefitCase, "clean", refuse)
    data = _address_change(case)
    data["date_of_birth"] = case.date_of_birth

    with pytest.raises(ApplicationError) as refused:
        services.service_request_create(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, **data)

    assert refused.value.field == "new_zip"
    assert refused.value.fields == {"new_zip": ["5 digits."]}
    assert ServiceRequest.objects.count() == 0


def test_an_agent_in_wrap_up_with_nothing_left_to_wrap_up_may_change_state(reference, make_staff):
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    AgentState.objects.filter(user=csr).update(state="wrap_up")  # e.g. the contact was wrapped up elsewhere

    assert "Go available" in _signed_in(csr).get("/console/").content.decode()
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="break")
    assert AgentState.objects.get(user=csr).state == "break"


def test_service_refusals_are_given_in_the_language_of_the_console(reference, make_staff):
    from django.utils import translation

    csr = make_staff(Role.CSR)
    case = _within_normal_case()
    base = {
        "context": AuditContext(actor=csr),
        "user": csr,
        "kind": "card_not_received",
        "receipt_number": case.receipt_number,
        "requester_role": "applicant",
    }
    with translation.override("es"):
        with pytest.raises(ApplicationError) as mismatch:
            services.service_request_create(date_of_birth=case.date_of_birth - timedelta(days=1), **base)
        with pytest.raises(ApplicationError) as not_yours:
            services.contact_complete(context=AuditContext(actor=csr), user=csr, contact_id=0)
        with pytest.raises(ApplicationError) as bad_a_number:
            services.service_request_create(date_of_birth=case.date_of_birth, a_number="B12", **base)

    assert mismatch.value.message == (
        "La fecha de nacimiento o el número A no coincide con el caso registrado: "
        "verifique la identidad de la persona que llama."
    )
    assert not_yours.value.message == "Este contacto no le corresponde."
    assert bad_a_number.value.message == "Un número A es la letra A seguida de 7, 8 o 9 dígitos."
