"""Issue 20's done-means, walked as its users would: a caller in Spanish finishes a self-service call,
answers the A-11 §280 survey by keypad, and the supervisor sees the answer on the survey page in
headless Chromium, by keyboard, axe-clean."""

import pytest
from django.core.cache import cache

from contactcenter.staff.roles import Role
from ivr.simulator import SimulatedCall
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_spanish_callers_keypad_answers_show_on_the_supervisors_survey_page(browser, live_server, make_staff):
    cache.clear()
    seed_reference(cases=20, surgeons=20)
    call = SimulatedCall(from_number="+12135550142")
    call.start()
    call.press("2")  # español
    call.press("1")  # el estado de su caso
    call.press("3222190000001")
    status = call.press("1")
    assert status.text.startswith("Formulario I-485: ") and status.text.endswith("Si ya terminó, oprima 8.")
    call.press("8")
    call.press("1")  # sí, dos preguntas
    call.press("4")  # satisfecho: 4
    thanks = call.press("5")  # confianza: 5
    assert thanks.hangup and "Gracias por sus respuestas" in thanks.text

    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, make_staff(Role.SUPERVISOR).username)
    page.goto(f"{live_server.url}/wallboard/")
    page.get_by_role("link", name="Customer feedback survey").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/surveys/")
    row = page.locator("[data-survey-row='language:es']")
    text = row.inner_text()
    assert "Spanish" in text and "4.0" in text and "5.0" in text
    assert page.locator("[data-survey-row='channel:ivr']").count() == 1
    assert axe_violations(page) == []
