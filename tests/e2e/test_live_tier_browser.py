"""A contact's whole life in the browser: a signed IVR call asks for a representative, a CSR
accepts it in the console, verifies the caller, looks up the case and escalates; an ISO accepts, reads the hand-off and
resolves; the supervisor's wallboard counts it."""

import re

import pytest
from django.core.cache import cache

from contactcenter import services
from contactcenter.models import AgentState, Channel, Interaction, Outcome, QueueConfig, WaitingContact
from contactcenter.staff.roles import Role
from ivr.simulator import SimulatedCall
from tests.e2e.test_sign_in_browser import sign_in
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPOKEN_EAC = "E A C two one nine zero zero zero zero zero zero one"


def test_ivr_call_to_csr_to_iso_to_the_wallboard(browser, live_server, make_staff, settings):
    # Real time, whatever the day: a session's Celery worker may route the call on its own clock.
    settings.TIER1_ALWAYS_OPEN = True
    cache.clear()
    seed_reference(cases=20, surgeons=20)
    csr, iso, supervisor = make_staff(Role.CSR), make_staff(Role.ISO), make_staff(Role.SUPERVISOR)
    pages = {}
    for user in (csr, iso, supervisor):
        context = browser.new_context(locale="en-US")
        pages[user] = context.new_page()
        pages[user].set_default_timeout(15_000)

    call = SimulatedCall(from_number="+12135550142")
    call.start()
    call.press("1")  # English
    call.press("1")  # case status
    assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in call.say(SPOKEN_EAC).text
    call.press("1")  # that's right
    handoff = call.press("0")  # a representative
    assert handoff.enqueue["name"] == "tier1-en"

    # The CSR goes available; the router (what the beat's sweep and the worker run) offers the call.
    # The offer stands long enough that a slow machine cannot let it lapse while the keyboard user
    # below takes their time (a lapse redraws the console, rightly taking the focus with it).
    QueueConfig.objects.filter(name="tier1-en").update(offer_timeout_seconds=120)
    page = pages[csr]
    sign_in(page, live_server, csr.username)
    page.goto(f"{live_server.url}/console/")
    page.get_by_role("button", name="Go available").click()
    # The session's worker may route the waiting caller before the page comes back: either is right.
    page.locator("[data-agent-state=available], [data-agent-state=offered]").wait_for()
    services.routing_sweep()
    page.get_by_role("heading", name="A caller is offered to you").wait_for()  # htmx polling
    # A keyboard user tabs to Accept and takes a moment: the polls meanwhile must leave the focus there.
    accept = page.get_by_role("button", name="Accept")
    for _ in range(80):
        page.keyboard.press("Tab")
        if accept.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches Accept")
    # A redraw of the same offer (htmx keeps the focus on an element whose id comes back) must not
    # move the keyboard user; only a different contact may.
    shown = page.locator("#console-work").get_attribute("data-signature")
    page.wait_for_timeout(5_000)  # more than two 2-second polls
    state = page.locator("[data-agent-state]").get_attribute("data-agent-state")
    now_shown = page.locator("#console-work").get_attribute("data-signature")
    assert accept.evaluate("button => button === document.activeElement"), (
        f"a poll took the focus off Accept ({state}, signature {shown} then {now_shown})"
    )
    # A poll sent before the offer was drawn and answered after it (a slow server) carries the page's
    # current content: it must not be swapped in again.
    page.evaluate(
        """() => new Promise(resolve => {
            document.body.addEventListener('htmx:afterRequest', () => setTimeout(resolve, 300), {once: true});
            htmx.ajax('GET', '/console/work/?seen=stale', {target: '#console-work', swap: 'outerHTML'});
        })"""
    )
    assert accept.evaluate("button => button === document.activeElement"), "a late poll took the focus off Accept"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="On the line").wait_for()
    assert "Case Is Being Actively Reviewed By USCIS" in page.locator("[data-case-status]").inner_text()
    assert "Pacific" in page.inner_text("main")

    # The case's date of birth, A-number and address stay hidden until the caller answers for them.
    assert "A213456789" not in page.inner_text("main")
    page.get_by_label("Date of birth the caller gives").fill("1986-04-11")
    page.get_by_label("A-number the caller gives").fill("A213456789")
    page.get_by_role("button", name="Check the answers").click()
    summary = page.get_by_role("heading", name="The caller is not verified")
    summary.wait_for()
    assert "2 tries left" in page.inner_text("main") and "A213456789" not in page.locator("[data-contact]").inner_text()
    page.get_by_label("Date of birth the caller gives").fill("1986-04-12")
    page.get_by_role("button", name="Check the answers").click()
    page.locator("[data-verification=passed]").wait_for()
    assert "A213456789" in page.locator("[data-identity=EAC2190000001]").inner_text()

    # The case opens in the console's side panel (leaving the page would hang up a browser phone).
    page.get_by_role("link", name="EAC2190000001").click()
    panel = page.get_by_role("complementary", name="Case EAC2190000001")
    panel.get_by_role("heading", name="Contacts on every channel").wait_for()
    assert "A213456789" in panel.inner_text()
    page.keyboard.press("Escape")
    assert panel.is_hidden()

    page.get_by_text("Escalate to Tier 2").click()
    page.get_by_label("Reason").select_option("case_specific")
    page.get_by_label("What you tried").fill("Read the status; the caller asks about an interview notice.")
    page.get_by_label("Summary for the officer").fill("Interview notice never arrived; case at the NBC.")
    page.get_by_role("button", name="Escalate", exact=True).click()
    page.get_by_role("heading", name="Wrap-up").wait_for()
    page.get_by_label("Wrap-up notes").fill("Escalated to Tier 2.")
    page.get_by_label("Then").select_option("break")
    page.get_by_role("button", name="Finish wrap-up").click()
    assert "Wrap-up saved" in page.inner_text("main")
    assert AgentState.objects.get(user=csr).state == "break"

    page = pages[iso]
    sign_in(page, live_server, iso.username)
    page.goto(f"{live_server.url}/console/")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Go available").focus()
    page.keyboard.press("Enter")
    page.locator("[data-agent-state=available], [data-agent-state=offered]").wait_for()
    services.routing_sweep()
    page.get_by_role("button", name="Accept").click()
    handoff_box = page.get_by_role("region", name=re.compile("Hand-off from Tier 1"))
    page.locator("[data-verification=passed]").wait_for()  # the caller the CSR verified, on the same call
    assert "Interview notice never arrived; case at the NBC." in handoff_box.inner_text()
    earlier = page.get_by_role("table", name="Earlier contacts about this receipt number").inner_text()
    assert "Tier 1 live (CSR)" in earlier and "Escalated to Tier 2" in earlier and "IVR self-service" in earlier
    page.get_by_role("button", name="End call").click()
    page.get_by_label("Disposition").select_option("resolved")
    page.get_by_label("Wrap-up notes").fill("Requested a duplicate notice.")
    page.get_by_role("button", name="Finish wrap-up").click()
    assert "Wrap-up saved" in page.inner_text("main")

    page = pages[supervisor]
    sign_in(page, live_server, supervisor.username)
    page.goto(f"{live_server.url}/wallboard/")
    assert page.locator("[data-figure=today-tier2]").inner_text() == "100.0%"
    tier2_row = page.locator("tr[data-queue=tier2-en]")
    assert tier2_row.locator("[data-figure=abandoned]").inner_text().startswith("0.0%")
    assert page.locator("tr[data-queue=tier1-en] [data-figure=waiting]").inner_text() == "0"

    contacts = list(WaitingContact.objects.order_by("id"))
    assert [(c.queue_name, c.status, c.disposition) for c in contacts] == [
        ("tier1-en", "completed", "escalated"),
        ("tier2-en", "completed", "resolved"),
    ]
    assert contacts[1].call_sid == call.call_sid
    chain = {i.channel: i for i in Interaction.objects.all()}
    assert chain[Channel.TIER2].parent == chain[Channel.TIER1]
    assert chain[Channel.TIER1].parent == chain[Channel.IVR]
    assert (chain[Channel.TIER1].outcome, chain[Channel.TIER2].outcome) == (Outcome.ESCALATED, Outcome.RESOLVED)
    for page in pages.values():
        page.context.close()
