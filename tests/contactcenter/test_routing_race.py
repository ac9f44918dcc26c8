"""64 agents racing over 1,000 waiting contacts on real Postgres: each contact is offered and
handled exactly once, none is lost, no agent ever holds two."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import defaultdict
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    OPEN_CONTACT_STATUSES,
    AgentStateChange,
    ContactStatus,
    QueueConfig,
    StaffProfile,
    Tier,
    WaitingContact,
)

AGENTS = 64
PROCESSES = 8
CONTACTS = 1000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_64_agents_race_over_1000_contacts_and_each_is_handled_exactly_once():
    import_module("contactcenter.migrations.0008_queue_configs").forwards(apps, None)
    QueueConfig.objects.filter(name="tier1-en").update(offer_timeout_seconds=600)  # no lapses under load
    user_model = get_user_model()
    users = user_model.objects.bulk_create([user_model(username=f"race-agent-{n}") for n in range(AGENTS)])
    StaffProfile.objects.bulk_create([StaffProfile(user=user, tier=Tier.TIER1, languages=["en"]) for user in users])
    start = timezone.now() - timedelta(hours=1)
    WaitingContact.objects.bulk_create(
        [
            WaitingContact(
                queue_name="tier1-en",
                priority=n % 3,
                enqueued_at=start + timedelta(seconds=n),
                phone="+12025550100",
                caller_time_zone="America/New_York",
            )
            for n in range(CONTACTS)
        ]
    )
    # Eight processes of eight agent threads: real parallelism on Postgres, and few enough threads
    # per interpreter that the GIL does not serialise them.
    user_ids = [user.pk for user in users]
    groups = [user_ids[n::PROCESSES] for n in range(PROCESSES)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(AGENTS)
    results = context.Queue()
    connections.close_all()
    began = time.monotonic()
    processes = [context.Process(target=_agents_process, args=(group, barrier, results)) for group in groups]
    for process in processes:
        process.start()
    reports = [results.get(timeout=330) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    elapsed = time.monotonic() - began
    print(f"\n[race] {AGENTS} agents in {PROCESSES} processes, {CONTACTS} contacts handled in {elapsed:.1f} s")

    errors = [error for report in reports for error in report["errors"]]
    assert not errors, errors[:3]
    handled: dict[int, list[int]] = {}
    for report in reports:
        handled.update(report["handled"])
    all_handled = [contact for contacts in handled.values() for contact in contacts]
    assert len(all_handled) == CONTACTS
    assert set(all_handled) == set(WaitingContact.objects.values_list("pk", flat=True))
    assert WaitingContact.objects.exclude(status=ContactStatus.COMPLETED).count() == 0
    assert set(WaitingContact.objects.values_list("attempts", flat=True)) == {1}
    offers = AgentStateChange.objects.filter(to_state="offered")
    assert offers.count() == CONTACTS
    assert offers.values("contact").distinct().count() == CONTACTS
    # Each agent's history is whole offer → accept → complete cycles, one contact at a time.
    by_agent: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for agent_id, to_state, contact_id in AgentStateChange.objects.order_by("id").values_list(
        "agent_id", "to_state", "contact_id"
    ):
        by_agent[agent_id].append((to_state, contact_id))
    for agent_id, history in by_agent.items():
        states = [state for state, _ in history]
        assert states[0] == "available"
        cycles = [history[i : i + 4] for i in range(1, len(history), 4)]
        for cycle in cycles:
            assert [state for state, _ in cycle] == ["offered", "on_call", "wrap_up", "available"], (agent_id, cycle)
            assert cycle[0][1] == cycle[1][1] == cycle[2][1]
        assert sorted(c[0][1] for c in cycles) == sorted(handled[agent_id])
    assert sum(1 for contacts in handled.values() if contacts) > AGENTS // 2


def _agent_loop(user, barrier, deadline: float, handled: list[int]) -> None:
    context = AuditContext(actor=user)
    barrier.wait()
    services.agent_state_set(context=context, user=user, state="available")
    while time.monotonic() < deadline:
        routed = services.route_next(queue_name="tier1-en")
        offer = selectors.agent_offer_for(user=user)
        if offer is not None:
            services.offer_accept(context=context, user=user, contact_id=offer.pk)
            services.contact_complete(context=context, user=user, contact_id=offer.pk)
            handled.append(offer.pk)
            services.contact_wrap_up(context=context, user=user, contact_id=offer.pk, disposition="resolved")
        elif routed is None and not WaitingContact.objects.filter(status__in=OPEN_CONTACT_STATUSES).exists():
            return


def _agents_process(user_ids: list[int], barrier, results) -> None:
    """A forked child: one thread per agent, each on its own database connection."""
    connections.close_all()
    deadline = time.monotonic() + 300  # a hang guard, not a speed target (see make bench-routing)
    handled: dict[int, list[int]] = {user_id: [] for user_id in user_ids}
    errors: list[str] = []

    def run(user_id: int) -> None:
        try:
            _agent_loop(get_user_model().objects.get(pk=user_id), barrier, deadline, handled[user_id])
        except BaseException as error:  # reported by the parent
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"handled": handled, "errors": errors})
    results.close()
    results.join_thread()  # flush to the parent before the hard exit
    os._exit(0)  # skip pytest's atexit machinery in the child
