"""The PED loop in the browser: a CRO records a listening session in a district, partners register
on the public page (one in Spanish), feedback from it is routed and answered beside the contact
center's figures on the same topic, and a real Celery worker e-mails the report back to each attendee."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from contactcenter import services as core
from contactcenter.audit.context import AuditContext
from contactcenter.models import Channel, WaitingContact
from contactcenter.staff.roles import Role
from outreach import services
from outreach.models import Engagement, FeedbackItem, Registration, ReportBackDelivery
from tests.e2e.test_sign_in_browser import sign_in
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _register(browser, url, locale, name, email, labels):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.get_by_label(labels["name"]).fill(name)
    page.get_by_label(labels["email"]).fill(email)
    page.get_by_role("button", name=labels["button"], exact=True).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    context.close()
    return heading


@pytest.mark.celery_worker
def test_listening_session_to_report_back_reaching_the_attendees(
    browser, live_server, make_staff, celery_worker_process
):
    cache.clear()
    cro = make_staff(Role.CRO, first_name="Carmen", last_name="Vega")
    services.cro_profile_set(context=AuditContext.system(), user=cro, region="Central", districts=["Chicago"])
    # The contact center's own figures on naturalization: 3 calls and 2 written inquiries this month.
    for i, channel in enumerate([Channel.IVR, Channel.TIER1, Channel.TIER2, Channel.WRITTEN, Channel.WRITTEN]):
        core.interaction_record(
            context=AuditContext.system(), channel=channel, topic_code="naturalization", source_app="e2e",
            source_model="contact", source_id=str(i),
        )  # fmt: skip

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, cro.username)
    page.get_by_role("heading", name="Public engagement", level=1).wait_for()

    # 1. The CRO records a listening session in their district.
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    closes = (timezone.localdate() + timedelta(days=9)).isoformat() + "T12:00"
    page.get_by_role("link", name="Engagements").first.click()
    page.get_by_label("Title", exact=False).first.fill("Naturalization listening session, Chicago")
    page.get_by_label("Title in Spanish").fill("Sesión de escucha sobre naturalización, Chicago")
    page.get_by_label("Type").select_option("listening_session")
    page.get_by_label("Topic").select_option("naturalization")
    page.get_by_label("Date", exact=False).first.fill(day)
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("End time").fill("20:00")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Registration closes").fill(closes)
    page.get_by_label("Place").fill("Harold Washington Library Center")
    page.get_by_label("Language", exact=False).first.select_option("en-es")
    page.get_by_label("Capacity").fill("2")
    assert page.get_by_label("District").input_value() == "Chicago"
    page.get_by_role("button", name="Record the engagement").click()
    page.get_by_role("heading", name="Naturalization listening session, Chicago").wait_for()
    # A draft until published: then the public can register.
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("The engagement is published").wait_for()
    engagement = Engagement.objects.get()
    assert engagement.district == "Chicago" and engagement.time_zone == "America/Chicago"
    assert timezone.localtime(engagement.starts_at, ZoneInfo("America/Chicago")).strftime("%H:%M") == "18:00"

    # 2. Two partners register on the public page, one in Spanish; a third finds it full.
    public_url = f"{live_server.url}/outreach/events/{engagement.pk}/"
    english = {"name": "Full name", "email": "E-mail", "button": "Register"}
    spanish = {"name": "Nombre completo", "email": "Correo electrónico", "button": "Inscribirse"}
    assert _register(browser, public_url, "en-US", "Ana Ruiz", "ana@partner.example.org", english) == (
        "You are registered"
    )
    assert _register(browser, public_url, "es-ES", "Rosa Méndez", "rosa@iglesia.example.org", spanish) == (
        "Está inscrito"
    )
    waitlist = {**english, "button": "Join the waitlist"}
    assert _register(browser, public_url, "en-US", "Bo Li", "bo@example.org", waitlist) == "You are on the waitlist"
    assert Registration.objects.get(email="rosa@iglesia.example.org").language == "es"
    # The worker sends each confirmation after the registration commits.
    assert wait_for(lambda: Registration.objects.filter(confirmation_sent_at__isnull=False).count() == 3, timeout=60)

    # 3. The session takes place (attendance and a report back are refused before it); attendance,
    # then the feedback heard at it.
    page.reload()
    page.get_by_text("Attendance can be recorded once the engagement begins").wait_for()
    assert page.get_by_role("button", name="Save attendance").count() == 0
    now = timezone.now()
    Engagement.objects.filter(pk=engagement.pk).update(
        registration_closes_at=now - timedelta(hours=3), starts_at=now - timedelta(hours=2), ends_at=now
    )
    page.reload()
    page.get_by_text("Ana Ruiz attended").click()
    page.get_by_text("Rosa Méndez attended").click()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved (2 changed).").wait_for()
    # A participant asks about her own case: referred, with consent, for a Spanish callback.
    page.get_by_label("Name of the person").fill("Rosa Méndez")
    page.get_by_role("textbox", name="Telephone").fill("(312) 555-0188")
    page.get_by_role("combobox", name="Language").last.select_option("es")
    page.get_by_label("Topic of the question").select_option("case-status")
    page.get_by_label("Refer as").select_option("callback")
    page.get_by_text("The person agrees to be contacted by the contact center about their case").click()
    page.get_by_role("button", name="Refer to the contact center").click()
    page.get_by_text("Referred to the contact center.").wait_for()
    callback = WaitingContact.objects.get(kind="callback")
    assert (callback.queue_name, callback.caller_time_zone) == ("tier1-es", "America/Chicago")
    page.get_by_label("Heard from").select_option("engagement")
    page.get_by_label("What was heard").fill("Oath ceremonies are scheduled months after approval")
    page.get_by_role("button", name="Record feedback").click()
    page.get_by_text("Feedback recorded.").wait_for()

    # 4. Routed, answered, and set beside the contact center's figures on the same topic.
    page.get_by_role("link", name="Oath ceremonies are scheduled months after approval").click()
    volume = page.locator("[data-volume]")
    assert volume.locator("[data-calls]").inner_text() == "3"
    assert volume.locator("[data-inquiries]").inner_text() == "2"
    assert "Naturalization and citizenship" in volume.inner_text()
    page.get_by_role("combobox", name="Owning office").select_option("fod")
    page.get_by_role("button", name="Route", exact=True).click()
    page.get_by_text("Feedback routed.").wait_for()
    answer = "Field offices now schedule oath ceremonies within 30 days."
    page.get_by_role("textbox", name="Agency response").fill(answer)
    page.get_by_role("button", name="Save the response").click()
    page.get_by_text("Response saved.").wait_for()
    assert FeedbackItem.objects.get().status == "response_drafted"

    # 5. The report back: a printable page, published, and e-mailed once to each attendee by the worker.
    page.goto(f"{live_server.url}/outreach/engagements/{engagement.pk}/report/")
    assert "Field offices now schedule oath ceremonies within 30 days." in page.inner_text("main")
    page.get_by_label("Introduction").fill("Thank you for joining us in Chicago.")
    page.get_by_role("button", name="Publish the report back").click()
    page.get_by_text("Report back published").wait_for()
    assert wait_for(lambda: ReportBackDelivery.objects.filter(sent_at__isnull=False).count() == 2, timeout=60)
    assert sorted(ReportBackDelivery.objects.values_list("email", flat=True)) == [
        "ana@partner.example.org",
        "rosa@iglesia.example.org",
    ]
    assert FeedbackItem.objects.get().status == "reported_back"
    page.reload()
    assert page.inner_text("main").count("e-mailed") == 2
    # The public page the e-mail links to.
    page.goto(f"{live_server.url}/outreach/reports/{engagement.uid}/")
    assert "Oath ceremonies are scheduled months after approval" in page.inner_text("main")
    context.close()


def test_public_registration_by_keyboard_alone_in_spanish(browser, live_server):
    from tests.outreach.factories import EngagementFactory

    cache.clear()
    engagement = EngagementFactory(capacity=10, title="Sesión informativa: ciudadanía")
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/outreach/events/{engagement.pk}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Saltar al contenido principal"
    for _ in range(40):
        if page.evaluate("document.activeElement.id") == "id_name":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.keyboard.type("Marta Gómez")
    page.keyboard.press("Tab")
    page.keyboard.type("marta@")  # a mistake, announced next to its field
    page.keyboard.press("Enter")
    error = page.locator("#id_email_error")
    assert "correo" in error.inner_text().lower()
    assert page.locator("#id_email").get_attribute("aria-describedby") == "id_email_hint id_email_error"
    page.locator("#id_email").fill("marta@example.org")
    page.locator("#id_email").press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Está inscrito"
    assert Registration.objects.get().language == "es"
    context.close()


def test_a_failed_public_registration_moves_focus_to_the_error_summary(browser, live_server):
    from tests.outreach.factories import EngagementFactory

    cache.clear()
    engagement = EngagementFactory(capacity=10)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/outreach/events/{engagement.pk}/")
    page.get_by_label("Full name").fill("Marta Gómez")
    page.get_by_label("E-mail").fill("marta@")
    page.get_by_role("button", name="Register", exact=True).click()
    page.locator("[data-error-summary]").wait_for()
    page.wait_for_function("document.activeElement !== document.body")
    assert page.evaluate("document.activeElement.id") == "form-error-summary"
    assert "There is a problem with this form" in page.evaluate("document.activeElement.innerText")
    # Its link takes the person to the field in error.
    page.locator("[data-error-summary] a").click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert Registration.objects.count() == 0
    context.close()
