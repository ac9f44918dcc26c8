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
from contactcenter.audit.context import AuditContext
from contactcenter.models import AgentState, AgentStateChange, QueueConfig, WaitingContact
from contactcenter.staff.roles import Role
from contactcenter.telephony.softphone import local_token_identity
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOUBLE = "window.__twilioDouble"


def _count(page, target: str, method: str) -> int:
    return page.evaluate(f"{DOUBLE}.count({target!r}, {method!r})")


def _args(page, target: str, method: str) -> list:
    return page.evaluate(f"{DOUBLE}.argsOf({target!r}, {method!r})")


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
    assert axe_violations(page) == []

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
    assert axe_violations(page) == []

    _press(page, page.get_by_role("button", name="Accept"))
    page.get_by_role("heading", name="On the line").wait_for()
    assert _count(page, "call", "accept") == 1
    # The page was not left (that would hang up): still the first device, still registered.
    assert page.evaluate(f"{DOUBLE}.devices.length") == 1 and page.evaluate(f"{DOUBLE}.state()") == "registered"
    contact.refresh_from_db()
    assert contact.status == "connected" and AgentState.objects.get(user=csr).state == "on_call"
    assert "Connected. The caller's context is below." in page.inner_text("main")
    page.wait_for_function("() => document.getElementById('call-timer').textContent !== '00:00'")
    assert re.fullmatch(r"\d\d:\d\d", page.get_by_role("timer").inner_text())

    # One Mute, in the call bar: this phone's microphone at once, the line on the server by the form.
    assert softphone.get_by_role("button", name="Mute microphone").count() == 0
    mute = page.locator("#call-mute")
    assert mute.get_attribute("aria-pressed") == "false"
    _press(page, mute)
    page.locator("#call-mute[aria-pressed='true']").wait_for()
    assert _args(page, "call", "mute") == [[True]]
    assert page.locator("#softphone-feedback").inner_text() == "Your microphone is muted: the caller cannot hear you."
    assert WaitingContact.objects.get(pk=contact.pk).muted is True
    _press(page, page.locator("#call-mute"))
    page.locator("#call-mute[aria-pressed='false']").wait_for()
    assert _args(page, "call", "mute") == [[True], [False]]
    assert WaitingContact.objects.get(pk=contact.pk).muted is False
    assert page.evaluate(f"{DOUBLE}.devices.length") == 1  # sent in place: the page (and the call) stayed

    # The caller is about to give sensitive data: the recording is paused in place (the call goes on).
    _press(page, page.get_by_role("button", name="Pause recording"))
    state = page.locator("#call-recording-state")
    state.get_by_text("Recording paused").wait_for()
    assert state.get_attribute("role") == "status"
    assert page.get_by_role("button", name="Resume recording").get_attribute("aria-pressed") == "true"
    assert _count(page, "call", "disconnect") == 0 and page.evaluate(f"{DOUBLE}.devices.length") == 1
    assert WaitingContact.objects.get(pk=contact.pk).recording_paused is True
    assert axe_violations(page) == []
    _press(page, page.get_by_role("button", name="Resume recording"))
    page.get_by_role("button", name="Pause recording").wait_for()
    assert WaitingContact.objects.get(pk=contact.pk).recording_paused is False

    call_bar = page.get_by_role("region", name="Call controls")
    _press(page, call_bar.get_by_text("Keypad (sends tones to the caller)"))
    keypad = call_bar.get_by_role("group", name="Keypad")
    _press(page, keypad.get_by_role("button", name="1", exact=True))
    _press(page, keypad.get_by_role("button", name="#", exact=True))
    assert _args(page, "call", "sendDigits") == [["1"], ["#"]]
    assert "Sent the key #" in softphone.inner_text()

    _press(page, softphone.get_by_text("Microphone and speaker"))
    softphone.get_by_label("Microphone", exact=True).select_option(label="Test headset microphone")
    softphone.get_by_label("Speaker or headset").select_option(label="Test headset")
    assert _args(page, "audio", "setInputDevice") == [["headset-1"]]
    assert _args(page, "audio", "speakerDevices.set") == [["headset-1"]]
    assert axe_violations(page) == []

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
    assert axe_violations(page) == []
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


# The page's Notification, recorded: headless Chromium shows none, and the test answers the permission
# (remembered for the tab, as a browser remembers it for the site).
_NOTIFICATION_RECORDER = """
window.__notifications = [];
window.Notification = function (title, options) {
  this.title = title; this.options = options; this.closed = false; window.__notifications.push(this);
};
window.Notification.permission = sessionStorage.getItem("test-notifications") || "default";
window.Notification.requestPermission = function () {
  sessionStorage.setItem("test-notifications", "granted");  // kept across the console's page loads
  window.Notification.permission = "granted";
  return Promise.resolve("granted");
};
window.Notification.prototype.close = function () { this.closed = true; };
"""


def _focus_by_tab(page, locator, tries: int = 120) -> None:
    for _ in range(tries):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail("Tab never reaches the control")


def test_the_offer_rings_counts_down_flashes_the_title_and_alt_a_answers_then_the_call_bar_and_side_panel(
    browser, live_server, make_staff, settings
):
    settings.TIER1_ALWAYS_OPEN = True
    cache.clear()
    csr = make_staff(Role.CSR)
    QueueConfig.objects.filter(name="tier1-en").update(offer_timeout_seconds=120)
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.add_init_script(script=_NOTIFICATION_RECORDER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, csr.username)
    page.goto("/console/")
    resting_title = page.title()

    # Notifications are asked for only when the agent presses the button (a user gesture).
    assert page.evaluate("Notification.permission") == "default"
    ask = page.get_by_role("button", name="Show offered calls as browser notifications")
    _focus_by_tab(page, ask)
    page.keyboard.press("Enter")
    page.get_by_text("Offered calls now also show as browser notifications.").wait_for()
    assert ask.is_hidden()

    _press(page, page.get_by_role("button", name="Go available"))
    page.locator("[data-agent-state=available]").wait_for()
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")
    assert ask.is_hidden()  # allowed once: not offered again
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "6" * 32,
        receipt_numbers=["EAC2190000001"],
        ivr_path=["language:en", "main:1", "representative"],
        skill="outside-processing-time",
    )
    services.route_next(queue_name="tier1-en")
    page.get_by_role("heading", name="A caller is offered to you").wait_for()  # htmx polling
    assert page.locator("[data-agent-state]").text_content().startswith("Offered")  # shown in capitals

    # It rings, notifies, flashes the tab's title and counts down to the offer's end.
    page.wait_for_function(f"() => document.documentElement.dataset.offerRinging === '{contact.pk}'")
    assert page.evaluate("document.documentElement.dataset.offerSound") in ("playing", "blocked")
    notes = page.evaluate("window.__notifications.map(n => [n.title, n.options.body, n.closed])")
    assert notes == [["Incoming call — English", "+*******0142 · English · tier1-en", False]]
    page.wait_for_function("() => document.title.startsWith('Incoming call — English')")
    page.wait_for_function(f"() => document.title === {resting_title!r}")  # it flashes
    countdown = page.locator("[data-offer-countdown]")
    assert countdown.is_visible()
    first = int(re.search(r"Seconds left to answer: (\d+)", countdown.inner_text()).group(1))
    assert 60 <= first <= 120  # a loaded machine takes a while to show it
    shown_left = "Number((document.querySelector('[data-offer-countdown]').textContent.match(/\\d+/) || [0])[0])"
    page.wait_for_function(f"() => {shown_left} < {first}")
    card = page.locator("[data-offer-card]").inner_text()
    assert "+*******0142" in card and "EAC******0001" in card and "Main menu: case status" in card
    accept = page.get_by_role("button", name="Accept")
    assert accept.get_attribute("aria-keyshortcuts") == "Alt+A" and "Alt+A" in accept.inner_text()
    assert axe_violations(page) == []

    # Alt+A answers, wherever the focus is: the softphone's ringing call and the server's offer.
    page.evaluate(f"{DOUBLE}.emitIncoming({{contact_id: '{contact.pk}'}})")
    page.get_by_text("A call is ringing: press Accept to answer it.").wait_for()
    page.locator("h1").click()
    page.keyboard.press("Alt+KeyA")
    page.get_by_role("heading", name="On the line").wait_for()
    assert _count(page, "call", "accept") == 1
    contact.refresh_from_db()
    assert contact.status == "connected"
    # Everything that rang stops.
    page.wait_for_function(f"() => document.title === {resting_title!r}")
    page.wait_for_timeout(1_500)
    assert page.title() == resting_title
    assert page.evaluate("document.documentElement.dataset.offerRinging") is None
    assert page.evaluate("window.__notifications.every(n => n.closed)")

    # The call bar stays on screen however far the agent scrolls, its handle time counting.
    bar = page.get_by_role("region", name="Call controls")
    page.wait_for_function("() => document.getElementById('call-timer').textContent !== '00:00'")
    for scrolled_to in ("0", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {scrolled_to})")
        page.wait_for_timeout(200)
        bottom = bar.evaluate("bar => window.innerHeight - bar.getBoundingClientRect().bottom")
        assert abs(bottom) < 2, (scrolled_to, bottom)
    for name in ("Hold", "Mute my line", "End call"):
        assert bar.get_by_role("button", name=name).is_visible()
    assert bar.get_by_text("Keypad (sends tones to the caller)").is_visible()  # the softphone's call is on
    assert bar.get_by_text("Transfer to another queue").is_visible()

    # The case opens in the side panel, by keyboard; Escape closes it and gives the focus back.
    case_link = page.get_by_role("link", name="EAC2190000001")
    case_link.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Case EAC2190000001")
    panel.get_by_role("heading", name="Contacts on every channel").wait_for()
    assert page.evaluate("document.activeElement.id") == "side-panel-heading"
    assert page.url.endswith("/console/") and page.evaluate(f"{DOUBLE}.devices.length") == 1
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert case_link.evaluate("link => link === document.activeElement")

    # The service-request form opens there too, prefilled from the call; the close button closes it.
    opener = page.get_by_role("link", name="Take a service request", exact=True)
    opener.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Take a service request")
    panel.get_by_label("Receipt number").wait_for()
    assert panel.get_by_label("Receipt number").input_value() == "EAC2190000001"
    assert panel.get_by_label("Request type").input_value() == "outside_normal"
    assert panel.get_by_label("Telephone for the reply").input_value() == "+12135550142"
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Close panel"
    page.keyboard.press("Enter")
    assert panel.is_hidden()
    assert opener.evaluate("link => link === document.activeElement")

    # A receipt number looked up in the console opens in the panel as well (normalised by the server).
    page.get_by_role("search").get_by_label("Receipt number").fill("eac 219 000 0001")
    page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Case EAC2190000001")
    panel.get_by_role("heading", name="Contacts on every channel").wait_for()
    page.keyboard.press("Escape")
    assert page.get_by_role("button", name="Look up").evaluate("button => button === document.activeElement")

    # A service request the server refuses, sent from the panel during the call, comes back into the
    # console with its errors; the page (and so the call) is never left.
    _press(page, opener)
    panel = page.get_by_role("complementary", name="Take a service request")
    _press(page, panel.get_by_role("button", name="Submit the service request"))
    page.locator("#console-work .usa-form-group--error").first.wait_for()
    assert panel.is_hidden()
    assert page.url.endswith("/console/") and page.evaluate(f"{DOUBLE}.devices.length") == 1
    assert page.evaluate(f"{DOUBLE}.count('call', 'disconnect')") == 0

    _press(page, bar.get_by_role("button", name="End call"))
    page.get_by_role("heading", name="Wrap-up").wait_for()
    assert _count(page, "call", "disconnect") == 1
    context.close()


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
    assert axe_violations(csr_page) == []

    # The ISO's console rings with the consult; Accept, then the network rings their softphone in.
    iso_page.get_by_role("heading", name="A caller is offered to you").wait_for()
    iso_page.locator("[data-consult-offer=iso]").wait_for()
    assert axe_violations(iso_page) == []
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
    assert axe_violations(csr_page) == []
    _press(csr_page, csr_page.get_by_role("button", name="Leave call to ISO"))
    csr_page.get_by_role("heading", name="Wrap-up").wait_for()
    assert _count(csr_page, "call", "disconnect") == 1
    assert AgentState.objects.get(user=csr).state == "wrap_up"

    # The ISO's console follows: the call bar is theirs now, and their line stays up.
    iso_page.locator("#call-hold").wait_for()
    assert _count(iso_page, "call", "disconnect") == 0
    assert WaitingContact.objects.get(consult_of=contact).call_sid == "CA" + "5" * 32
    assert axe_violations(iso_page) == []
    for page in pages.values():
        page.context.close()
