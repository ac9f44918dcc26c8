"""A synthetic ledger at national volume: millions of interactions for measuring the figures."""

from __future__ import annotations

import importlib
import random
import secrets
import time
from bisect import bisect_left
from datetime import datetime, timedelta

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from tqdm import tqdm

from contactcenter import services
from contactcenter.models import (
    REPEAT_WINDOW,
    BenefitCase,
    Channel,
    ContactKind,
    ContactStatus,
    Disposition,
    IdentifierKind,
    Interaction,
    InteractionIdentifier,
    Language,
    Outcome,
    Topic,
    WaitingContact,
)
from contactcenter.reference.identifiers import RECEIPT_PREFIXES

BATCH = 5_000
# The center's shape: first contacts by channel; IVR calls handed to Tier 1, some of those to Tier 2.
ROOT_CHANNELS = {Channel.IVR: 0.86, Channel.WRITTEN: 0.07, Channel.OUTREACH: 0.03, Channel.WEB: 0.04}
IVR_TO_TIER1 = 0.30
TIER1_TO_TIER2 = 0.15
SPANISH = 0.30
WITH_RECEIPT = 0.85
REPEAT = 0.14  # of first contacts with a receipt number: about an earlier one's, within the window
KNOWN_CASE = 0.2  # of new receipt numbers: a BenefitCase's, while there are unused ones
OUTCOMES = {
    Channel.IVR: {
        Outcome.SELF_SERVED: 0.75,
        Outcome.ABANDONED: 0.15,
        Outcome.CALLBACK: 0.05,
        Outcome.AFTER_HOURS: 0.05,
    },
    Channel.TIER1: {
        Outcome.RESOLVED: 0.6,
        Outcome.SERVICE_REQUEST: 0.25,
        Outcome.REFERRED: 0.1,
        Outcome.ABANDONED: 0.05,
    },
    Channel.TIER2: {Outcome.RESOLVED: 0.7, Outcome.SERVICE_REQUEST: 0.2, Outcome.REFERRED: 0.1},
    Channel.WRITTEN: {Outcome.RESOLVED: 0.7, Outcome.SERVICE_REQUEST: 0.2, Outcome.REFERRED: 0.1},
    Channel.OUTREACH: {Outcome.REFERRED: 0.6, Outcome.RESOLVED: 0.4},
    Channel.WEB: {Outcome.SELF_SERVED: 0.9, Outcome.ABANDONED: 0.1},
}
MINUTES = {  # how long a contact lasts, low and high
    Channel.IVR: (1, 6),
    Channel.TIER1: (4, 15),
    Channel.TIER2: (8, 30),
    Channel.WRITTEN: (10, 60),
    Channel.OUTREACH: (15, 45),
    Channel.WEB: (1, 10),
}
# Local hour of day → relative volume: the center's business hours, a mid-morning peak.
HOURS = [
    0.1,
    0.05,
    0.05,
    0.05,
    0.1,
    0.2,
    0.5,
    1.5,
    4,
    6,
    6.5,
    6,
    5.5,
    5.5,
    5,
    4.5,
    3.5,
    2.5,
    1.5,
    1,
    0.6,
    0.4,
    0.3,
    0.2,
]
WEEKEND = 0.25
# The live queues behind the Tier 1 and Tier 2 entries: waits are short for most callers, long for a
# few (exponential, seconds); some IVR calls that ended abandoned hung up waiting in the Tier 1 queue.
MEAN_WAIT = {1: 45, 2: 90}
MEAN_ABANDONED_WAIT = 120
ABANDONED_IN_QUEUE = 0.35  # of IVR calls ending abandoned
WRAP_UP_SECONDS = (15, 180)
DISPOSITIONS = {
    Outcome.RESOLVED: Disposition.RESOLVED,
    Outcome.SERVICE_REQUEST: Disposition.SERVICE_REQUEST,
    Outcome.REFERRED: Disposition.REFERRED_CAO,
    Outcome.ESCALATED: Disposition.ESCALATED,
    Outcome.ABANDONED: Disposition.DISCONNECTED,
}


def _backfill():
    return importlib.import_module("contactcenter.migrations.0018_interaction_repeat").mark_repeated_contacts


class Command(BaseCommand):
    help = (
        "ADDS a synthetic ledger of --interactions contacts over the last --days days (IVR calls, hand-offs "
        "to Tier 1 and Tier 2, written inquiries, outreach referrals, repeat contacts about the same receipt "
        "number) with the finished live-queue contacts behind the Tier 1 and Tier 2 ones (some abandoned in "
        "the queue), in batches, then marks repeat contacts and analyses the tables. Running it again adds more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interactions", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=21)
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for the same ledger again.")

    def handle(self, *args, interactions: int, days: int, seed: int | None, **options):
        if interactions < 1 or days < 1:
            raise CommandError("--interactions and --days must be positive.")
        topics = list(Topic.objects.filter(active=True).values_list("id", flat=True))
        if not topics:
            raise CommandError("No topics: run migrate first.")
        rng = random.Random(seed)  # noqa: S311 -- synthetic data, not secrets
        # Its own stream: the same --seed makes the same ledger whether or not queues are written.
        self.queue_rng = random.Random(None if seed is None else seed + 1)  # noqa: S311
        started = time.monotonic()
        end = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
        start = end - timedelta(days=days)
        known = list(BenefitCase.objects.order_by("pk").values_list("receipt_number", flat=True))
        rng.shuffle(known)
        # The ids this run is about to take: every row before it that a new one can follow.
        before = Interaction.objects.filter(occurred_at__gte=start - REPEAT_WINDOW).aggregate(low=Min("pk"))["low"]
        run = secrets.token_hex(6)  # source_id prefix: each run adds rows, even with the same --seed
        topic_weights = [1 / (rank + 1) for rank in range(len(topics))]  # a few topics carry most contacts
        added = identifiers = self.contacts = 0
        first_pk = None
        # The command's stderr stream itself: its wrapper would end every redraw with a newline.
        progress = {"total": interactions, "unit": "interaction", "unit_scale": True, "file": self.stderr._out}
        with tqdm(desc="seed_ledger", **progress) as bar:
            journeys = self._journeys(rng, interactions, start, end, known, topics, topic_weights)
            batch: list[list[Interaction]] = []
            size = 0
            for journey in journeys:
                batch.append(journey)
                size += len(journey)
                if size >= BATCH:
                    low, count = self._write(batch, run, added)
                    first_pk = low if first_pk is None else first_pk
                    added, identifiers = added + size, identifiers + count
                    bar.update(size)
                    batch, size = [], 0
            if batch:
                low, count = self._write(batch, run, added)
                first_pk = low if first_pk is None else first_pk
                added, identifiers = added + size, identifiers + count
                bar.update(size)
        written = time.monotonic()
        # Before the backfill too: on a ledger just grown a hundredfold its statistics are stale,
        # and the planner's choice for the first UPDATE ran for minutes instead of under a second.
        self._analyse()
        _backfill()(apps, None, first_pk=min(first_pk, before or first_pk))
        marked = time.monotonic()
        # Bulk rows mark no interval: recompute the queue rollups of the run's days.
        services.queue_rollups_rebuild(since=start)
        services.queue_rollups_dirty_refresh()
        queued = time.monotonic()
        self._analyse()
        # Bulk rows mark no interval: recompute them all (the run's days and the week before, whose
        # contacts the new ones may have marked as repeated).
        services.ledger_rollups_rebuild(since=start - REPEAT_WINDOW)
        services.ledger_rollups_dirty_refresh()
        rolled = time.monotonic()
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {added:,} interactions, {identifiers:,} receipt-number identifiers and "
                f"{self.contacts:,} finished queue contacts over {days} days "
                f"in {time.monotonic() - started:.1f} s (rows {written - started:.1f} s, "
                f"repeat marker {marked - written:.1f} s, queue rollups {queued - marked:.1f} s, "
                f"ledger rollups {rolled - queued:.1f} s)."
            )
        )

    def _analyse(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE contactcenter_interaction, contactcenter_interactionidentifier, "
                    "contactcenter_waitingcontact, contactcenter_queuerollup"
                )

    def _journeys(self, rng, total, start, end, known, topics, topic_weights):
        """Yield each customer's contact and its hand-offs (a list, parents first), in time order,
        total interactions in all; about REPEAT of first contacts reuse an earlier receipt number."""
        chains, made = [], 0
        while made < total:
            chain = [rng.choices(list(ROOT_CHANNELS), list(ROOT_CHANNELS.values()))[0]]
            if chain[0] == Channel.IVR and rng.random() < IVR_TO_TIER1:
                chain.append(Channel.TIER1)
                if rng.random() < TIER1_TO_TIER2:
                    chain.append(Channel.TIER2)
            chain = chain[: total - made]
            chains.append(chain)
            made += len(chain)
        recent_at: list[datetime] = []  # first contacts' moments and receipt numbers, in time order
        recent_receipt: list[str] = []
        for chain, moment in zip(chains, self._moments(rng, len(chains), start, end), strict=True):
            receipt = ""
            if rng.random() < WITH_RECEIPT:
                window = bisect_left(recent_at, moment - REPEAT_WINDOW)
                if window < len(recent_at) and rng.random() < REPEAT:
                    receipt = recent_receipt[rng.randrange(window, len(recent_at))]
                elif known and rng.random() < KNOWN_CASE:
                    receipt = known.pop()  # each case's number is new once, then only repeats reuse it
                else:
                    receipt = f"{rng.choice(RECEIPT_PREFIXES)}{rng.randrange(10**10):010d}"
                recent_at.append(moment)
                recent_receipt.append(receipt)
            common = {
                "language": Language.SPANISH if rng.random() < SPANISH else Language.ENGLISH,
                "topic_id": rng.choices(topics, topic_weights)[0],
            }
            journey, at = [], moment
            for position, link in enumerate(chain):
                ended = at + timedelta(minutes=rng.uniform(*MINUTES[link]), seconds=rng.uniform(0, 59))
                handed_on = position + 1 < len(chain)
                if handed_on:
                    outcome = Outcome.TRANSFERRED if link == Channel.IVR else Outcome.ESCALATED
                else:
                    outcomes = OUTCOMES[link]
                    outcome = rng.choices(list(outcomes), list(outcomes.values()))[0]
                row = Interaction(
                    channel=link,
                    occurred_at=at,
                    ended_at=ended,
                    outcome=outcome,
                    parent=journey[-1] if journey else None,
                    source_app="seed",
                    source_model="ledger",
                    **common,
                )
                row.receipt = receipt
                journey.append(row)
                at = ended + timedelta(seconds=rng.uniform(5, 300))
            yield journey

    def _moments(self, rng, count, start, end) -> list[datetime]:
        """count moments between start and end, weighted by local hour of day and weekday, sorted."""
        hours, weights = [], []
        hour = start.replace(minute=0)
        while hour < end:
            local = timezone.localtime(hour)
            hours.append(hour)
            weights.append(HOURS[local.hour] * (WEEKEND if local.weekday() >= 5 else 1))
            hour += timedelta(hours=1)
        picked = rng.choices(hours, weights, k=count)
        return sorted(max(start, min(end, moment + timedelta(seconds=rng.uniform(0, 3600)))) for moment in picked)

    def _write(self, batch: list[list[Interaction]], run: str, offset: int) -> tuple[int, int]:
        """One transaction: the first contacts, then their hand-offs (now that parents have ids), then
        the identifiers. Returns the lowest new id and the number of identifiers."""
        depth = max(len(journey) for journey in batch)
        number = offset
        for journey in batch:
            for row in journey:
                row.source_id = f"{run}-{number}"
                number += 1
        identifiers = []
        with transaction.atomic():
            for level in range(depth):
                rows = [journey[level] for journey in batch if len(journey) > level]
                for row in rows:
                    if row.parent is not None:
                        row.parent_id = row.parent.pk
                Interaction.objects.bulk_create(rows, batch_size=BATCH)
                identifiers += [
                    InteractionIdentifier(interaction_id=row.pk, kind=IdentifierKind.RECEIPT_NUMBER, value=row.receipt)
                    for row in rows
                    if row.receipt
                ]
            InteractionIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
            contacts = [contact for journey in batch for contact in self._queue_contacts(journey)]
            WaitingContact.objects.bulk_create(contacts, batch_size=BATCH)
            self.contacts += len(contacts)
        return min(journey[0].pk for journey in batch), len(identifiers)

    def _queue_contacts(self, journey: list[Interaction]) -> list[WaitingContact]:
        """The finished WaitingContact behind each live link of a journey (saved, with ids): queued
        after the link before it, answered when the conversation began, wrapped up after it; and,
        for some IVR calls that ended abandoned, the Tier 1 queue the caller hung up in."""
        rng, contacts = self.queue_rng, []
        common = {
            "kind": ContactKind.CALL,
            "phone": f"+1555{rng.randrange(10**7):07d}",
            "caller_time_zone": "America/New_York",
            "receipt_numbers": [journey[0].receipt] if journey[0].receipt else [],
            "skill": "",
        }
        last = journey[-1]
        if len(journey) == 1 and last.channel == Channel.IVR and last.outcome == Outcome.ABANDONED:
            if rng.random() < ABANDONED_IN_QUEUE:
                wait = min(int(rng.expovariate(1 / MEAN_ABANDONED_WAIT)), 1800)
                contacts.append(
                    WaitingContact(
                        tier=1,
                        language=last.language,
                        queue_name=f"tier1-{last.language}",
                        status=ContactStatus.ABANDONED,
                        enqueued_at=last.ended_at - timedelta(seconds=wait),
                        ended_at=last.ended_at,
                        wait_seconds=wait,
                        interaction_id=last.pk,
                        **common,
                    )
                )
            return contacts
        for row in journey:
            if row.channel not in (Channel.TIER1, Channel.TIER2):
                continue
            tier = 1 if row.channel == Channel.TIER1 else 2
            wait = min(int(rng.expovariate(1 / MEAN_WAIT[tier])), 1800)
            contacts.append(
                WaitingContact(
                    tier=tier,
                    language=row.language,
                    queue_name=f"tier{tier}-{row.language}",
                    status=ContactStatus.COMPLETED,
                    enqueued_at=row.occurred_at - timedelta(seconds=wait),
                    answered_at=row.occurred_at,
                    ended_at=row.ended_at,
                    offered_at=row.occurred_at - timedelta(seconds=min(wait, rng.uniform(2, 10))),
                    attempts=1,
                    wait_seconds=wait,
                    handle_seconds=int((row.ended_at - row.occurred_at).total_seconds()),
                    wrap_up_seconds=rng.randint(*WRAP_UP_SECONDS),
                    disposition=DISPOSITIONS[row.outcome],
                    interaction_id=row.parent_id,
                    agent_interaction_id=row.pk,
                    **common,
                )
            )
        return contacts
