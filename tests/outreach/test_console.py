"""The PED staff console, walked as outreach staff and CROs would."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from contactcenter import services as core
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, Channel, Interaction, WaitingContact
from contactcenter.staff.roles import Role
from outreach import services
from outreach.models import (
    CaseReferral,
    Contact,
    Engagement,
    FeedbackItem,
    Membership,
    Organisation,
    PartnerInteraction,
    ReportBackDelivery,
)
from tests.outreach.factories import ContactFactory, EngagementFactory, OrganisationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_organisations_are_added_filtered_and_bad_input_kept_with_its_error(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    response = client.post(
        "/outreach/organisations/",
        {"name": "Navajo Nation Washington Office", "kind": "tribal", "level": "hq", "languages": "en, nv"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get().languages == ["en", "nv"]
    response = client.post("/outreach/organisations/", {"name": "Casa", "kind": "community", "level": "district"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A district-level organisation needs its district." in body
    assert 'id="id_district_error"' in body and 'value="Casa"' in body
    listing = client.get("/outreach/organisations/?kind=tribal").content.decode()
    assert "Navajo Nation Washington Office" in listing


def test_contact_duplicate_warning_then_merge_with_audit(client_as):
    client = client_as(Role.CRO)
    org = OrganisationFactory()
    first = ContactFactory(first_name="Luis", last_name="Ortega", email="luis@example.org")
    Membership.objects.create(contact=first, organisation=org)
    data = {"first_name": "Luis", "last_name": "Ortega", "email": "l.ortega@example.org", "phone": "312 555 0110",
            "preferred_language": "es", "preferred_channel": "email", "official_role": "mayors_office"}  # fmt: skip
    response = client.post("/outreach/contacts/", data)
    assert response.status_code == 400
    assert f"Luis Ortega (#{first.pk})" in response.content.decode()
    response = client.post("/outreach/contacts/", {**data, "confirm_different": "on"})
    assert response.status_code == 302
    second = Contact.objects.get(email="l.ortega@example.org")
    assert second.phone == "+13125550110"

    page = client.get(f"/outreach/contacts/{first.pk}/").content.decode()
    assert f"#{second.pk}" in page
    assert client.post(f"/outreach/contacts/{first.pk}/merge/", {"merge_id": second.pk}).status_code == 302
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    assert AuditEvent.objects.filter(target_type="outreach.contact", summary__contains="merged into").exists()
    assert "This contact was merged into" in client.get(f"/outreach/contacts/{second.pk}/").content.decode()


def test_cro_page_logs_interactions_and_follow_ups(client_as):
    client = client_as(Role.CRO)
    cro = client.user
    org = OrganisationFactory(owner=cro)
    response = client.post(
        f"/outreach/cros/{cro.pk}/",
        {"action": "profile", "profile-region": "Central", "profile-districts": "Chicago, Milwaukee"},
    )
    assert response.status_code == 302
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        f"/outreach/cros/{cro.pk}/",
        {"action": "log", "log-organisation": org.pk, "log-kind": "meeting", "log-summary": "Board meeting",
         "log-follow_up": "Send flyers", "log-follow_up_due": due},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/outreach/cros/{cro.pk}/").content.decode()
    assert "Chicago, Milwaukee" in page and "Send flyers" in page and org.name in page
    assert "Send flyers" in client.get("/outreach/").content.decode()
    entry = PartnerInteraction.objects.get()
    assert client.post(f"/outreach/follow-ups/{entry.pk}/done/").status_code == 302
    entry.refresh_from_db()
    assert entry.follow_up_done_at is not None


def test_engagement_form_refuses_a_time_that_does_not_exist_and_records_a_good_one(client_as):
    client = client_as(Role.CRO)
    data = {"title": "Listening session: N-400", "title_es": "Sesión de escucha: N-400",
            "kind": "listening_session", "topic": "naturalization",
            "day": "2027-03-14", "start": "02:30", "end": "04:00", "time_zone": "America/Chicago",
            "registration_closes": "2027-03-13T12:00", "venue": "Library", "language": "en-es", "capacity": "30",
            "district": "Chicago"}  # fmt: skip
    response = client.post("/outreach/engagements/", data)
    assert response.status_code == 400
    assert "2027-03-14 02:30 does not exist in America/Chicago" in response.content.decode()
    assert Engagement.objects.count() == 0
    response = client.post("/outreach/engagements/", {**data, "start": "18:00", "end": "20:00", "day": "2027-03-16"})
    engagement = Engagement.objects.get()
    assert response["Location"] == f"/outreach/engagements/{engagement.pk}/"
    assert engagement.starts_at.isoformat() == "2027-03-16T23:00:00+00:00"  # 18:00 CDT


def _ledger(topic, channel, n):
    for i in range(n):
        core.interaction_record(
            context=AuditContext.system(), channel=channel, topic_code=topic, source_app="test",
            source_model=channel, source_id=f"{topic}-{i}", receipt_numbers=["EAC2190000001"],
        )  # fmt: skip


def test_feedback_routed_answered_beside_contact_center_volume_and_reported_back(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    engagement = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=1))
    attendee = RegistrationFactory(engagement=engagement, email="attendee@example.org")
    RegistrationFactory(engagement=engagement, email="absent@example.org")
    _ledger("naturalization", Channel.IVR, 3)
    _ledger("naturalization", Channel.WRITTEN, 2)
    response = client.post(
        f"/outreach/engagements/{engagement.pk}/feedback/",
        {
            "feedback-source": "engagement",
            "feedback-topic": "naturalization",
            "feedback-summary": "Interview notices arrive late",
        },
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    page = client.get(f"/outreach/feedback/{item.pk}/").content.decode()
    assert '<td class="text-right" data-calls>3</td>' in page
    assert '<td class="text-right" data-inquiries>2</td>' in page
    assert "EAC" not in page  # counts only: no receipt numbers reach outreach
    assert (
        client.post(f"/outreach/feedback/{item.pk}/", {"action": "route", "route-owning_office": "fod"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/outreach/feedback/{item.pk}/",
            {"action": "respond", "respond-response": "Notices now go out 3 weeks ahead."},
        ).status_code
        == 302
    )

    refused = client.post(f"/outreach/engagements/{engagement.pk}/report/", {"introduction": "Thanks"})
    assert "Record attendance first" in refused.content.decode()
    client.post(f"/outreach/engagements/{engagement.pk}/attendance/", {"attended": [attendee.pk]})
    response = client.post(f"/outreach/engagements/{engagement.pk}/report/", {"introduction": "Thanks"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "reported_back"
    assert list(ReportBackDelivery.objects.values_list("email", flat=True)) == ["attendee@example.org"]
    report = client.get(f"/outreach/engagements/{engagement.pk}/report/").content.decode()
    assert "Notices now go out 3 weeks ahead." in report and 'media="print"' in report
    public = client.get(f"/outreach/reports/{engagement.uid}/").content.decode()
    assert "Interview notices arrive late" in public


def test_referral_from_an_engagement_queues_a_callback_and_closes_out(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    data = {"person_name": "Pedro", "phone": "3125550199", "language": "es", "topic": "case-status",
            "mode": "callback"}  # fmt: skip
    refused = client.post(
        f"/outreach/engagements/{engagement.pk}/referrals/", {f"referral-{k}": v for k, v in data.items()}
    )
    assert refused.status_code == 400 and 'id="id_referral-consent_error"' in refused.content.decode()
    assert CaseReferral.objects.count() == 0
    client.post(
        f"/outreach/engagements/{engagement.pk}/referrals/",
        {f"referral-{k}": v for k, v in {**data, "consent": "on"}.items()},
    )
    referral = CaseReferral.objects.get()
    assert WaitingContact.objects.get().kind == "callback"
    assert Interaction.objects.get(source_app="outreach").channel == Channel.OUTREACH
    page = client.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert 'data-callback-status="waiting"' in page
    client.post(f"/outreach/referrals/{referral.pk}/", {"outcome": "answered", "note": "Called back"})
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "answered")


def test_a_cancelled_engagement_is_not_upcoming_and_is_labelled_in_the_table(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    EngagementFactory(title="Naturalization night")
    gone = EngagementFactory(title="Green card clinic")
    services.engagement_cancel(context=AuditContext.system(), engagement_id=gone.pk, reason="The venue flooded.")
    console = client.get("/outreach/").content.decode()
    assert "Naturalization night" in console and "Green card clinic" not in console
    table = client.get("/outreach/engagements/").content.decode()
    rows = {
        title: row for row in re.findall(r"<tr>.*?</tr>", table, re.S) for title in re.findall(r">([^<>]+)</a>", row)
    }
    assert "data-cancelled" in rows["Green card clinic"] and "Cancelled" in rows["Green card clinic"]
    assert "data-cancelled" not in rows["Naturalization night"]
    client.post("/i18n/setlang/", {"language": "es"})
    with translation.override("es"):
        label = gettext("Cancelled")
    assert label != "Cancelled"
    assert f"data-cancelled>{label}</span>" in client.get("/outreach/engagements/").content.decode()


def test_feedback_at_an_engagement_keeps_who_it_was_heard_from(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    response = client.post(
        f"/outreach/engagements/{engagement.pk}/feedback/",
        {"feedback-source": "cro", "feedback-topic": "naturalization", "feedback-summary": "Fee waiver questions"},
    )
    assert response.status_code == 302
    assert FeedbackItem.objects.values_list("source", "engagement_id").get() == ("cro", engagement.pk)


def _duplicate_ids(page: str) -> list[str]:
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    return sorted(value for value, count in ids.items() if count > 1)


def test_pages_with_two_forms_give_each_field_its_own_id(client_as):
    # Section 508: a label's for= names one field; two fields with one id break both labels.
    client = client_as(Role.OUTREACH_STAFF)
    OrganisationFactory()
    engagement = EngagementFactory()
    organisations = client.get("/outreach/organisations/?kind=community&language=es").content.decode()
    assert 'id="id_kind"' in organisations and 'id="id_filter_kind"' in organisations
    assert _duplicate_ids(organisations) == []
    detail = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert 'id="id_feedback-topic"' in detail and 'id="id_referral-topic"' in detail
    assert _duplicate_ids(detail) == []
    refused = client.post(f"/outreach/engagements/{engagement.pk}/feedback/", {"feedback-topic": "naturalization"})
    assert refused.status_code == 400 and _duplicate_ids(refused.content.decode()) == []


def test_dashboards_and_segment_csv_export_only_consenting_addresses(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    faith = OrganisationFactory(kind="faith", region="Central", languages=["es"])
    OrganisationFactory(kind="business", region="West", languages=["en"])
    EngagementFactory(district="Chicago")
    yes = ContactFactory(email="yes@example.org", consent_email=True)
    no = ContactFactory(email="no@example.org", consent_email=False)
    Membership.objects.create(contact=yes, organisation=faith)
    Membership.objects.create(contact=no, organisation=faith)
    page = client.get("/outreach/dashboards/").content.decode()
    assert "Faith-based organisation" in page and "Chicago" in page
    response = client.get("/outreach/segments.csv?kind=faith&region=central&language=es")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "organisation" and len(rows) == 3
    assert {row[7] for row in rows[1:]} == {"yes@example.org", ""}
    assert AuditEvent.objects.filter(action="export", target_type="outreach.segment").exists()


def test_staff_pages_are_marked_for_translation(client_as):
    client = client_as(Role.CRO)
    client.post("/i18n/setlang/", {"language": "es"})
    body = client.get("/outreach/").content.decode()
    assert "Flujo de comentarios" in body and "Próximos eventos" in body


def test_seed_outreach_is_idempotent(make_staff):
    from django.core.management import call_command

    make_staff(Role.CRO, username="demo-cro")
    office = make_staff(Role.OFFICE_STAFF, username="demo-office")
    call_command("seed_outreach", verbosity=0)
    call_command("seed_outreach", verbosity=0)
    assert Organisation.objects.count() == 5
    assert Engagement.objects.filter(district="Phoenix").count() == 2
    assert Engagement.objects.filter(program__name="Citizenship outreach, Phoenix").count() == 1
    assert FeedbackItem.objects.get().owning_office == "fod"
    assert list(office.agency_office_memberships.values_list("office", flat=True)) == ["fod"]


def test_preferences_consent_owner_and_membership_are_edited_and_audited(client_as, make_staff):
    client = client_as(Role.OUTREACH_STAFF)
    cro = make_staff(Role.CRO)
    org = OrganisationFactory()
    contact = ContactFactory()
    response = client.post(
        f"/outreach/contacts/{contact.pk}/",
        {"prefs-preferred_language": "es", "prefs-preferred_channel": "phone", "prefs-consent_phone": "on"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.preferred_language, contact.consent_phone, contact.consent_email) == ("es", True, False)
    assert contact.consent_recorded_at is not None
    client.post(f"/outreach/organisations/{org.pk}/", {"action": "owner", "owner-owner": cro.pk})
    client.post(
        f"/outreach/organisations/{org.pk}/",
        {"action": "member", "member-contact": contact.pk, "member-position": "Director"},
    )
    org.refresh_from_db()
    assert org.owner == cro
    assert Membership.objects.get(organisation=org).position == "Director"
    assert AuditEvent.objects.filter(target_type="outreach.contact", summary__contains="call consent True").exists()


def test_pages_listing_people_are_audited_when_viewed(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    RegistrationFactory(engagement=engagement)
    client.get(f"/outreach/engagements/{engagement.pk}/")
    event = AuditEvent.objects.get(action="view", target_type="outreach.engagement")
    assert (event.target_id, event.actor_id) == (str(engagement.pk), client.user.pk)


def test_topics_are_named_in_the_language_of_the_page(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    spanish = client.get("/outreach/feedback/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/outreach/feedback/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="naturalization">Naturalización y ciudadanía</option>' in spanish
    assert '<option value="naturalization">Naturalization and citizenship</option>' in english


def test_staff_cancel_an_engagement_and_the_public_page_says_so(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.CRO)
    engagement = EngagementFactory(capacity=5)
    RegistrationFactory(engagement=engagement)
    refused = client.post(f"/outreach/engagements/{engagement.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(f"/outreach/engagements/{engagement.pk}/cancel/", {"reason": "The venue flooded."})
    assert done.status_code == 302 and len(callbacks) == 1
    staff_page = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "data-cancelled" in staff_page and "Cancel the engagement and tell the registrants" not in staff_page
    public = Client().get(f"/outreach/events/{engagement.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Este evento ha sido cancelado" in public and "The venue flooded." in public
    assert 'name="email"' not in public
    listing = Client().get("/outreach/events/").content.decode()
    assert "data-cancelled" in listing and f"Why {engagement.title} was cancelled" in listing


def test_staff_reschedule_an_engagement_from_its_page(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.CRO)
    engagement = EngagementFactory(capacity=5, time_zone="America/Chicago")
    RegistrationFactory(engagement=engagement)
    page = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert 'name="change-venue"' in page and f'value="{engagement.title}"' in page
    form = {
        "change-title": engagement.title,
        "change-day": "2027-03-14",
        "change-start": "02:30",  # the hour Chicago skips that night
        "change-end": "04:00",
        "change-registration_closes": "2027-03-13T12:00",
        "change-venue": "Harold Washington Library",
        "change-capacity": "5",
    }
    refused = client.post(f"/outreach/engagements/{engagement.pk}/change/", form)
    assert refused.status_code == 400 and "Harold Washington Library" in refused.content.decode()
    form["change-start"] = "10:00"
    form["change-end"] = "12:00"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(f"/outreach/engagements/{engagement.pk}/change/", form)
    assert done.status_code == 302 and len(callbacks) == 1
    engagement.refresh_from_db()
    assert engagement.venue == "Harold Washington Library" and engagement.sequence == 1
    assert engagement.starts_at.isoformat() == "2027-03-14T15:00:00+00:00"  # 10:00 CDT


def test_the_change_form_says_registrants_are_told_only_when_they_are(client_as, django_capture_on_commit_callbacks):
    client = client_as(Role.CRO)
    engagement = EngagementFactory(capacity=5)
    RegistrationFactory(engagement=engagement)
    page = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    form = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
        for name in ("change-title", "change-day", "change-start", "change-end", "change-registration_closes",
                     "change-venue", "change-capacity")
    }  # fmt: skip
    told = "registrants are being told the new details"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        same = client.post(f"/outreach/engagements/{engagement.pk}/change/", form, follow=True).content.decode()
    assert "Nothing was changed." in same and told not in same and callbacks == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resized = client.post(
            f"/outreach/engagements/{engagement.pk}/change/", {**form, "change-capacity": "8"}, follow=True
        ).content.decode()
    assert "The engagement is changed." in resized and told not in resized and callbacks == []

    moved = client.post(
        f"/outreach/engagements/{engagement.pk}/change/", {**form, "change-venue": "Sulzer Library"}, follow=True
    ).content.decode()
    assert told in moved


def test_a_refused_referral_comes_back_with_its_error_summary_focused_not_the_page_top(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    refused = client.post(
        f"/outreach/engagements/{engagement.pk}/referrals/",
        {"referral-person_name": "", "referral-language": "es", "referral-topic": "case-status",
         "referral-mode": "callback"},
    )  # fmt: skip
    body = refused.content.decode()
    assert refused.status_code == 400
    # Only the referral form, far down the page, has a summary, and the page moves focus to it.
    assert body.count("data-error-summary>") == 1
    summary = re.search(r'id="referral-error-summary".*?</ul>', body, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["id_referral-person_name", "id_referral-consent"]
    for anchor in links:
        assert f'id="{anchor}"' in body
    # static/js/page.js (no inline script under the CSP) focuses the first [data-error-summary]: this one.
    assert "/static/js/page.js" in body and 'tabindex="-1" id="referral-error-summary"' in body
    assert body.index('id="referral-error-summary"') > body.index('id="referral-heading"')


def test_a_contact_matching_by_telephone_alone_is_shown_in_the_possible_duplicates_panel(client_as):
    client = client_as(Role.CRO)
    on_file = ContactFactory(first_name="Marisol", last_name="Reyes", email="m.reyes@example.org", phone="+13125550110")
    data = {"first_name": "Teresa", "last_name": "Nuñez", "email": "tnunez@example.org", "phone": "(312) 555-0110",
            "preferred_language": "es", "preferred_channel": "email"}  # fmt: skip
    response = client.post("/outreach/contacts/", data)
    assert response.status_code == 400
    body = response.content.decode()
    panel = body.split("Possible duplicates:", 1)[1].split("</div>", 1)[0]
    assert f'href="/outreach/contacts/{on_file.pk}/"' in panel and f"Marisol Reyes (#{on_file.pk})" in panel
    assert Contact.objects.count() == 1


def test_the_cro_partner_picker_tells_same_named_organisations_apart(client_as):
    client = client_as(Role.CRO)
    phoenix = OrganisationFactory(name="QA Org One", district="Phoenix", city="Mesa", state="AZ")
    tucson = OrganisationFactory(name="QA Org One", district="Tucson", city="", state="")
    page = client.get(f"/outreach/cros/{client.user.pk}/").content.decode()
    assert f'<option value="{phoenix.pk}">QA Org One (Phoenix · Mesa, AZ)</option>' in page
    assert f'<option value="{tucson.pk}">QA Org One (Tucson)</option>' in page


def test_attendance_ticked_before_the_engagement_is_refused_with_a_message(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    registration = RegistrationFactory(engagement=engagement)
    response = client.post(
        f"/outreach/engagements/{engagement.pk}/attendance/", {"attended": [registration.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "This engagement has not started yet" in response.content.decode()
    registration.refresh_from_db()
    assert registration.attended is False


def test_the_owning_cro_dropdowns_name_cros_as_the_tables_do(client_as, make_staff):
    client = client_as(Role.OUTREACH_STAFF)
    named = make_staff(Role.CRO, username="demo-cro", first_name="Carmen", last_name="Vega")
    unnamed = make_staff(Role.CRO, username="cro-no-name", first_name="", last_name="")
    organisation = OrganisationFactory(owner=named)
    for url in ("/outreach/organisations/", f"/outreach/organisations/{organisation.pk}/"):
        page = client.get(url).content.decode()
        assert re.search(rf'<option value="{named.pk}"( selected)?>Carmen Vega</option>', page), url
        assert f'<option value="{unnamed.pk}">cro-no-name</option>' in page
        assert ">demo-cro</option>" not in page
    organisation.owner = unnamed
    organisation.save(update_fields=["owner"])
    assert "<dd>cro-no-name</dd>" in client.get(f"/outreach/organisations/{organisation.pk}/").content.decode()


def test_saving_attendance_with_nothing_ticked_before_the_start_is_refused_not_saved(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    RegistrationFactory(engagement=engagement)
    response = client.post(f"/outreach/engagements/{engagement.pk}/attendance/", {}, follow=True)
    page = response.content.decode()
    assert "This engagement has not started yet" in page
    assert "Attendance saved" not in page


def test_the_attendance_form_opens_only_once_the_engagement_has_started(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory(time_zone="America/Chicago")
    registration = RegistrationFactory(engagement=engagement)
    action = f'action="/outreach/engagements/{engagement.pk}/attendance/"'
    starts = timezone.localtime(engagement.starts_at, engagement.starts_at.tzinfo)
    page = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert action not in page and f'id="attended-{registration.pk}"' not in page
    assert "Save attendance" not in page
    assert "Attendance can be recorded once the engagement begins" in page
    assert f"{starts:%Y-%m-%d %H:%M} Central" in page
    assert registration.name in page  # the registrants are still listed
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    page = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert action in page and f'id="attended-{registration.pk}"' in page
    assert "Attendance can be recorded once the engagement begins" not in page


def test_a_referrals_consent_time_names_the_zone_it_is_shown_in(client_as):
    client = client_as(Role.CRO)
    engagement = EngagementFactory()
    data = {"person_name": "Pedro", "phone": "3125550199", "language": "es", "topic": "case-status",
            "mode": "callback", "consent": "on"}  # fmt: skip
    client.post(f"/outreach/engagements/{engagement.pk}/referrals/", {f"referral-{k}": v for k, v in data.items()})
    referral = CaseReferral.objects.get()
    recorded = datetime(2026, 11, 29, 13, 20, tzinfo=UTC)
    CaseReferral.objects.filter(pk=referral.pk).update(consent_recorded_at=recorded)
    page = client.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert "Given, recorded 2026-11-29 08:20 Eastern Standard Time (EST)" in page  # the site's zone, named
    with timezone.override("America/Los_Angeles"):
        page = client.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert "Given, recorded 2026-11-29 05:20 Pacific Standard Time (PST)" in page
