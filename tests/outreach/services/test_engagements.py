"""PED outreach writes about engagements: their times, registrations and the waitlist, and the
confirmations, reminders and notices of a cancelled or rescheduled engagement."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from contactcenter.common.errors import ApplicationError
from outreach import services
from outreach.models import Registration, RegistrationStatus
from tests.outreach.factories import CHICAGO, CTX, EngagementFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _engagement_kwargs(organiser, **overrides):
    start = datetime(2027, 3, 10, 18, 0, tzinfo=CHICAGO)
    values = {
        "context": CTX,
        "organiser": organiser,
        "title": "Naturalization listening session",
        "kind": "listening_session",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "America/Chicago",
        "capacity": 50,
        "registration_closes_at": start - timedelta(hours=2),
        "topic_code": "naturalization",
        "venue": "Library",
        "district": "Chicago",
    }
    values.update(overrides)
    return values


def test_engagement_refuses_naive_and_mismatched_times(make_staff):
    cro = make_staff("cro")
    naive = datetime(2027, 3, 10, 18, 0)
    with pytest.raises(ApplicationError, match="has no time zone"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=naive))
    eastern = datetime(2027, 3, 10, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    with pytest.raises(ApplicationError, match=r"UTC offset -05:00 does not match America/Chicago, which is -06:00"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=eastern, ends_at=eastern + timedelta(hours=2)))
    with pytest.raises(ApplicationError, match="ends before it starts"):
        start = datetime(2027, 3, 10, 18, 0, tzinfo=CHICAGO)
        services.engagement_create(**_engagement_kwargs(cro, ends_at=start - timedelta(hours=1)))
    with pytest.raises(ApplicationError, match="place or a call-in"):
        services.engagement_create(**_engagement_kwargs(cro, venue=""))
    # Even the same instant written in UTC is refused: an event's times carry its own zone's offset.
    utc = datetime(2027, 3, 11, 0, 0, tzinfo=UTC)
    with pytest.raises(ApplicationError, match="does not match"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=utc))
    engagement = services.engagement_create(**_engagement_kwargs(cro))
    assert engagement.starts_at == datetime(2027, 3, 11, 0, 0, tzinfo=UTC)


def test_wall_clock_times_in_a_daylight_saving_gap_or_overlap_are_refused():
    with pytest.raises(ApplicationError, match="does not exist in America/Chicago"):
        services.local_to_aware(datetime(2027, 3, 14, 2, 30), "America/Chicago", "start")
    with pytest.raises(ApplicationError, match="happens twice"):
        services.local_to_aware(datetime(2027, 11, 7, 1, 30), "America/Chicago", "start")
    assert services.local_to_aware(datetime(2027, 7, 4, 9, 0), "America/Chicago", "start").utcoffset() == timedelta(
        hours=-5
    )


def test_registration_waitlists_over_capacity_and_refuses_after_close(django_capture_on_commit_callbacks):
    engagement = EngagementFactory(capacity=1)
    with django_capture_on_commit_callbacks() as callbacks:
        seated = services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Ana", email="Ana@Example.org", phone="312 555 0101"
        )
    assert len(callbacks) == 1  # the confirmation is enqueued after commit
    waiting = services.registration_create(context=CTX, engagement_id=engagement.pk, name="Bo", email="bo@example.org")
    assert (seated.status, seated.email, seated.phone) == ("registered", "ana@example.org", "+13125550101")
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(ApplicationError, match="already registered"):
        services.registration_create(context=CTX, engagement_id=engagement.pk, name="Ana", email="ana@example.org")
    with pytest.raises(ApplicationError, match="not a valid telephone"):
        services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Cy", email="cy@example.org", phone="12"
        )
    with pytest.raises(ApplicationError, match="closed"):
        services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Di", email="di@example.org",
            now=engagement.registration_closes_at,
        )  # fmt: skip
    assert Registration.objects.filter(engagement=engagement).count() == 2


def test_cancelling_a_seat_promotes_the_first_waitlisted_and_tells_them():
    engagement = EngagementFactory(capacity=1)
    seated = services.registration_create(context=CTX, engagement_id=engagement.pk, name="A", email="a@example.org")
    first = services.registration_create(context=CTX, engagement_id=engagement.pk, name="B", email="b@example.org")
    services.registration_create(context=CTX, engagement_id=engagement.pk, name="C", email="c@example.org")
    for registration in Registration.objects.all():
        services.registration_confirmation_send(registration_id=registration.pk)
    assert len(mail.outbox) == 3
    assert "waitlist" in mail.outbox[1].subject

    token = services.registration_cancel_token(seated)
    assert services.registration_from_token(token) == seated
    assert services.registration_from_token(token + "x") is None
    services.registration_cancel(context=CTX, registration_id=seated.pk)
    first.refresh_from_db()
    assert first.status == RegistrationStatus.REGISTERED
    assert services.registration_confirmation_send(registration_id=first.pk) is True
    assert "Registration confirmed" in mail.outbox[-1].subject
    assert services.registration_confirmation_send(registration_id=first.pk) is False  # once per status
    assert len(mail.outbox) == 4


def test_confirmation_mail_is_in_the_registrants_language_with_a_cancel_link():
    engagement = EngagementFactory(capacity=5)
    registration = services.registration_create(
        context=CTX, engagement_id=engagement.pk, name="Rosa", email="rosa@example.org", language="es"
    )
    services.registration_confirmation_send(registration_id=registration.pk)
    message = mail.outbox[0]
    assert message.subject.startswith("Inscripción confirmada")
    assert "https://ncsc.test/outreach/events/cancel/" in message.body
    assert f"https://ncsc.test/outreach/events/{engagement.pk}/calendar.ics" in message.body


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_seat_at_once_get_one_seat_and_one_waitlist():
    engagement = EngagementFactory(capacity=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def register(n):
        try:
            barrier.wait()
            results.append(
                services.registration_create(
                    context=CTX, engagement_id=engagement.pk, name=f"P{n}", email=f"p{n}@example.org"
                ).status
            )
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["registered", "waitlisted"]


def test_reminder_is_sent_once_per_registration_the_day_before():
    soon = EngagementFactory(capacity=5, starts_at=timezone.now() + timedelta(hours=20))
    later = EngagementFactory(capacity=5)
    due = RegistrationFactory(engagement=soon)
    RegistrationFactory(engagement=soon, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(engagement=later)
    assert services.registrations_reminder_due() == [due.pk]
    assert services.registration_reminder_send(registration_id=due.pk) is True
    assert services.registration_reminder_send(registration_id=due.pk) is False
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Reminder:")
    assert services.registrations_reminder_due() == []


def test_a_cancelled_engagement_tells_each_registrant_once_and_takes_no_more(django_capture_on_commit_callbacks):
    engagement = EngagementFactory(capacity=1, starts_at=timezone.now() + timedelta(hours=20))
    seated = RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    waiting = RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED)
    gone = RegistrationFactory(engagement=engagement, status=RegistrationStatus.CANCELLED)

    with pytest.raises(ApplicationError, match="Say why"):
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason=" ")
    with django_capture_on_commit_callbacks() as callbacks:
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="The venue flooded.")
    assert len(callbacks) == 2  # the registered and the waitlisted, not the one who had cancelled
    engagement.refresh_from_db()
    assert engagement.cancelled_at is not None and engagement.sequence == 1
    assert sorted(services.registrations_cancellation_notice_pending(older_than_seconds=-60)) == sorted(
        [seated.pk, waiting.pk]
    )

    for registration in (seated, waiting, gone):
        services.registration_cancellation_notice_send(registration_id=registration.pk)
    assert services.registration_cancellation_notice_send(registration_id=seated.pk) is False
    assert [message.to for message in mail.outbox] == [["rosa@example.org"], [waiting.email]]
    assert mail.outbox[0].subject.startswith("Cancelada:") and "The venue flooded." in mail.outbox[0].body
    assert services.registrations_cancellation_notice_pending(older_than_seconds=-60) == []

    with pytest.raises(ApplicationError, match="cancelled"):
        services.registration_create(context=CTX, engagement_id=engagement.pk, name="Late", email="l@example.org")
    with pytest.raises(ApplicationError, match="already cancelled"):
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="Again.")
    assert services.registrations_reminder_due() == []
    assert services.registration_reminder_send(registration_id=seated.pk) is False
    from outreach.ics import calendar_for

    ics = calendar_for([engagement], name="test").decode()
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics


def test_a_seat_given_up_after_the_engagement_is_cancelled_promotes_and_confirms_no_one():
    engagement = EngagementFactory(capacity=1)
    seated = RegistrationFactory(engagement=engagement, confirmed_status=RegistrationStatus.REGISTERED)
    waiting = RegistrationFactory(
        engagement=engagement, status=RegistrationStatus.WAITLISTED, confirmed_status=RegistrationStatus.WAITLISTED
    )
    services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="The venue flooded.")

    services.registration_cancel(context=CTX, registration_id=seated.pk)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    # A registration whose new status was never confirmed gets no "seat confirmed" once cancelled.
    Registration.objects.filter(pk=waiting.pk).update(
        status=RegistrationStatus.REGISTERED, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert services.registrations_confirmation_pending() == []
    assert services.registration_confirmation_send(registration_id=waiting.pk) is False
    assert mail.outbox == []


def test_a_rescheduled_engagement_tells_registrants_once_and_gives_new_seats_to_the_waitlist(
    django_capture_on_commit_callbacks,
):
    engagement = EngagementFactory(capacity=1)
    seated = RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    first, second = (RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED) for _ in range(2))
    zone = ZoneInfo(engagement.time_zone)
    later = (engagement.starts_at + timedelta(days=7)).astimezone(zone)

    def update(**changes):
        values = {
            # Times as the console sends them: wall-clock times of the event's zone.
            "title": engagement.title, "description": engagement.description,
            "starts_at": engagement.starts_at.astimezone(zone), "ends_at": engagement.ends_at.astimezone(zone),
            "registration_closes_at": engagement.registration_closes_at.astimezone(zone),
            "venue": engagement.venue, "address": engagement.address, "call_in": engagement.call_in,
            "capacity": engagement.capacity, **changes,
        }  # fmt: skip
        return services.engagement_update(context=CTX, engagement_id=engagement.pk, **values)

    with pytest.raises(ApplicationError, match="ends before it starts"):
        update(ends_at=engagement.starts_at)
    with django_capture_on_commit_callbacks() as callbacks:
        update(capacity=2)  # more seats only: the first waitlisted gets one, nobody else is written to
    assert len(callbacks) == 1  # that one's confirmation
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
    engagement.refresh_from_db()
    assert engagement.sequence == 0
    with pytest.raises(ApplicationError, match="cannot go below"):
        update(capacity=1)

    with django_capture_on_commit_callbacks() as callbacks:
        update(
            starts_at=later, ends_at=later + timedelta(hours=2),
            registration_closes_at=later - timedelta(hours=1), venue="Harold Washington Library",
        )  # fmt: skip
    assert len(callbacks) == 3  # the two seated and the one still waitlisted
    engagement.refresh_from_db()
    assert engagement.sequence == 1 and engagement.venue == "Harold Washington Library"
    assert sorted(services.registrations_change_notice_pending(older_than_seconds=-60)) == sorted(
        [seated.pk, first.pk, second.pk]
    )
    for registration in (seated, first, second):
        assert services.registration_change_notice_send(registration_id=registration.pk) is True
    assert services.registration_change_notice_send(registration_id=seated.pk) is False
    spanish = next(message for message in mail.outbox if message.to == ["rosa@example.org"])
    assert spanish.subject.startswith("Cambio:") and "Harold Washington Library" in spanish.body
    assert later.strftime("%Y-%m-%d %H:%M") in spanish.body
    assert services.registrations_change_notice_pending(older_than_seconds=-60) == []

    late = services.registration_create(context=CTX, engagement_id=engagement.pk, name="L", email="l@example.org")
    assert services.registration_change_notice_send(registration_id=late.pk) is False  # joined after the change
