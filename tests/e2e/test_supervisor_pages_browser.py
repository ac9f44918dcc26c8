"""The supervisor's settings pages and a call's recording, by keyboard in headless Chromium: where an
agent answers (a refused line said in the error summary, then a desk phone saved and shown), the
queue settings (an after-call time changed from the list's Edit link) and the recording page (its
player loads our audio). Axe-clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.models import CallRecording, QueueConfig, StaffProfile, WaitingContact
from contactcenter.staff.roles import Role
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, user):
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, user.username)
    return page


def test_a_supervisor_sets_an_agents_desk_phone_by_keyboard(browser, live_server, make_staff):
    csr = make_staff(Role.CSR, first_name="Ana", last_name="Pérez")
    page = _page(browser, live_server, make_staff(Role.SUPERVISOR))
    page.goto("/supervisor/agent-lines/")
    row = page.locator(f"tr[data-agent='{csr.pk}']")
    assert "The browser" in row.inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Agent").select_option(str(csr.pk))
    line = page.get_by_label("Desk phone or SIP line")
    line.fill("12")
    line.press("Enter")
    summary = page.locator(".usa-alert--error")
    summary.wait_for()
    assert page.locator("#id_line").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    assert StaffProfile.objects.get(user=csr).agent_line == ""

    page.get_by_label("Agent").select_option(str(csr.pk))
    line = page.get_by_label("Desk phone or SIP line")
    line.fill("+1 202 555 0143")
    line.press("Enter")
    page.get_by_text(f"Where {csr.username} answers calls is saved.").wait_for()
    assert "+12025550143" in page.locator(f"tr[data-agent='{csr.pk}']").inner_text()
    assert StaffProfile.objects.get(user=csr).agent_line == "+12025550143"
    assert axe_violations(page) == []


def test_a_supervisor_changes_a_queues_after_call_time_from_the_list(browser, live_server, make_staff):
    page = _page(browser, live_server, make_staff(Role.SUPERVISOR))
    page.goto("/supervisor/queues/")
    assert axe_violations(page) == []
    edit = page.locator("tr[data-queue='tier1-es'] a")
    edit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/supervisor/queues/tier1-es/")
    assert axe_violations(page) == []
    field = page.locator("#id_after_call_work_seconds")
    field.fill("90")
    field.press("Enter")
    page.wait_for_url("**/supervisor/queues/")
    # The list reads times in the one format of every page (the durations filter), short abandons before.
    assert page.locator("tr[data-queue='tier1-es'] td").nth(4).inner_text().strip() == "1 min 30 s"
    assert QueueConfig.objects.get(name="tier1-es").after_call_work_seconds == 90
    assert axe_violations(page) == []


def test_a_recordings_page_plays_our_audio_and_is_axe_clean(browser, live_server, make_staff):
    contact = WaitingContact.objects.create(
        queue_name="tier1-en", phone="+12025550100", caller_time_zone="America/New_York"
    )
    recording = CallRecording.objects.create(
        contact=contact,
        recording_sid="RE" + "6" * 32,
        status="completed",
        duration_seconds=2,
        backend="local",
        started_at=timezone.now() - timedelta(minutes=5),
    )
    page = _page(browser, live_server, make_staff(Role.SUPERVISOR))
    page.goto(f"/supervisor/recordings/{recording.pk}/")
    audio = page.locator("audio[controls]")
    assert audio.get_attribute("src") == f"/supervisor/recordings/{recording.pk}/audio/"
    duration = page.evaluate(
        """() => new Promise((resolve) => {
            const audio = document.querySelector('audio');
            audio.addEventListener('loadedmetadata', () => resolve(audio.duration), {once: true});
            audio.addEventListener('error', () => resolve(-1), {once: true});
            audio.preload = 'metadata';
            audio.load();
        })"""
    )
    assert duration == pytest.approx(2, abs=0.1)  # the player reads our WAV through the audited view
    assert axe_violations(page) == []
