"""Settings supervisors change without a deploy, as callers hear them over signed webhooks: the
queue's own hours, federal holidays and closures, emergency announcements, hold-message wordings."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, CenterClosure
from contactcenter.routing.opening_hours import Closure, QueueHours
from contactcenter.services import closure_save
from contactcenter.staff.roles import Role
from ivr.models import Announcement, PromptOverride
from ivr.prompts import prompt
from tests.factories import queue_settings_form
from tests.ivr.conftest import EASTERN, WEEKDAY_7PM_EASTERN

# Friday the 4th of July 2025, 10 a.m. in New York: a federal holiday on a weekday.
JULY_4_10AM_EASTERN = datetime(2025, 7, 4, 10, 0, tzinfo=EASTERN)
WEEKDAY_10AM_EASTERN = datetime(2026, 12, 2, 10, 0, tzinfo=EASTERN)
NEW_YORK = "+12125550100"


def _to_representative(call, language_key="1"):
    call.start()
    call.press(language_key)
    return call.press("0")


def test_a_call_on_a_federal_holiday_hears_the_holiday_and_the_after_hours_options(reference, caller, at_time):
    with at_time(JULY_4_10AM_EASTERN):
        closed = _to_representative(caller(NEW_YORK))
    assert "Today is a federal holiday, Independence Day, and representatives are not available." in closed.text
    assert "Monday through Friday, 8 a.m. to 8 p.m. Eastern time" in closed.text
    assert "The next opening is July 7, 2025, 8 a.m." in closed.text
    assert "To have a representative call you back during business hours, press 1." in closed.text
    assert closed.enqueue is None


def test_a_spanish_call_on_a_federal_holiday_hears_its_spanish_name(reference, caller, at_time):
    with at_time(JULY_4_10AM_EASTERN):
        closed = _to_representative(caller(NEW_YORK), "2")
    assert "Hoy es día feriado federal, Día de la Independencia" in closed.text
    assert "oprima 1" in closed.text


def test_a_closure_of_the_spanish_queue_is_said_with_its_reason_and_the_opening_after_it(
    reference, caller, at_time, make_staff
):
    supervisor = make_staff(Role.SUPERVISOR)
    with at_time(WEEKDAY_10AM_EASTERN):
        closure_save(
            context=AuditContext(actor=supervisor),
            first_day=date(2026, 12, 2),
            last_day=date(2026, 12, 2),
            starts_at=time(9, 0),
            ends_at=time(13, 30),
            reason_en="a power outage in our Spanish-language center",
            reason_es="un corte de luz en nuestro centro en español",
            queues=["tier1-es"],
        )
        spanish = _to_representative(caller(NEW_YORK), "2")
        english = _to_representative(caller("+12125550101"))
    assert "no están disponibles en este momento: un corte de luz en nuestro centro en español." in spanish.text
    # The opening is the closure's end, not tomorrow's 8 a.m.
    assert ", 1:30 p.m." in spanish.text
    assert spanish.enqueue is None
    assert english.enqueue is not None and english.enqueue["name"] == "tier1-en"
    assert AuditEvent.objects.filter(target_type="contactcenter.centerclosure", action="create").count() == 1


def test_a_supervisor_changes_the_spanish_queues_hours_and_the_next_spanish_call_hears_them(
    reference, caller, at_time, client_as
):
    client = client_as(Role.SUPERVISOR)
    form = queue_settings_form("tier1-es", opens_at="09:00", closes_at="17:00", hours_time_zone="America/New_York")
    assert client.post(reverse("supervisor-queue-edit", args=["tier1-es"]), form).status_code == 302
    with at_time(WEEKDAY_7PM_EASTERN):
        # 4 p.m. in Los Angeles, but the Spanish queue now keeps Eastern hours: closed since 5 p.m.
        closed = _to_representative(caller("+12135550142"), "2")
        english = _to_representative(caller("+12135550143"))
    assert "de lunes a viernes, de 9 a.m. a 5 p.m., hora del Este" in closed.text
    assert ", 9 a.m." in closed.text and "8 a.m." not in closed.text
    assert english.enqueue is not None  # the English queue keeps each caller's own 8 to 8


def test_every_call_hears_the_announcement_in_english_and_spanish_until_it_ends(reference, caller, at_time, client_as):
    client = client_as(Role.SUPERVISOR)
    with at_time(WEEKDAY_10AM_EASTERN):
        response = client.post(
            reverse("ivr:supervisor-announcement-new"),
            {
                "text_en": "Our offices in Texas are closed today because of a hurricane.",
                "text_es": "Nuestras oficinas en Texas están cerradas hoy por un huracán.",
                "starts_at": "2026-12-02T09:00",
                "ends_at": "2026-12-02T12:00",
            },
        )
        assert response.status_code == 302
        first = caller(NEW_YORK).start()
    said = dict(first.says)
    english = "Important notice: Our offices in Texas are closed today because of a hurricane."
    spanish = "Aviso importante: Nuestras oficinas en Texas están cerradas hoy por un huracán."
    assert said[english] == "en-US" and said[spanish] == "es-US"
    assert first.text.index(english) < first.text.index("For English, press 1.")
    assert AuditEvent.objects.filter(target_type="ivr.announcement", action="create").count() == 1

    with at_time(datetime(2026, 12, 2, 12, 1, tzinfo=EASTERN)):
        after = caller("+12125550102").start()
    assert "Important notice" not in after.text and "Aviso importante" not in after.text
    assert "For English, press 1." in after.text


def test_a_supervisor_ends_an_announcement_now(reference, caller, at_time, client_as):
    client = client_as(Role.SUPERVISOR)
    with at_time(WEEKDAY_10AM_EASTERN):
        announcement = Announcement.objects.create(
            text_en="Severe weather.", text_es="Mal tiempo.", ends_at=WEEKDAY_10AM_EASTERN + timedelta(hours=5)
        )
        assert "Important notice: Severe weather." in caller(NEW_YORK).start().text
        response = client.post(reverse("ivr:supervisor-announcement-end", args=[announcement.pk]))
        assert response.status_code == 302
        assert "Important notice" not in caller("+12125550103").start().text
    assert AuditEvent.objects.filter(target_type="ivr.announcement", target_id=str(announcement.pk)).exists()


def test_the_hold_message_preview_renders_what_the_voice_says_in_both_languages(client_as):
    client = client_as(Role.SUPERVISOR)
    url = reverse("ivr:supervisor-prompt-edit", args=["queue_position"])
    response = client.post(
        url,
        {
            "action": "preview",
            "text_en": "Thanks for waiting. You are caller {position}; about {wait} to go.",
            "text_es": "Gracias por esperar. Usted es la persona {position}; faltan unos {wait}.",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thanks for waiting. You are caller 3; about 6 minutes to go." in page
    assert "Gracias por esperar. Usted es la persona 3; faltan unos 6 minutos." in page
    assert "&lt;Say language=&quot;es-US&quot;" in page
    assert not PromptOverride.objects.exists()  # a preview saves nothing


def test_a_wording_that_drops_or_adds_a_placeholder_is_refused(client_as):
    client = client_as(Role.SUPERVISOR)
    url = reverse("ivr:supervisor-prompt-edit", args=["queue_position"])
    response = client.post(
        url,
        {
            "action": "save",
            "text_en": "You are number {position} in line.",
            "text_es": "Usted es el número {position} en la fila, espera {minutes}.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep exactly the placeholders of the default text: {position}, {wait}." in page
    assert not PromptOverride.objects.exists()
    assert client.get(reverse("ivr:supervisor-prompt-edit", args=["main_menu"])).status_code == 404


def test_a_saved_wording_is_what_the_next_caller_hears_and_is_audited(reference, caller, at_time, client_as):
    client = client_as(Role.SUPERVISOR)
    response = client.post(
        reverse("ivr:supervisor-prompt-edit", args=["to_agent"]),
        {
            "action": "save",
            "text_en": "Thank you. A representative will be with you shortly. This call may be recorded.",
            "text_es": "Gracias. Un representante le atenderá en breve. Esta llamada puede ser grabada.",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(target_type="ivr.promptoverride", action="create").count() == 1
    with at_time(WEEKDAY_10AM_EASTERN):
        queued = _to_representative(caller(NEW_YORK), "2")
    assert "Gracias. Un representante le atenderá en breve." in queued.text
    assert queued.enqueue is not None

    client.post(reverse("ivr:supervisor-prompt-edit", args=["to_agent"]), {"action": "default"})
    assert prompt("to_agent", "en").startswith("Please hold while we connect you")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Closed from noon to the end of the day: the opening is the next weekday morning.
        (datetime(2026, 12, 2, 12, 30, tzinfo=EASTERN), datetime(2026, 12, 3, 8, 0, tzinfo=EASTERN)),
        # Before the closure: open now.
        (datetime(2026, 12, 2, 11, 0, tzinfo=EASTERN), datetime(2026, 12, 2, 11, 0, tzinfo=EASTERN)),
    ],
)
def test_next_opening_skips_a_closure(at, expected):
    hours = QueueHours(closures=(Closure(first_day=date(2026, 12, 2), last_day=date(2026, 12, 2), starts=time(12)),))
    assert hours.next_opening(caller_time_zone="America/New_York", at=at) == expected
    assert hours.open_at(caller_time_zone="America/New_York", at=at) is (at == expected)


def test_the_supervisor_pages_save_and_remove_a_closure_with_audit(client_as):
    client = client_as(Role.SUPERVISOR)
    response = client.post(
        reverse("supervisor-closure-new"),
        {"first_day": "2026-12-24", "reason_en": "the winter break", "reason_es": "las vacaciones de invierno"},
    )
    assert response.status_code == 302
    closure = CenterClosure.objects.get()
    assert closure.last_day == date(2026, 12, 24) and closure.queues == []
    assert "the winter break" in client.get(reverse("supervisor-closures")).content.decode()
    refused = client.post(
        reverse("supervisor-closure-edit", args=[closure.pk]),
        {"first_day": "2026-12-24", "last_day": "2026-12-20", "reason_en": "x", "reason_es": "y"},
    )
    assert refused.status_code == 400
    assert client.post(reverse("supervisor-closure-delete", args=[closure.pk])).status_code == 302
    assert not CenterClosure.objects.exists()
    actions = set(AuditEvent.objects.filter(target_type="contactcenter.centerclosure").values_list("action", flat=True))
    assert actions == {"create", "delete"}


def test_the_settings_pages_show_what_is_saved_and_are_linked_from_the_supervisor_nav(client_as):
    client = client_as(Role.SUPERVISOR)
    announcement = Announcement.objects.create(
        text_en="Severe weather.", text_es="Mal tiempo.", ends_at=datetime(2099, 1, 1, tzinfo=EASTERN)
    )
    closure = CenterClosure.objects.create(
        first_day=date(2099, 1, 2), last_day=date(2099, 1, 2), reason_en="inventory", reason_es="inventario"
    )
    PromptOverride.objects.create(key="on_hold", text_en="One moment, please.", text_es="Un momento, por favor.")
    home = client.get(reverse("supervisor-queues")).content.decode()
    assert reverse("supervisor-closures") in home and reverse("ivr:supervisor-announcements") in home
    pages = {
        reverse("ivr:supervisor-announcements"): "Severe weather.",
        reverse("ivr:supervisor-announcement-edit", args=[announcement.pk]): "Mal tiempo.",
        reverse("ivr:supervisor-prompts"): "One moment, please.",
        reverse("ivr:supervisor-prompt-edit", args=["on_hold"]): "Un momento, por favor.",
        reverse("supervisor-closure-edit", args=[closure.pk]): "inventario",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
