"""The wallboard on a 1920×1080 wall screen in headless Chromium: it fits without scrolling, a queue
past its longest-wait thresholds shows amber or red with a word, a queue with callers and no agent is
an alert banner; and the reports' charts render. Axe checks every page (tests/e2e/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import QueueConfig, WaitingContact
from contactcenter.staff.roles import Role
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_wallboard_fits_a_wall_screen_with_amber_red_and_the_unstaffed_alert(browser, live_server, make_staff):
    cache.clear()
    QueueConfig.objects.filter(name="tier1-en").update(longest_wait_amber_seconds=60, longest_wait_red_seconds=600)
    QueueConfig.objects.filter(name="tier1-es").update(longest_wait_amber_seconds=60, longest_wait_red_seconds=120)
    for queue, language in (("tier1-en", "en"), ("tier1-es", "es")):
        WaitingContact.objects.create(
            queue_name=queue,
            language=language,
            enqueued_at=timezone.now() - timedelta(seconds=150),
            phone="+12135550142",
            caller_time_zone="America/New_York",
        )
    # Officers of another queue are signed on (more than the agents' panel shows at once: it scrolls,
    # the page does not); tier1-en and tier1-es still have nobody.
    for _n in range(25):
        iso = make_staff(Role.ISO)
        services.agent_state_set(context=AuditContext(actor=iso), user=iso, state="available")
    supervisor = make_staff(Role.SUPERVISOR)

    context = browser.new_context(locale="en-US", base_url=live_server.url, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, supervisor.username)
    page.goto("/wallboard/")
    page.locator("tr[data-queue='tier1-en']").wait_for()

    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    english = page.locator("tr[data-queue='tier1-en']")
    spanish = page.locator("tr[data-queue='tier1-es']")
    assert "ncsc-level--amber" in english.locator("[data-figure='longest']").get_attribute("class")
    assert "Warning" in english.locator("[data-figure='longest']").inner_text()
    assert "ncsc-level--red" in spanish.locator("[data-figure='longest']").get_attribute("class")
    assert "Critical" in spanish.locator("[data-figure='longest']").inner_text()
    # The amber and red are not the only sign: a word, and a background a reader can tell apart.
    amber = english.locator("[data-figure='longest']").evaluate("cell => getComputedStyle(cell).backgroundColor")
    red = spanish.locator("[data-figure='longest']").evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert amber != red
    alert = page.locator("[data-alert='queue-unstaffed-tier1-en']")
    assert alert.is_visible() and "no agent signed on" in alert.inner_text()
    # The alert is announced through the page's alert region.
    page.wait_for_function(
        "() => document.querySelector('[data-alert-announcer]').textContent.includes('no agent signed on')"
    )
    # Still fitting after the 5-second refresh redraws the live part.
    with page.expect_response(lambda response: "/wallboard/live/" in response.url):
        pass
    page.locator("tr[data-queue='tier1-en']").wait_for()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")

    # In Spanish (longer words) it fits too.
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto("/wallboard/")
    page.locator("tr[data-queue='tier1-es'] [data-flag='red']").wait_for()
    assert "Crítico" in page.locator("tr[data-queue='tier1-es'] [data-figure='longest']").inner_text()
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto("/reports/intervals/")
    svg = page.locator("figure[data-chart='chart-offered'] svg[role='img']")
    assert svg.get_attribute("aria-labelledby") == "chart-offered-title chart-offered-desc"
    assert page.locator("figure[data-chart='chart-offered'] table").is_visible()
    context.close()
