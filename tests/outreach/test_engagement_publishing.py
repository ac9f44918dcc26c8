"""Issue 16, outreach: drafts and publishing, English and Spanish texts, places from lists, what
registrants are asked and sent, the public pages as the public reads them, and a referral's
receipt number on the case's history."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from contactcenter.models import AuditEvent, IdentifierKind, InteractionIdentifier
from contactcenter.staff.roles import Role
from outreach import services
from outreach.models import (
    CaseReferral,
    Engagement,
    EngagementMessageDelivery,
    EngagementStatus,
    Registration,
    RegistrationStatus,
)
from tests.outreach.factories import CTX, EngagementFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
MIGRATION = "_engagement_drafts_bilingual_messages_referral_receipt"
SPANISH_DAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                  "noviembre", "diciembre"]  # fmt: skip


def _a_tuesday_ahead():
    day = timezone.localdate() + timedelta(days=40)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _form(**overrides) -> dict:
    day = _a_tuesday_ahead()
    data = {"title": "Naturalization listening session", "kind": "listening_session", "topic": "naturalization",
            "day": day.isoformat(), "start": "10:00", "end": "12:00", "time_zone": "America/Chicago",
            "registration_closes": f"{day - timedelta(days=1)}T12:00", "venue": "Harold Washington Library",
            "language": "en", "capacity": "30", "region": "Central", "district": "Chicago", "state": "IL"}  # fmt: skip
    return {**data, **overrides}


# --- drafts and publishing ------------------------------------------------------------------------------
def test_a_new_engagement_is_a_draft_the_public_cannot_see_until_it_is_published(client_as):
    staff = client_as(Role.CRO)
    response = staff.post("/outreach/engagements/", _form())
    engagement = Engagement.objects.get()
    assert response["Location"] == f"/outreach/engagements/{engagement.pk}/"
    assert engagement.status == EngagementStatus.DRAFT and engagement.published_at is None

    public = Client()
    assert "Naturalization listening session" not in public.get("/outreach/events/").content.decode()
    assert public.get(f"/outreach/events/{engagement.pk}/").status_code == 404
    assert public.get(f"/outreach/events/{engagement.pk}/calendar.ics").status_code == 404
    assert b"Naturalization listening session" not in public.get("/outreach/events/calendar.ics").content
    refused = public.post(f"/outreach/events/{engagement.pk}/", {"name": "Ana", "email": "ana@example.org"})
    assert refused.status_code == 404 and Registration.objects.count() == 0

    page = staff.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "Draft: only staff see this engagement" in page
    assert f'action="/outreach/engagements/{engagement.pk}/publish/"' in page

    published = staff.post(f"/outreach/engagements/{engagement.pk}/publish/", follow=True).content.decode()
    assert "The engagement is published" in published and "Draft: only staff" not in published
    assert f'action="/outreach/engagements/{engagement.pk}/publish/"' not in published
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.PUBLISHED and engagement.published_at is not None
    assert AuditEvent.objects.filter(target_type="outreach.engagement", summary__contains="published").exists()
    assert "Naturalization listening session" in public.get("/outreach/events/").content.decode()
    registered = public.post(f"/outreach/events/{engagement.pk}/", {"name": "Ana", "email": "ana@example.org"})
    assert registered.status_code == 302 and Registration.objects.get().status == RegistrationStatus.REGISTERED

    again = staff.post(f"/outreach/engagements/{engagement.pk}/publish/", follow=True).content.decode()
    assert "This engagement is already published." in again


@pytest.mark.django_db(transaction=True)
def test_engagements_on_file_before_drafts_existed_migrate_as_published():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    # Found by name, not number: the number may change when branches are merged.
    mine = next(key for key in graph.nodes if key[0] == "outreach" and key[1].endswith(MIGRATION))
    before = [parent.key for parent in graph.node_map[mine].parents if parent.key[0] == "outreach"]
    executor.migrate(before)
    old_engagement = executor.loader.project_state(before).apps.get_model("outreach", "Engagement")
    existing = EngagementFactory.build()
    row = old_engagement.objects.create(
        **{f.attname: getattr(existing, f.attname) for f in old_engagement._meta.concrete_fields if f.attname != "id"}
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = Engagement.objects.get(pk=row.pk)
    assert migrated.status == EngagementStatus.PUBLISHED and migrated.published_at == migrated.created_at
    assert Client().get(f"/outreach/events/{row.pk}/").status_code == 200
    assert Engagement._meta.get_field("status").default == EngagementStatus.DRAFT  # new ones start as drafts


# --- English and Spanish, places from lists ------------------------------------------------------------------
def test_an_engagement_held_in_spanish_needs_its_spanish_title_and_description(client_as):
    staff = client_as(Role.CRO)
    response = staff.post("/outreach/engagements/", _form(language="en-es", description="Bring your questions."))
    assert response.status_code == 400
    assert "An engagement held in Spanish needs its title in Spanish." in response.content.decode()
    response = staff.post(
        "/outreach/engagements/",
        _form(language="en-es", description="Bring your questions.", title_es="Sesión de escucha"),
    )
    assert "needs its description in Spanish" in response.content.decode() and Engagement.objects.count() == 0
    staff.post(
        "/outreach/engagements/",
        _form(language="en-es", description="Bring your questions.", title_es="Sesión de escucha sobre naturalización",
              description_es="Traiga sus preguntas."),
    )  # fmt: skip
    engagement = Engagement.objects.get()
    assert (engagement.title_es, engagement.description_es) == (
        "Sesión de escucha sobre naturalización",
        "Traiga sus preguntas.",
    )
    # English only: the Spanish title is optional.
    staff.post("/outreach/engagements/", _form(title="English-only webinar"))
    assert Engagement.objects.get(title="English-only webinar").title_es == ""


def test_region_and_district_are_chosen_from_the_lists(client_as):
    staff = client_as(Role.CRO)
    page = staff.get("/outreach/engagements/").content.decode()
    assert '<select name="district"' in page and '<optgroup label="Central Region">' in page
    assert '<option value="Chicago">Chicago</option>' in page
    typed = staff.post("/outreach/engagements/", _form(district="Chicgo"))
    assert typed.status_code == 400 and Engagement.objects.count() == 0
    wrong_region = staff.post("/outreach/engagements/", _form(region="West"))
    assert "The Chicago district is not in that region." in wrong_region.content.decode()
    staff.post("/outreach/engagements/", _form(region=""))
    assert Engagement.objects.values_list("region", "district", "state").get() == ("Central", "Chicago", "IL")


# --- registration: accommodations, interpreter, export ------------------------------------------------
def test_accommodation_and_interpreter_are_asked_shown_to_staff_and_exported_with_an_audit_row(client_as):
    engagement = EngagementFactory(capacity=5)
    public = Client()
    form = public.get(f"/outreach/events/{engagement.pk}/").content.decode()
    assert "Accommodations you need (optional)" in form and "Language interpreter you need (optional)" in form
    public.post(
        f"/outreach/events/{engagement.pk}/",
        {"name": "Marie Joseph", "email": "marie@example.org", "accommodation": "Wheelchair access",
         "interpreter_language": "Haitian Creole"},
    )  # fmt: skip
    public.post(f"/outreach/events/{engagement.pk}/", {"name": "=cmd|' /C calc'!A0", "email": "x@example.org"})
    registration = Registration.objects.get(email="marie@example.org")
    assert (registration.accommodation, registration.interpreter_language) == ("Wheelchair access", "Haitian Creole")

    staff = client_as(Role.OUTREACH_STAFF)
    page = staff.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "<td data-accommodation>Wheelchair access</td><td data-interpreter>Haitian Creole</td>" in page
    response = staff.get(f"/outreach/engagements/{engagement.pk}/registrants.csv")
    assert response["Content-Disposition"] == f'attachment; filename="engagement-{engagement.pk}-registrants.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["name", "email"] and rows[0][7:9] == ["accommodation", "interpreter_language"]
    assert rows[1][:2] == ["Marie Joseph", "marie@example.org"]
    assert rows[1][7:9] == ["Wheelchair access", "Haitian Creole"]
    assert rows[2][0] == "'=cmd|' /C calc'!A0"  # a formula is defused
    export = AuditEvent.objects.get(action="export", target_type="outreach.registration_list")
    assert export.target_id == str(engagement.pk) and export.actor == staff.user
    assert "2 rows" in export.summary


# --- a message to the registrants -----------------------------------------------------------------------
def test_a_message_reaches_each_registrant_once_in_their_language(client_as, django_capture_on_commit_callbacks):
    engagement = EngagementFactory(capacity=1, title="Town hall", title_es="Reunión comunitaria")
    rosa = RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    bo = RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED, email="bo@example.org")
    RegistrationFactory(engagement=engagement, status=RegistrationStatus.CANCELLED, email="gone@example.org")
    staff = client_as(Role.CRO)

    half_spanish = staff.post(
        f"/outreach/engagements/{engagement.pk}/message/",
        {"message-subject": "Parking", "message-body": "Use the north lot.", "message-subject_es": "Estacionamiento"},
    )
    assert half_spanish.status_code == 400
    assert "Give both the Spanish subject and the Spanish message, or neither." in half_spanish.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(
            f"/outreach/engagements/{engagement.pk}/message/",
            {"message-subject": "Parking", "message-body": "Use the north lot.",
             "message-subject_es": "Estacionamiento", "message-body_es": "Use el estacionamiento norte."},
            follow=True,
        )  # fmt: skip
    assert "The message is being e-mailed to 2 registrants." in response.content.decode()
    assert len(callbacks) == 2 and mail.outbox == []  # sent by the worker, after commit
    deliveries = list(EngagementMessageDelivery.objects.order_by("email"))
    assert [d.email for d in deliveries] == ["bo@example.org", "rosa@example.org"]

    for delivery in deliveries:
        assert services.engagement_message_delivery_send(delivery_id=delivery.pk) is True
        assert services.engagement_message_delivery_send(delivery_id=delivery.pk) is False  # once each
    sent = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert sent[bo.email].subject == "Parking" and "Use the north lot." in sent[bo.email].body
    assert "Town hall" in sent[bo.email].body
    assert sent[rosa.email].subject == "Estacionamiento"
    assert "Use el estacionamiento norte." in sent[rosa.email].body and "Reunión comunitaria" in sent[rosa.email].body
    page = staff.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "Parking" in page and "2 of 2 delivered" in page


def test_without_spanish_texts_a_spanish_registrant_gets_the_english_message(django_capture_on_commit_callbacks):
    engagement = EngagementFactory()
    RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        message = services.engagement_message_send(
            context=CTX.__class__(actor=engagement.organiser), engagement_id=engagement.pk, subject="Room change",
            body="We moved to room 4.",
        )  # fmt: skip
    services.engagement_message_delivery_send(delivery_id=message.deliveries.get().pk)
    assert mail.outbox[0].subject == "Room change" and "We moved to room 4." in mail.outbox[0].body


# --- the console's sub-navigation -------------------------------------------------------------------------
def test_the_outreach_navigation_marks_the_section_the_user_is_in(client_as):
    engagement = EngagementFactory()
    staff = client_as(Role.CRO)
    for path, section in [
        (f"/outreach/engagements/{engagement.pk}/", "/outreach/engagements/"),
        ("/outreach/engagements/", "/outreach/engagements/"),
        ("/outreach/referrals/", "/outreach/referrals/"),
        ("/outreach/", "/outreach/"),
    ]:
        page = staff.get(path).content.decode()
        page = page.split('<nav aria-label="Public engagement sections"')[1].split("</nav>")[0]  # not the header's
        current = re.findall(r'href="([^"]+)" aria-current="page"', page)
        assert current == [section], (path, current)


# --- the public pages ---------------------------------------------------------------------------------------
def test_public_pages_name_the_agency_without_the_staff_notice(client_as):
    engagement = EngagementFactory()
    public = Client()
    for path in ("/outreach/events/", f"/outreach/events/{engagement.pk}/"):
        page = public.get(path).content.decode()
        assert "Authorized use only" not in page
        assert "data-agency-name>U.S. Citizenship and Immigration Services</a>" in page
        assert "NCSC Contact Center</a>" not in page
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/outreach/events/").content.decode()
    assert "data-agency-name>Servicio de Ciudadanía e Inmigración de los Estados Unidos</a>" in spanish
    # Staff pages keep the system-use notice.
    assert "Authorized use only" in client_as(Role.CRO).get("/outreach/").content.decode()


def test_the_confirmation_page_says_when_staff_reply(settings):
    settings.OUTREACH_REPLY_BUSINESS_DAYS = 3
    engagement = EngagementFactory()
    done = Client().post(f"/outreach/events/{engagement.pk}/", {"name": "Ana", "email": "ana@example.org"}, follow=True)
    page = done.content.decode()
    assert "You are registered" in page and "Authorized use only" not in page
    assert "public engagement staff answer within 3 business days." in page
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(done.redirect_chain[-1][0]).content.decode()
    assert "el personal de participación pública responde en un plazo de 3 días hábiles." in spanish


def _on(day, hour, zone=CHICAGO):
    return datetime.combine(day, time(hour), tzinfo=zone)


def test_the_events_list_speaks_the_visitors_language_and_writes_dates_in_words():
    day = _a_tuesday_ahead()
    EngagementFactory(
        title="Citizenship workshop", title_es="Taller de ciudadanía", starts_at=_on(day, 10),
        ends_at=_on(day, 12), registration_closes_at=_on(day, 8), language="en-es",
    )  # fmt: skip
    english = Client().get("/outreach/events/").content.decode()
    assert ">Citizenship workshop</h2>" in english
    assert f"{day:%A, %B} {day.day}, {day.year}</time>" in english
    assert "10:00 a.m.–12:00 p.m. Central Standard Time (CST)" in english
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/outreach/events/").content.decode()
    assert ">Taller de ciudadanía</h2>" in spanish and "Citizenship workshop" not in spanish
    words = f"{SPANISH_DAYS[day.weekday()]}, {day.day} de {SPANISH_MONTHS[day.month - 1]} de {day.year}"
    assert f"{words}</time>" in spanish and "10:00–12:00" in spanish


def test_online_events_show_the_visitors_time_zone_and_a_real_link():
    day = _a_tuesday_ahead()
    webinar = EngagementFactory(
        title="EAD webinar", venue="", state="", call_in="https://www.uscis.gov/outreach/ead",
        starts_at=_on(day, 10), ends_at=_on(day, 11), registration_closes_at=_on(day, 8),
    )  # fmt: skip
    EngagementFactory(title="Library session", starts_at=_on(day, 14), ends_at=_on(day, 15))
    page = Client().get("/outreach/events/").content.decode()
    assert '<select name="tz"' in page and "<script>" not in page.split("<main")[1]
    assert "10:00 a.m.–11:00 a.m. Central Standard Time (CST)" in page  # the event's own zone by default
    assert f'<a class="usa-link" href="{webinar.call_in}" rel="noopener" data-online-link>' in page
    eastern = Client().get("/outreach/events/?tz=America/New_York").content.decode()
    assert "11:00 a.m.–12:00 p.m. Eastern Standard Time (EST)" in eastern  # the webinar, in the visitor's zone
    assert "2:00 p.m.–3:00 p.m. Central Standard Time (CST)" in eastern  # in person: the place's zone
    assert '<option value="America/New_York" selected>' in eastern
    register = Client().get(f"/outreach/events/{webinar.pk}/").content.decode()
    assert f'<a class="usa-link" href="{webinar.call_in}" rel="noopener" data-online-link>' in register
    # The zone chosen on the list goes with the visitor to the registration page.
    assert f'href="/outreach/events/{webinar.pk}/?tz=America/New_York"' in eastern
    register = Client().get(f"/outreach/events/{webinar.pk}/?tz=America/New_York").content.decode()
    assert "11:00 a.m.–12:00 p.m. Eastern Standard Time (EST)</dd>" in register
    unknown = Client().get(f"/outreach/events/{webinar.pk}/?tz=Mars/Olympus").content.decode()
    assert "10:00 a.m.–11:00 a.m. Central Standard Time (CST)</dd>" in unknown


def test_the_events_list_filters_by_state_and_language():
    EngagementFactory(title="Chicago session", state="IL", language="en")
    EngagementFactory(title="Phoenix sesión", title_es="Sesión en Phoenix", state="AZ", language="es")
    EngagementFactory(title="Both languages, Illinois", title_es="Ambos idiomas", state="IL", language="en-es")
    EngagementFactory(title="Draft in Illinois", state="IL", status=EngagementStatus.DRAFT, published_at=None)

    def titles(query):
        page = Client().get(f"/outreach/events/{query}").content.decode()
        return set(re.findall(r'<h2 class="usa-card__heading">([^<]+)</h2>', page))

    assert titles("") == {"Chicago session", "Phoenix sesión", "Both languages, Illinois"}
    assert titles("?state=IL") == {"Chicago session", "Both languages, Illinois"}
    assert titles("?language=es") == {"Phoenix sesión", "Both languages, Illinois"}
    assert titles("?state=IL&language=es") == {"Both languages, Illinois"}
    assert titles("?state=TX") == set()
    assert "No engagements match your choices." in Client().get("/outreach/events/?state=TX").content.decode()


# --- a referral's receipt number ----------------------------------------------------------------------------
def _refer(client, engagement, **extra):
    data = {"referral-person_name": "Pedro Alvarez", "referral-phone": "312-555-0199", "referral-language": "es",
            "referral-topic": "case-status", "referral-mode": "inquiry", "referral-consent": "on", **extra}  # fmt: skip
    return client.post(f"/outreach/engagements/{engagement.pk}/referrals/", data)


def test_a_referral_keeps_the_receipt_number_only_with_consent_and_it_shows_on_the_case_history(client_as, make_staff):
    engagement = EngagementFactory()
    staff = client_as(Role.CRO)
    refused = _refer(staff, engagement, **{"referral-receipt_number": "EAC2190000001"})
    assert refused.status_code == 400 and CaseReferral.objects.count() == 0
    assert "Keep the receipt number only if the person agrees" in html.unescape(refused.content.decode())
    wrong = _refer(staff, engagement, **{"referral-receipt_number": "ABC123", "referral-receipt_consent": "on"})
    assert wrong.status_code == 400 and "A receipt number is 3 letters" in wrong.content.decode()

    done = _refer(
        staff, engagement, **{"referral-receipt_number": "eac-219-000-0001", "referral-receipt_consent": "on"}
    )
    assert done.status_code == 302
    referral = CaseReferral.objects.get()
    assert (referral.receipt_number, referral.receipt_consent) == ("EAC2190000001", True)
    assert InteractionIdentifier.objects.filter(
        interaction=referral.interaction, kind=IdentifierKind.RECEIPT_NUMBER, value="EAC2190000001"
    ).exists()
    detail = staff.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert "<dd data-receipt-number>EAC2190000001" in detail

    csr = Client()
    csr.force_login(make_staff(Role.CSR))
    history = html.unescape(csr.get("/cases/EAC2190000001/").content.decode())
    assert "Outreach referral with consent (Written inquiry to the contact center)" in history

    # No number given: none kept, and the consent box alone changes nothing.
    _refer(staff, engagement, **{"referral-person_name": "Lee", "referral-receipt_consent": "on"})
    assert CaseReferral.objects.get(person_name="Lee").receipt_number == ""


def test_the_api_creates_a_draft_publishes_it_and_refers_with_a_receipt_number(make_staff):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_staff(Role.CRO))
    payload = {"title": "Webinar", "title_es": "Seminario web", "kind": "webinar", "language": "en-es",
               "time_zone": "America/Los_Angeles", "capacity": 100, "topic_code": "employment-authorization",
               "call_in": "https://example.gov/webinar", "starts_at": "2027-05-04T10:00:00-07:00",
               "ends_at": "2027-05-04T11:00:00-07:00", "registration_closes_at": "2027-05-03T10:00:00-07:00",
               "region": "West", "district": "Los Angeles"}  # fmt: skip
    created = client.post("/api/outreach/engagements/", payload, format="json").json()
    assert (created["status"], created["title_es"], created["published_at"]) == ("draft", "Seminario web", None)
    published = client.post(f"/api/outreach/engagements/{created['id']}/publish/", format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.post(f"/api/outreach/engagements/{created['id']}/publish/", format="json")
    assert again.status_code == 400 and again.json()["message"] == "This engagement is already published."

    referral = {"person_name": "Pedro", "topic_code": "case-status", "mode": "inquiry", "consent": True,
                "email": "pedro@example.org", "receipt_number": "IOE 012 345 6789"}  # fmt: skip
    refused = client.post("/api/outreach/referrals/", referral, format="json")
    assert refused.status_code == 400 and CaseReferral.objects.count() == 0
    made = client.post("/api/outreach/referrals/", {**referral, "receipt_consent": True}, format="json")
    assert made.status_code == 201
    assert CaseReferral.objects.get().receipt_number == "IOE0123456789"


def test_a_spanish_registrant_reads_the_spanish_title_in_the_confirmation():
    engagement = EngagementFactory(title="Town hall", title_es="Reunión comunitaria")
    registration = RegistrationFactory(engagement=engagement, language="es", confirmed_status="")
    services.registration_confirmation_send(registration_id=registration.pk)
    assert "Reunión comunitaria" in mail.outbox[0].subject and "Town hall" not in mail.outbox[0].body


def test_a_message_not_delivered_is_counted_on_the_page_and_sent_again(client_as, django_capture_on_commit_callbacks):
    engagement = EngagementFactory()
    RegistrationFactory(engagement=engagement, email="ana@example.org")
    with django_capture_on_commit_callbacks():
        message = services.engagement_message_send(
            context=CTX.__class__(actor=engagement.organiser), engagement_id=engagement.pk, subject="Room change",
            body="We moved to room 4.",
        )  # fmt: skip
    delivery = message.deliveries.get()
    services.engagement_message_delivery_give_up(delivery_id=delivery.pk, reason="550 mailbox unavailable")
    staff = client_as(Role.CRO)
    page = staff.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "1 e-mail about this engagement was not delivered" in page and "0 of 1 delivered" in page
    with django_capture_on_commit_callbacks() as callbacks:
        staff.post(f"/outreach/engagements/{engagement.pk}/send-again/")
    assert len(callbacks) == 1
    assert services.engagement_message_delivery_send(delivery_id=delivery.pk) is True
    assert [m.subject for m in mail.outbox] == ["Room change"]
