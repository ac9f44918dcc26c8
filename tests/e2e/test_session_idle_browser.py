"""The idle warning in a real browser: the wallboard polls every 5 seconds, which does not keep the
session alive; the warning appears before the end, "Stay signed in" keeps the session, and doing
nothing ends on the sign-in page."""

import re

import pytest

from contactcenter.staff.roles import Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_idle(settings):
    settings.SESSION_IDLE_SECONDS = 12
    settings.SESSION_IDLE_WARNING_SECONDS = 7


def _sign_in_to_the_wallboard(page, live_server, make_staff):
    user = make_staff(Role.SUPERVISOR)
    page.goto(f"{live_server.url}/wallboard/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/wallboard/$"))


def test_the_warning_appears_and_stay_signed_in_keeps_the_session(page, live_server, make_staff, short_idle):
    _sign_in_to_the_wallboard(page, live_server, make_staff)
    warning = page.get_by_role("alertdialog", name="Your session is about to end")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=12_000)
    stay = warning.get_by_role("button", name="Stay signed in")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
    assert re.fullmatch(r"0:0\d", warning.locator("[data-session-idle-countdown]").inner_text())
    stay.click()
    warning.wait_for(state="hidden", timeout=5_000)
    # Past the first deadline, thanks to the button alone (the wallboard kept polling all along).
    page.wait_for_timeout(6_000)
    assert "/wallboard/" in page.url
    warning.wait_for(state="visible", timeout=12_000)
    stay.click()
    warning.wait_for(state="hidden", timeout=5_000)
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Supervisor wallboard"


def test_doing_nothing_ends_on_the_sign_in_page_in_spanish(page, live_server, make_staff, short_idle):
    _sign_in_to_the_wallboard(page, live_server, make_staff)
    page.get_by_role("button", name="Español").click()
    page.wait_for_url(re.compile(r"/wallboard/$"))
    warning = page.get_by_role("alertdialog", name="Su sesión está por terminar")
    warning.wait_for(state="visible", timeout=12_000)
    assert warning.get_by_role("button", name="Seguir conectado").count() == 1
    page.wait_for_url(re.compile(r"/accounts/login/\?next=%2Fwallboard%2F$"), timeout=15_000)
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_label("Contraseña").count() == 1
