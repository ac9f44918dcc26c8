"""One caller's IVR call, Tier 1 conversation and escalation, seen on one timeline in the CSR's and
the ISO's console and in the CAO case view: the IVR's steps in words, never their codes."""

from __future__ import annotations

import html

from django.test import Client

from contactcenter import services
from contactcenter.models import AuditEvent, WaitingContact
from contactcenter.staff.roles import Role
from ivr.models import Call
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

RECEIPT = "EAC2190000001"
STEPS_IN_WORDS = "Language: English › Main menu: case status"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.content.decode())


def test_the_timeline_shows_the_ivr_steps_in_words_in_all_three_consoles(reference, caller, at_time, make_staff):
    csr, iso, analyst = make_staff(Role.CSR), make_staff(Role.ISO), make_staff(Role.CAO_ANALYST)
    csr_client, iso_client = _client(csr), _client(iso)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")  # English
        call.press("1")  # case status
        call.press("3222190000001")  # EAC2190000001 on the keypad
        call.press("1")  # that's right
        assert call.press("0").enqueue is not None  # a representative
        contact = WaitingContact.objects.get(call_sid=call.call_sid)

        csr_client.post("/console/state/", {"state": "available"})
        services.route_next(queue_name="tier1-en")
        csr_client.post(f"/console/contacts/{contact.pk}/accept/")
        csr_client.post(
            f"/console/contacts/{contact.pk}/escalate/",
            {"reason": "case_specific", "tried": "Read the status.", "summary": "Office transfer.", "language": "en"},
        )
        csr_client.post(
            f"/console/contacts/{contact.pk}/wrap-up/",
            {"disposition": "escalated", "more_dispositions": ["information"], "next_state": "offline"},
        )
        onward = WaitingContact.objects.get(escalated_from__from_contact=contact)
        iso_client.post("/console/state/", {"state": "available"})
        services.route_next(queue_name="tier2-en")
        iso_client.post(f"/console/contacts/{onward.pk}/accept/")

        # Read within the same hour: the sessions' idle clock counts from the calls' time.
        path = Call.objects.get(call_sid=call.call_sid).path
        assert path[:2] == ["language:en", "main:1"]  # what the IVR stores: codes
        pages = {
            "CSR case panel": _page(csr_client, f"/cases/{RECEIPT}/", HTTP_X_SIDE_PANEL="1"),
            "CSR caller panel": _page(csr_client, f"/console/contacts/{contact.pk}/timeline/", HTTP_X_SIDE_PANEL="1"),
            "ISO case panel": _page(iso_client, f"/cases/{RECEIPT}/", HTTP_X_SIDE_PANEL="1"),
            "ISO caller page": _page(iso_client, f"/console/contacts/{onward.pk}/timeline/"),
            "CAO case view": _page(_client(analyst), f"/casework/cases/{RECEIPT}/"),
        }
        for where, page in pages.items():
            assert page.count('data-timeline-entry="contact" data-channel="ivr"') == 1, where
            assert STEPS_IN_WORDS in page, where
            assert "main:1" not in page and "language:en" not in page, where
            assert 'data-timeline-entry="escalation"' in page and "Office transfer." in page, where
            assert "Escalated to Tier 2, Information given" in page, where
        # The ISO's console draws the earlier contacts about the caller's case with the same partial, and
        # links the caller's timeline; an agent never reads another agent's caller.
        console = _page(iso_client, "/console/")
        assert f"<span data-ivr-steps>{STEPS_IN_WORDS}" in console
        assert f"/console/contacts/{onward.pk}/timeline/" in console
        assert csr_client.get(f"/console/contacts/{onward.pk}/timeline/").status_code == 404
        # Each reading is audited: the receipt number's, and the caller's under their contact.
        assert AuditEvent.objects.filter(action="view", target_type="receipt_number", target_id=RECEIPT).count() == 3
        assert set(
            AuditEvent.objects.filter(
                action="view", target_type="contactcenter.waitingcontact", summary__startswith="Viewed the timeline"
            ).values_list("target_id", flat=True)
        ) == {str(contact.pk), str(onward.pk)}


def test_the_timeline_says_the_ivr_steps_in_spanish(reference, caller, at_time, make_staff):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("2")  # Spanish
        call.press("1")
        call.press("3222190000001")
        call.press("1")
        call.hang_up()
    page = _page(_client(make_staff(Role.CSR)), f"/cases/{RECEIPT}/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Idioma: español › Menú principal: estado del caso" in page


def test_every_kind_of_step_the_flow_records_has_words():
    from django.utils import translation

    from contactcenter.templatetags.ivr_labels import ivr_step

    codes = ["language:relay", "form-menu:2", "results:3", "text:form:ask-number", "zip:0", "form:9", "ptime:back"]
    assert [ivr_step(code) for code in codes] == [
        "Relay or TTY caller",
        "Form: by mail",
        "Results: another ZIP code",
        "Form link by text: asked for a number",
        "Asked for a representative",
        "Back to the main menu",
        "Went back",
    ]
    assert ivr_step("priority-date:F2A:Mexico") == "Priority date: F2A:Mexico"
    with translation.override("es"):
        assert ivr_step("results:2") == "Resultados: por mensaje de texto"
