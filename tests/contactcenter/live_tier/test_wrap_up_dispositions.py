"""Wrap-up with several dispositions and the agent's correction of the topic the IVR guessed; the
after-call timers on the wrap-up form."""

from __future__ import annotations

import html
import re

import pytest

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent, BenefitCase, Channel, Interaction, Outcome, WaitingContact
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _ivr_contact, _post, _signed_in


def _in_wrap_up(client, make_staff=None, contact=None) -> WaitingContact:
    _post(client, "/console/state/", {"state": "available"})
    contact = contact or _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name=contact.queue_name)
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    _post(client, f"/console/contacts/{contact.pk}/end/")
    return contact


def test_a_wrap_up_records_two_dispositions_and_the_corrected_topic_keeping_the_ivr_guess(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _in_wrap_up(client)

    services.contact_wrap_up(
        context=AuditContext(actor=csr),
        user=csr,
        contact_id=contact.pk,
        disposition="service_request",
        more_dispositions=["callback", "service_request"],
        topic="address-change",
        notes="Took an AR-11; calls back tomorrow.",
    )

    contact.refresh_from_db()
    assert (contact.disposition, contact.dispositions) == ("service_request", ["service_request", "callback"])
    assert selectors.contact_dispositions(contact) == ["service_request", "callback"]
    assert contact.wrap_up_topic == "address-change"
    conversation = Interaction.objects.get(channel=Channel.TIER1)
    # The ledger's outcome (what FCR and the reports read) is the primary disposition's.
    assert (conversation.topic.code, conversation.outcome) == ("address-change", Outcome.SERVICE_REQUEST)
    # The IVR's guess stays on the IVR's own entry, for containment analysis.
    assert Interaction.objects.get(channel=Channel.IVR).topic.code == "case-status"
    assert AuditEvent.objects.filter(
        target_type="contactcenter.waitingcontact",
        target_id=str(contact.pk),
        summary="Wrapped up: service_request, callback; topic case-status corrected to address-change",
    ).exists()


def test_a_topic_the_ivr_guessed_right_is_not_recorded_as_a_correction(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _in_wrap_up(client)
    services.contact_wrap_up(
        context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, disposition="information", topic="case-status"
    )
    contact.refresh_from_db()
    assert (contact.wrap_up_topic, contact.dispositions) == ("", ["information"])


def test_the_console_wrap_up_form_takes_several_dispositions_and_a_topic(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _in_wrap_up(client)

    page = html.unescape(client.get("/console/").content.decode())
    # The form proposes the IVR's topic, offers the other dispositions as checkboxes, and shows the timers.
    topic_select = re.search(r'<select[^>]*name="topic".*?</select>', page, re.DOTALL).group(0)
    assert re.search(r'<option value="case-status"[^>]*selected', topic_select)
    assert page.count('name="more_dispositions"') == 8
    timers = re.findall(r'<span role="timer" aria-live="off"[^>]*data-wrap-up-timer="(up|down)"', page)
    assert timers == ["up", "down"]
    assert "js/wrap-up-timer.js" in page

    page = _post(
        client,
        f"/console/contacts/{contact.pk}/wrap-up/",
        {
            "disposition": "information",
            "more_dispositions": ["service_request", "referred_cao"],
            "topic": "expedite",
            "notes": "Wants an expedite; sent to CAO as well.",
            "next_state": "available",
        },
    ).content.decode()
    assert "Wrap-up saved" in page
    contact.refresh_from_db()
    assert contact.dispositions == ["information", "service_request", "referred_cao"]
    assert (contact.disposition, contact.wrap_up_topic) == ("information", "expedite")
    assert Interaction.objects.get(channel=Channel.TIER1).topic.code == "expedite"

    # The case's timeline shows both the dispositions and what the IVR had guessed.
    history = html.unescape(client.get(f"/cases/{contact.receipt_numbers[0]}/").content.decode())
    assert "Information given, Service request taken, Referred to CAO casework" in history
    assert "corrected by the agent; the IVR guessed Case status" in history


def test_the_console_refuses_an_unknown_topic_and_a_tier2_escalation_among_the_others(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    contact = _in_wrap_up(client)
    response = client.post(
        f"/console/contacts/{contact.pk}/wrap-up/",
        {"disposition": "information", "topic": "no-such-topic", "next_state": "available"},
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert (contact.disposition, contact.dispositions) == ("", [])
    with pytest.raises(ApplicationError, match="Choose a topic from the list"):
        services.contact_wrap_up(
            context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, disposition="information", topic="nope"
        )
    with pytest.raises(ApplicationError, match="Unknown disposition"):
        services.contact_wrap_up(
            context=AuditContext(actor=csr),
            user=csr,
            contact_id=contact.pk,
            disposition="information",
            more_dispositions=["lunch"],
        )


def test_an_escalated_call_that_also_took_a_service_request_keeps_escalated_first(reference, make_staff):
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    _post(
        client,
        f"/console/contacts/{contact.pk}/escalate/",
        {"reason": "case_specific", "tried": "Status.", "summary": "Needs an officer.", "language": "en"},
    )

    _post(
        client,
        f"/console/contacts/{contact.pk}/wrap-up/",
        {"disposition": "service_request", "notes": "", "next_state": "offline"},
    )

    contact.refresh_from_db()
    assert (contact.disposition, contact.dispositions) == ("escalated", ["escalated", "service_request"])
    assert Interaction.objects.get(channel=Channel.TIER1).outcome == Outcome.ESCALATED

    # Tier 2 does not escalate further, neither as the primary disposition nor among the others.
    iso_client = _signed_in(iso)
    onward = contact.escalation.to_contact
    _post(iso_client, "/console/state/", {"state": "available"})
    services.route_next(queue_name="tier2-en")
    _post(iso_client, f"/console/contacts/{onward.pk}/accept/")
    _post(iso_client, f"/console/contacts/{onward.pk}/end/")
    page = iso_client.get("/console/").content.decode()
    assert 'name="more_dispositions" value="escalated"' not in page
    with pytest.raises(ApplicationError, match="not escalated to Tier 2"):
        services.contact_wrap_up(
            context=AuditContext(actor=iso),
            user=iso,
            contact_id=onward.pk,
            disposition="resolved",
            more_dispositions=["escalated"],
        )
