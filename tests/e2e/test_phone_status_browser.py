"""Issue 16 (CAO) in the browser: an analyst logs a phone call from the Office of the Director and
marks it sensitive; the caller checks its status on the public page. Each page axe-checked."""

import pytest
from django.core.cache import cache

from casework.models import Inquiry
from contactcenter.staff.roles import Role
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_logged_phone_call_is_marked_sensitive_and_its_status_checked_in_public(
    browser, page, live_server, make_staff
):
    cache.clear()
    analyst = make_staff(Role.CAO_ANALYST)
    sign_in(page, live_server, analyst.username)
    page.goto(f"{live_server.url}/casework/")
    page.get_by_role("link", name="Log a phone inquiry").click()
    assert axe_violations(page) == []
    page.get_by_label("Caller's name").fill("Dana Whitfield")
    page.get_by_label("Callback telephone").fill("+1 202 555 0142")
    page.get_by_label("E-mail (optional)").fill("dana@example.org")
    page.get_by_label("Source").select_option("director")
    page.get_by_label("What the caller asked").fill("The Director's office asks about a delayed card.")
    page.get_by_role("button", name="Record the call").click()

    inquiry = Inquiry.objects.get()
    assert page.url.endswith(f"/casework/inquiries/{inquiry.pk}/")
    page.get_by_role("button", name="Assign to me").click()
    page.locator("label[for=id_sensitive]").click()
    page.get_by_role("button", name="Save who may see it").click()
    assert page.locator("[data-sensitive]").is_visible()
    assert axe_violations(page) == []

    public = browser.new_context(locale="es-ES", base_url=live_server.url).new_page()
    public.set_default_timeout(15_000)
    public.goto("/casework/status/")
    public.get_by_label("Número de confirmación").fill(inquiry.reference)
    public.get_by_label("Correo electrónico").fill("otra@example.org")
    public.get_by_role("button", name="Consultar el estado").click()
    assert public.locator("[data-not-found]").is_visible()
    assert axe_violations(public) == []
    public.get_by_label("Correo electrónico").fill("dana@example.org")
    public.get_by_role("button", name="Consultar el estado").click()
    assert "Un analista está trabajando en su consulta." in public.locator("[data-status-text]").inner_text()
    assert "Dana" not in public.locator("main").inner_text()
    assert axe_violations(public) == []
    public.context.close()
