"""Step records are kept IVR_STEP_RETENTION_DAYS: the hourly task deletes those of older calls, a
batch of calls per transaction; each call's row and its ledger entry stay."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from contactcenter.models import AuditAction, AuditEvent, Interaction
from ivr import services, tasks
from ivr.models import Call, CallEvent


def _walked_call(caller, at_time, *, days_ago: int, hang_up: bool = True) -> Call:
    """A call to the main menu and back out, made `days_ago` days ago (the caller hangs up)."""
    with at_time(timezone.now() - timedelta(days=days_ago)):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        call.press("3222190000001")
        if hang_up:
            call.hang_up()
    return Call.objects.get(call_sid=call.call_sid)


def test_the_task_deletes_old_steps_and_keeps_recent_ones_the_calls_and_their_ledger_entries(
    reference, caller, at_time
):
    days = settings.IVR_STEP_RETENTION_DAYS
    old = [_walked_call(caller, at_time, days_ago=days + 5), _walked_call(caller, at_time, days_ago=days + 1)]
    recent = _walked_call(caller, at_time, days_ago=days - 1)
    assert CallEvent.objects.filter(call__in=old).count() == 8

    assert tasks.call_steps_expire() == 2

    assert not CallEvent.objects.filter(call__in=old).exists()
    assert CallEvent.objects.filter(call=recent).count() == 4
    for call in [*old, recent]:
        kept = Call.objects.get(pk=call.pk)
        assert (kept.outcome, kept.ended_at, kept.path) == (call.outcome, call.ended_at, call.path)
        assert Interaction.objects.filter(pk=call.interaction_id, source_id=call.call_sid).exists()
    audit = AuditEvent.objects.get(target_type="ivr.callevent", action=AuditAction.DELETE)
    assert (audit.channel, audit.detail["calls"], audit.detail["steps"]) == (
        "task",
        "2",
        "8",
    )  # audit detail is stored as text
    # Idempotent: nothing left to delete, nothing done.
    assert tasks.call_steps_expire() == 0
    assert AuditEvent.objects.filter(target_type="ivr.callevent").count() == 1


def test_a_backlog_goes_in_bounded_batches_oldest_first(reference, caller, at_time, monkeypatch):
    calls = [_walked_call(caller, at_time, days_ago=200 - n) for n in range(5)]
    monkeypatch.setattr(services, "STEP_PURGE_BATCH", 2)
    purged = []
    batch = services.call_steps_purge

    def counted(**kwargs):
        count = batch(**kwargs)
        purged.append(count)
        return count

    monkeypatch.setattr(services, "call_steps_purge", counted)
    assert services.call_steps_expire(max_batches=2) == 4  # a run stops after its batches
    assert purged == [2, 2]
    assert [CallEvent.objects.filter(call=call).exists() for call in calls] == [False] * 4 + [True]
    assert services.call_steps_expire() == 1
    assert purged == [2, 2, 1]


def test_a_call_whose_end_never_came_is_masked_when_its_steps_go(reference, caller, at_time):
    call = _walked_call(caller, at_time, days_ago=settings.IVR_STEP_RETENTION_DAYS + 1, hang_up=False)
    assert call.state["pending_receipt"] == "EAC2190000001"
    tasks.call_steps_expire()
    call.refresh_from_db()
    assert call.state["pending_receipt"] == "EAC******0001" and "said" not in call.state


@override_settings(IVR_STEP_RETENTION_DAYS=0)
def test_zero_days_keeps_every_step(reference, caller, at_time):
    call = _walked_call(caller, at_time, days_ago=400)
    assert tasks.call_steps_expire() == 0
    assert CallEvent.objects.filter(call=call).count() == 4


def test_the_operators_command_counts_then_purges(reference, caller, at_time):
    old = _walked_call(caller, at_time, days_ago=40)
    recent = _walked_call(caller, at_time, days_ago=10)
    out = StringIO()
    call_command("ivr_steps_purge", days=30, dry_run=True, stdout=out, stderr=StringIO())
    assert "1 calls started before" in out.getvalue()
    assert CallEvent.objects.filter(call=old).exists()
    call_command("ivr_steps_purge", days=30, stdout=out, stderr=StringIO())
    assert "Deleted the step records of 1 calls" in out.getvalue()
    assert not CallEvent.objects.filter(call=old).exists() and CallEvent.objects.filter(call=recent).exists()


def test_the_task_is_on_the_beat_schedule_named_and_retried():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ivr.call_steps_expire")
    assert entry["schedule"] == 3600.0
    assert tasks.call_steps_expire.acks_late and tasks.call_steps_expire.retry_backoff


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_purges_expired_steps(celery_worker_process):
    _, log = celery_worker_process
    now = timezone.now()

    def call(sid: str, days_ago: int) -> Call:
        started = now - timedelta(days=days_ago)
        made = Call.objects.create(call_sid=sid, from_number="+12025550100", caller_time_zone="America/New_York")
        Call.objects.filter(pk=made.pk).update(started_at=started, ended_at=started + timedelta(minutes=3))
        for step in range(3):
            CallEvent.objects.create(call=made, step=step, node="main", twiml="<Response/>")
        return made

    old = call("CA" + "1" * 32, settings.IVR_STEP_RETENTION_DAYS + 2)
    recent = call("CA" + "2" * 32, 1)
    tasks.call_steps_expire.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and CallEvent.objects.filter(call=old).exists():
        time.sleep(0.2)
    assert not CallEvent.objects.filter(call=old).exists(), log.read_text()[-3000:]
    assert CallEvent.objects.filter(call=recent).count() == 3
    assert Call.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2
