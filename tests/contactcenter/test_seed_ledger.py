"""seed_ledger adds a realistic synthetic ledger in batches and marks its repeat contacts with the
same rule as the recording service and migration 0018's backfill."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.ledger.services import followed_by_repeat_expression
from contactcenter.models import REPEAT_WINDOW, Channel, IdentifierKind, Interaction, InteractionIdentifier, Outcome
from contactcenter.reference.identifiers import RECEIPT_RE
from contactcenter.routing import selectors as routing_selectors

pytestmark = pytest.mark.django_db(transaction=False)

COUNT = 3_000


def seed(count=COUNT, **options):
    out, err = StringIO(), StringIO()
    call_command("seed_ledger", interactions=count, days=21, seed=19, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_seed_ledger_adds_a_realistic_ledger_and_marks_its_repeats(seeded_cases):
    # An earlier contact about the demo case's number, which a seeded contact may follow.
    earlier = services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="test",
        source_model="before",
        source_id=1,
        occurred_at=timezone.now() - timedelta(days=22),
        outcome=Outcome.SELF_SERVED,
        receipt_numbers=["EAC2190000001"],
    )
    out, err = seed()

    seeded = Interaction.objects.filter(source_app="seed")
    assert seeded.count() == COUNT
    assert f"Added {COUNT:,} interactions" in out
    assert "seed_ledger" in err  # the progress bar
    # Every period reads the same shape: mostly IVR, hand-offs, written and outreach in small shares.
    channels = Counter(seeded.values_list("channel", flat=True))
    assert 0.60 < channels[Channel.IVR] / COUNT < 0.75
    assert 0.15 < channels[Channel.TIER1] / COUNT < 0.25
    assert 0.02 < channels[Channel.TIER2] / COUNT < 0.05
    assert 0.03 < channels[Channel.WRITTEN] / COUNT < 0.09
    assert 0.01 < channels[Channel.OUTREACH] / COUNT < 0.05
    spanish = seeded.filter(language="es").count() / COUNT
    assert 0.25 < spanish < 0.35
    start = timezone.now() - timedelta(days=21, hours=2)
    assert not seeded.filter(occurred_at__lt=start).exists()
    assert not seeded.filter(occurred_at__gt=timezone.now()).exists()
    assert seeded.exclude(outcome__in=Outcome.values).count() == 0
    assert seeded.filter(outcome=Outcome.IN_PROGRESS).count() == 0
    # Hand-offs: every Tier 1 and Tier 2 contact has its parent one tier down, at or after it ended.
    for child in seeded.filter(channel__in=[Channel.TIER1, Channel.TIER2]).select_related("parent"):
        expected = Channel.IVR if child.channel == Channel.TIER1 else Channel.TIER1
        assert child.parent.channel == expected
        assert child.parent.outcome in (Outcome.TRANSFERRED, Outcome.ESCALATED)
        assert child.occurred_at >= child.parent.ended_at
    assert seeded.filter(parent__isnull=False).exclude(channel__in=[Channel.TIER1, Channel.TIER2]).count() == 0
    # Business hours carry the volume.
    hours = Counter(timezone.localtime(at).hour for at in seeded.values_list("occurred_at", flat=True))
    assert sum(hours[h] for h in range(8, 18)) > 0.75 * COUNT

    identifiers = InteractionIdentifier.objects.filter(interaction__source_app="seed")
    values = list(identifiers.values_list("kind", "value"))
    assert 0.75 * COUNT < len(values) <= COUNT
    assert all(kind == IdentifierKind.RECEIPT_NUMBER and RECEIPT_RE.match(value) for kind, value in values)
    assert ("receipt", "EAC2190000001") in values  # the existing case's number is used
    # Repeat contacts: a realistic share of first contacts about a receipt number is followed within the week.
    firsts = seeded.filter(parent__isnull=True, identifiers__kind=IdentifierKind.RECEIPT_NUMBER).distinct()
    share = firsts.filter(followed_by_repeat=True).count() / firsts.count()
    assert 0.12 < share < 0.22, share
    # The marker is what the rule decides for every row, including the contact from before the run.
    expected = Interaction.objects.annotate(expected=followed_by_repeat_expression())
    assert {(i.pk, i.followed_by_repeat) for i in expected} == {(i.pk, i.expected) for i in expected}
    assert Interaction.objects.filter(followed_by_repeat=True).exists()
    # From before the run's ids, yet followed by a seeded contact about its number: marked too.
    followed = seeded.filter(
        parent__isnull=True,
        identifiers__value="EAC2190000001",
        occurred_at__lte=earlier.occurred_at + REPEAT_WINDOW,
    )
    earlier.refresh_from_db()
    assert followed.exists() and earlier.followed_by_repeat is True

    rate = selectors.first_contact_resolution(start=timezone.now() - REPEAT_WINDOW, end=timezone.now())
    assert rate.denominator > 0 and 0 < rate.numerator < rate.denominator


def test_seed_ledger_adds_again_and_marks_across_runs(seeded_cases):
    seed(count=500)
    seed(count=500)  # the same seed: the same receipt numbers, so the second run repeats the first's
    assert Interaction.objects.filter(source_app="seed").count() == 1_000
    expected = Interaction.objects.annotate(expected=followed_by_repeat_expression())
    assert {(i.pk, i.followed_by_repeat) for i in expected} == {(i.pk, i.expected) for i in expected}
    assert Interaction.objects.filter(followed_by_repeat=True).count() > 100


def test_seed_ledger_writes_the_finished_queue_contact_behind_every_live_conversation(seeded_cases):
    from contactcenter.models import ContactStatus, WaitingContact

    out, _ = seed()
    live = Interaction.objects.filter(source_app="seed", channel__in=[Channel.TIER1, Channel.TIER2])
    contacts = WaitingContact.objects.all()
    answered = contacts.filter(status=ContactStatus.COMPLETED)
    abandoned = contacts.filter(status=ContactStatus.ABANDONED)
    assert f"{contacts.count():,} finished queue contacts" in out
    # One answered contact per live conversation, the conversation's own entry and the link before it.
    assert answered.count() == live.count()
    assert set(answered.values_list("agent_interaction_id", flat=True)) == set(live.values_list("pk", flat=True))
    for contact in answered.select_related("agent_interaction"):
        conversation = contact.agent_interaction
        tier = 1 if conversation.channel == Channel.TIER1 else 2
        assert contact.tier == tier
        assert contact.queue_name == f"tier{tier}-{conversation.language}"
        assert contact.language == conversation.language
        assert contact.interaction_id == conversation.parent_id
        assert contact.answered_at == conversation.occurred_at
        assert contact.ended_at == conversation.ended_at
        assert contact.wait_seconds == int((contact.answered_at - contact.enqueued_at).total_seconds())
        assert contact.handle_seconds == int((contact.ended_at - contact.answered_at).total_seconds())
        assert 15 <= contact.wrap_up_seconds <= 180
        assert contact.enqueued_at <= contact.offered_at <= contact.answered_at
    # Abandoned in the Tier 1 queue: no conversation, the IVR call that ended abandoned is its entry.
    assert abandoned.filter(answered_at__isnull=False).count() == 0
    assert abandoned.exclude(interaction__outcome=Outcome.ABANDONED).count() == 0
    assert abandoned.exclude(queue_name__startswith="tier1-").count() == 0
    for contact in abandoned:
        assert contact.wait_seconds == int((contact.ended_at - contact.enqueued_at).total_seconds())
    share = abandoned.count() / contacts.count()
    assert 0.05 < share < 0.2, share
    # Most callers answered within the queue's service level (60 s), not all.
    within = answered.filter(wait_seconds__lte=60).count() / answered.count()
    assert 0.5 < within < 0.9, within
    # The queue report reads them: every day of the period has contacts.
    today = timezone.localdate()
    rows = selectors.queue_history(start=today - timedelta(days=6), end=today)
    assert (
        sum(row["contacts"] for row in rows)
        == contacts.filter(enqueued_at__gte=routing_selectors._day_bounds(today - timedelta(days=6))[0]).count()
    )
