"""Reads of the interaction ledger: who sees which entries, everything about a receipt number or
an A-number, and the figures that cross channels (containment, Tier 2 transfers, first-contact
resolution, volume by topic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDay, TruncMonth
from django.db.models.query import ModelIterable
from django.utils import timezone

from contactcenter.ledger import rollups
from contactcenter.models import (
    Channel,
    IdentifierKind,
    Interaction,
    Outcome,
    Topic,
)
from contactcenter.reference.identifiers import normalize_receipt_number
from contactcenter.staff.roles import Role, user_roles


def topic_list(*, active_only: bool = True) -> QuerySet[Topic]:
    qs = Topic.objects.select_related("parent")
    return qs.filter(active=True) if active_only else qs


def interaction_list(*, channels: list[str] | None = None) -> QuerySet[Interaction]:
    """The whole ledger, unscoped: for the core's own figures and joins, never for a page or an API
    response that lists entries to a person (those read `interactions_visible_to`)."""
    qs = Interaction.objects.select_related("topic", "handled_by", "parent").prefetch_related("identifiers")
    return qs.filter(channel__in=channels) if channels else qs


# --- who sees which ledger entries ---------------------------------------------------------------
TRIP_TOPIC = "travel-redress"  # DHS TRIP redress: CAO and TSA liaisons only, whatever the channel
LIVE_CHANNELS = frozenset({Channel.IVR, Channel.TIER1, Channel.TIER2, Channel.WEB, Channel.OUTREACH})
ALL_CHANNELS = frozenset(Channel)


@dataclass(frozen=True)
class LedgerScope:
    """One role's view of the ledger. `full`: channels whose entries it reads whole; `redacted`:
    channels whose entries it only sees exist (when, channel, topic, outcome, identifiers; no
    summary, link, handler or phone). `trip`: "none" (TRIP entries hidden), "also", or "only"."""

    full: frozenset = frozenset()
    redacted: frozenset = frozenset()
    trip: str = "none"
    # Reads a confidential entry (Interaction.confidential) whole; other roles see only that it exists.
    confidential: bool = False


# A service request's steps at the office are the agents' to read too: the request they took, to its end.
_AGENT_SCOPE = LedgerScope(full=LIVE_CHANNELS | {Channel.OFFICE}, redacted=frozenset({Channel.WRITTEN}))
LEDGER_SCOPES: dict[Role, LedgerScope] = {
    # Agents and their supervisors work the phone channels (and follow the service requests they take
    # to the office); of written correspondence they need only know that an inquiry about the case
    # exists, and TRIP is never theirs.
    Role.CSR: _AGENT_SCOPE,
    Role.ISO: _AGENT_SCOPE,
    Role.SUPERVISOR: _AGENT_SCOPE,
    Role.CAO_ANALYST: LedgerScope(full=ALL_CHANNELS, trip="also"),
    Role.CAO_SUPERVISOR: LedgerScope(full=ALL_CHANNELS, trip="also", confidential=True),
    Role.TSA_LIAISON: LedgerScope(full=frozenset({Channel.WRITTEN}), trip="only"),
    Role.OUTREACH_STAFF: LedgerScope(full=frozenset({Channel.OUTREACH})),
    Role.CRO: LedgerScope(full=frozenset({Channel.OUTREACH})),
    # Administrators read the ledger in the admin, not through pages or the API.
}


def _trip_q() -> Q:
    return Q(topic__code=TRIP_TOPIC) | Q(topic__parent__code=TRIP_TOPIC)


def _scope_q(channels: frozenset, trip: str) -> Q:
    if not channels:
        return Q(pk__in=[])
    found = Q(channel__in=sorted(channels))
    if trip == "none":
        return found & ~_trip_q()
    if trip == "only":
        return found & _trip_q()
    return found


class _RedactingIterable(ModelIterable):
    """Entries the user may only see exist leave the query with their details blanked, so no page,
    template or serializer can show what the role may not read."""

    def __iter__(self):
        for interaction in super().__iter__():
            if interaction.restricted:
                interaction.summary = interaction.source_url = interaction.contact_phone = ""
                interaction.source_id = ""
                interaction.handled_by = None
            yield interaction


def interactions_visible_to(*, user, channels: list[str] | None = None) -> QuerySet[Interaction]:
    """The ledger entries a user may see, by the roles' LEDGER_SCOPES (a user with several roles
    sees the union, each entry as fully as one of their roles allows); each carries `restricted`.
    Every page and API endpoint that lists ledger entries reads this."""
    scopes = [LEDGER_SCOPES[role] for role in user_roles(user) if role in LEDGER_SCOPES]
    full = Q(pk__in=[])
    seen = Q(pk__in=[])
    for scope in scopes:
        whole = _scope_q(scope.full, scope.trip)
        full |= whole if scope.confidential else whole & Q(confidential=False)
        seen |= _scope_q(scope.full | scope.redacted, scope.trip)
    qs = (
        interaction_list(channels=channels)
        .filter(seen)
        .annotate(restricted=Case(When(full, then=Value(False)), default=Value(True), output_field=BooleanField()))
    )
    qs._iterable_class = _RedactingIterable
    return qs


def interactions_for_receipt_number(*, user, receipt_number: str) -> QuerySet[Interaction]:
    """Every contact about a receipt number the user may see, on any channel, newest first (the case
    view)."""
    value = normalize_receipt_number(receipt_number)
    return (
        interactions_visible_to(user=user)
        .filter(identifiers__kind=IdentifierKind.RECEIPT_NUMBER, identifiers__value=value)
        .distinct()
    )


def ledger_ids_for_receipt_number(*, receipt_number: str, source_app: str, source_model: str) -> QuerySet:
    """The ids of a channel's own ledger entries naming a receipt number (a join for the channel's
    search, not a listing)."""
    value = normalize_receipt_number(receipt_number)
    return Interaction.objects.filter(
        source_app=source_app,
        source_model=source_model,
        identifiers__kind=IdentifierKind.RECEIPT_NUMBER,
        identifiers__value=value,
    ).values("pk")


def cao_referrals_pending(*, user) -> QuerySet[Interaction]:
    """Live conversations an agent referred to CAO casework that no written inquiry has taken up
    yet: the core's side of the hand-off, read by casework's intake (the core never imports it)."""
    taken_up = Interaction.objects.filter(parent=OuterRef("pk"), channel=Channel.WRITTEN)
    return (
        interactions_visible_to(user=user, channels=[Channel.TIER1, Channel.TIER2])
        .filter(outcome=Outcome.REFERRED)
        .exclude(Exists(taken_up))
        .order_by("occurred_at", "id")
    )


def _in_period(qs: QuerySet[Interaction], start: datetime, end: datetime) -> QuerySet[Interaction]:
    return qs.filter(occurred_at__gte=start, occurred_at__lt=end)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.numerator / self.denominator, 1) if self.denominator else None


def ivr_containment(*, start: datetime, end: datetime) -> Rate:
    """Share of finished IVR calls that ended in self-service rather than a representative."""
    totals = rollups.totals(start=start, end=end, counters=["self_served", "finished"], channels=[Channel.IVR])
    return Rate(totals["self_served"], totals["finished"])


def tier2_transfer_rate(*, start: datetime, end: datetime) -> Rate:
    """Share of Tier 1 conversations that were escalated to a Tier 2 officer."""
    totals = rollups.totals(start=start, end=end, counters=["tier2_escalated", "contacts"], channels=[Channel.TIER1])
    return Rate(totals["tier2_escalated"], totals["contacts"])


def first_contact_resolution(*, start: datetime, end: datetime) -> Rate:
    """Share of first contacts resolved with no hand-off and no repeat contact on the same
    receipt number within REPEAT_WINDOW (the contact-center industry's usual FCR definition).

    The repeat is decided when the later contact is recorded (`followed_by_repeat`); the period is
    summed from 15-minute rollups, its edges and stale intervals counted from the ledger (rollups)."""
    totals = rollups.totals(start=start, end=end, counters=["firsts_resolved", "firsts"])
    return Rate(totals["firsts_resolved"], totals["firsts"])


@dataclass(frozen=True)
class SplitRates:
    """IVR containment, Tier 2 transfer rate and first-contact resolution of one language or topic."""

    key: str | None
    containment: Rate
    tier2: Rate
    fcr: Rate


def rates_split(*, start: datetime, end: datetime, by: str) -> list[SplitRates]:
    """The three cross-channel rates, each as its selector above defines it, by language code or
    by topic code (`by`: "language" or "topic"; a contact with no topic under None), sorted by key."""
    containment = rollups.totals_by(
        start=start, end=end, counters=["self_served", "finished"], by=by, channels=[Channel.IVR]
    )
    tier2 = rollups.totals_by(
        start=start, end=end, counters=["tier2_escalated", "contacts"], by=by, channels=[Channel.TIER1]
    )
    fcr = rollups.totals_by(start=start, end=end, counters=["firsts_resolved", "firsts"], by=by)
    keys = sorted(set(containment) | set(tier2) | set(fcr), key=lambda key: (key is None, key or ""))
    empty: dict[str, int] = {}
    return [
        SplitRates(
            key=key,
            containment=Rate(
                containment.get(key, empty).get("self_served", 0), containment.get(key, empty).get("finished", 0)
            ),
            tier2=Rate(tier2.get(key, empty).get("tier2_escalated", 0), tier2.get(key, empty).get("contacts", 0)),
            fcr=Rate(fcr.get(key, empty).get("firsts_resolved", 0), fcr.get(key, empty).get("firsts", 0)),
        )
        for key in keys
    ]


def contact_volume_by_topic(
    *,
    start: datetime,
    end: datetime,
    period: str = "day",
    topic_codes: list[str] | None = None,
    channels: list[str] | None = None,
) -> list[dict]:
    """Rows of {period, topic code, channel, contacts}: what outreach sets beside feedback."""
    if rollups.uses_rollups():
        return rollups.volume(start=start, end=end, period=period, channels=channels, topic_codes=topic_codes)
    trunc = {"day": TruncDay, "month": TruncMonth}[period]
    qs = _in_period(Interaction.objects.all(), start, end)
    if topic_codes:
        qs = qs.filter(topic__code__in=topic_codes)
    if channels:
        qs = qs.filter(channel__in=channels)
    return list(
        qs.annotate(period=trunc("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("period", "topic__code", "channel")
        .annotate(contacts=Count("id"))
        .order_by("period", "topic__code", "channel")
    )


__all__ = [
    "ALL_CHANNELS",
    "LEDGER_SCOPES",
    "LIVE_CHANNELS",
    "TRIP_TOPIC",
    "LedgerScope",
    "Rate",
    "SplitRates",
    "cao_referrals_pending",
    "contact_volume_by_topic",
    "first_contact_resolution",
    "interaction_list",
    "interactions_for_receipt_number",
    "interactions_visible_to",
    "ivr_containment",
    "ledger_ids_for_receipt_number",
    "rates_split",
    "tier2_transfer_rate",
    "topic_list",
]
