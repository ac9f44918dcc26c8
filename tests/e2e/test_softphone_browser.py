"""The agent's softphone in the console, driven by keyboard in headless Chromium against a recording
double of Twilio.Device (tests/e2e/static/e2e/twilio-device-double.js, loaded only by the test
settings): token fetched, registered when available, the offered call rings and Accept answers both
the device's call and the server's offer, mute, keypad, audio devices, hang-up with the end of the
call, and a device error that makes the agent not ready, on the page and on the server. Axe-clean."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from contactcenter import services
from contactcenter.audit import AuditContext
from contactcenter.models import AgentState, AgentStateChange, QueueConfig, WaitingContact
from contactcenter.roles import Role
from contactcenter.voice import local_token_identity
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOUBLE = "window.__twilioDouble"


def _count(page, target: str, method: str) -> int:
    return page.evaluate(f"{DOUBLE}.count({target!r}, {method!r})")


def _args(page, target: str, method: str) -> list:
    return page.evaluate(f"{DOUBLE}.argsOf({target!r}, {method!r})")


def _axe_violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url="/static/e2e/axe/axe.min.js")
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    assert len(result["passes"]) > 10  # axe really looked at the page
    return [f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes']]}" for v in result["violations"]]


def _press(page, locator) -> None:
    locator.focus()
    page.keyboard.press("Enter")


def test_softphone_rings_answers_mutes_sends_digits_and_reports_a_device_problem(
    browser, live_server, make_staff, settings
):
    settings.TIER1_ALWAYS_OPEN = True
    cache.clear()
    csr = make_staff(Role.CSR)
    QueueConfig.objects.filter(name="tier1-en").update(offer_timeout_seconds=120)
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, csr.username)
    page.goto("/console/")

    # The token is fetched and the device made at once, but registered only once the agent is available.
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.count('device', 'constructor') === 1")
    token, options = _args(page, "device", "constructor")[0]
    assert local_token_identity(token) == f"agent-{csr.pk}"
    assert options == {"codecPreferences": ["opus", "pcmu"], "closeProtection": True}
    softphone = page.get_by_role("region", name="Your phone")
    assert "Your phone is off" in softphone.get_by_role("status").inner_text()
    assert _count(page, "device", "register") == 0
    assert _axe_violations(page) == []

    _press(page, page.get_by_role("button", name="Go available"))
    page.locator("[data-agent-state=available]").wait_for()
    page.wait_for_function(f"() => {DOUBLE}.state() === 'registered'")
    assert _count(page, "device", "register") == 1
    softphone.get_by_text("Your phone is ready: calls ring here.").wait_for()

    # Before the token runs out the SDK asks for a new one; it is fetched and handed over.
    page.evaluate(f"{DOUBLE}.emitTokenWillExpire()")
    page.wait_for_function(f"() => {DOUBLE}.count('device', 'updateToken') === 1")
    assert local_token_identity(_args(page, "device", "updateToken")[0][0]) == f"agent-{csr.pk}"

    # A caller is routed to the agent; the network rings the device for that contact.
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "5" * 32,
        ivr_path=["language", "main", "representative"],
    )
    services.route_next(queue_name="tier1-en")
    page.get_by_role("heading", name="A caller is offered to you").wait_for()  # htmx polling
    page.evaluate(f"{DOUBLE}.emitIncoming({{contact_id: '{contact.pk}'}})")
    softphone.get_by_text("A call is ringing: press Accept to answer it.").wait_for()
    assert _axe_violations(page) == []

    _press(page, page.get_by_role("button", name="Accept"))
    page.get_by_role("heading", name="On the line").wait_for()
    assert _count(page, "call", "accept") == 1
    # The page was not left (that would hang up): still the first device, still registered.
    assert page.evaluate(f"{DOUBLE}.devices.length") == 1 and page.evaluate(f"{DOUBLE}.state()") == "registered"
    contact.refresh_from_db()
    assert contact.status == "connected" and AgentState.objects.get(user=csr).state == "on_call"
    assert "Connected. The caller's context is below." in page.inner_text("main")
    page.wait_for_function("() => document.getElementById('softphone-timer').textContent !== '00:00'")
    assert re.fullmatch(r"\d\d:\d\d", page.get_by_role("timer").inner_text())

    mute = softphone.get_by_role("button", name="Mute microphone")
    assert mute.get_attribute("aria-pressed") == "false"
    mute.focus()
    page.keyboard.press("Space")
    assert mute.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert mute.get_attribute("aria-pressed") == "false"
    assert _args(page, "call", "mute") == [[True], [False]]

    _press(page, softphone.get_by_text("Keypad (sends tones to the caller)"))
    keypad = softphone.get_by_role("group", name="Keypad")
    _press(page, keypad.get_by_role("button", name="1", exact=True))
    _press(page, keypad.get_by_role("button", name="#", exact=True))
    assert _args(page, "call", "sendDigits") == [["1"], ["#"]]
    assert "Sent the key #" in softphone.inner_text()

    _press(page, softphone.get_by_text("Microphone and speaker"))
    softphone.get_by_label("Microphone", exact=True).select_option(label="Test headset microphone")
    softphone.get_by_label("Speaker or headset").select_option(label="Test headset")
    assert _args(page, "audio", "setInputDevice") == [["headset-1"]]
    assert _args(page, "audio", "speakerDevices.set") == [["headset-1"]]
    assert _axe_violations(page) == []

    # Ending the call in the console hangs up the device's leg too, still without leaving the page.
    _press(page, page.get_by_role("button", name="End call"))
    page.get_by_role("heading", name="Wrap-up").wait_for()
    assert _count(page, "call", "disconnect") == 1
    softphone.get_by_text("The call has ended.").wait_for()
    page.get_by_label("Then").select_option("available")
    _press(page, page.get_by_role("button", name="Finish wrap-up"))
    page.locator("[data-agent-state=available]").wait_for()
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")

    # The device fails while the agent is available: not ready, with the reason, here and on the server.
    page.evaluate(f"{DOUBLE}.emitError(31005, 'Connection error')")
    alert = softphone.get_by_role("alert")
    alert.get_by_text("Your phone stopped working, so you were set to Not ready (device problem)").wait_for()
    page.locator("[data-agent-state=not_ready]").wait_for()
    assert AgentState.objects.get(user=csr).state == "not_ready"
    change = AgentStateChange.objects.filter(agent=csr).latest("at")
    assert (change.from_state, change.reason) == ("available", "device problem: device error 31005")
    assert WaitingContact.objects.get(pk=contact.pk).status == "completed"
    assert _axe_violations(page) == []
    page.context.close()


def test_break_unregisters_quietly_and_a_lost_registration_makes_the_agent_not_ready(browser, live_server, make_staff):
    cache.clear()
    iso = make_staff(Role.ISO)
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, iso.username)
    page.goto("/console/")
    page.get_by_role("button", name="Go available").click()
    page.locator("[data-agent-state=available]").wait_for()
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")

    # Put on break from elsewhere (the API, a supervisor): the polled console sees it and the device
    # unregisters on purpose, which is no device problem.
    services.agent_state_set(context=AuditContext.system(), user=iso, state="break")
    page.locator("[data-agent-state=break]").wait_for()
    page.wait_for_function(f"() => {DOUBLE}.count('device', 'unregister') === 1")
    page.wait_for_timeout(500)
    assert AgentState.objects.get(user=iso).state == "break"
    assert page.locator("#softphone-alert").is_hidden()
    assert "Your phone is off" in page.get_by_role("region", name="Your phone").get_by_role("status").inner_text()

    page.get_by_role("button", name="Go available").click()
    page.locator("[data-agent-state=available]").wait_for()
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")
    page.evaluate(f"{DOUBLE}.loseRegistration()")

    page.get_by_role("alert").get_by_text("Your phone stopped working").wait_for()
    page.locator("[data-agent-state=not_ready]").wait_for()
    assert AgentState.objects.get(user=iso).state == "not_ready"
    assert AgentStateChange.objects.filter(agent=iso).latest("at").reason == "device problem: lost registration"
    page.context.close()


def test_warm_transfer_to_an_iso_by_keyboard(browser, live_server, make_staff, settings):
    """The CSR on a call consults an ISO: the ISO's console rings, they accept and the network rings
    their softphone into the call; the CSR joins the caller, then leaves the call to the ISO and
    wraps up; the ISO's console then holds the call. Keyboard only, axe-clean on both consoles."""
    settings.TIER1_ALWAYS_OPEN = True
    cache.clear()
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    QueueConfig.objects.filter(name__in=["tier1-en", "tier2-en"]).update(offer_timeout_seconds=120)
    pages = {}
    for user in (csr, iso):
        page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, user.username)
        page.goto("/console/")
        _press(page, page.get_by_role("button", name="Go available"))
        page.locator("[data-agent-state=available]").wait_for()
        page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")
        pages[user.pk] = page
    csr_page, iso_page = pages[csr.pk], pages[iso.pk]

    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "5" * 32,
        ivr_path=["language", "main", "representative"],
    )
    services.route_next(queue_name="tier1-en")
    csr_page.get_by_role("heading", name="A caller is offered to you").wait_for()
    csr_page.evaluate(f"{DOUBLE}.emitIncoming({{contact_id: '{contact.pk}'}})")
    _press(csr_page, csr_page.get_by_role("button", name="Accept"))
    csr_page.get_by_role("heading", name="On the line").wait_for()

    # Consult an ISO: the caller goes on hold, the CSR's console says who is rung and follows it.
    _press(csr_page, csr_page.get_by_role("button", name="Consult an ISO"))
    csr_page.locator("[data-consult-ringing]").wait_for()
    assert "The caller is on hold. We are ringing an ISO for you." in csr_page.inner_text("main")
    assert _axe_violations(csr_page) == []

    # The ISO's console rings with the consult; Accept, then the network rings their softphone in.
    iso_page.get_by_role("heading", name="A caller is offered to you").wait_for()
    iso_page.locator("[data-consult-offer=iso]").wait_for()
    assert _axe_violations(iso_page) == []
    _press(iso_page, iso_page.get_by_role("button", name="Accept"))
    iso_page.get_by_role("heading", name="On the line").wait_for()
    iso_page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")  # the console again
    iso_page.evaluate(f"{DOUBLE}.emitIncoming({{}})")
    iso_page.wait_for_function(f"() => {DOUBLE}.count('call', 'accept') === 1")
    assert "The call becomes yours when they leave it to you." in iso_page.inner_text("main")
    assert AgentState.objects.get(user=iso).state == "on_call"
    assert AgentState.objects.get(user=csr).state == "on_call"

    # The CSR's console sees the ISO join; the caller joins them; the CSR leaves the call to the ISO.
    _press(csr_page, csr_page.get_by_role("button", name="Join caller"))
    csr_page.get_by_text("the caller and you are on the call together.").wait_for()
    assert _axe_violations(csr_page) == []
    _press(csr_page, csr_page.get_by_role("button", name="Leave call to ISO"))
    csr_page.get_by_role("heading", name="Wrap-up").wait_for()
    assert _count(csr_page, "call", "disconnect") == 1
    assert AgentState.objects.get(user=csr).state == "wrap_up"

    # The ISO's console follows: the call bar is theirs now, and their line stays up.
    iso_page.locator("#call-hold").wait_for()
    assert _count(iso_page, "call", "disconnect") == 0
    assert WaitingContact.objects.get(consult_of=contact).call_sid == "CA" + "5" * 32
    assert _axe_violations(iso_page) == []
    for page in pages.values():
        page.context.close()
