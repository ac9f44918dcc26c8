"""Outreach mailings in the browser: staff save a segment and draft a bilingual mailing through the
forms, open its previews and its page; a recipient unsubscribes on the Spanish public page. Every
page is axe-checked and held to the Content-Security-Policy (tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest

from contactcenter.staff.roles import Role
from outreach import mailings
from outreach.models import (
    Mailing,
    MailingRecipient,
    MailingStatus,
    Membership,
    OrganisationLevel,
    OrganisationType,
    RecipientStatus,
)
from tests.e2e.test_sign_in_browser import sign_in
from tests.outreach.factories import ContactFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_build_a_segment_and_draft_a_mailing_and_a_recipient_unsubscribes(browser, live_server, make_staff):
    council = OrganisationFactory(
        name="Pueblo Council", kind=OrganisationType.TRIBAL, level=OrganisationLevel.REGIONAL, region="Southwest"
    )
    rosa = ContactFactory(
        first_name="Rosa", email="rosa@tribe.example.org", consent_email=True, preferred_language="es"
    )
    Membership.objects.create(contact=rosa, organisation=council)
    staff = make_staff(Role.OUTREACH_STAFF)

    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, staff.username)
    page.get_by_role("heading", name="Public engagement", level=1).wait_for()
    page.get_by_role("link", name="Mailings").first.click()
    page.get_by_role("link", name="Segments").click()
    page.get_by_label("Segment name").fill("Tribal governments in the Southwest")
    # USWDS draws its own box over the checkbox: ticked from the keyboard, as a keyboard user would.
    for label in ("Intergovernmental: tribal", "Regional"):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Space")
        assert page.get_by_label(label, exact=True).is_checked()
    page.get_by_label("Region", exact=True).fill("Southwest")
    page.get_by_role("button", name="Save the segment").click()
    page.get_by_role("heading", name="Tribal governments in the Southwest", level=1).wait_for()
    assert "Matching contacts: 1. May be e-mailed: 1" in page.locator("#segment-count").inner_text()
    assert "rosa@tribe.example.org" in page.content()

    page.get_by_role("link", name="Mailings").first.click()
    page.get_by_label("Segment").select_option(label="Tribal governments in the Southwest")
    page.get_by_label("Subject in English").fill("Listening session")
    page.get_by_label("Message in English").fill("Join us on Tuesday.")
    page.get_by_label("Subject in Spanish").fill("Sesión de escucha")
    page.get_by_label("Message in Spanish").fill("Acompáñenos el martes.")
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("heading", name="Listening session", level=1).wait_for()
    mailing = Mailing.objects.get()
    assert page.get_by_role("button", name="Send to 1 person").is_visible()
    page.get_by_role("link", name="Spanish", exact=True).click()
    page.get_by_text("Acompáñenos el martes.").wait_for()
    assert page.locator("article").get_attribute("lang") == "es"

    # Rosa's copy went out; her link opens the unsubscribe page in Spanish, and one click ends it.
    Mailing.objects.filter(pk=mailing.pk).update(status=MailingStatus.SENT)
    recipient = MailingRecipient.objects.create(
        mailing=mailing, contact=rosa, email=rosa.email, language="es", status=RecipientStatus.SENT
    )
    public = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    public.set_default_timeout(15_000)
    public.goto(f"/outreach/unsubscribe/{mailings.unsubscribe_token(recipient.pk)}/")
    assert public.locator("html").get_attribute("lang") == "es"
    public.get_by_role("button", name="Sí, cancelar mi suscripción").click()
    public.get_by_role("heading", name="Se canceló su suscripción", level=1).wait_for()
    rosa.refresh_from_db()
    assert rosa.mail_unsubscribed_at is not None

    page.goto(f"/outreach/mailings/{mailing.pk}/")
    assert "rosa@tribe.example.org" in page.locator(f"#recipient-{recipient.pk}").inner_text()
