"""A member of the public asks for case-status updates by text, enters the code sent to their phone,
and later stops e-mail updates from the link: every page checked with axe and under the strict CSP."""

import re

import pytest
from django.core.cache import cache

from contactcenter.models import BenefitCase, OutboundMessage, StatusSubscription
from contactcenter.subscriptions.services import status_unsubscribe_token
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_asks_for_updates_confirms_the_code_and_stops_them(page, live_server, settings):
    cache.clear()
    settings.TELEPHONY_BACKEND = "local"
    seed_reference(cases=20, surgeons=0)
    page.goto(f"{live_server.url}/case-updates/")
    page.get_by_label("Receipt number").fill("EAC2190000001")
    page.get_by_label("Text message").check()
    page.get_by_label("Mobile phone number").fill("(202) 555-0177")
    page.get_by_role("button", name="Send me a code").click()
    assert "We sent a 6-digit code to +*******0177" in page.locator("main").inner_text()

    page.get_by_role("textbox", name="Confirmation code").fill("12345")
    page.get_by_role("button", name="Confirm").click()
    assert "Enter the 6 digits of the code." in page.locator("main").inner_text()

    code = re.search(r"\d{6}", OutboundMessage.objects.get(to_number="+12025550177").body).group(0)
    page.get_by_role("textbox", name="Confirmation code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("[data-confirmed]").is_visible()
    subscription = StatusSubscription.objects.get()
    assert subscription.status == "confirmed"

    by_mail = StatusSubscription.objects.create(
        case=BenefitCase.objects.get(receipt_number="EAC2190000001"),
        channel="email",
        to="ana@example.org",
        source="web",
        status="confirmed",
    )
    page.goto(f"{live_server.url}/case-updates/unsubscribe/{status_unsubscribe_token(by_mail)}/")
    page.get_by_role("button", name="Yes, stop them").click()
    assert page.locator("[data-ended]").is_visible()
    by_mail.refresh_from_db()
    assert by_mail.status == "ended"
