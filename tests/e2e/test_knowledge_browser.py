"""The knowledge library in headless Chromium: a CSR searches it from the console's panel (htmx, the
console never left) and reads an answer there, then opens the library page. Both axe-clean."""

from __future__ import annotations

import pytest

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import Topic
from contactcenter.staff.roles import Role
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published(make_staff) -> None:
    writer = AuditContext(actor=make_staff(Role.CAO_ANALYST))
    reviewer = AuditContext(actor=make_staff(Role.CAO_SUPERVISOR))
    topic = Topic.objects.get(code="address-change")
    english = services.knowledge_article_create(
        context=writer,
        title="Changing your address",
        body="File Form AR-11 online within 10 days of moving.",
        kind="answer",
        topic=topic,
        language="en",
        source="8 CFR 265.1",
    )
    spanish = services.knowledge_article_create(
        context=writer,
        title="Cambio de dirección",
        body="Presente el Formulario AR-11 en línea dentro de los 10 días después de mudarse.",
        kind="answer",
        topic=topic,
        language="es",
        translation_of=english,
    )
    for article in (english, spanish):
        services.knowledge_article_publish(context=reviewer, article=article)


def test_a_csr_finds_an_answer_from_the_console_and_in_the_library(browser, live_server, make_staff):
    _published(make_staff)
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, make_staff(Role.CSR).username)
    page.goto("/console/")
    results = page.locator("#lookup-results")

    search = page.locator("#kb-q")
    search.fill("mudarse")
    search.press("Enter")
    link = results.get_by_role("link", name="Cambio de dirección")
    link.wait_for()
    assert page.url.endswith("/console/")
    assert axe_violations(page) == []

    link.focus()
    page.keyboard.press("Enter")
    results.locator("[data-article-body]").wait_for()
    assert "dentro de los 10 días" in results.locator("[data-article-body]").inner_text()
    assert page.url.endswith("/console/")
    assert axe_violations(page) == []

    page.goto("/knowledge/?q=AR-11")
    page.get_by_role("heading", name="Knowledge library", level=1).wait_for()
    assert page.locator("[data-article]").count() == 2
    assert page.get_by_role("link", name="Write an article").count() == 0
    assert axe_violations(page) == []
