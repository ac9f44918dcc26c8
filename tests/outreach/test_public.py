"""The public registration page (English and Spanish), cancel links, calendars and the worker
that sends the confirmation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar

from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role
from outreach import selectors, services
from outreach.models import Registration, RegistrationStatus
from tests.outreach.factories import EngagementFactory, RegistrationFactory
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


def _register(client, engagement, **data):
    return client.post(f"/outreach/events/{engagement.pk}/", data, follow=True)


def test_registration_in_english_then_waitlist_then_closed():
    engagement = EngagementFactory(capacity=1)
    client = Client()
    page = client.get(f"/outreach/events/{engagement.pk}/")
    assert page.status_code == 200
    assert b'<label class="usa-label" for="id_name">Full name' in page.content
    response = _register(client, engagement, name="Ana Ruiz", email="ana@example.org", phone="312-555-0101")
    assert "You are registered" in response.content.decode()
    assert Registration.objects.get(email="ana@example.org").language == "en"

    full = client.get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert "This engagement is full" in full and "Join the waitlist" in full
    response = _register(client, engagement, name="Bo", email="bo@example.org")
    assert "You are on the waitlist" in response.content.decode()

    engagement.registration_closes_at = timezone.now() - timedelta(minutes=1)
    engagement.save(update_fields=["registration_closes_at"])
    closed = client.get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert "Registration is closed" in closed and '<form method="post"' not in closed.split("Registration is closed")[1]
    response = client.post(f"/outreach/events/{engagement.pk}/", {"name": "Cy", "email": "cy@example.org"})
    assert response.status_code == 400
    assert "Registration for this engagement has closed." in response.content.decode()
    assert Registration.objects.count() == 2


def test_spanish_registration_and_errors_linked_to_their_fields():
    engagement = EngagementFactory(capacity=5)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert 'lang="es"' in page and "Nombre completo" in page and "Inscribirse" in page
    response = client.post(f"/outreach/events/{engagement.pk}/", {"name": "Rosa", "email": "rosa@", "phone": "12"})
    body = response.content.decode()
    assert response.status_code == 400
    # Each refused field names its error message for screen readers.
    assert 'id="id_email_error"' in body
    assert 'aria-describedby="id_email_hint id_email_error"' in body
    assert 'aria-invalid="true"' in body
    assert Registration.objects.count() == 0
    response = client.post(
        f"/outreach/events/{engagement.pk}/", {"name": "Rosa", "email": "rosa@example.org", "phone": "12"}
    )
    body = response.content.decode()
    assert "no es un número de teléfono válido" in body and 'id="id_phone_error"' in body
    response = client.post(
        f"/outreach/events/{engagement.pk}/", {"name": "Rosa", "email": "rosa@example.org"}, follow=True
    )
    assert "Está inscrito" in response.content.decode()
    assert Registration.objects.get().language == "es"


def test_cancel_link_cancels_once_and_a_forged_one_is_refused():
    engagement = EngagementFactory(capacity=1)
    seated = RegistrationFactory(engagement=engagement)
    waiting = RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED)
    token = services.registration_cancel_token(seated)
    client = Client()
    assert "Yes, cancel my registration" in client.get(f"/outreach/events/cancel/{token}/").content.decode()
    assert "Your registration is cancelled" in client.post(f"/outreach/events/cancel/{token}/").content.decode()
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == ("cancelled", "registered")
    assert client.get(f"/outreach/events/cancel/{token[:-2]}xx/").status_code == 404
    # Signed with the site's key but for another purpose (another salt): not a cancel link.
    forged = signing.dumps({"r": waiting.pk, "e": engagement.pk}, salt="outreach.something-else")
    assert client.post(f"/outreach/events/cancel/{forged}/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "registered"


# Per language: the status's heading, the cancel link's text, the cancel page's button.
WORDS = {
    "en": {
        "registered": "You are registered",
        "waitlisted": "You are on the waitlist",
        "cancelled": "Your registration is cancelled",
        "link": "Cancel my registration",
        "button": "Yes, cancel my registration",
    },
    "es": {
        "registered": "Está inscrito",
        "waitlisted": "Está en la lista de espera",
        "cancelled": "Su inscripción está cancelada",
        "link": "Cancelar mi inscripción",
        "button": "Sí, cancelar mi inscripción",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("status", "cancellable"),
    [
        (RegistrationStatus.REGISTERED, True),
        (RegistrationStatus.WAITLISTED, True),
        (RegistrationStatus.CANCELLED, False),
    ],
)
def test_the_pages_offer_cancelling_while_the_registration_may_be_cancelled(language, status, cancellable):
    registration = RegistrationFactory(engagement=EngagementFactory(capacity=5), status=status)
    token = services.registration_cancel_token(registration)
    client, words = Client(HTTP_ACCEPT_LANGUAGE=language), WORDS[language]

    page = client.get(f"/outreach/events/registered/{token}/").content.decode()
    assert f"<h1>{words[status]}</h1>" in page
    assert (f"/outreach/events/cancel/{token}/" in page, words["link"] in page) == (cancellable, cancellable)

    page = client.get(f"/outreach/events/cancel/{token}/").content.decode()
    assert (words["button"] in page, '<form method="post">' in page) == (cancellable, cancellable)
    assert (f"<h1>{words['cancelled']}</h1>" in page) is not cancellable


def test_the_pages_ask_the_registration_workflow_whether_it_may_be_cancelled(monkeypatch):
    registration = RegistrationFactory(engagement=EngagementFactory(capacity=5))
    token = services.registration_cancel_token(registration)
    monkeypatch.setattr(selectors, "registration_allowed_actions", lambda *, registration, user: frozenset())

    page = Client().get(f"/outreach/events/registered/{token}/").content.decode()
    assert "You are registered" in page and "Cancel my registration" not in page
    page = Client().post(f"/outreach/events/cancel/{token}/").content.decode()
    assert "Yes, cancel my registration" not in page
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED


def test_the_registration_page_says_so_once_the_engagement_is_cancelled():
    registration = RegistrationFactory(engagement=EngagementFactory())
    token = services.registration_cancel_token(registration)
    assert "Your seat is confirmed" in Client().get(f"/outreach/events/registered/{token}/").content.decode()
    services.engagement_cancel(
        context=AuditContext.system(), engagement_id=registration.engagement_id, reason="The venue flooded."
    )
    page = Client().get(f"/outreach/events/registered/{token}/").content.decode()
    assert "This engagement has been cancelled" in page and "The venue flooded." in page
    assert "Your seat is confirmed" not in page and "You are registered" not in page
    assert f"/outreach/events/cancel/{token}/" not in page


def test_ics_per_event_and_feed_are_valid_icalendar_in_the_events_zone():
    engagement = EngagementFactory(title="Sesión de escucha: naturalización")
    EngagementFactory(starts_at=timezone.now() - timedelta(days=30))  # past: not in the feed
    client = Client()
    response = client.get(f"/outreach/events/{engagement.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Sesión de escucha: naturalización"
    assert event.decoded("dtstart") == engagement.starts_at
    assert str(event.decoded("dtstart").tzinfo) == "America/Chicago"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    feed = Calendar.from_ical(client.get("/outreach/events/calendar.ics").content)
    assert [str(e["uid"]) for e in feed.walk("VEVENT")] == [f"{engagement.uid}@ncsc-outreach"]


def test_public_list_shows_upcoming_engagements_only():
    upcoming = EngagementFactory(title="Upcoming webinar")
    EngagementFactory(title="Old session", starts_at=timezone.now() - timedelta(days=30))
    body = Client().get("/outreach/events/").content.decode()
    assert upcoming.title in body and "Old session" not in body


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_confirmation_after_commit(celery_worker_process):
    engagement = EngagementFactory(capacity=1)
    Client().post(f"/outreach/events/{engagement.pk}/", {"name": "Ana", "email": "ana@example.org"})
    Client().post(f"/outreach/events/{engagement.pk}/", {"name": "Bo", "email": "bo@example.org"})
    assert wait_for(lambda: Registration.objects.filter(confirmation_sent_at__isnull=False).count() == 2)
    assert sorted(Registration.objects.values_list("confirmed_status", flat=True)) == ["registered", "waitlisted"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_reminder_job_reminds_each_registration_once(celery_worker_process):
    from outreach.tasks import reminders_and_sweep

    soon = EngagementFactory(capacity=5, starts_at=timezone.now() + timedelta(hours=3))
    registration = RegistrationFactory(engagement=soon, confirmed_status="registered")
    assert reminders_and_sweep() == 1
    assert wait_for(lambda: Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=False).exists())
    sent_at = Registration.objects.get(pk=registration.pk).reminder_sent_at
    assert reminders_and_sweep() == 0
    assert services.registration_reminder_send(registration_id=registration.pk) is False
    assert Registration.objects.get(pk=registration.pk).reminder_sent_at == sent_at


def test_staff_pages_refuse_other_roles_and_anonymous(client_as):
    assert Client().get("/outreach/engagements/").status_code == 302
    assert client_as(Role.CSR).get("/outreach/engagements/").status_code == 403


def test_one_address_cannot_flood_the_registration_form():
    from django.core.cache import cache

    from outreach.views_public import REGISTRATIONS_PER_HOUR

    cache.clear()
    engagement = EngagementFactory(capacity=500)
    client = Client()
    for n in range(REGISTRATIONS_PER_HOUR):
        assert (
            client.post(f"/outreach/events/{engagement.pk}/", {"name": f"P{n}", "email": f"p{n}@x.org"}).status_code
            == 302
        )
    refused = client.post(f"/outreach/events/{engagement.pk}/", {"name": "Late", "email": "late@x.org"})
    assert refused.status_code == 429
    assert "Too many registrations" in refused.content.decode()
    assert Registration.objects.count() == REGISTRATIONS_PER_HOUR
    cache.clear()


def test_times_are_shown_in_the_events_own_zone_on_pages_and_in_the_e_mail():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core import mail

    honolulu = ZoneInfo("Pacific/Honolulu")
    starts = datetime.combine(timezone.localdate() + timedelta(days=5), datetime.min.time(), tzinfo=honolulu)
    starts = starts.replace(hour=9, minute=30)
    engagement = EngagementFactory(
        time_zone="Pacific/Honolulu", starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=15)
    )
    wall = f"{starts:%Y-%m-%d} 09:30"
    page = Client().get(f"/outreach/events/{engagement.pk}/").content.decode()
    zone = "Hawaii-Aleutian Standard Time (HST)"  # the zone named as people read it
    day = f"{starts:%A, %B} {starts.day}, {starts.year}"  # the pages write the date in words
    assert f"{day}</time>, 9:30 a.m.–10:45 a.m. {zone}" in page
    assert (
        f"{day}</time>, <span data-event-time>9:30 a.m.–10:45 a.m. {zone}"
        in Client().get("/outreach/events/").content.decode()
    )
    registration = services.registration_create(
        context=services_context(), engagement_id=engagement.pk, name="Kai", email="kai@example.org"
    )
    services.registration_confirmation_send(registration_id=registration.pk)
    assert f"{wall} {zone}" in mail.outbox[0].body


def services_context():
    from contactcenter.audit.context import AuditContext

    return AuditContext.system()


def _error_summary(body: str) -> str:
    match = re.search(r'<div class="usa-alert usa-alert--error" role="alert" tabindex="-1" id=.*?</ul>', body, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_a_failed_registration_opens_with_an_error_summary_linking_to_each_field():
    engagement = EngagementFactory(capacity=5)
    response = Client().post(f"/outreach/events/{engagement.pk}/", {"name": "", "email": "marta@"})
    body = response.content.decode()
    assert response.status_code == 400
    summary = _error_summary(body)
    # At the top of the form, before its first field; announced and focusable.
    assert body.index(summary) < body.index('id="id_name"')
    assert "There is a problem with this form" in summary
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["id_name", "id_email"]
    for anchor in links:
        assert f'id="{anchor}"' in body
    assert "E-mail: Enter a valid email address." in summary
    # static/js/page.js (no inline script under the CSP) focuses the first [data-error-summary].
    assert 'tabindex="-1"' in summary and "/static/js/page.js" in body


def test_the_error_summary_carries_non_field_errors_in_spanish(monkeypatch):
    from outreach import views_public

    cache.clear()
    monkeypatch.setattr(views_public, "REGISTRATIONS_PER_HOUR", 0)
    engagement = EngagementFactory()
    response = Client(HTTP_ACCEPT_LANGUAGE="es").post(
        f"/outreach/events/{engagement.pk}/", {"name": "Rosa", "email": "rosa@"}
    )
    assert response.status_code == 429
    summary = _error_summary(response.content.decode())
    assert "Hay un problema con este formulario" in summary
    assert "<li>Demasiadas inscripciones" in summary
    assert re.findall(r'href="#([^"]+)"', summary) == ["id_email"]
    translation.deactivate()  # the Spanish request left Spanish active for the tests that follow


def test_public_pages_name_the_events_time_zone_readably_in_english_and_spanish():
    from outreach.templatetags.outreach_time import zone_label

    engagement = EngagementFactory(time_zone="America/Phoenix", title="Phoenix info session")
    english = Client().get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert re.search(r"\d:\d\d [ap]\.m\. Mountain Standard Time \(MST\)</dd>", english)
    assert "America/Phoenix" not in english
    # (the time-zone picker above the list holds zone names as its options' values, not as text)
    listing = Client().get("/outreach/events/").content.decode().split('class="usa-card-group')[1]
    assert "Mountain Standard Time (MST)" in listing and "America/Phoenix" not in listing
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert "hora estándar de la Montaña (MST)" in spanish and "America/Phoenix" not in spanish
    translation.deactivate()
    response = _register(Client(), engagement, name="Ana Ruiz", email="ana@example.org")
    assert "Mountain Standard Time (MST)" in response.content.decode()
    mail.outbox.clear()
    assert services.registration_confirmation_send(registration_id=Registration.objects.get().pk) is True
    assert re.search(r"\d\d:\d\d Mountain Standard Time \(MST\)\n", mail.outbox[0].body)
    assert "America/Phoenix" not in mail.outbox[0].body
    # Standard or daylight time as on the event's date; an unlisted zone keeps its name.
    july = datetime(2027, 7, 4, 18, tzinfo=UTC)
    assert zone_label(july, "America/Chicago") == "Central Daylight Time (CDT)"
    assert zone_label(july, "America/Phoenix") == "Mountain Standard Time (MST)"
    assert zone_label(july, "Europe/Madrid") == "Europe/Madrid (CEST)"
    with translation.override("es"):
        assert zone_label(july, "America/Chicago") == "hora de verano del Centro (CDT)"
