"""The console's offer card and the agent's state while an offer stands: what the card shows (the
caller's number and receipt numbers masked, language, the IVR path in words, the whole wait, the
offer's end for the countdown, the Accept shortcut), "Offered" on the console and the wallboard, the
call bar, and the side panel's case and service-request form (prefilled from the call)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditAction, AuditEvent, WaitingContact
from contactcenter.staff.roles import Role

pytestmark = [pytest.mark.django_db]

CALL_SID = "CA" + "7" * 32
PANEL = {"HTTP_X_SIDE_PANEL": "1"}


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _offered(user, *, phone: str = "+12135550142", waited: int = 95, **kwargs) -> WaitingContact:
    services.agent_state_set(context=AuditContext(actor=user), user=user, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone=phone,
        language="es",
        caller_time_zone="America/Los_Angeles",
        call_sid=CALL_SID,
        receipt_numbers=["EAC2190000001"],
        ivr_path=["language:es", "main:1", "case-status:approved", "representative"],
        **kwargs,
    )
    WaitingContact.objects.filter(pk=contact.pk).update(enqueued_at=timezone.now() - timedelta(seconds=waited))
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    contact.refresh_from_db()
    return contact


# The offer's own section carries the bare attribute (beside data-offer-caller and the others).
OFFER = re.compile(r"\sdata-offer(?=[\s>])")


def _offer_section(page: str) -> str:
    start = OFFER.search(page).start()
    return page[page.rindex("<section", 0, start) : page.index("</section>", start)]


def test_the_offer_card_shows_the_callers_context_masked_and_the_offers_end(spanish_csr, client):
    contact = _offered(spanish_csr)
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = _offer_section(page)

    assert '<dd class="text-mono" data-offer-caller>+*******0142</dd>' in card
    # Masked until the call is taken (the receipt number's one mention is the lookup's example).
    assert "2135550142" not in page and page.count("EAC2190000001") == 1
    assert '<dd class="text-mono" data-offer-receipts>EAC******0001</dd>' in card
    assert "<dd data-offer-language>Spanish</dd>" in card
    assert "Language: Spanish › Main menu: case status › Case status: approved › Representative" in re.sub(
        r"\s+", " ", card
    )
    waited = re.search(r'data-offer-waited="[^"]+">([^<]+)</dd>', card).group(1)
    assert re.fullmatch(r"1 min 3[5-9] s", waited), waited
    # The countdown's instants, and the seconds left as the server counted them.
    expires = re.search(r'data-offer-expires="([^"]+)"', card).group(1)
    assert datetime.fromisoformat(expires) == contact.offer_expires_at
    assert re.search(r'data-offer-now="\d{4}-\d\d-\d\dT[^"]+"', card)
    left = int(re.search(r"Seconds left to answer: (\d+)", card).group(1))
    assert 10 <= left <= 20  # the queue's 20-second offer
    assert 'data-offer-title="Incoming call — Spanish"' in card
    assert 'aria-live="polite" aria-atomic="true" data-offer-countdown-announcer' in card
    assert 'aria-hidden="true" data-offer-countdown' in card  # not read out every second
    # Accept keeps its id (htmx restores focus by id) and says its shortcut, on screen and to assistive tech.
    assert f'id="offer-accept-{contact.pk}" aria-keyshortcuts="Alt+A"' in card
    assert '<kbd class="ncsc-kbd">Alt+A</kbd>' in card
    assert "accesskey" not in card
    assert 'data-offer-ring="/static/audio/ring.wav"' in card

    # Seeing the caller's receipt numbers (masked) is audited as every view of them is.
    viewed = AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_type="contactcenter.waitingcontact", target_id=str(contact.pk)
    ).latest("id")
    assert viewed.summary == "Viewed the caller's cases: EAC******0001"


def test_a_withheld_number_and_no_receipt_number_say_so_in_spanish(spanish_csr, client):
    _offered(spanish_csr, phone="anonymous")
    WaitingContact.objects.update(receipt_numbers=[])
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    card = _offer_section(page)
    assert '<dd class="text-mono" data-offer-caller>Número oculto</dd>' in card
    assert "No dio ninguno" in card
    assert "Espera total" in card and "Segundos para contestar:" in card
    assert 'data-msg-seconds-left="Segundos para contestar: %(seconds)s"' in card
    assert 'data-offer-title="Llamada entrante — Español"' in card
    assert '<span class="usa-tag" data-agent-state="offered">Llamada ofrecida' in page


def test_the_agent_reads_offered_on_the_console_and_the_wallboard_and_not_after_declining(
    spanish_csr, make_staff, client
):
    contact = _offered(spanish_csr)
    client.force_login(spanish_csr)
    work = client.get(reverse("console-work")).content.decode()
    assert '<span class="usa-tag" data-agent-state="offered">Offered' in work
    assert "Available" not in re.search(r'data-agent-state="offered">[^<]*', work).group(0)

    cache.clear()
    client.force_login(make_staff(Role.SUPERVISOR))
    board = client.get(reverse("wallboard-live")).content.decode()
    row = re.search(rf'<tr data-agent="{spanish_csr.username}">.*?</tr>', board, re.S).group(0)
    assert "<td>Offered</td>" in row
    queue = re.search(r'<tr data-queue="tier1-es">.*?</tr>', board, re.S).group(0)
    assert 'data-figure="agents">Offered: 1<' in queue
    assert re.search(r'data-figure="waiting">0 \(\+1 offered\)<', queue)  # counted once, as offered

    services.offer_decline(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    client.force_login(spanish_csr)
    work = client.get(reverse("console-work")).content.decode()
    assert 'data-agent-state="not_ready"' in work and not OFFER.search(work)


def _pace(page: str) -> str:
    return re.search(r'<div id="console-work"[^>]*hx-trigger="every (\w+)"', page).group(1)


def test_an_available_console_asks_every_half_second_and_slows_down_once_offered(spanish_csr, client):
    client.force_login(spanish_csr)
    assert _pace(client.get(reverse("console-work")).content.decode()) == "2s"  # offline
    services.agent_state_set(context=AuditContext(actor=spanish_csr), user=spanish_csr, state="available")
    page = client.get(reverse("agent-console")).content.decode()
    assert _pace(page) == "500ms"  # waiting for a call: an offer shows within a second
    signature = re.search(r'data-signature="(\w+)"', page).group(1)
    assert client.get(reverse("console-work"), {"seen": signature}).status_code == 204

    _offered(spanish_csr)
    work = client.get(reverse("console-work"), {"seen": signature})
    assert work.status_code == 200  # the state changed: the region is drawn again, at the slower pace
    assert _pace(work.content.decode()) == "2s" and OFFER.search(work.content.decode())


def test_the_polls_cheap_reading_agrees_with_the_page_in_every_state(spanish_csr, client):
    from contactcenter import selectors

    def agree() -> str:
        state = selectors.console_state(user=spanish_csr)
        shown = selectors.console_glance_of(state, selectors.console_consult(state))
        assert selectors.console_glance(user=spanish_csr) == shown
        return shown[0]

    context = AuditContext(actor=spanish_csr)
    assert agree() == ""  # never signed in
    contact = _offered(spanish_csr)
    assert agree() == "offered"
    services.contact_answer(context=context, user=spanish_csr, contact_id=contact.pk)
    assert agree() == "on_call"
    services.contact_end(context=context, user=spanish_csr, contact_id=contact.pk)
    assert agree() == "wrap_up"
    services.contact_wrap_up(
        context=context, user=spanish_csr, contact_id=contact.pk, disposition="information", next_state="break"
    )
    assert agree() == "break"


def test_a_console_poll_that_finds_nothing_changed_is_five_small_queries(
    spanish_csr, client, django_assert_num_queries
):
    """The session, the user, their roles, the agent's state, the contact with its latest consult:
    every agent's console asks this every half second while waiting for a call."""
    _offered(spanish_csr)
    client.force_login(spanish_csr)
    signature = re.search(r'data-signature="(\w+)"', client.get(reverse("console-work")).content.decode()).group(1)
    with django_assert_num_queries(5) as captured:
        answer = client.get(reverse("console-work"), {"seen": signature}, HTTP_X_POLL="1", HTTP_HX_REQUEST="true")
        assert answer.status_code == 204
    assert all(" JOIN " not in query["sql"] or "auth_group" in query["sql"] for query in captured.captured_queries)


def test_the_call_bar_holds_every_control_of_the_call(spanish_csr, client):
    contact = _offered(spanish_csr)
    services.contact_answer(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    bar = re.search(r'<div class="ncsc-call-bar".*?\n  </div>\n', page, re.S).group(0)
    assert 'role="region" aria-labelledby="call-bar-heading"' in bar
    assert "+12135550142" in bar  # the call is taken: the agent reads the whole number
    assert 'role="timer"' in bar and "data-handle-since=" in bar
    for control in ('id="call-hold"', 'id="call-mute"', "data-call-keypad", 'id="transfer-queue"', ">End call<"):
        assert control in bar, control
    assert page.count(">End call<") == 1 and page.count('id="transfer-queue"') == 1
    # The case and the service-request form open in the side panel; the panel is on the page.
    assert 'data-side-panel-open aria-describedby="side-panel-hint">EAC2190000001</a>' in page
    assert 'id="open-service-request"' in page
    assert '<aside id="side-panel" class="ncsc-side-panel" aria-labelledby="side-panel-heading" hidden' in page


def test_the_service_request_form_in_the_side_panel_is_prefilled_from_the_call(spanish_csr, client):
    contact = _offered(spanish_csr, skill="outside-processing-time")
    services.contact_answer(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    client.force_login(spanish_csr)
    response = client.get(reverse("console-service-request"), HTTP_ACCEPT_LANGUAGE="en", **PANEL)
    panel = response.content.decode()
    assert response.status_code == 200 and "X-Side-Panel" in response["Vary"]
    assert "<html" not in panel and 'data-side-panel-title="Take a service request"' in panel
    assert f'<input type="hidden" name="contact_id" value="{contact.pk}">' in panel
    assert '<input type="hidden" name="language" value="es">' in panel
    assert 'value="EAC2190000001"' in panel and 'value="+12135550142"' in panel
    assert '<option value="outside_normal" selected>' in panel
    # Without the panel (no JavaScript) the same form is the full page.
    page = client.get(reverse("console-service-request"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<html" in page and f'name="contact_id" value="{contact.pk}"' in page


def test_a_case_in_the_side_panel_is_the_pages_content_and_is_audited(spanish_csr, client):
    client.force_login(spanish_csr)
    url = reverse("case-history", args=["EAC2190000001"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **PANEL)
    panel = response.content.decode()
    assert response.status_code == 200 and "X-Side-Panel" in response["Vary"]
    assert "<html" not in panel and 'data-side-panel-title="Case EAC2190000001"' in panel
    assert "Contacts on every channel" in panel
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_type="receipt_number", target_id="EAC2190000001"
    ).exists()
    refused = client.get(reverse("case-history", args=["EAC21"]), **PANEL)
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert "<html" in client.get(url).content.decode()
