"""Issue 16 in the browser: a Spanish-speaking visitor filters the public events list, reads an online
event's time in her own zone and registers with an accommodation; staff see it on the engagement's
page, where the outreach navigation says where they are, and publish a draft. Every page axe-checked."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from contactcenter.staff.roles import Role
from outreach.models import EngagementStatus, Registration
from tests.e2e.test_sign_in_browser import sign_in
from tests.outreach.factories import EngagementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
SPANISH_DAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                  "noviembre", "diciembre"]  # fmt: skip


def test_a_visitor_filters_the_events_in_spanish_and_registers_then_staff_see_it(browser, live_server, make_staff):
    cache.clear()
    day = timezone.localdate() + timedelta(days=20)
    at = lambda hour: datetime.combine(day, time(hour), tzinfo=CHICAGO)  # noqa: E731
    webinar = EngagementFactory(
        title="Webinar: employment authorization", title_es="Seminario web: autorización de empleo",
        venue="", state="", call_in="https://www.uscis.gov/outreach/ead", language="en-es", capacity=10,
        starts_at=at(10), ends_at=at(11), registration_closes_at=at(8),
    )  # fmt: skip
    EngagementFactory(title="Chicago English session", state="IL", language="en", capacity=10)
    EngagementFactory(title="Texas session", title_es="Sesión en Texas", state="TX", language="es", capacity=10)
    draft = EngagementFactory(
        title="Draft listening session", state="IL", status=EngagementStatus.DRAFT, published_at=None
    )

    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/outreach/events/")
    assert page.get_by_role("link", name="Servicio de Ciudadanía e Inmigración de los Estados Unidos").count() == 1
    assert "Authorized use only" not in page.content() and "Draft listening session" not in page.content()
    # Filters and the time zone are a plain GET form: no script needed.
    page.get_by_label("Idioma del evento").select_option("es")
    page.get_by_label("Mostrar los eventos en línea en mi zona horaria").select_option("America/New_York")
    page.get_by_role("button", name="Mostrar eventos").click()
    page.wait_for_load_state()
    headings = page.locator("h2.usa-card__heading").all_inner_texts()
    assert sorted(headings) == ["Seminario web: autorización de empleo", "Sesión en Texas"]
    card = page.locator(f'[data-event="{webinar.pk}"]')
    words = f"{SPANISH_DAYS[day.weekday()]}, {day.day} de {SPANISH_MONTHS[day.month - 1]} de {day.year}"
    assert card.locator("[data-event-date]").inner_text() == words
    assert card.locator("[data-event-time]").inner_text().startswith("11:00–12:00 ")  # Eastern, not Chicago
    assert card.get_by_role("link", name="Unirse en línea").get_attribute("href") == webinar.call_in

    page.get_by_label("Estado", exact=True).select_option("TX")
    page.get_by_role("button", name="Mostrar eventos").click()
    page.wait_for_load_state()
    assert page.locator("h2.usa-card__heading").all_inner_texts() == ["Sesión en Texas"]

    page.goto(f"{live_server.url}/outreach/events/?language=es")
    page.get_by_role("link", name="Inscribirse en Seminario web: autorización de empleo").click()
    page.get_by_role("heading", name="Seminario web: autorización de empleo", level=1).wait_for()
    page.get_by_label("Nombre completo").fill("Rosa Méndez")
    page.get_by_label("Correo electrónico").fill("rosa@example.org")
    page.get_by_label("Adaptaciones que necesita (opcional)").fill("Subtítulos")
    page.get_by_role("button", name="Inscribirse", exact=True).click()
    page.get_by_role("heading", name="Está inscrito", level=1).wait_for()
    assert "responde en un plazo de 2 días hábiles" in page.inner_text("main")
    registration = Registration.objects.get()
    assert (registration.language, registration.accommodation) == ("es", "Subtítulos")
    context.close()

    staff = make_staff(Role.CRO)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, staff.username)
    page.get_by_role("heading", name="Public engagement", level=1).wait_for()
    page.goto(f"{live_server.url}/outreach/engagements/{webinar.pk}/")
    nav = page.get_by_role("navigation", name="Public engagement sections")
    assert nav.locator('[aria-current="page"]').inner_text() == "Engagements"
    assert page.locator("[data-accommodation]").inner_text() == "Subtítulos"
    assert "Authorized use only" in page.inner_text("footer")
    page.goto(f"{live_server.url}/outreach/engagements/{draft.pk}/")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("The engagement is published").wait_for()
    draft.refresh_from_db()
    assert draft.status == EngagementStatus.PUBLISHED
    context.close()
