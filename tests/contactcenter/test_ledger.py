import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent, Channel, Interaction, InteractionIdentifier, Outcome
from contactcenter.staff.roles import Role

CTX = AuditContext.system()


def record(source_id, channel=Channel.IVR, outcome=Outcome.SELF_SERVED, receipts=("EAC2190000001",), **kwargs):
    return services.interaction_record(
        context=CTX,
        channel=channel,
        topic_code=kwargs.pop("topic", "case-status"),
        source_app="test",
        source_model=kwargs.pop("model", channel),
        source_id=source_id,
        outcome=outcome,
        receipt_numbers=receipts,
        **kwargs,
    )


def test_a_contact_is_recorded_with_normalised_identifiers_and_an_audit_row(db):
    interaction = record("CA1", receipts=["eac-219-000-0001"], a_numbers=["A1234567"])
    assert sorted(interaction.identifiers.values_list("kind", "value")) == [
        ("a_number", "A001234567"),
        ("receipt", "EAC2190000001"),
    ]
    audit = AuditEvent.objects.get(target_type="contactcenter.interaction", target_id=str(interaction.pk))
    assert audit.action == "create" and audit.channel == "system"


def test_recording_the_same_source_again_updates_one_row(db):
    first = record("CA2", outcome=Outcome.IN_PROGRESS)
    again = record("CA2", outcome=Outcome.SELF_SERVED, receipts=["WAC2190000002"])
    assert first.pk == again.pk
    assert Interaction.objects.count() == 1
    again.refresh_from_db()
    assert again.outcome == Outcome.SELF_SERVED
    assert sorted(again.identifiers.values_list("value", flat=True)) == ["EAC2190000001", "WAC2190000002"]


def test_bad_input_is_refused_and_nothing_is_saved(db):
    with pytest.raises(ApplicationError, match="3 letters"):
        record("CA3", receipts=["XYZ123"])
    with pytest.raises(ApplicationError, match="Unknown topic"):
        record("CA4", topic="no-such-topic")
    assert Interaction.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_audit_row_shares_the_transaction_of_the_change(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        record("CA5")
        raise RuntimeError("the caller's transaction fails after recording")
    assert Interaction.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_receipt_history_spans_every_channel(make_staff):
    call = record("CA6", outcome=Outcome.TRANSFERRED)
    talk = record("T16", channel=Channel.TIER1, outcome=Outcome.ESCALATED, parent=call)
    record("T26", channel=Channel.TIER2, outcome=Outcome.RESOLVED, parent=talk)
    record("W6", channel=Channel.WRITTEN, outcome=Outcome.IN_PROGRESS, topic="expedite")
    record("other", receipts=["LIN2190000009"])
    history = list(
        selectors.interactions_for_receipt_number(user=make_staff(Role.CAO_ANALYST), receipt_number="eac 219 000 0001")
    )
    assert [i.channel for i in history] == ["written", "tier2", "tier1", "ivr"] or {i.channel for i in history} == {
        "ivr",
        "tier1",
        "tier2",
        "written",
    }
    assert len(history) == 4


def test_referrals_to_cao_wait_until_a_written_inquiry_takes_them_up(make_staff):
    call = record("CA7", outcome=Outcome.TRANSFERRED)
    taken_up = record("T27", channel=Channel.TIER2, outcome=Outcome.REFERRED, parent=call)
    waiting = record("T28", channel=Channel.TIER1, outcome=Outcome.REFERRED, receipts=["WAC2190000002"])
    record("T29", channel=Channel.TIER2, outcome=Outcome.RESOLVED)
    record("W7", channel=Channel.WRITTEN, outcome=Outcome.IN_PROGRESS, parent=taken_up)
    assert list(selectors.cao_referrals_pending(user=make_staff(Role.CAO_ANALYST))) == [waiting]


def test_cross_channel_rates(db):
    now = timezone.now()
    start, end = now - timedelta(hours=1), now + timedelta(minutes=1)
    for n in range(6):
        record(f"self{n}", receipts=[f"EAC21900000{n + 10}"])
    calls = [record(f"xfer{n}", outcome=Outcome.TRANSFERRED, receipts=[f"WAC21900000{n + 10}"]) for n in range(4)]
    record("live", channel=Channel.TIER1, outcome=Outcome.IN_PROGRESS, receipts=[])
    talks = [
        record(
            f"t1-{n}",
            channel=Channel.TIER1,
            outcome=Outcome.ESCALATED if n == 0 else Outcome.RESOLVED,
            parent=calls[n],
            receipts=[f"WAC21900000{n + 10}"],
        )
        for n in range(4)
    ]
    record("t2", channel=Channel.TIER2, outcome=Outcome.RESOLVED, parent=talks[0], receipts=["WAC2190000010"])

    containment = selectors.ivr_containment(start=start, end=end)
    assert (containment.numerator, containment.denominator, containment.percent) == (6, 10, 60.0)
    tier2 = selectors.tier2_transfer_rate(start=start, end=end)
    assert (tier2.numerator, tier2.denominator) == (1, 5)
    # First contacts: 6 self-served calls resolve; 4 transferred calls and one live call in progress do not.
    fcr = selectors.first_contact_resolution(start=start, end=end)
    assert (fcr.numerator, fcr.denominator) == (6, 10)


def test_a_repeat_contact_within_a_week_is_not_first_contact_resolution(db):
    earlier = timezone.now() - timedelta(days=2)
    record("first", occurred_at=earlier)
    record("again", occurred_at=earlier + timedelta(days=1), channel=Channel.WRITTEN, outcome=Outcome.RESOLVED)
    fcr = selectors.first_contact_resolution(start=earlier - timedelta(hours=1), end=timezone.now())
    assert (fcr.numerator, fcr.denominator) == (1, 2)


def test_volume_by_topic_and_period(db):
    record("v1", topic="forms")
    record("v2", topic="forms")
    record("v3", topic="expedite", channel=Channel.WRITTEN)
    now = timezone.now()
    rows = selectors.contact_volume_by_topic(
        start=now - timedelta(days=1), end=now + timedelta(minutes=1), period="month"
    )
    assert {(r["topic__code"], r["channel"], r["contacts"]) for r in rows} == {
        ("forms", "ivr", 2),
        ("expedite", "written", 1),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_recording_of_one_source_keeps_one_row():
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(8)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            record("RACE", outcome=Outcome.IN_PROGRESS, receipts=[f"EAC21900001{n:02d}"])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Interaction.objects.filter(source_id="RACE").count() == 1
    assert InteractionIdentifier.objects.filter(interaction__source_id="RACE").count() == 8
