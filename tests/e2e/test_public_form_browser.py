"""A member of the public sends the inquiry form twice: the letter they attached the first time is
still attached after the form came back with an error."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

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


def test_the_spanish_file_picker_speaks_spanish_and_keeps_the_good_files(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.goto(f"{live_server.url}/casework/write/")
    box = page.locator(".usa-file-input")
    assert "Arrastre los archivos aquí o" in box.inner_text() or "Elija de una carpeta" in box.inner_text()
    assert "Drag" not in box.inner_text() and "No files selected" not in box.text_content()
    assert "No se seleccionó ningún archivo." in box.text_content()
    page.locator("input[type=file][name=attachments]").set_input_files(
        files=[
            {"name": "notice.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"},
        ]
    )
    message = page.locator("[data-refused-files]")
    message.wait_for()
    assert "virus.exe" in message.inner_text() and message.inner_text().startswith("Error: no se añadió")
    names = page.locator("input[type=file][name=attachments]").evaluate("i => [...i.files].map(f => f.name)")
    assert names == ["notice.pdf"]
    page.wait_for_function("document.querySelector('.usa-file-input').textContent.includes('Archivo seleccionado')")
    context.close()


def test_a_refused_form_puts_the_focus_on_its_error_summary(page, live_server):
    cache.clear()
    page.goto(f"{live_server.url}/casework/write/")
    page.get_by_label("Your full name").fill("Ana Ruiz")
    page.get_by_role("button", name="Send inquiry").click()
    summary = page.locator("[data-error-summary]")
    # The refused form is a new page: wait for it rather than read the focus of the one being left.
    expect(page.locator("#form-error-summary")).to_be_focused()
    summary.get_by_role("link", name="E-mail address: This field is required.").click()
    expect(page.locator("#id_email")).to_be_focused()
