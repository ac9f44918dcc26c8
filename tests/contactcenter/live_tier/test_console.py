"""The agent console once an agent answers, as CSRs and ISOs use it: the offer, the caller's context,
escalation to Tier 2, ending the call and wrap-up."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
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
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _ivr_contact, _outside_normal_case, _post, _signed_in


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
    assert request.due_on == business_days_after(timezone.localdate(), 15)

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
    # "office": the service request's reference number sent to the caller (contactcenter/live/office_work.py).
    assert sorted(history) == ["ivr", "office", "tier1", "tier2"]

    board = _signed_in(supervisor).get("/wallboard/live/").content.decode()
    now = timezone.now()
    rate = selectors.tier2_transfer_rate(start=now - timedelta(hours=1), end=now)
    assert (rate.numerator, rate.denominator) == (1, 1)
    assert 'data-figure="today-tier2">100.0%' in board
    assert f'data-agent="{csr.username}"' in board and "On break" in board
    stats = {row.name: row for row in selectors.queue_stats()}
    assert (stats["tier1-en"].answered, stats["tier2-en"].answered) == (1, 1)


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
