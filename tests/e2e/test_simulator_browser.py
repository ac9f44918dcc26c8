"""A supervisor walks a Spanish call through the IVR in the browser simulator."""

import pytest
from django.core.cache import cache

from contactcenter.models import WaitingContact
from contactcenter.staff.roles import Role
from ivr.models import Call
from tests.e2e.test_sign_in_browser import sign_in
from tests.ivr.conftest import SATURDAY_NOON_EASTERN, WEEKDAY_7PM_EASTERN
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_simulator_walks_a_spanish_case_status_call(page, live_server, make_staff, at_time):
    cache.clear()
    seed_reference(cases=20, surgeons=20)
    user = make_staff(Role.SUPERVISOR)
    with at_time(WEEKDAY_7PM_EASTERN):
        sign_in(page, live_server, user.username)
        page.goto(f"{live_server.url}/ivr/simulator/")
        page.get_by_label("Caller's number").fill("+12135550142")
        page.get_by_role("button", name="Place call").click()
        transcript = page.locator(".ncsc-transcript")
        assert "Para español, oprima 2" in transcript.inner_text()

        # Keyboard and keypad: the keypad buttons type into the Keys field.
        page.get_by_role("button", name="Key 2").click()
        page.get_by_role("button", name="Send").click()
        assert "Menú principal" in transcript.inner_text()
        page.get_by_label("Keys").fill("1")
        page.get_by_label("Keys").press("Enter")
        page.get_by_label("Or say").fill("E A C dos uno nueve cero cero cero cero cero cero uno")
        page.get_by_role("button", name="Send").click()
        assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in transcript.inner_text()
        page.get_by_label("Keys").fill("1")
        page.get_by_role("button", name="Send").click()
        text = transcript.inner_text()
        assert "Formulario I-485: " in text
        assert page.locator(".ncsc-transcript li[lang=es]").count() >= 3
    call = Call.objects.get()
    assert (call.language, call.receipt_numbers) == ("es", ["EAC2190000001"])


def test_simulator_places_a_call_as_if_on_a_weekday_evening(page, live_server, make_staff, at_time):
    cache.clear()
    seed_reference(cases=20, surgeons=20)
    user = make_staff(Role.CSR)
    with at_time(SATURDAY_NOON_EASTERN):  # nobody answers today
        sign_in(page, live_server, user.username)
        page.goto(f"{live_server.url}/ivr/simulator/")
        page.get_by_label("Caller's number").fill("+12135550142")
        page.get_by_label("As if at (optional)").fill("2026-12-02T19:00")
        page.get_by_role("button", name="Place call").click()
        transcript = page.locator(".ncsc-transcript")
        assert "as if at Wednesday 2026-12-02 19:00 EST" in transcript.inner_text()
        for keys in ("2", "0"):  # español, a representative
            page.get_by_label("Keys").fill(keys)
            page.get_by_role("button", name="Send").click()
            transcript.get_by_text("Menú principal" if keys == "2" else "→ queue tier1-es").first.wait_for()
        assert "Por favor, espere mientras lo comunicamos con un representante." in transcript.inner_text()
        assert WaitingContact.objects.get(call_sid=Call.objects.get().call_sid).queue_name == "tier1-es"
        # Waiting in the queue, the caller can still hang up: the contact is abandoned.
        page.get_by_role("button", name="Hang up").click()
        transcript.get_by_text("Caller hung up").wait_for()
    assert WaitingContact.objects.get(call_sid=Call.objects.get().call_sid).status == "abandoned"
