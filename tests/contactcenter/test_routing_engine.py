"""The live tier's router: who gets which contact, offers that lapse or are declined, overflow,
callbacks and agents' legal states. Each rule runs through both router paths on Postgres: the
single statement and the ORM path SQLite uses."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStateChange,
    AgentStatus,
    AuditEvent,
    ContactKind,
    ContactStatus,
    QueueConfig,
    StaffProfile,
    WaitingContact,
)
from contactcenter.routing import services as routing_services

MONDAY_9AM_EASTERN = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 6 a.m. in Los Angeles


# The single-statement router is Postgres's; without Postgres that variant is reported as a missing
# service (and fails the run under REQUIRE_SERVICES=1), like every other service-bound test.
@pytest.fixture(params=[pytest.param("statement", marks=pytest.mark.postgres), "orm"])
def router(request, monkeypatch):
    if request.param == "orm":
        monkeypatch.setattr(routing_services, "_single_statement_routing", lambda: False)
    return request.param


@pytest.fixture
def agent(make_staff):
    """`agent(languages=["es"], idle_since=t)` is a CSR made available at t (home queue from the
    first language)."""

    def make(*, languages=("en", "es"), idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=5), role="csr", skills=()):
        user = make_staff(role)
        StaffProfile.objects.filter(user=user).update(languages=list(languages), skills=list(skills))
        services.agent_state_set(context=AuditContext(actor=user), user=user, state="available", now=idle_since)
        return user

    return make


def _contact(
    *, queue="tier1-en", waited=60, priority=0, kind=ContactKind.CALL, zone="America/New_York", now=None, skill=""
):
    now = now or MONDAY_9AM_EASTERN
    tier, language = int(queue[4]), queue[-2:]
    return WaitingContact.objects.create(
        kind=kind,
        tier=tier,
        language=language,
        queue_name=queue,
        priority=priority,
        enqueued_at=now - timedelta(seconds=waited),
        phone="+12025550100",
        caller_time_zone=zone,
        skill=skill,
    )


def _state(user) -> str:
    return AgentState.objects.get(user=user).state


def test_queues_are_seeded_with_service_level_offer_timeout_and_overflow(db):
    queues = {q.name: q for q in QueueConfig.objects.all()}
    assert set(queues) == {"tier1-en", "tier1-es", "tier2-en", "tier2-es"}
    assert queues["tier1-es"].service_level_seconds == 60
    assert queues["tier1-es"].offer_timeout_seconds == 20
    assert queues["tier1-es"].overflow_after_seconds == 60
    assert queues["tier1-es"].overflow_to == ["tier1-en"]


def test_the_longest_idle_agent_gets_the_highest_priority_then_longest_waiting_contact(router, agent):
    recent = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=1))
    idle = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9))
    middle = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=4))
    old_normal = _contact(waited=600)
    new_priority = _contact(waited=10, priority=1)
    older_priority = _contact(waited=30, priority=1)

    offers = [services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) for _ in range(4)]

    assert [(o.contact_id, o.agent_id) for o in offers[:3]] == [
        (older_priority.pk, idle.pk),
        (new_priority.pk, middle.pk),
        (old_normal.pk, recent.pk),
    ]
    assert offers[3] is None
    first = WaitingContact.objects.get(pk=older_priority.pk)
    assert first.status == ContactStatus.OFFERED
    assert first.offered_to == idle
    assert first.offer_expires_at == MONDAY_9AM_EASTERN + timedelta(seconds=20)
    assert first.attempts == 1
    assert _state(idle) == AgentStatus.OFFERED
    change = AgentStateChange.objects.filter(agent=idle).first()
    assert (change.from_state, change.to_state, change.contact_id) == ("available", "offered", older_priority.pk)
    assert AuditEvent.objects.filter(
        target_type="contactcenter.waitingcontact", target_id=str(older_priority.pk), channel="task"
    ).exists()


def test_an_agent_skilled_in_the_callers_topic_is_offered_the_contact_before_longer_idle_ones(router, agent):
    idle_generalist = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9))
    expediter = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=2), skills=["expedite", "naturalization"])
    newer_generalist = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=1))
    expedite_request = _contact(waited=300, skill="expedite")
    about_a_card = _contact(waited=200, skill="green-card")  # nobody has that skill: longest idle
    unsorted = _contact(waited=100)

    offers = [services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) for _ in range(3)]

    assert [(o.contact_id, o.agent_id) for o in offers] == [
        (expedite_request.pk, expediter.pk),
        (about_a_card.pk, idle_generalist.pk),
        (unsorted.pk, newer_generalist.pk),
    ]


def test_a_skilled_agent_busy_elsewhere_does_not_hold_the_contact_back(router, agent):
    generalist = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=1))
    expediter = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9), skills=["expedite"])
    first = _contact(waited=300)
    expedite_request = _contact(waited=200, skill="expedite")

    offers = [services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) for _ in range(2)]

    # The expediter, longest idle, took the first caller; the expedite request goes to whoever is free.
    assert [(o.contact_id, o.agent_id) for o in offers] == [
        (first.pk, expediter.pk),
        (expedite_request.pk, generalist.pk),
    ]
    assert AgentState.objects.get(user=expediter).skills == ",expedite,"


def test_an_agent_of_another_tier_or_first_language_is_not_offered_the_contact(router, agent):
    agent(languages=["es", "en"])  # home queue tier1-es
    agent(role="iso")  # tier2-en
    _contact(waited=5)
    assert services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) is None
    assert WaitingContact.objects.get().status == ContactStatus.WAITING


@pytest.mark.postgres
def test_route_next_is_one_query_on_postgres(agent):
    agent()
    _contact()
    selectors.queue_hours(queue_name="tier1-en")  # read once per 30 s per process, not per assignment
    with CaptureQueriesContext(connection) as queries:
        assert services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) is not None
    assert len(queries) == 1, [q["sql"][:80] for q in queries]
    assert "SKIP LOCKED" in queries[0]["sql"]


def test_a_lapsed_offer_puts_the_contact_back_in_its_place_and_the_agent_not_ready(router, agent):
    first = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9))
    contact = _contact(waited=300, priority=1)
    later = _contact(waited=10, priority=1)
    original = (contact.enqueued_at, contact.priority)
    services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)

    assert services.offers_expire(now=MONDAY_9AM_EASTERN + timedelta(seconds=19)) == 0
    assert services.offers_expire(now=MONDAY_9AM_EASTERN + timedelta(seconds=20)) == 1

    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    assert (contact.enqueued_at, contact.priority) == original
    assert contact.offered_to is None and contact.offer_expires_at is None
    assert _state(first) == AgentStatus.NOT_READY
    assert AgentStateChange.objects.filter(agent=first).first().reason == "offer expired"
    second = agent(idle_since=MONDAY_9AM_EASTERN)
    offer = services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN + timedelta(seconds=21))
    assert (offer.contact_id, offer.agent_id) == (contact.pk, second.pk)  # ahead of `later`
    assert WaitingContact.objects.get(pk=contact.pk).attempts == 2
    assert WaitingContact.objects.get(pk=later.pk).status == ContactStatus.WAITING
    with pytest.raises(ApplicationError):
        services.offer_accept(context=AuditContext(actor=first), user=first, contact_id=contact.pk)


def test_a_declined_offer_puts_the_contact_back_in_its_place_and_the_agent_not_ready(router, agent):
    decliner = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9))
    contact = _contact(waited=300)
    later = _contact(waited=10)
    services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)
    services.offer_decline(context=AuditContext(actor=decliner), user=decliner, contact_id=contact.pk)

    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    assert contact.enqueued_at == MONDAY_9AM_EASTERN - timedelta(seconds=300)
    assert _state(decliner) == AgentStatus.NOT_READY
    taker = agent(idle_since=MONDAY_9AM_EASTERN)
    offer = services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)
    assert (offer.contact_id, offer.agent_id) == (contact.pk, taker.pk)
    assert WaitingContact.objects.get(pk=later.pk).status == ContactStatus.WAITING
    # not ready until the agent says otherwise
    services.agent_state_set(context=AuditContext(actor=decliner), user=decliner, state="available")
    assert services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN).contact_id == later.pk


def test_past_the_overflow_wait_a_bilingual_agent_of_the_overflow_queue_takes_the_contact(router, agent):
    agent(languages=["en"], idle_since=MONDAY_9AM_EASTERN - timedelta(hours=1))  # longest idle, English only
    bilingual = agent(languages=["en", "es"], idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=5))
    spanish = _contact(queue="tier1-es", waited=0, now=MONDAY_9AM_EASTERN)

    assert services.route_next(queue_name="tier1-es", now=MONDAY_9AM_EASTERN + timedelta(seconds=59)) is None
    offer = services.route_next(queue_name="tier1-es", now=MONDAY_9AM_EASTERN + timedelta(seconds=60))

    assert (offer.contact_id, offer.agent_id) == (spanish.pk, bilingual.pk)


def test_overflow_follows_the_admin_configured_wait(router, agent, at_time):
    QueueConfig.objects.filter(name="tier1-es").update(overflow_after_seconds=300)
    bilingual = agent(languages=["en", "es"])
    _contact(queue="tier1-es", waited=120)
    with at_time(MONDAY_9AM_EASTERN):
        assert services.route_next(queue_name="tier1-es") is None
    with at_time(MONDAY_9AM_EASTERN + timedelta(seconds=181)):
        assert services.route_next(queue_name="tier1-es").agent_id == bilingual.pk


def test_a_callback_is_offered_only_within_its_callers_tier1_hours(router, agent):
    agent(idle_since=MONDAY_9AM_EASTERN - timedelta(hours=2))
    agent(idle_since=MONDAY_9AM_EASTERN - timedelta(hours=1))
    callback = _contact(kind=ContactKind.CALLBACK, zone="America/Los_Angeles", waited=3600, priority=5)
    call = _contact(waited=10)

    offer = services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)  # 6 a.m. in Los Angeles
    assert offer.contact_id == call.pk
    assert services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) is None

    at_9am_pacific = MONDAY_9AM_EASTERN + timedelta(hours=3)
    assert services.route_next(queue_name="tier1-en", now=at_9am_pacific).contact_id == callback.pk


def test_a_queue_keeps_the_hours_its_admin_sets(db):
    from django.core.exceptions import ValidationError

    from contactcenter.routing import hours

    pacific, eastern = "America/Los_Angeles", "America/New_York"
    # Seeded: 8 a.m.-8 p.m. in each caller's own zone, weekdays.
    assert not hours.tier1_open(time_zone=pacific, at=MONDAY_9AM_EASTERN)
    assert hours.tier1_open(time_zone=eastern, at=MONDAY_9AM_EASTERN)

    tier2 = QueueConfig.objects.get(name="tier2-en")
    tier2.opens_at, tier2.closes_at, tier2.hours_time_zone = time(9, 30), time(17, 0), eastern
    tier2.full_clean()
    tier2.save()
    # One zone for every caller: a Pacific caller at 6:30 a.m. their time finds it open at 9:30 Eastern.
    assert not hours.queue_open(queue_name="tier2-en", time_zone=pacific, at=MONDAY_9AM_EASTERN)
    assert hours.queue_open(queue_name="tier2-en", time_zone=pacific, at=MONDAY_9AM_EASTERN + timedelta(minutes=30))
    friday_evening = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)  # 6 p.m. Eastern
    assert hours.next_queue_opening(queue_name="tier2-en", time_zone=pacific, at=friday_evening) == datetime(
        2026, 3, 9, 9, 30, tzinfo=ZoneInfo(eastern)
    )
    assert hours.tier1_open(time_zone=eastern, at=MONDAY_9AM_EASTERN)  # other queues keep theirs

    tier2.closes_at = time(9, 0)
    tier2.hours_time_zone = "Eastern"
    with pytest.raises(ValidationError) as refused:
        tier2.full_clean()
    assert set(refused.value.message_dict) == {"closes_at", "hours_time_zone"}


def test_a_callback_waits_for_its_own_queues_hours(router, agent):
    queue = QueueConfig.objects.get(name="tier1-en")
    queue.opens_at = time(10, 0)
    queue.save()
    agent(idle_since=MONDAY_9AM_EASTERN - timedelta(hours=2))
    callback = _contact(kind=ContactKind.CALLBACK, zone="America/New_York", waited=3600)
    assert services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN) is None
    at_10am = MONDAY_9AM_EASTERN + timedelta(hours=1)
    assert services.route_next(queue_name="tier1-en", now=at_10am).contact_id == callback.pk


def test_an_unanswered_callback_is_retried_later_then_given_up(router, agent, settings):
    settings.CALLBACK_MAX_ATTEMPTS = 2
    settings.CALLBACK_RETRY_MINUTES = 15
    csr = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(hours=2))
    context = AuditContext(actor=csr)
    callback = _contact(kind=ContactKind.CALLBACK, zone="America/New_York", waited=600)
    now = MONDAY_9AM_EASTERN

    services.route_next(queue_name="tier1-en", now=now)
    services.offer_accept(context=context, user=csr, contact_id=callback.pk, now=now)
    services.contact_complete(context=context, user=csr, contact_id=callback.pk, reached=False, now=now)
    callback.refresh_from_db()
    assert (callback.status, callback.callback_attempts) == (ContactStatus.WAITING, 1)
    assert callback.next_attempt_at == now + timedelta(minutes=15)
    assert _state(csr) == AgentStatus.WRAP_UP

    services.contact_wrap_up(context=context, user=csr, contact_id=callback.pk, disposition="no_answer", now=now)
    assert services.route_next(queue_name="tier1-en", now=now + timedelta(minutes=14)) is None
    later = now + timedelta(minutes=15)
    assert services.route_next(queue_name="tier1-en", now=later).contact_id == callback.pk
    services.offer_accept(context=context, user=csr, contact_id=callback.pk, now=later)
    services.contact_complete(context=context, user=csr, contact_id=callback.pk, reached=False, now=later)
    callback.refresh_from_db()
    assert (callback.status, callback.callback_attempts) == (ContactStatus.CANCELLED, 2)


def test_a_callback_reached_on_its_second_dial_is_wrapped_up_again(router, agent):
    csr = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(hours=2))
    context = AuditContext(actor=csr)
    callback = _contact(kind=ContactKind.CALLBACK, zone="America/New_York", waited=600)
    now = MONDAY_9AM_EASTERN
    services.route_next(queue_name="tier1-en", now=now)
    services.offer_accept(context=context, user=csr, contact_id=callback.pk, now=now)
    services.contact_complete(context=context, user=csr, contact_id=callback.pk, reached=False, now=now)
    services.contact_wrap_up(context=context, user=csr, contact_id=callback.pk, disposition="no_answer", now=now)

    later = now + timedelta(minutes=30)
    assert services.route_next(queue_name="tier1-en", now=later).contact_id == callback.pk
    services.offer_accept(context=context, user=csr, contact_id=callback.pk, now=later)
    services.contact_complete(context=context, user=csr, contact_id=callback.pk, reached=True, now=later)

    assert selectors.console_state(user=csr).wrap_up.pk == callback.pk  # the wrap-up form is offered again
    wrapped = services.contact_wrap_up(
        context=context, user=csr, contact_id=callback.pk, disposition="information", now=later + timedelta(seconds=40)
    )
    assert (wrapped.status, wrapped.disposition, wrapped.wrap_up_seconds) == (
        ContactStatus.COMPLETED,
        "information",
        40,
    )
    assert _state(csr) == AgentStatus.AVAILABLE


def test_accept_then_complete_connects_the_agent_and_records_the_times(router, agent):
    csr = agent()
    context = AuditContext(actor=csr)
    contact = _contact(waited=45)
    services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)
    assert selectors.agent_offer_for(user=csr).pk == contact.pk

    services.offer_accept(context=context, user=csr, contact_id=contact.pk, now=MONDAY_9AM_EASTERN)
    contact.refresh_from_db()
    assert (contact.status, contact.answered_at, contact.wait_seconds) == ("connected", MONDAY_9AM_EASTERN, 45)
    assert _state(csr) == AgentStatus.ON_CALL

    services.contact_complete(
        context=context, user=csr, contact_id=contact.pk, now=MONDAY_9AM_EASTERN + timedelta(seconds=300)
    )
    contact.refresh_from_db()
    assert (contact.status, contact.handle_seconds) == ("completed", 300)
    assert _state(csr) == AgentStatus.WRAP_UP
    assert selectors.agent_offer_for(user=csr) is None
    assert list(AgentStateChange.objects.filter(agent=csr).order_by("id").values_list("to_state", flat=True)) == [
        "available",
        "offered",
        "on_call",
        "wrap_up",
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "on_call"),
        ([], "offered"),
        ([], "wrap_up"),
        ([], "not_ready"),
        (["available"], "on_call"),
        (["available"], "wrap_up"),
        (["break"], "offered"),
        ("offered", "available"),
        ("offered", "break"),
        ("on_call", "available"),
        ("on_call", "offline"),
    ],
)
def test_illegal_state_transitions_are_refused(agent, make_staff, path, target):
    if isinstance(path, str):  # reach offered / on_call the only legal way
        user = agent()
        contact = _contact()
        services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)
        if path == "on_call":
            services.offer_accept(
                context=AuditContext(actor=user), user=user, contact_id=contact.pk, now=MONDAY_9AM_EASTERN
            )
    else:
        user = make_staff("csr")
        for state in path:
            services.agent_state_set(context=AuditContext(actor=user), user=user, state=state)
    before = AgentStateChange.objects.count()
    with pytest.raises(ApplicationError, match="cannot go from"):
        services.agent_state_set(context=AuditContext(actor=user), user=user, state=target)
    assert AgentStateChange.objects.count() == before


def test_staff_who_are_not_agents_cannot_be_made_available(make_staff):
    supervisor = make_staff("supervisor")
    with pytest.raises(ApplicationError, match="Tier 1 and Tier 2"):
        services.agent_state_set(context=AuditContext(actor=supervisor), user=supervisor, state="available")
    with pytest.raises(ApplicationError, match="Unknown agent state"):
        services.agent_state_set(context=AuditContext(actor=supervisor), user=supervisor, state="lunch")


def test_only_the_offered_agent_may_accept_decline_or_complete(router, agent):
    offered = agent(idle_since=MONDAY_9AM_EASTERN - timedelta(minutes=9))
    other = agent()
    contact = _contact()
    services.route_next(queue_name="tier1-en", now=MONDAY_9AM_EASTERN)
    for action in (services.offer_accept, services.offer_decline):
        with pytest.raises(ApplicationError, match="not yours"):
            action(context=AuditContext(actor=other), user=other, contact_id=contact.pk, now=MONDAY_9AM_EASTERN)
    with pytest.raises(ApplicationError, match="not yours"):
        services.contact_complete(context=AuditContext(actor=offered), user=offered, contact_id=contact.pk)
    assert WaitingContact.objects.get(pk=contact.pk).offered_to == offered


def test_contact_enqueue_asks_for_routing_after_commit(db, django_capture_on_commit_callbacks, monkeypatch):
    from contactcenter import tasks

    sent = []
    monkeypatch.setattr(tasks.route_queue, "apply_async", lambda args=None, kwargs=None, **options: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_enqueue(
            context=AuditContext.system(), phone="+13055550100", language="es", caller_time_zone="America/New_York"
        )
    assert sent == [{"queue_name": "tier1-es"}]


def test_queue_stats_for_the_wallboard_in_few_queries(agent, django_assert_max_num_queries):
    now = MONDAY_9AM_EASTERN
    on_call = agent(idle_since=now - timedelta(minutes=30))
    agent(idle_since=now - timedelta(minutes=20))
    context = AuditContext(actor=on_call)
    fast = _contact(waited=30)
    services.route_next(queue_name="tier1-en", now=now)
    services.offer_accept(context=context, user=on_call, contact_id=fast.pk, now=now)
    services.contact_complete(context=context, user=on_call, contact_id=fast.pk, now=now + timedelta(seconds=200))
    WaitingContact.objects.create(
        queue_name="tier1-en", phone="+1", caller_time_zone="America/New_York", status="completed",
        enqueued_at=now - timedelta(seconds=200), answered_at=now - timedelta(seconds=20), wait_seconds=180,
        ended_at=now, handle_seconds=100,
    )  # fmt: skip
    WaitingContact.objects.create(
        queue_name="tier1-en", phone="+1", caller_time_zone="America/New_York", status="abandoned",
        enqueued_at=now - timedelta(seconds=90), ended_at=now - timedelta(seconds=5), wait_seconds=85,
    )  # fmt: skip
    _contact(waited=125)
    _contact(waited=5, kind=ContactKind.CALLBACK)

    with django_assert_max_num_queries(5):
        stats = {row.name: row for row in selectors.queue_stats(now=now + timedelta(seconds=5))}

    en = stats["tier1-en"]
    assert (en.waiting, en.callbacks_pending, en.longest_wait_seconds) == (2, 1, 130)
    assert (en.answered, en.answered_within_service_level, en.abandoned) == (2, 1, 1)
    assert en.service_level_percent == pytest.approx(33.3)
    assert en.abandonment_percent == pytest.approx(33.3)
    assert en.average_speed_of_answer_seconds == pytest.approx(105)
    assert en.average_handle_seconds == pytest.approx(150)
    assert en.agents == {"available": 1, "wrap_up": 1}
    assert stats["tier1-es"].waiting == 0 and stats["tier1-es"].service_level_percent is None


def test_the_training_switch_opens_tier1_at_any_hour_and_warns_under_check_deploy(db, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.checks import run_checks

    from contactcenter.routing import hours

    saturday_night = datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    assert hours.tier1_open(time_zone="America/New_York", at=saturday_night) is False
    assert "contactcenter.W002" not in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.TIER1_ALWAYS_OPEN = True
    assert hours.tier1_open(time_zone="America/New_York", at=saturday_night) is True
    assert "contactcenter.W002" in [m.id for m in run_checks(include_deployment_checks=True)]
