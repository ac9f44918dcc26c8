"""The service-request form in the browser shows the chosen type's own fields only."""

from __future__ import annotations

import pytest

from contactcenter.staff.roles import Role
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_address_change_shows_the_address_fields_and_hides_the_expedite_criterion(
    browser, live_server, make_staff
):
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, make_staff(Role.CSR).username)
    page.goto("/console/service-requests/")

    street, criterion = page.get_by_label("New street address"), page.get_by_label("Expedite criterion")
    page.get_by_label("Request type").select_option("notice_not_received")
    assert not street.is_visible() and not criterion.is_visible()
    assert page.get_by_label("Receipt number").is_visible()

    page.get_by_label("Request type").select_option("address_change")
    for label in ("New street address", "City", "State", "ZIP code", "Date of the move"):
        assert page.get_by_label(label, exact=True).and_(page.locator("input")).is_visible(), label
    assert not criterion.is_visible()

    page.get_by_label("Request type").select_option("expedite")
    assert criterion.is_visible() and not street.is_visible()
