"""A member of the public sends the inquiry form twice: the letter they attached the first time is
still attached after the form came back with an error."""

import pytest
from django.core.cache import cache

from casework.models import Inquiry
from tests.casework.factories import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mistyped_receipt_number_does_not_cost_the_caller_their_attachment(page, live_server, settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = str(tmp_path)
    page.goto(f"{live_server.url}/casework/write/")
    page.get_by_label("Your full name").fill("Ana Ruiz")
    page.get_by_label("E-mail address").fill("ana@example.com")
    page.get_by_label("Receipt number (optional)").fill("XYZ1")
    page.get_by_label("Subject").fill("My card never arrived")
    page.get_by_label("Your message").fill("I was approved in March and the card never came.")
    page.locator("input[type=file][name=attachments]").set_input_files(
        files=[{"name": "notice.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Send inquiry").click()

    assert "A receipt number is 3 letters" in page.locator("main").inner_text()
    kept = page.get_by_role("checkbox", name="notice.pdf")
    assert kept.is_checked()
    assert page.get_by_role("group", name="Files kept from your last try").is_visible()

    page.get_by_label("Receipt number (optional)").fill("EAC2190000001")
    page.get_by_role("button", name="Send inquiry").click()

    assert "Your confirmation number is" in page.locator("main").inner_text()
    inquiry = Inquiry.objects.get()
    assert page.locator("[data-confirmation]").inner_text() == inquiry.reference
    attachment = inquiry.attachments.get()
    assert (attachment.filename, attachment.file.read()) == ("notice.pdf", PDF)
