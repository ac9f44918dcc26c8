"""The supervisor's live monitor on the wallboard, by keyboard in headless Chromium, with the recording
double of Twilio.Device: the wallboard's phone registers; Listen (sent in place, the page and its
phone stay up) joins the call and the network's ring is answered by itself; Whisper changes the mode
on the server; Leave hangs the phone's leg up. Axe-clean, and no inline script or style."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import MonitorSession
from contactcenter.staff.roles import Role
from contactcenter.telephony.softphone import local_token_identity
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in
from tests.e2e.test_softphone_browser import DOUBLE, _args, _count, _press

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_listens_then_whispers_by_keyboard(browser, live_server, make_staff, settings):
    settings.TIER1_ALWAYS_OPEN = True
    cache.clear()
    csr = make_staff(Role.CSR, first_name="Ana", last_name="Pérez")
    supervisor = make_staff(Role.SUPERVISOR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "5" * 32,
    )
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk)

    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, supervisor.username)
    page.goto("/wallboard/")
    page.wait_for_function(f"() => {DOUBLE} && {DOUBLE}.state() === 'registered'")
    assert local_token_identity(_args(page, "device", "constructor")[0][0]) == f"agent-{supervisor.pk}"
    phone = page.get_by_role("region", name="Your phone")
    phone.get_by_text("Your phone is ready").wait_for()
    row = page.locator(f"tr[data-call='{contact.pk}']")
    assert "Ana Pérez" in row.inner_text()
    assert axe_violations(page) == []

    _press(page, row.get_by_role("button", name="Listen — Ana Pérez"))
    page.locator("#wallboard-feedback").get_by_text("You are listening: no one hears you.").wait_for()
    page.locator(f"[data-monitor-ring='{contact.pk}'][data-monitor-mode='listen']").wait_for()
    assert MonitorSession.objects.get(supervisor=supervisor).mode == "listen"
    # The network dials the supervisor's browser into the conference: answered by itself.
    page.evaluate(f"{DOUBLE}.emitIncoming({{}})")
    page.wait_for_function(f"() => {DOUBLE}.count('call', 'accept') === 1")
    phone.get_by_text("Your phone is in the call.").wait_for()
    assert page.evaluate(f"{DOUBLE}.devices.length") == 1  # the page was never left
    assert axe_violations(page) == []

    _press(page, page.locator(f"#monitor-{contact.pk}-whisper"))
    page.locator("#wallboard-feedback").get_by_text("You are whispering: only the agent hears you.").wait_for()
    page.locator("[data-monitor-mode='whisper']").wait_for()
    assert MonitorSession.objects.get(supervisor=supervisor).mode == "whisper"
    assert page.evaluate("document.activeElement && document.activeElement.id") == f"monitor-{contact.pk}-whisper"
    assert _count(page, "call", "disconnect") == 0

    _press(page, page.locator(f"#monitor-{contact.pk}-leave"))
    page.locator("#wallboard-feedback").get_by_text("You left the call.").wait_for()
    page.wait_for_function(f"() => {DOUBLE}.count('call', 'disconnect') === 1")
    assert MonitorSession.objects.get(supervisor=supervisor).ended_at is not None
    assert axe_violations(page) == []
    page.context.close()


def test_without_an_account_the_local_device_joins_and_leaves_the_call(browser, live_server, make_staff, settings):
    settings.TIER1_ALWAYS_OPEN = True
    settings.VOICE_DEVICE_DOUBLE = False
    settings.TELEPHONY_BACKEND = "local"
    cache.clear()
    csr = make_staff(Role.CSR)
    supervisor = make_staff(Role.SUPERVISOR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "6" * 32,
    )
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=contact.pk)

    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, supervisor.username)
    page.goto("/wallboard/")
    phone = page.get_by_role("region", name="Your phone")
    phone.get_by_text("Your phone is ready").wait_for()
    _press(page, page.locator(f"#monitor-{contact.pk}-listen"))
    page.locator("#wallboard-feedback").get_by_text("You are listening: no one hears you.").wait_for()
    phone.get_by_text("Your phone is in the call.").wait_for()  # rung by the local device, answered
    _press(page, page.locator(f"#monitor-{contact.pk}-leave"))
    phone.get_by_text("Your phone has left the call.").wait_for()
    assert axe_violations(page) == []
    page.context.close()
