"""Issue 14, findings 1 and 2: an address change belongs to a caller on the line who proved who they
are (or to a written request), each proof is recorded and limited, the console keeps a case's
identity hidden until then, and an ISO never decides their own expedite request."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    VERIFICATION_LOCKED_MESSAGE,
    AuditEvent,
    BenefitCase,
    CallerVerification,
    Channel,
    ServiceRequest,
    ServiceRequestStatus,
    WaitingContact,
)
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _address_change, _ivr_contact, _post, _signed_in, _within_normal_case
from tests.reference_data import seed_reference

NEW_ADDRESS = ("1200 Main St Apt 4", "Los Angeles", "CA", "90012")


@pytest.fixture(autouse=True)
def _a_weekday_morning(at_time):
    """Tier 1 keeps office hours: these calls happen on a Monday at 10 a.m. Pacific."""
    from datetime import UTC, datetime

    with at_time(datetime(2026, 11, 30, 18, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def reference(db):

    seed_reference(cases=30, surgeons=5)


def _pending(*, with_a_number: bool) -> BenefitCase:
    cases = BenefitCase.objects.filter(status__terminal=False).order_by("receipt_number")
    return (cases.exclude(a_number="") if with_a_number else cases.filter(a_number="")).first()


def _on_the_line(make_staff, case: BenefitCase, *, call_sid: str = "CA" + "1" * 32):
    """A CSR who accepted an IVR caller asking about `case`: the CSR, their console client, the contact."""
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number, call_sid=call_sid)
    assert services.route_next(queue_name="tier1-en").agent_id == csr.pk
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    return csr, client, contact


def _answers(case: BenefitCase, **changes) -> dict:
    answers = {
        "verify-receipt_number": case.receipt_number,
        "verify-date_of_birth": case.date_of_birth.isoformat(),
        "verify-a_number": case.a_number,
    }
    return {**answers, **{f"verify-{name}": value for name, value in changes.items()}}


def _identity_in(page: str, case: BenefitCase) -> list[str]:
    """Which of the case's date of birth, A-number and mailing address the page shows."""
    shown = {
        "date_of_birth": [date_format(case.date_of_birth, "DATE_FORMAT"), case.date_of_birth.isoformat()],
        "a_number": [case.a_number] if case.a_number else [],
        "address": [case.mailing_address_line],
    }
    return [name for name, texts in shown.items() if any(text in page for text in texts)]


def _address(case: BenefitCase) -> tuple:
    case.refresh_from_db()
    return (case.mailing_address_line, case.mailing_city, case.mailing_state, case.mailing_zip)


def test_the_console_and_case_page_hide_the_identity_until_the_caller_answers_then_show_it(reference, make_staff):
    case = _pending(with_a_number=True)
    csr, client, contact = _on_the_line(make_staff, case)

    console = client.get("/console/").content.decode()
    assert 'data-verification="pending"' in console
    assert f'data-identity-hidden="{case.receipt_number}"' in console
    assert _identity_in(console, case) == []
    case_page = client.get(f"/cases/{case.receipt_number}/").content.decode()
    assert "data-identity-hidden" in case_page and _identity_in(case_page, case) == []

    wrong_birthday = case.date_of_birth - timedelta(days=1)
    response = client.post(f"/console/contacts/{contact.pk}/verify/", _answers(case, date_of_birth=wrong_birthday))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The answers do not match the case on file: the caller is not verified. 2 tries left." in page
    assert 'id="verify-error-summary"' in page and 'href="#id_verify-date_of_birth"' not in page  # a form-level error
    assert f'data-identity-hidden="{case.receipt_number}"' in page
    failed = CallerVerification.objects.get()
    assert (failed.contact, failed.agent, failed.receipt_number, failed.outcome) == (
        contact,
        csr,
        case.receipt_number,
        "failed",
    )
    assert failed.checks == {"case_on_file": True, "date_of_birth": False, "a_number": True}
    audit = AuditEvent.objects.get(target_type="contactcenter.callerverification", target_id=str(failed.pk))
    assert audit.actor == csr and "failed" in audit.summary and "date of birth did not match" in audit.summary
    stored = json.dumps([failed.checks, audit.summary, audit.detail])
    assert wrong_birthday.isoformat() not in stored and case.a_number not in stored

    page = _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case)).content.decode()
    assert f"Caller verified for {case.receipt_number}" in page
    assert 'data-verification="passed"' in page and f'data-identity="{case.receipt_number}"' in page
    assert _identity_in(page, case) == ["date_of_birth", "a_number", "address"]
    case_page = client.get(f"/cases/{case.receipt_number}/").content.decode()
    assert _identity_in(case_page, case) == ["date_of_birth", "a_number", "address"]
    assert CallerVerification.objects.filter(outcome="passed").get().checks == {
        "case_on_file": True,
        "date_of_birth": True,
        "a_number": True,
    }

    # Another CSR without this caller still does not see it; a CAO analyst works cases in writing and does.
    other = _signed_in(make_staff(Role.CSR)).get(f"/cases/{case.receipt_number}/").content.decode()
    assert _identity_in(other, case) == []
    analyst = _signed_in(make_staff(Role.CAO_ANALYST)).get(f"/cases/{case.receipt_number}/").content.decode()
    assert _identity_in(analyst, case) == ["date_of_birth", "a_number", "address"]

    # Once the call ends, the identity is hidden again.
    _post(client, f"/console/contacts/{contact.pk}/end/")
    assert _identity_in(client.get(f"/cases/{case.receipt_number}/").content.decode(), case) == []


def test_a_csr_without_a_verified_caller_cannot_change_an_address_on_the_console_or_the_api(reference, make_staff):
    case = _pending(with_a_number=True)
    before = _address(case)
    csr, client, contact = _on_the_line(make_staff, case)

    response = client.post("/console/service-requests/", {"contact_id": contact.pk, **_address_change(case)})
    assert response.status_code == 400
    assert "The caller has not been verified for" in response.content.decode()

    api = _signed_in(csr)
    for extra, message in [
        ({}, "An address change is taken only for a verified caller on the line or from a written request"),
        ({"contact_id": contact.pk}, "The caller has not been verified for"),
    ]:
        refused = api.post(
            "/api/service-requests/", {**_address_change(case), **extra}, content_type="application/json"
        )
        assert refused.status_code == 400 and refused.json()["message"].startswith(message), refused.json()

    with pytest.raises(ApplicationError, match="verified caller on the line or from a written request"):
        services.service_request_create(
            context=AuditContext(actor=csr), user=csr, **{**_address_change(case), "date_of_birth": case.date_of_birth}
        )
    assert ServiceRequest.objects.count() == 0
    assert _address(case) == before


def test_a_caller_verified_with_the_a_number_changes_only_the_cases_under_it(reference, make_staff):
    case = _pending(with_a_number=True)
    pending = BenefitCase.objects.filter(status__terminal=False).exclude(pk=case.pk).order_by("receipt_number")
    same_person, namesake = pending[0], pending[1]
    decided = BenefitCase.objects.filter(status__terminal=True).first()
    BenefitCase.objects.filter(pk__in=[same_person.pk, decided.pk]).update(a_number=case.a_number)
    # Same name and birthday, another A-number: someone else, whom the old rule could reach.
    BenefitCase.objects.filter(pk=namesake.pk).update(
        applicant_name=case.applicant_name, date_of_birth=case.date_of_birth, a_number=""
    )
    untouched = {other.pk: _address(other) for other in (namesake, decided)}
    _, client, contact = _on_the_line(make_staff, case)
    _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case))

    page = _post(
        client,
        "/console/service-requests/",
        {"contact_id": contact.pk, **_address_change(case, moved_on=timezone.localdate() - timedelta(days=3))},
    ).content.decode()

    request = ServiceRequest.objects.get()
    assert f"{request.reference} taken" in page
    contact.refresh_from_db()
    assert (request.contact, request.interaction, request.due_on) == (
        contact,
        contact.agent_interaction,
        business_days_after(timezone.localdate(), 7),
    )
    assert _address(case) == _address(same_person) == NEW_ADDRESS
    assert {pk: _address(BenefitCase.objects.get(pk=pk)) for pk in untouched} == untouched
    audit = AuditEvent.objects.get(target_type="contactcenter.servicerequest")
    assert "address changed on 2 pending case(s)" in audit.summary
    assert audit.detail["scope"] == "A-number" and audit.detail["authority"].startswith("verified caller")


def test_a_caller_verified_without_an_a_number_changes_only_the_one_receipt_number(reference, make_staff):
    case = _pending(with_a_number=False)
    namesake = BenefitCase.objects.filter(status__terminal=False).exclude(pk=case.pk).first()
    BenefitCase.objects.filter(pk=namesake.pk).update(
        applicant_name=case.applicant_name, date_of_birth=case.date_of_birth, a_number=""
    )
    before = _address(namesake)
    _, client, contact = _on_the_line(make_staff, case)
    page = _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case, a_number="")).content.decode()
    assert "An address change reaches only the verified receipt number." in page
    assert CallerVerification.objects.get().checks == {
        "case_on_file": True,
        "date_of_birth": True,
        "receipt_number": True,
    }

    _post(client, "/console/service-requests/", {"contact_id": contact.pk, **_address_change(case)})

    assert _address(case) == NEW_ADDRESS
    assert _address(namesake) == before
    assert AuditEvent.objects.get(target_type="contactcenter.servicerequest").detail["scope"] == "receipt number"


def test_a_verified_caller_cannot_move_someone_elses_case(reference, make_staff):
    case = _pending(with_a_number=True)
    stranger = BenefitCase.objects.filter(status__terminal=False).exclude(a_number=case.a_number).exclude(pk=case.pk)[0]
    before = _address(stranger)
    csr, client, contact = _on_the_line(make_staff, case)
    _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case))

    data = {**_address_change(stranger), "date_of_birth": stranger.date_of_birth}
    with pytest.raises(ApplicationError, match="The caller has not been verified for"):
        services.service_request_create(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, **data)
    assert _address(stranger) == before
    assert _identity_in(client.get(f"/cases/{stranger.receipt_number}/").content.decode(), stranger) == []


def test_failed_tries_are_recorded_and_lock_verification_for_the_contact(reference, make_staff):
    case = _pending(with_a_number=True)
    csr, client, contact = _on_the_line(make_staff, case)
    wrong = {"a_number": "A000000001"}

    for left in ("2 tries left", "1 try left"):
        page = client.post(f"/console/contacts/{contact.pk}/verify/", _answers(case, **wrong)).content.decode()
        assert left in page
    page = client.post(f"/console/contacts/{contact.pk}/verify/", _answers(case, **wrong)).content.decode()
    assert "Verification is locked after too many failed tries" in page and "written request" in page
    # The right answers now come too late: refused, and recorded as such.
    response = client.post(f"/console/contacts/{contact.pk}/verify/", _answers(case))
    assert response.status_code == 400 and "Verification is locked" in response.content.decode()

    tries = list(CallerVerification.objects.order_by("id").values_list("outcome", flat=True))
    assert tries == ["failed", "failed", "failed", "locked"]
    assert AuditEvent.objects.filter(target_type="contactcenter.callerverification").count() == 4
    console = client.get("/console/").content.decode()
    assert 'data-verification="locked"' in console and "data-verification-locked" in console
    assert f'action="/console/contacts/{contact.pk}/verify/"' not in console
    assert _identity_in(console, case) == []
    # Nor does a service request's own date-of-birth check go round the lock.
    data = {**_address_change(case, kind="card_not_received"), "date_of_birth": case.date_of_birth}
    with pytest.raises(ApplicationError, match="Verification is locked"):
        services.service_request_create(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, **data)
    assert ServiceRequest.objects.count() == 0
    assert CallerVerification.objects.filter(step="service_request", outcome="locked", contact=contact).count() == 1


def test_failed_tries_on_one_receipt_number_lock_it_across_contacts_for_a_day(reference, make_staff, settings):
    settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT = 2
    case = _pending(with_a_number=True)
    first_csr, first_client, first = _on_the_line(make_staff, case)
    first_client.post(f"/console/contacts/{first.pk}/verify/", _answers(case, date_of_birth="1900-01-01"))
    _post(first_client, f"/console/contacts/{first.pk}/end/")
    # A service request's date-of-birth check that fails counts too (here through the API, with no call).
    bad_birthday = {**_address_change(case, kind="card_not_received"), "date_of_birth": "1900-01-01"}
    refused = _signed_in(first_csr).post("/api/service-requests/", bad_birthday, content_type="application/json")
    assert refused.status_code == 400 and "does not match" in refused.json()["message"]
    mismatch = CallerVerification.objects.get(step="service_request")
    assert (mismatch.contact, mismatch.outcome, mismatch.checks["date_of_birth"]) == (None, "failed", False)

    _, client, contact = _on_the_line(make_staff, case, call_sid="CA" + "2" * 32)
    assert 'data-verification="locked"' in client.get("/console/").content.decode()
    response = client.post(f"/console/contacts/{contact.pk}/verify/", _answers(case))
    assert "Verification is locked" in response.content.decode()
    assert CallerVerification.objects.filter(contact=contact).get().outcome == "locked"

    CallerVerification.objects.update(created_at=timezone.now() - timedelta(hours=25))
    _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case))
    assert CallerVerification.objects.filter(contact=contact, outcome="passed").exists()


def test_a_written_request_naming_the_receipt_number_allows_the_change_through_the_api(reference, make_staff):
    case = _pending(with_a_number=True)
    same_person = BenefitCase.objects.filter(status__terminal=False).exclude(pk=case.pk).first()
    BenefitCase.objects.filter(pk=same_person.pk).update(a_number=case.a_number)
    before = _address(same_person)
    csr = make_staff(Role.CSR)
    api = _signed_in(csr)

    def letter(source_id: str, **identifiers):
        return services.interaction_record(
            context=AuditContext.system(),
            channel=Channel.WRITTEN,
            topic_code="case-status",
            source_app="casework",
            source_model="inquiry",
            source_id=source_id,
            **identifiers,
        )

    unrelated = letter("1", receipt_numbers=["EAC0000000001"])
    tier1 = _ivr_contact(receipt_number=case.receipt_number).interaction  # a call, not a letter
    for written_request_id, message in [
        (unrelated.pk, f"Written request {unrelated.pk} names neither this receipt number nor its A-number."),
        (tier1.pk, f"No written request {tier1.pk} is in the ledger."),
    ]:
        data = {**_address_change(case), "a_number": case.a_number, "written_request_id": written_request_id}
        response = api.post("/api/service-requests/", data, content_type="application/json")
        assert response.status_code == 400 and response.json()["message"] == message
    assert _address(case) != NEW_ADDRESS

    written = letter("2", receipt_numbers=[case.receipt_number])
    data = {**_address_change(case), "written_request_id": written.pk}
    # A letter proves the person like a caller does: the case's A-number as well as the date of birth.
    without_a_number = api.post("/api/service-requests/", data, content_type="application/json")
    assert without_a_number.status_code == 400 and "does not match" in without_a_number.json()["message"]
    assert CallerVerification.objects.get().checks == {"case_on_file": True, "date_of_birth": True, "a_number": False}
    created = api.post("/api/service-requests/", {**data, "a_number": case.a_number}, content_type="application/json")

    assert created.status_code == 201, created.json()
    assert ServiceRequest.objects.get().interaction == written
    assert _address(case) == NEW_ADDRESS
    assert _address(same_person) == before  # the letter named the receipt number, not the A-number
    assert AuditEvent.objects.get(target_type="contactcenter.servicerequest").detail["authority"] == (
        f"written request {written.pk}"
    )


def test_the_refusals_are_in_spanish_for_a_spanish_session(reference, make_staff):
    case = _pending(with_a_number=True)
    csr = make_staff(Role.CSR)
    data = {**_address_change(case), "date_of_birth": case.date_of_birth, "a_number": case.a_number}
    with translation.override("es"):
        with pytest.raises(ApplicationError) as no_caller:
            services.service_request_create(context=AuditContext(actor=csr), user=csr, **data)
        with pytest.raises(ApplicationError) as no_letter:
            services.service_request_create(
                context=AuditContext(actor=csr), user=csr, written_request_id=999999, **data
            )
        locked = str(VERIFICATION_LOCKED_MESSAGE)
    assert no_caller.value.message.startswith("Un cambio de dirección solo se acepta de una persona verificada")
    assert no_letter.value.message == "No hay ninguna solicitud por escrito 999999 en el registro."
    assert locked.startswith("La verificación está bloqueada tras demasiados intentos fallidos")


def test_an_iso_cannot_decide_an_expedite_request_they_took_themselves(reference, make_staff):
    case = _within_normal_case()
    iso, other_iso = make_staff(Role.ISO), make_staff(Role.ISO)
    request = services.service_request_create(
        context=AuditContext(actor=iso),
        user=iso,
        kind="expedite",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_email="caller@example.com",
        expedite_criterion="humanitarian",
        details="Medical emergency abroad.",
    )

    with pytest.raises(ApplicationError, match="another Tier 2 officer must decide it"):
        services.service_request_review(
            context=AuditContext(actor=iso), user=iso, request_id=request.pk, approve=True, note="Looks fine."
        )
    client = _signed_in(iso)
    console = client.get("/console/").content.decode()
    assert "data-own-request" in console and f'action="/console/service-requests/{request.pk}/review/"' not in console
    page = _post(
        client, f"/console/service-requests/{request.pk}/review/", {"decision": "approve", "note": "Looks fine."}
    ).content.decode()
    assert f"You took {request.reference} yourself: another Tier 2 officer must decide it." in page
    request.refresh_from_db()
    assert (request.status, request.reviewed_by) == (ServiceRequestStatus.PENDING_REVIEW, None)

    services.service_request_review(
        context=AuditContext(actor=other_iso), user=other_iso, request_id=request.pk, approve=True, note="Documented."
    )
    request.refresh_from_db()
    assert (request.status, request.reviewed_by) == (ServiceRequestStatus.APPROVED, other_iso)


def test_a_tier2_officer_sees_what_the_csr_verified_on_the_same_call(reference, make_staff):
    case = _pending(with_a_number=True)
    _, client, contact = _on_the_line(make_staff, case)
    _post(client, f"/console/contacts/{contact.pk}/verify/", _answers(case))
    _post(
        client,
        f"/console/contacts/{contact.pk}/escalate/",
        {"reason": "case_specific", "tried": "Verified the caller.", "summary": "Needs an officer.", "language": "en"},
    )
    iso = make_staff(Role.ISO)
    iso_client = _signed_in(iso)
    _post(iso_client, "/console/state/", {"state": "available"})
    onward = WaitingContact.objects.get(tier=2)
    assert services.route_next(queue_name="tier2-en").agent_id == iso.pk
    page = _post(iso_client, f"/console/contacts/{onward.pk}/accept/").content.decode()
    assert 'data-verification="passed"' in page
    assert _identity_in(page, case) == ["date_of_birth", "a_number", "address"]
