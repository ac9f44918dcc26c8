"""The live tier once an agent answers, walked through the consoles as CSRs, ISOs and supervisors
use them: offer, caller context, service requests, address changes, escalation, wrap-up, the
wallboard and the queue report."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AuditEvent,
    BenefitCase,
    Channel,
    ContactStatus,
    Escalation,
    Interaction,
    Outcome,
    QueueConfig,
    ServiceRequest,
    ServiceRequestStatus,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from tests.reference_data import seed_reference


@pytest.fixture(autouse=True)
def _a_weekday_morning(at_time):
    """Tier 1 and Tier 2 keep office hours: these conversations happen on a Monday at 10 a.m. Pacific."""
    from datetime import UTC, datetime

    with at_time(datetime(2026, 11, 30, 18, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def reference(db):

    seed_reference(cases=60, surgeons=20)


def _outside_normal_case() -> BenefitCase:
    for case in BenefitCase.objects.select_related("status", "form", "office").order_by("received_on"):
        if selectors.case_outside_normal_processing(case=case):
            return case
    raise AssertionError("the demo data has no case outside normal processing time")


def _within_normal_case() -> BenefitCase:
    for case in BenefitCase.objects.select_related("status", "form", "office").order_by("-received_on"):
        if selectors.case_outside_normal_processing(case=case) is False and not case.status.terminal:
            return case
    raise AssertionError("the demo data has no case within normal processing time")


def _ivr_contact(
    *,
    receipt_number: str,
    language: str = "en",
    call_sid: str = "CA" + "1" * 32,
    time_zone: str = "America/Los_Angeles",
) -> WaitingContact:
    context = AuditContext.system(channel="ivr")
    ivr = services.interaction_record(
        context=context,
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="ivr",
        source_model="call",
        source_id=call_sid,
        language=language,
        outcome=Outcome.TRANSFERRED,
        receipt_numbers=[receipt_number],
        contact_phone="+12135550142",
    )
    return services.contact_enqueue(
        context=context,
        phone="+12135550142",
        language=language,
        caller_time_zone=time_zone,
        call_sid=call_sid,
        receipt_numbers=[receipt_number],
        ivr_path=["language", "main", "case_status", "representative"],
        interaction=ivr,
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict | None = None):
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200, response.content[:500]
    return response


def test_a_contact_from_ivr_to_csr_to_iso_followed_in_the_consoles_and_the_ledger(reference, make_staff):
    case = _outside_normal_case()
    csr, iso, supervisor = make_staff(Role.CSR), make_staff(Role.ISO), make_staff(Role.SUPERVISOR)
    csr_client, iso_client = _signed_in(csr), _signed_in(iso)

    page = _post(csr_client, "/console/state/", {"state": "available"})
    assert "Waiting for a caller" in page.content.decode()
    contact = _ivr_contact(receipt_number=case.receipt_number)
    assert services.route_next(queue_name="tier1-en").agent_id == csr.pk

    offer = csr_client.get("/console/work/").content.decode()
    assert "A caller is offered to you" in offer
    assert f"/console/contacts/{contact.pk}/accept/" in offer

    page = _post(csr_client, f"/console/contacts/{contact.pk}/accept/").content.decode()
    assert "On the line" in page and "+12135550142" in page
    assert "Pacific" in page  # the caller's own zone, from their number
    assert "language › main › case_status › Representative" in page
    assert case.status.headline_en in page
    assert "Outside normal processing time" in page
    assert AuditEvent.objects.filter(action="view", target_type="contactcenter.waitingcontact").exists()

    page = _post(
        csr_client,
        "/console/service-requests/",
        {
            "contact_id": contact.pk,
            "kind": "outside_normal",
            "receipt_number": case.receipt_number.lower(),
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
        },
    ).content.decode()
    request = ServiceRequest.objects.get()
    assert f"{request.reference} taken" in page
    assert (request.office, request.status) == (case.office, ServiceRequestStatus.ROUTED)
    assert request.due_on == timezone.localdate() + timedelta(days=15)

    _post(
        csr_client,
        f"/console/contacts/{contact.pk}/escalate/",
        {
            "reason": "case_specific",
            "tried": "Checked status and took an outside-normal service request.",
            "summary": "Caller needs an officer to review the transfer between offices.",
            "language": "en",
        },
    )
    escalation = Escalation.objects.get()
    onward = escalation.to_contact
    assert (onward.queue_name, onward.status, onward.call_sid) == ("tier2-en", ContactStatus.WAITING, "CA" + "1" * 32)
    assert AgentState.objects.get(user=csr).state == "wrap_up"
    page = _post(
        csr_client,
        f"/console/contacts/{contact.pk}/wrap-up/",
        {"disposition": "escalated", "notes": "Sent to Tier 2.", "next_state": "break"},
    ).content.decode()
    assert "Wrap-up saved" in page
    contact.refresh_from_db()
    assert contact.disposition == "escalated" and contact.wrap_up_seconds is not None
    assert AgentState.objects.get(user=csr).state == "break"

    _post(iso_client, "/console/state/", {"state": "available"})
    assert services.route_next(queue_name="tier2-en").agent_id == iso.pk
    _post(iso_client, f"/console/contacts/{onward.pk}/accept/")
    page = iso_client.get("/console/").content.decode()
    assert "Hand-off from Tier 1" in page
    assert "Caller needs an officer to review the transfer between offices." in page
    assert "ISO console (Tier 2)" in page
    _post(iso_client, f"/console/contacts/{onward.pk}/end/")
    _post(
        iso_client,
        f"/console/contacts/{onward.pk}/wrap-up/",
        {"disposition": "resolved", "notes": "Explained the transfer.", "next_state": "offline"},
    )

    ivr, tier1, tier2 = (
        Interaction.objects.get(channel=Channel.IVR),
        Interaction.objects.get(channel=Channel.TIER1),
        Interaction.objects.get(channel=Channel.TIER2),
    )
    assert (tier1.parent, tier1.outcome, tier1.handled_by) == (ivr, Outcome.ESCALATED, csr)
    assert (tier2.parent, tier2.outcome, tier2.handled_by) == (tier1, Outcome.RESOLVED, iso)
    assert tier2.summary == "Explained the transfer."
    history = [
        i.channel
        for i in selectors.interactions_for_receipt_number(
            user=make_staff(Role.CSR), receipt_number=case.receipt_number
        )
    ]
    assert sorted(history) == ["ivr", "tier1", "tier2"]

    board = _signed_in(supervisor).get("/wallboard/live/").content.decode()
    now = timezone.now()
    rate = selectors.tier2_transfer_rate(start=now - timedelta(hours=1), end=now)
    assert (rate.numerator, rate.denominator) == (1, 1)
    assert 'data-figure="today-tier2">100.0%' in board
    assert f'data-agent="{csr.username}"' in board and "On break" in board
    stats = {row.name: row for row in selectors.queue_stats()}
    assert (stats["tier1-en"].answered, stats["tier2-en"].answered) == (1, 1)


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

    assert request.due_on == timezone.localdate() + timedelta(days=7)
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


def test_console_keeps_what_the_csr_typed_when_a_service_request_is_refused(reference, client_as):
    client = client_as(Role.CSR)
    case = _within_normal_case()
    response = client.post(
        "/console/service-requests/",
        {
            "kind": "outside_normal",
            "receipt_number": case.receipt_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_email": "caller@example.com",
            "details": "Waiting a long time",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "within normal processing time" in page
    assert 'value="caller@example.com"' in page and "Waiting a long time" in page

    refused_by_the_service = {
        "kind": "outside_normal",
        "receipt_number": "EAC12",
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
    }
    response = client.post("/console/service-requests/", refused_by_the_service)
    page = response.content.decode()
    # Each refused field names its error for screen readers, and the error carries that id.
    field = re.search(r'<input[^>]*name="receipt_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    error_id = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()[-1]
    assert error_id == "id_receipt_number_error" and f'id="{error_id}"' in page


def test_tier1_relays_an_expedite_that_only_tier2_decides(reference, make_staff):
    case = _within_normal_case()
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="expedite",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="representative",
        requester_name="Ana Ortiz, Esq.",
        contact_email="ana@example.com",
        expedite_criterion="humanitarian",
        details="Medical emergency abroad.",
    )
    assert request.status == ServiceRequestStatus.PENDING_REVIEW
    assert request.due_on == timezone.localdate() + timedelta(days=7)

    assert _signed_in(csr).post(f"/console/service-requests/{request.pk}/review/", {}).status_code == 403
    iso_client = _signed_in(iso)
    assert request.reference in iso_client.get("/console/").content.decode()
    page = _post(
        iso_client,
        f"/console/service-requests/{request.pk}/review/",
        {"decision": "approve", "note": "Documented medical emergency."},
    ).content.decode()
    assert "Decision recorded" in page
    request.refresh_from_db()
    assert (request.status, request.reviewed_by, request.review_note) == (
        ServiceRequestStatus.APPROVED,
        iso,
        "Documented medical emergency.",
    )
    page = _post(
        iso_client, f"/console/service-requests/{request.pk}/review/", {"decision": "deny", "note": "Again"}
    ).content.decode()
    assert "is not awaiting review" in page


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


def test_queue_report_shows_and_exports_figures_by_day_queue_and_language(reference, make_staff):
    supervisor = make_staff(Role.SUPERVISOR)
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    answered = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=answered.pk)
    services.contact_complete(context=AuditContext(actor=csr), user=csr, contact_id=answered.pk)
    lost = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number, call_sid="CA" + "2" * 32)
    services.contact_abandon(context=AuditContext.system(), call_sid=lost.call_sid)
    client = _signed_in(supervisor)
    today = timezone.localdate()

    page = client.get("/reports/queues/", {"start": today.isoformat(), "end": today.isoformat()}).content.decode()
    assert "tier1-en" in page and "50.0%" in page

    response = client.get("/reports/queues/", {"start": today.isoformat(), "end": today.isoformat(), "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert [(r["queue"], r["language"], r["contacts"], r["answered"], r["abandoned"]) for r in rows] == [
        ("tier1-en", "en", "2", "1", "1")
    ]
    assert rows[0]["service_level_percent"] == "50.0" and rows[0]["abandonment_percent"] == "50.0"
    bad = client.get("/reports/queues/", {"start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()})
    assert bad.status_code == 400 and "The end date is before the start date." in bad.content.decode()


def test_api_agent_state_queue_stats_and_service_requests_are_role_checked(reference, make_staff):
    csr, supervisor = make_staff(Role.CSR), make_staff(Role.SUPERVISOR)
    agent_api, supervisor_api = _signed_in(csr), _signed_in(supervisor)

    response = agent_api.post("/api/agent/state/", {"state": "available"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "available"
    assert response.json()["home_queue"] == "tier1-en"
    assert agent_api.post("/api/agent/state/", {"state": "on_call"}, content_type="application/json").status_code == 400
    assert supervisor_api.get("/api/agent/state/").status_code == 403

    assert agent_api.get("/api/queues/stats/").status_code == 403
    stats = {row["name"]: row for row in supervisor_api.get("/api/queues/stats/").json()}
    assert stats["tier1-en"]["agents"] == {"available": 1}

    unknown = agent_api.post(
        "/api/service-requests/",
        {
            "kind": "card_not_received",
            "receipt_number": "EAC0000000001",
            "date_of_birth": "1980-01-01",
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
        },
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "No case is on file" in unknown.json()["message"]
    case = _within_normal_case()
    created = agent_api.post(
        "/api/service-requests/",
        {
            "kind": "card_not_received",
            "receipt_number": case.receipt_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["office"] == case.office.code and created.json()["status"] == "routed"
    listed = supervisor_api.get("/api/service-requests/", {"receipt_number": case.receipt_number}).json()
    assert [row["reference"] for row in listed["results"]] == [created.json()["reference"]]


def test_the_training_switch_opens_tier1_at_any_hour_and_warns_under_check_deploy(db, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.checks import run_checks

    from contactcenter.routing import hours

    saturday_night = datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    assert hours.tier1_open(time_zone="America/New_York", at=saturday_night) is False
    assert "contactcenter.W002" not in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.TIER1_ALWAYS_OPEN = True
    assert hours.tier1_open(time_zone="America/New_York", at=saturday_night) is True
    assert "contactcenter.W002" in [m.id for m in run_checks(include_deployment_checks=True)]


def test_tier2_closed_for_the_day_refuses_the_escalation_and_keeps_the_caller_with_the_csr(reference, make_staff):
    from datetime import time

    QueueConfig.objects.filter(name="tier2-en").update(
        opens_at=time(8, 0), closes_at=time(12, 0), hours_time_zone="America/New_York"
    )
    case = _outside_normal_case()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")

    form = {
        "reason": "case_specific",
        "tried": "Read the status.",
        "summary": "Interview notice missing.",
        "language": "en",
    }
    response = client.post(f"/console/contacts/{contact.pk}/escalate/", form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Tier 2 is closed now; it opens Tuesday 5:00 AM the caller&#x27;s time." in page
    assert "Interview notice missing." in page  # what the CSR typed is still there
    contact.refresh_from_db()
    assert (contact.status, contact.offered_to_id, contact.disposition) == ("connected", csr.pk, "")
    assert not WaitingContact.objects.filter(tier=2).exists()
    assert AgentState.objects.get(user=csr).state == "on_call"

    board = _signed_in(make_staff(Role.SUPERVISOR)).get("/wallboard/live/").content.decode()
    assert "08:00–12:00 America/New_York, Mon–Fri" in board
    assert "08:00–20:00 caller's time, Mon–Fri" in html.unescape(board)


def _address_change(case, **changes) -> dict:
    return {
        "kind": "address_change",
        "receipt_number": case.receipt_number,
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
        "contact_phone": "+12135550142",
        "new_address_line": "1200 Main St Apt 4",
        "new_city": "Los Angeles",
        "new_state": "CA",
        "new_zip": "90012",
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_zip", "9001", "A ZIP code is 5 digits, for example 90012."),
        ("new_state", "ZZ", "Give the 2-letter code of a US state or territory, for example CA, NY or PR."),
    ],
)
def test_an_address_change_with_a_bad_zip_or_state_is_refused_next_to_the_field_on_the_console(
    reference, make_staff, field, value, message
):
    case = BenefitCase.objects.filter(status__terminal=False).first()
    before = (case.mailing_address_line, case.mailing_state, case.mailing_zip)
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")

    response = client.post(
        "/console/service-requests/", {"contact_id": contact.pk, **_address_change(case, **{field: value})}
    )

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'<span class="usa-error-message" id="id_{field}_error"[^>]*>([^<]*)</span>', page)
    assert error is not None and html.unescape(error.group(1)) == message
    assert re.search(rf'<input[^>]*name="{field}"[^>]*value="{value}"', page)
    assert ServiceRequest.objects.count() == 0
    case.refresh_from_db()
    assert (case.mailing_address_line, case.mailing_state, case.mailing_zip) == before


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


@pytest.mark.parametrize(
    ("time_zone", "shown"),
    [("America/Los_Angeles", "10:05 a.m. (Pacific time)"), ("America/Chicago", "12:05 p.m. (Central time)")],
)
def test_the_console_shows_the_callers_own_wall_clock_time_not_the_servers(reference, make_staff, time_zone, shown):
    from datetime import UTC, datetime

    import time_machine

    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    # 18:05 UTC is 1:05 PM on the server's (Eastern) clock.
    with time_machine.travel(datetime(2026, 11, 30, 18, 5, 30, tzinfo=UTC), tick=False):
        _post(client, "/console/state/", {"state": "available"})
        contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number, time_zone=time_zone)
        services.route_next(queue_name="tier1-en")
        page = _post(client, f"/console/contacts/{contact.pk}/accept/").content.decode()

    local_time = re.search(r"local time</dt><dd>([^<]*)</dd>", page)
    assert local_time is not None and local_time.group(1) == shown


def test_a_spanish_console_shows_the_callers_time_on_a_24_hour_clock_with_the_zone_named():
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load i18n tz %}{{ at|timezone:zone|time }} "
        "({% blocktranslate with zone=label %}{{ zone }} time{% endblocktranslate %})"
    )
    at = datetime(2026, 11, 30, 18, 5, tzinfo=UTC)
    with translation.override("es"):
        shown = template.render(Context({"at": at, "zone": "America/Phoenix", "label": "de Arizona"}))
    assert shown == "11:05 (hora de Arizona)"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0, "0 s"), (45, "45 s"), (240, "4 min"), (245, "4 min 5 s"), (4272, "1 h 11 min")],
)
def test_waits_are_shown_in_hours_minutes_and_seconds(seconds, shown):
    from contactcenter.templatetags.durations import wait_time

    assert wait_time(seconds) == shown


def test_an_outreach_callback_path_reads_as_words():
    from contactcenter.templatetags.ivr_labels import ivr_step

    assert ivr_step("outreach-referral") == "Referred by outreach staff (callback)"


def test_wrap_up_is_left_only_through_the_wrap_up_form_with_its_disposition_and_notes(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    _post(client, f"/console/contacts/{contact.pk}/end/")

    page = client.get("/console/").content.decode()
    assert "Finish wrap-up" in page
    assert 'action="/console/state/"' not in page and "Go available" not in page

    page = _post(client, "/console/state/", {"state": "available"}).content.decode()
    assert "Finish the wrap-up first" in page
    assert AgentState.objects.get(user=csr).state == "wrap_up"
    contact.refresh_from_db()
    assert (contact.disposition, contact.wrap_up_seconds) == ("", None)
    with pytest.raises(ApplicationError, match="Finish the wrap-up first"):
        services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="offline")

    page = _post(
        client,
        f"/console/contacts/{contact.pk}/wrap-up/",
        {"disposition": "information", "notes": "Gave the status.", "next_state": "available"},
    ).content.decode()
    assert "Wrap-up saved" in page
    contact.refresh_from_db()
    assert (contact.disposition, contact.wrap_up_notes) == ("information", "Gave the status.")
    assert contact.wrap_up_seconds is not None
    assert AgentState.objects.get(user=csr).state == "available"


def test_an_agent_in_wrap_up_with_nothing_left_to_wrap_up_may_change_state(reference, make_staff):
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    AgentState.objects.filter(user=csr).update(state="wrap_up")  # e.g. the contact was wrapped up elsewhere

    assert "Go available" in _signed_in(csr).get("/console/").content.decode()
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="break")
    assert AgentState.objects.get(user=csr).state == "break"


@pytest.mark.parametrize("ends", ["caller hangs up", "offer lapses"])
def test_a_standing_offer_is_not_redrawn_by_the_poll_until_it_changes(reference, make_staff, ends):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")

    offer = client.get("/console/work/")
    assert offer.status_code == 200 and "A caller is offered to you" in offer.content.decode()
    poll = re.search(r'hx-get="(/console/work/\?seen=[0-9a-f]+)"', offer.content.decode()).group(1)
    for _ in range(3):  # nothing changed: htmx swaps nothing on 204, so focus and the live region stay
        unchanged = client.get(poll)
        assert unchanged.status_code == 204 and unchanged.content == b""

    if ends == "caller hangs up":
        services.contact_abandon(context=AuditContext.system(), call_sid=contact.call_sid)
    else:
        contact.refresh_from_db()
        assert services.offers_expire(now=contact.offer_expires_at + timedelta(seconds=1)) == 1
    gone = client.get(poll)
    assert gone.status_code == 200
    page = gone.content.decode()
    assert "A caller is offered to you" not in page and 'id="no-contact"' in page


def test_the_console_on_a_call_has_unique_ids_and_every_label_names_its_own_field(reference, make_staff):
    from collections import Counter
    from html.parser import HTMLParser

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.labels, self.fields = Counter(), [], {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                self.ids[attrs["id"]] += 1
                if tag in ("input", "select", "textarea"):
                    self.fields[attrs["id"]] = attrs.get("name")
            if tag == "label" and attrs.get("for"):
                self.labels.append(attrs["for"])

    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    page = _post(client, f"/console/contacts/{contact.pk}/accept/").content.decode()
    assert "On the line" in page and "Take a service request" in page

    # The service-request form opens in the console's side panel: the page and the panel together.
    panel = client.get("/console/service-requests/", HTTP_X_SIDE_PANEL="1").content.decode()
    found = Ids()
    found.feed(page + panel)
    assert [name for name, count in found.ids.items() if count > 1] == []
    assert [target for target in found.labels if target not in found.fields] == []
    assert found.fields["lookup-receipt-number"] == found.fields["id_receipt_number"] == "receipt_number"


def test_an_invalid_receipt_number_given_on_a_call_is_refused_next_to_the_field_with_the_value_kept(
    reference, make_staff
):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    case = BenefitCase.objects.first()
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")

    response = client.post(f"/console/contacts/{contact.pk}/receipt/", {"receipt_number": "EAC12"})

    assert response.status_code == 400
    page = response.content.decode()
    field = re.search(r'<input[^>]*id="add-receipt"[^>]*>', page).group(0)
    assert (
        'value="EAC12"' in field and 'aria-invalid="true"' in field and 'aria-describedby="add-receipt-error"' in field
    )
    error = re.search(r'<span class="usa-error-message" id="add-receipt-error" role="alert">([^<]*)</span>', page)
    assert error is not None and html.unescape(error.group(1)).startswith("A receipt number is 3 letters")
    contact.refresh_from_db()
    assert contact.receipt_numbers == [case.receipt_number]

    page = _post(client, f"/console/contacts/{contact.pk}/receipt/", {"receipt_number": "ioe-098-765-4321"})
    assert "Receipt number added to the contact." in page.content.decode()
    contact.refresh_from_db()
    assert contact.receipt_numbers == [case.receipt_number, "IOE0987654321"]


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


def test_an_address_change_without_the_address_is_refused_on_each_field_without_raw_field_names(reference, make_staff):
    case = BenefitCase.objects.filter(status__terminal=False).first()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    empty = dict.fromkeys(("new_address_line", "new_city", "new_state", "new_zip"), "")

    response = client.post("/console/service-requests/", {"contact_id": contact.pk, **_address_change(case, **empty)})

    assert response.status_code == 400
    page = response.content.decode()
    for name in empty:
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field and f'aria-describedby="id_{name}_error"' in field
        error = re.search(rf'<span class="usa-error-message" id="id_{name}_error"[^>]*>([^<]*)</span>', page)
        assert error is not None and error.group(1) == "An address change needs the new address."
    assert "new_address_line:" not in page and "new_city:" not in page
    assert ServiceRequest.objects.count() == 0

    data = {**_address_change(case, **empty), "date_of_birth": case.date_of_birth}
    with pytest.raises(ApplicationError) as refused:
        services.service_request_create(context=AuditContext(actor=csr), user=csr, **data)
    assert refused.value.message == "An address change needs the new address."
    assert sorted(refused.value.fields) == sorted(empty)


def test_an_iso_decision_without_a_reason_is_refused_next_to_that_requests_reason_field(reference, make_staff):
    case = _within_normal_case()
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="expedite",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_phone="+12135550142",
        expedite_criterion="humanitarian",
    )

    response = _signed_in(iso).post(
        f"/console/service-requests/{request.pk}/review/", {"decision": "approve", "note": "  "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    field = re.search(rf'<textarea[^>]*id="note-{request.pk}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and f'aria-describedby="note-{request.pk}-error"' in field
    error = re.search(rf'<span class="usa-error-message" id="note-{request.pk}-error"[^>]*>([^<]*)</span>', page)
    assert error is not None and error.group(1) == "Give the reason for the decision."
    request.refresh_from_db()
    assert request.status == ServiceRequestStatus.PENDING_REVIEW


def test_the_same_service_request_form_posted_twice_takes_one_request(reference, make_staff):
    case = _outside_normal_case()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    page = client.get("/console/service-requests/", HTTP_X_SIDE_PANEL="1").content.decode()  # the side panel
    form = re.search(r'<form[^>]*action="/console/service-requests/"[^>]*>', page).group(0)
    assert "data-submit-once" in form
    token = re.search(r'<input type="hidden" name="submission_token" value="([0-9a-f]{32})"', page).group(1)
    data = {
        "contact_id": contact.pk,
        "kind": "outside_normal",
        "receipt_number": case.receipt_number,
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
        "contact_phone": "+12135550142",
        "submission_token": token,
    }

    first = _post(client, "/console/service-requests/", data).content.decode()
    second = _post(client, "/console/service-requests/", data).content.decode()

    request = ServiceRequest.objects.get()
    assert f"{request.reference} taken" in first
    assert f"{request.reference} was already taken." in second and f"{request.reference} taken" not in second
    assert request.submission_token == token
    assert AuditEvent.objects.filter(target_type="contactcenter.servicerequest", action="create").count() == 1
    again = client.get("/console/service-requests/", HTTP_X_SIDE_PANEL="1").content.decode()
    fresh = re.search(r'name="submission_token" value="([0-9a-f]{32})"', again).group(1)
    assert fresh != token  # the next form is a new request


def _on_the_line(client, csr, *, receipt_number=None, language="en"):
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=receipt_number or BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    return contact


ESCALATION = {"reason": "case_specific", "tried": "Read the status.", "summary": "Needs an officer.", "language": "en"}


def test_an_escalated_call_wraps_up_as_escalated_keeping_the_summary_and_the_notes_in_the_history(
    reference, make_staff
):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _on_the_line(client, csr)
    _post(client, f"/console/contacts/{contact.pk}/escalate/", ESCALATION)

    page = client.get("/console/").content.decode()
    chosen = re.search(r'<select[^>]*name="disposition".*?</select>', page, re.DOTALL).group(0)
    assert re.search(r'<option value="escalated" selected>', chosen)
    _post(
        client,
        f"/console/contacts/{contact.pk}/wrap-up/",
        {"disposition": "escalated", "notes": "Caller was calm.", "next_state": "offline"},
    )

    tier1 = Interaction.objects.get(channel=Channel.TIER1)
    assert tier1.summary == "Needs an officer. — Caller was calm."


def test_a_tier2_officer_is_not_offered_escalated_to_tier2_as_a_disposition(reference, make_staff):
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    csr_client, iso_client = _signed_in(csr), _signed_in(iso)
    contact = _on_the_line(csr_client, csr)
    _post(csr_client, f"/console/contacts/{contact.pk}/escalate/", ESCALATION)
    onward = Escalation.objects.get().to_contact
    _post(iso_client, "/console/state/", {"state": "available"})
    services.route_next(queue_name="tier2-en")
    _post(iso_client, f"/console/contacts/{onward.pk}/accept/")
    _post(iso_client, f"/console/contacts/{onward.pk}/end/")

    page = iso_client.get("/console/").content.decode()
    chosen = re.search(r'<select[^>]*name="disposition".*?</select>', page, re.DOTALL).group(0)
    assert 'value="escalated"' not in chosen and 'value="resolved"' in chosen
    refused = iso_client.post(
        f"/console/contacts/{onward.pk}/wrap-up/", {"disposition": "escalated", "notes": "", "next_state": "offline"}
    )
    assert refused.status_code == 400
    with pytest.raises(ApplicationError, match="not escalated to Tier 2"):
        services.contact_wrap_up(
            context=AuditContext(actor=iso), user=iso, contact_id=onward.pk, disposition="escalated"
        )


def test_ending_a_call_that_already_ended_says_so(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _on_the_line(client, csr)
    _post(client, f"/console/contacts/{contact.pk}/end/")

    page = _post(client, f"/console/contacts/{contact.pk}/end/").content.decode()

    assert "This call has already ended." in page and "not yours to take" not in page


def test_the_queue_report_defaults_to_the_last_seven_days_and_shows_only_the_error_when_refused(reference, make_staff):
    from django.utils import translation

    client = _signed_in(make_staff(Role.SUPERVISOR))
    today = timezone.localdate()
    week_ago = (today - timedelta(days=6)).isoformat()

    for language in ("en", "es"):
        with translation.override(language):
            client.cookies["django_language"] = language
            page = client.get("/reports/queues/").content.decode()
        assert re.search(rf'<input[^>]*name="start"[^>]*value="{week_ago}"', page)
        assert re.search(rf'<input[^>]*name="end"[^>]*value="{today.isoformat()}"', page)
    client.cookies["django_language"] = "en"
    filtered = client.get("/reports/queues/", {"queue_name": "tier1-en"})
    assert filtered.status_code == 200
    assert re.search(rf'<input[^>]*name="start"[^>]*value="{week_ago}"', filtered.content.decode())

    bad = client.get("/reports/queues/", {"start": today.isoformat(), "end": week_ago})
    page = bad.content.decode()
    assert bad.status_code == 400 and "The end date is before the start date." in page
    assert "No live contacts" not in page and "<table" not in page


def test_the_ivr_path_is_shown_to_agents_in_words(reference, make_staff):
    from django.utils import translation

    from contactcenter.templatetags.ivr_labels import ivr_step

    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _on_the_line(client, csr)
    WaitingContact.objects.filter(pk=contact.pk).update(
        ivr_path=["language:en", "main:1", "case-next:2", "ptime:case-outside", "new-node:7"]
    )

    page = html.unescape(client.get("/console/").content.decode())

    assert (
        "Language: English › Main menu: case status › After the status: processing time › "
        "Case outside normal processing time › new-node:7" in page
    )
    with translation.override("es"):
        assert ivr_step("case-next:2") == "Después del estado: tiempo de procesamiento"


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()


def test_the_escalation_form_says_how_many_tier2_officers_of_each_language_are_signed_in(reference, make_staff):
    csr = make_staff(Role.CSR)
    english_iso, spanish_iso, offline_iso = make_staff(Role.ISO), make_staff(Role.ISO), make_staff(Role.ISO)
    for officer in (english_iso, spanish_iso):
        services.agent_state_set(context=AuditContext(actor=officer), user=officer, state="available")
    AgentState.objects.filter(user=english_iso).update(languages=",en,")
    AgentState.objects.filter(user=spanish_iso).update(state="break", home_queue="tier2-es", languages=",es,")
    services.agent_state_set(context=AuditContext(actor=offline_iso), user=offline_iso, state="available")
    services.agent_state_set(context=AuditContext(actor=offline_iso), user=offline_iso, state="offline")
    assert selectors.tier2_officers_signed_in() == {"en": 1, "es": 1}
    AgentState.objects.filter(user=spanish_iso).update(state="offline")
    client = _signed_in(csr)

    page = html.unescape(_on_the_line(client, csr) and client.get("/console/").content.decode())

    hint = re.search(r'<span class="usa-hint" id="id_language_hint">([^<]*)</span>', page)
    assert hint is not None and "who speak each language: English: 1, Spanish: 0." in hint.group(1)
    assert "waits until an officer who speaks it signs in" in hint.group(1)
    select = re.search(r'<select[^>]*name="language"[^>]*>', page).group(0)
    assert 'aria-describedby="id_language_hint"' in select
