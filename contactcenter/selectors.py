"""Reads of the core that views, the API, the IVR and the other apps share."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, TruncDay, TruncMonth
from django.db.models.query import ModelIterable
from django.utils import timezone

from . import queue_rollups, rollups
from .hours import TIER1_HOURS, QueueHours
from .identifiers import InvalidIdentifier, normalize_a_number, normalize_receipt_number
from .live_workflows import AGENT, LIVE_CONTACT, SERVICE_REQUEST
from .models import (
    OPEN_CONTACT_STATUSES,
    AgentState,
    AgentStateChange,
    AgentStatus,
    AuditEvent,
    BenefitCase,
    CallerVerification,
    CallRecording,
    CaseStatusEvent,
    Channel,
    CivilSurgeon,
    ContactKind,
    ContactStatus,
    Escalation,
    FieldOffice,
    Form,
    IdentifierKind,
    Interaction,
    MonitorSession,
    NotReadyReason,
    OfficeClosure,
    OfficeKind,
    Outcome,
    ProcessingTime,
    QueueConfig,
    ServiceRequest,
    ServiceRequestStatus,
    StaffProfile,
    Tier,
    Topic,
    VerificationOutcome,
    VerificationStep,
    VisaBulletinEntry,
    WaitingContact,
    WorkerHeartbeat,
    ZipCentroid,
)
from .prepared import fetch_one_with_related
from .roles import RECORDING_LISTENER_ROLES, Role, user_roles


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


_AGENT_SCOPE = LedgerScope(full=LIVE_CHANNELS, redacted=frozenset({Channel.WRITTEN}))
LEDGER_SCOPES: dict[Role, LedgerScope] = {
    # Agents and their supervisors work the phone channels; of written correspondence they need only
    # know that an inquiry about the case exists, and TRIP is never theirs.
    Role.CSR: _AGENT_SCOPE,
    Role.ISO: _AGENT_SCOPE,
    Role.SUPERVISOR: _AGENT_SCOPE,
    Role.CAO_ANALYST: LedgerScope(full=ALL_CHANNELS, trip="also"),
    Role.CAO_SUPERVISOR: LedgerScope(full=ALL_CHANNELS, trip="also"),
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
        full |= _scope_q(scope.full, scope.trip)
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


def interactions_for_a_number(*, user, a_number: str) -> QuerySet[Interaction]:
    value = normalize_a_number(a_number)
    return (
        interactions_visible_to(user=user)
        .filter(identifiers__kind=IdentifierKind.A_NUMBER, identifiers__value=value)
        .distinct()
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


def audit_events_for(*, target_type: str, target_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").filter(target_type=target_type, target_id=str(target_id))


def staff_profile_for(*, user) -> StaffProfile | None:
    return StaffProfile.objects.select_related("user").filter(user=user).first()


def worker_last_seen() -> datetime | None:
    heartbeat = WorkerHeartbeat.objects.filter(name="celery").first()
    return heartbeat.last_seen if heartbeat else None


# --- queues -------------------------------------------------------------------------------------
DEFAULT_SECONDS_PER_CONTACT = 180


_QUEUE_HOURS_TTL_SECONDS = 30
_queue_hours_cache: dict[str, tuple[float, QueueHours]] = {}


def queue_hours(*, queue_name: str) -> QueueHours:
    """A queue's hours, read at most every 30 s per process (the IVR asks on every hand-off and
    the callback sweep for every zone); an admin edit clears it at once in the editing process."""
    cached = _queue_hours_cache.get(queue_name)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    config = QueueConfig.objects.filter(name=queue_name).first()
    found = config.hours if config is not None else TIER1_HOURS
    _queue_hours_cache[queue_name] = (time.monotonic() + _QUEUE_HOURS_TTL_SECONDS, found)
    return found


def queue_hours_forget() -> None:
    _queue_hours_cache.clear()


def queue_position(*, contact: WaitingContact) -> tuple[int, int]:
    """(1-based place in line, estimated wait in seconds) for a waiting contact."""
    ahead = (
        WaitingContact.objects.filter(queue_name=contact.queue_name, status__in=OPEN_CONTACT_STATUSES)
        .filter(
            Q(priority__gt=contact.priority)
            | Q(priority=contact.priority, enqueued_at__lt=contact.enqueued_at)
            | Q(priority=contact.priority, enqueued_at=contact.enqueued_at, id__lt=contact.id)
        )
        .count()
    )
    return ahead + 1, (ahead + 1) * DEFAULT_SECONDS_PER_CONTACT


def waiting_contact_for_call(*, call_sid: str) -> WaitingContact | None:
    return WaitingContact.objects.filter(call_sid=call_sid).first()


def call_sids_in_line(*, limit: int = 2000) -> list[str]:
    """The calls of contacts waiting or offered: callers still in line for a person."""
    return list(
        WaitingContact.objects.filter(status__in=OPEN_CONTACT_STATUSES, call_sid__isnull=False)
        .exclude(call_sid="")
        .values_list("call_sid", flat=True)[:limit]
    )


# --- reference data -----------------------------------------------------------------------------
# Cases by receipt number, forms, offices and civil surgeons by ZIP code, processing times, the
# Visa Bulletin. The section's imports sit here so that it is appended to this module as one block.


EARTH_RADIUS_MILES = 3958.8
# Half the earth's circumference: a search this wide has looked everywhere.
_WHOLE_EARTH_MILES = math.pi * EARTH_RADIUS_MILES
NATIONAL_OFFICE_KINDS = (OfficeKind.SERVICE_CENTER, OfficeKind.NBC)


def case_get(*, receipt_number: str) -> BenefitCase | None:
    """The case for a receipt number as typed, spoken or keyed (`eac-219-000-0001`); None if the
    number is malformed or unknown."""
    try:
        value = normalize_receipt_number(receipt_number)
    except InvalidIdentifier:
        return None
    # The IVR's most frequent lookup, on a unique column: prepared, not compiled by the ORM each time.
    return fetch_one_with_related(
        BenefitCase, column="receipt_number", value=value, related=("form", "office", "status")
    )


def case_history(*, case: BenefitCase) -> QuerySet[CaseStatusEvent]:
    """The case's dated statuses, newest first."""
    return CaseStatusEvent.objects.select_related("status").filter(case=case).order_by("-occurred_on", "-id")


def cases_for_a_number(*, a_number: str) -> QuerySet[BenefitCase]:
    """Every case filed under an A-number (7 to 9 digits, with or without the A), newest first."""
    try:
        value = normalize_a_number(a_number)
    except InvalidIdentifier:
        return BenefitCase.objects.none()
    return (
        BenefitCase.objects.select_related("form", "office", "status")
        .filter(a_number=value)
        .order_by("-received_on", "receipt_number")
    )


def form_list() -> QuerySet[Form]:
    return Form.objects.filter(active=True).order_by("number")


def form_get_by_digits(*, digits: str) -> Form | None:
    """The form a caller keys by its digits: `485` → I-485, `400` → N-400, `90` → I-90."""
    wanted = "".join(ch for ch in str(digits or "") if ch.isdigit()).lstrip("0")
    if not wanted:
        return None
    matches = [form for form in form_list() if form.digits.lstrip("0") == wanted]
    # Only a clash across letter series (an I- and an N- form with the same digits) prefers I-.
    matches.sort(key=lambda form: (not form.number.startswith("I-"), form.number))
    return matches[0] if matches else None


def _zip5(zip_code: str) -> str | None:
    value = str(zip_code or "").strip().split("-")[0]
    return value if len(value) == 5 and value.isdigit() else None


def zip_centroid_get(*, zip_code: str) -> ZipCentroid | None:
    value = _zip5(zip_code)
    return ZipCentroid.objects.filter(pk=value).first() if value else None


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in statute miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def _bounding_box(lat: float, lon: float, miles: float) -> Q | None:
    """A latitude/longitude box that holds every point within `miles`; None when it is the globe."""
    if miles >= _WHOLE_EARTH_MILES:
        return None
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    low_lat, high_lat = lat - dlat, lat + dlat
    box = Q(latitude__gte=max(low_lat, -90.0), latitude__lte=min(high_lat, 90.0))
    widest = max(abs(low_lat), abs(high_lat))
    if widest >= 89.0:
        return box
    dlon = math.degrees(miles / (EARTH_RADIUS_MILES * math.cos(math.radians(widest))))
    if dlon >= 180.0:
        return box
    west, east = lon - dlon, lon + dlon
    if west < -180.0:  # across the antimeridian (the Aleutians, Guam)
        return box & (Q(longitude__gte=west + 360.0) | Q(longitude__lte=east))
    if east > 180.0:
        return box & (Q(longitude__gte=west) | Q(longitude__lte=east - 360.0))
    return box & Q(longitude__gte=west, longitude__lte=east)


def _nearest(queryset: QuerySet, *, zip_code: str, limit: int) -> list[tuple]:
    """(row, miles) nearest first: a box prefilter in the database, widened until it holds enough
    rows inside its circle, then exact distances in Python (the same on SQLite and Postgres)."""
    origin = zip_centroid_get(zip_code=zip_code)
    if origin is None or limit <= 0:
        return []
    radius = 25.0
    while True:
        box = _bounding_box(origin.latitude, origin.longitude, radius)
        rows = queryset.filter(box) if box is not None else queryset
        found = [(row, miles_between(origin.latitude, origin.longitude, row.latitude, row.longitude)) for row in rows]
        inside = [(row, miles) for row, miles in found if box is None or miles <= radius]
        if len(inside) >= limit or box is None:
            inside.sort(key=lambda pair: (pair[1], pair[0].pk))
            return inside[:limit]
        radius *= 4


def offices_nearest(*, zip_code: str, limit: int = 3, kind: str | None = "field") -> list[tuple[FieldOffice, float]]:
    """The offices nearest a ZIP code with their distance in miles; `kind=None` for any kind.
    An unknown ZIP code gives an empty list."""
    queryset = FieldOffice.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    return _nearest(queryset, zip_code=zip_code, limit=limit)


def civil_surgeons_nearest(*, zip_code: str, limit: int = 3) -> list[tuple[CivilSurgeon, float]]:
    return _nearest(CivilSurgeon.objects.all(), zip_code=zip_code, limit=limit)


def office_closures_upcoming(*, office: FieldOffice, today: date) -> QuerySet[OfficeClosure]:
    """Closures of the office that have not ended yet (today's included), soonest first."""
    return OfficeClosure.objects.filter(office=office, ends_on__gte=today).order_by("starts_on")


@dataclass(frozen=True)
class ProcessingCategory:
    category: str
    category_es: str

    def label_for(self, language: str) -> str:
        return self.category_es if language == "es" else self.category


def processing_time_categories(*, form: Form) -> list[ProcessingCategory]:
    """The categories a form's processing times are published under, alphabetical."""
    seen: dict[str, str] = {}
    for category, category_es in (
        ProcessingTime.objects.filter(form=form)
        .order_by("category", "-published_on")
        .values_list("category", "category_es")
    ):
        seen.setdefault(category, category_es)
    return [ProcessingCategory(category, category_es) for category, category_es in seen.items()]


def processing_time_current(
    *,
    form: Form,
    category: str | None = None,
    office: FieldOffice | None = None,
    as_of: date | None = None,
) -> ProcessingTime | None:
    """The latest published processing time of a form, narrowed to a category and/or office.

    Only the latest publication date among the matching rows counts (published on or before
    `as_of` when given). Without an office, several offices may publish the same form and category;
    the answer is the national figure (a service center's or the National Benefits Center's) when
    one exists, else the first office by name — never the slowest or fastest office. Without a
    category, the first category by name decides the same way."""
    queryset = ProcessingTime.objects.select_related("form", "office").filter(form=form)
    if category:
        queryset = queryset.filter(category=category)
    if office is not None:
        queryset = queryset.filter(office=office)
    if as_of is not None:
        queryset = queryset.filter(published_on__lte=as_of)
    latest = queryset.aggregate(latest=Max("published_on"))["latest"]
    if latest is None:
        return None
    national = Case(
        When(office__kind__in=NATIONAL_OFFICE_KINDS, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        queryset.filter(published_on=latest)
        .annotate(national_rank=national)
        .order_by("national_rank", "category", "office__name", "pk")
        .first()
    )


def processing_time_for_case(*, case: BenefitCase, as_of: date | None = None) -> ProcessingTime | None:
    """The processing time that applies to a case: its form, category and office; when its office
    publishes none, the form and category's national figure."""
    category = case.category or None
    return processing_time_current(
        form=case.form, category=category, office=case.office, as_of=as_of
    ) or processing_time_current(form=case.form, category=category, as_of=as_of)


def case_outside_normal_processing(*, case: BenefitCase, today: date | None = None) -> bool | None:
    """True when a case that is still open was received before the current processing time's
    "receipt date for a case inquiry" (only then may a service request be taken for it); False
    when it was not, or is decided; None when no processing time is published for it. `today`
    ignores processing times published after it."""
    processing_time = processing_time_for_case(case=case, as_of=today)
    if processing_time is None:
        return None
    return not case.status.terminal and case.received_on < processing_time.inquiry_receipt_date


def visa_bulletin_current(*, category: str, chargeability: str) -> dict[str, VisaBulletinEntry]:
    """The latest bulletin's cells for a category and chargeability, keyed by chart
    (`final_action`, `dates_for_filing`); empty when none is loaded."""
    queryset = VisaBulletinEntry.objects.filter(
        category=str(category).strip().upper(), chargeability=str(chargeability).strip().upper()
    )
    latest = queryset.aggregate(latest=Max("bulletin_month"))["latest"]
    if latest is None:
        return {}
    return {entry.chart: entry for entry in queryset.filter(bulletin_month=latest)}


# --- processing times by office (IVR) ----------------------------------------------------------
def processing_time_offices(*, form: Form, category: str | None) -> list[FieldOffice]:
    """Field offices that publish their own processing time for a form and category: when there
    are several, the answer depends on where the caller lives."""
    queryset = ProcessingTime.objects.filter(form=form, office__kind=OfficeKind.FIELD_OFFICE)
    if category:
        queryset = queryset.filter(category=category)
    office_ids = set(queryset.values_list("office_id", flat=True))
    return list(FieldOffice.objects.filter(pk__in=office_ids).order_by("name"))


def processing_time_nearest_office(*, form: Form, category: str | None, zip_code: str) -> FieldOffice | None:
    offices = processing_time_offices(form=form, category=category)
    if not offices:
        return None
    nearest = _nearest(FieldOffice.objects.filter(pk__in=[o.pk for o in offices]), zip_code=zip_code, limit=1)
    return nearest[0][0] if nearest else None


# --- routing ------------------------------------------------------------------------------------
# Live queue figures for the wallboard, and the offer an agent's console shows.


@dataclass(frozen=True)
class QueueStats:
    name: str
    service_level_seconds: int
    hours: QueueHours
    waiting: int
    offered: int
    callbacks_pending: int
    longest_wait_seconds: int
    agents: dict[str, int]
    answered: int
    answered_within_service_level: int
    abandoned: int
    service_level_percent: float | None
    abandonment_percent: float | None
    average_speed_of_answer_seconds: float | None
    average_handle_seconds: float | None
    service_level_target_percent: int = 80


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _settled_today(*, configs: list[QueueConfig], start: datetime, end: datetime) -> dict[str, dict]:
    """answered, within, abandoned, asa, aht by queue of the contacts that left it in [start, end)."""
    if queue_rollups.uses_rollups():
        return {
            name: {
                "answered": row["answered"],
                "within": row["answered_within"],
                "abandoned": row["abandoned"],
                "asa": _average(row["wait_sum"], row["wait_count"]),
                "aht": _average(row["handle_sum"], row["handle_count"]),
            }
            for name, row in queue_rollups.settled_by_queue(start=start, end=end).items()
        }
    # SQLite (the bare demo): counted from the contacts.
    threshold = Case(
        *[When(queue_name=config.name, then=config.service_level_seconds) for config in configs], default=60
    )
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    return {
        row["queue_name"]: row
        for row in WaitingContact.objects.filter(queue_name__in=[c.name for c in configs], consult_of__isnull=True)
        .filter(answered | Q(status=ContactStatus.ABANDONED, ended_at__gte=start, ended_at__lt=end))
        .values("queue_name")
        .annotate(
            answered=Count("id", filter=answered),
            within=Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
            abandoned=Count("id", filter=Q(status=ContactStatus.ABANDONED, ended_at__gte=start, ended_at__lt=end)),
            asa=Avg("wait_seconds", filter=answered),
            aht=Avg("handle_seconds", filter=answered & Q(status=ContactStatus.COMPLETED)),
        )
    }


def queue_stats(*, now: datetime | None = None) -> list[QueueStats]:
    """One row per queue: five queries whatever the number of queues, contacts or agents.

    "Today" is the local day of settings.TIME_ZONE. Service level = answered within the queue's
    threshold / (answered + abandoned)."""
    now = now or timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    configs = list(QueueConfig.objects.order_by("name"))
    names = [config.name for config in configs]
    open_rows = {
        row["queue_name"]: row
        # A consult is no caller in its queue (queue_rollups.COUNTED).
        for row in WaitingContact.objects.filter(
            queue_name__in=names, status__in=OPEN_CONTACT_STATUSES, consult_of__isnull=True
        )
        .values("queue_name")
        .annotate(
            waiting=Count("id", filter=Q(status=ContactStatus.WAITING)),
            offered=Count("id", filter=Q(status=ContactStatus.OFFERED)),
            callbacks=Count("id", filter=Q(kind=ContactKind.CALLBACK)),
            oldest=Min("enqueued_at", filter=Q(status=ContactStatus.WAITING)),
        )
    }
    today_rows = _settled_today(configs=configs, start=day_start, end=day_start + timedelta(days=1))
    agents: dict[str, dict[str, int]] = {}
    by_state = AgentState.objects.exclude(state=AgentStatus.OFFLINE).values("home_queue", "state")
    for row in by_state.annotate(n=Count("id")):
        agents.setdefault(row["home_queue"], {})[row["state"]] = row["n"]
    stats = []
    for config in configs:
        live = open_rows.get(config.name, {})
        today = today_rows.get(config.name, {})
        answered, abandoned = today.get("answered", 0), today.get("abandoned", 0)
        oldest = live.get("oldest")
        stats.append(
            QueueStats(
                name=config.name,
                service_level_seconds=config.service_level_seconds,
                hours=config.hours,
                waiting=live.get("waiting", 0),
                offered=live.get("offered", 0),
                callbacks_pending=live.get("callbacks", 0),
                longest_wait_seconds=max(int((now - oldest).total_seconds()), 0) if oldest else 0,
                agents=agents.get(config.name, {}),
                answered=answered,
                answered_within_service_level=today.get("within", 0),
                abandoned=abandoned,
                service_level_percent=_percent(today.get("within", 0), answered + abandoned),
                abandonment_percent=_percent(abandoned, answered + abandoned),
                average_speed_of_answer_seconds=today.get("asa"),
                average_handle_seconds=today.get("aht"),
                service_level_target_percent=config.service_level_target_percent,
            )
        )
    return stats


def agent_offer_for(*, user) -> WaitingContact | None:
    """The contact currently offered to (or connected with) the agent, if any."""
    return (
        WaitingContact.objects.filter(offered_to=user, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED])
        .order_by("-offered_at")
        .first()
    )


def agent_state_for(*, user) -> AgentState | None:
    return AgentState.objects.filter(user=user).first()


# --- live tier: consoles and reports ------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleState:
    agent: AgentState | None
    profile: StaffProfile | None
    contact: WaitingContact | None
    wrap_up: WaitingContact | None


def _contacts_with_context() -> QuerySet[WaitingContact]:
    return WaitingContact.objects.select_related(
        "interaction__topic", "agent_interaction", "escalated_from__created_by", "escalated_from__from_contact"
    )


CONSOLE_STATUSES = (ContactStatus.OFFERED, ContactStatus.CONNECTED)


def _latest_consult() -> QuerySet[WaitingContact]:
    """The consults asked on the outer contact's call, the newest first (for a Subquery)."""
    return WaitingContact.objects.filter(consult_of=OuterRef("pk")).order_by("-id")


def _on_console(contacts: QuerySet[WaitingContact], *, user) -> QuerySet[WaitingContact]:
    """The contact an agent's console shows (offered to or connected with them, the newest), with
    the newest consult asked on its call: one rule for the page and for its poll."""
    return (
        contacts.filter(offered_to=user, status__in=CONSOLE_STATUSES)
        .annotate(consult_latest_id=Subquery(_latest_consult().values("pk")[:1]))
        .order_by("-offered_at")
    )


def _follows_consult(*, status: str, call_sid: str | None, consult_id: int | None) -> bool:
    """The console follows a consult asked on the phone call the agent is on."""
    return status == ContactStatus.CONNECTED and bool(call_sid) and consult_id is not None


def console_state(*, user) -> ConsoleState:
    """What an agent's console shows: their state, the contact offered to or connected with them,
    or the contact they are wrapping up."""
    agent = AgentState.objects.filter(user=user).first()
    contact = _on_console(_contacts_with_context(), user=user).first()
    wrap_up = None
    if agent is not None and agent.state == AgentStatus.WRAP_UP:
        pending = wrap_up_pending_contact_id(user=user)
        if pending is not None:
            wrap_up = _contacts_with_context().filter(pk=pending).first()
    return ConsoleState(agent=agent, profile=staff_profile_for(user=user), contact=contact, wrap_up=wrap_up)


def live_contact_allowed_actions(*, contact: WaitingContact, user) -> frozenset[str]:
    """What `user` (None: the system) may do with the live contact now (live_workflows.LIVE_CONTACT)."""
    return LIVE_CONTACT.allowed_actions(contact, user)


def agent_allowed_actions(*, agent: AgentState | None, user) -> frozenset[str]:
    """The states the agent may choose now (live_workflows.AGENT); an agent never signed on is offline."""
    return AGENT.allowed_actions(agent if agent is not None else AgentState(user=user), user)


def console_consult(state: ConsoleState) -> WaitingContact | None:
    """The consult asked on the agent's call (under way, or the last one, to say how it ended),
    read in full only when there is one."""
    contact = state.contact
    if contact is None or not _follows_consult(
        status=contact.status, call_sid=contact.call_sid, consult_id=getattr(contact, "consult_latest_id", None)
    ):
        return None
    return consult_latest(contact=contact)


def _glance(agent: tuple | None, contact: tuple | None, consult: tuple | None) -> tuple[str, ...]:
    """What the polled part of the console shows, in short: the agent's (state, since, reason,
    extended), the contact's (id, status, call sid) and the consult's (id, status)."""
    state, since, reason, extended = agent if agent is not None else ("", None, "", "")
    return (
        state,
        since.isoformat() if since else "",
        reason or "",
        str(extended) if agent is not None else "",
        str(contact[0]) if contact else "",
        contact[1] if contact else "",
        f"{consult[0]}:{consult[1]}" if consult else "",
        "holder" if contact and contact[2] else "",
    )


def console_glance_of(state: ConsoleState, consult: WaitingContact | None) -> tuple[str, ...]:
    """`console_glance`, from what the page is drawn with: the poll's cheap reading and the page's
    own must agree (tests/contactcenter/test_console_offer.py)."""
    agent, contact = state.agent, state.contact or state.wrap_up
    return _glance(
        (agent.state, agent.state_since, agent.reason_code, agent.wrap_up_extended) if agent else None,
        (contact.pk, contact.status, contact.call_sid) if contact else None,
        (consult.pk, consult.status) if consult else None,
    )


def console_glance(*, user) -> tuple[str, ...]:
    """What the polled part of an agent's console depends on, in a few small queries (values only).
    The console's poll compares it with what the page shows, most times to answer "nothing changed":
    it must stay cheap (`console_state` compiles a wide join)."""
    agent = (
        AgentState.objects.filter(user=user)
        .values_list("state", "state_since", "reason_code", "wrap_up_extended")
        .first()
    )
    row = (
        _on_console(WaitingContact.objects, user=user)
        .annotate(consult_latest_status=Subquery(_latest_consult().values("status")[:1]))
        .values_list("pk", "status", "call_sid", "consult_latest_id", "consult_latest_status")
        .first()
    )
    contact = consult = None
    if row is not None:
        contact = row[:3]
        if _follows_consult(status=row[1], call_sid=row[2], consult_id=row[3]):
            consult = row[3:]
    elif agent is not None and agent[0] == AgentStatus.WRAP_UP:
        pending = wrap_up_pending_contact_id(user=user)
        if pending is not None:
            contact = WaitingContact.objects.filter(pk=pending).values_list("pk", "status", "call_sid").first()
    return _glance(agent, contact, consult)


def not_ready_reasons(*, active_only: bool = True) -> list[NotReadyReason]:
    reasons = NotReadyReason.objects.order_by("order", "code")
    return list(reasons.filter(active=True) if active_only else reasons)


def reason_label(reasons: list[NotReadyReason], code: str, language: str) -> str:
    """The label of a reason code in the reader's language (the code itself once the reason is gone)."""
    for reason in reasons:
        if reason.code == code:
            return reason.label_for(language)
    return code


DEFAULT_AFTER_CALL_WORK_SECONDS = 120


def after_call_work_ends_at(*, agent: AgentState, contact: WaitingContact) -> datetime:
    """When an agent's wrap-up of `contact` ends by itself: its queue's after-call time from the end
    of the conversation, twice that once the agent extended it."""
    limit = (
        QueueConfig.objects.filter(name=contact.queue_name).values_list("after_call_work_seconds", flat=True).first()
    )
    seconds = limit if limit is not None else DEFAULT_AFTER_CALL_WORK_SECONDS
    return agent.state_since + timedelta(seconds=seconds * (2 if agent.wrap_up_extended else 1))


def wrap_up_disposition_default(contact: WaitingContact) -> str:
    """What a wrap-up proposes (and what one closed by the time limit records): what the
    conversation itself shows happened."""
    from .models import Disposition

    if contact.disposition == Disposition.ESCALATED:
        return Disposition.ESCALATED
    if contact.kind == ContactKind.CALLBACK and contact.status != ContactStatus.COMPLETED:
        return Disposition.NO_ANSWER
    if contact.service_requests.exists():
        return Disposition.SERVICE_REQUEST
    return Disposition.INFORMATION


def queue_configs_list() -> list[QueueConfig]:
    return list(QueueConfig.objects.order_by("tier", "name"))


def queue_config_get(*, name: str) -> QueueConfig | None:
    return QueueConfig.objects.filter(name=name).first()


def wrap_up_pending_contact_id(*, user) -> int | None:
    """The contact an agent still has to wrap up: the one their last move into wrap-up names, while
    it has no wrap-up time (a callback nobody answered is back in line, so the contact's own agent
    field cannot say)."""
    last = (
        AgentStateChange.objects.filter(agent=user, to_state=AgentStatus.WRAP_UP)
        .order_by("-at", "-id")
        .values_list("contact_id", flat=True)
        .first()
    )
    if last is None or not WaitingContact.objects.filter(pk=last, wrap_up_seconds__isnull=True).exists():
        return None
    return last


@dataclass(frozen=True)
class ReceiptContext:
    receipt_number: str
    case: BenefitCase | None
    outside_normal: bool | None
    contacts: list[Interaction]


def contact_receipt_context(*, user, contact: WaitingContact) -> list[ReceiptContext]:
    """For each receipt number of a contact: the case on file and every other contact about it on
    any channel, the IVR call or Tier 1 conversation that led here included (this conversation's own
    entry left out)."""
    own = {contact.agent_interaction_id} - {None}
    rows = []
    for receipt_number in contact.receipt_numbers:
        case = case_get(receipt_number=receipt_number)
        rows.append(
            ReceiptContext(
                receipt_number=receipt_number,
                case=case,
                outside_normal=case_outside_normal_processing(case=case) if case else None,
                contacts=[
                    interaction
                    for interaction in interactions_for_receipt_number(user=user, receipt_number=receipt_number)[:20]
                    if interaction.pk not in own
                ],
            )
        )
    return rows


def service_requests_list(
    *, receipt_number: str | None = None, status: str | None = None, created_by=None
) -> QuerySet[ServiceRequest]:
    queryset = ServiceRequest.objects.select_related("form", "office", "created_by", "reviewed_by")
    if receipt_number:
        queryset = queryset.filter(receipt_number=normalize_receipt_number(receipt_number))
    if status:
        queryset = queryset.filter(status=status)
    if created_by is not None:
        queryset = queryset.filter(created_by=created_by)
    return queryset


def service_requests_awaiting_review() -> QuerySet[ServiceRequest]:
    return service_requests_list(status=ServiceRequestStatus.PENDING_REVIEW).order_by("due_on", "id")


def service_request_allowed_actions(*, request: ServiceRequest, user) -> frozenset[str]:
    return SERVICE_REQUEST.allowed_actions(request, user)


def escalation_for(*, contact: WaitingContact) -> Escalation | None:
    return Escalation.objects.select_related("created_by", "from_contact").filter(to_contact=contact).first()


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def contacts_by_hour(*, day: date) -> list[dict]:
    """Today's live contacts hour by hour (local time): queued, answered, abandoned."""
    start, end = _day_bounds(day)
    if queue_rollups.uses_rollups():  # the same counters as the queue report, from its rollups
        rows = queue_rollups.by_hour(start=start, end=end)
        return [{"hour": hour, **rows.get(hour, {"queued": 0, "answered": 0, "abandoned": 0})} for hour in range(24)]
    rows = {
        row["hour"]: row
        for row in WaitingContact.objects.filter(enqueued_at__gte=start, enqueued_at__lt=end, consult_of__isnull=True)
        .annotate(hour=ExtractHour("enqueued_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(
            queued=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            abandoned=Count("id", filter=Q(status=ContactStatus.ABANDONED)),
        )
    }
    return [
        {"hour": hour, **{key: rows.get(hour, {}).get(key, 0) for key in ("queued", "answered", "abandoned")}}
        for hour in range(24)
    ]


def _average(total: int, count: int) -> float | None:
    return total / count if count else None


def queue_history(*, start: date, end: date, queue_name: str | None = None, language: str | None = None) -> list[dict]:
    """Day × queue × language: contacts, answered, answered within the queue's service level,
    abandoned, service level %, abandonment %, average speed of answer, average handle and wrap-up.

    Summed from 15-minute rollups, the stale intervals counted from the contacts (queue_rollups)."""
    result = []
    for row in queue_rollups.by_day(
        start=_day_bounds(start)[0], end=_day_bounds(end)[1], queue_name=queue_name, language=language
    ):
        settled = row["answered"] + row["abandoned"]
        result.append(
            {
                "day": row["day"],
                "queue_name": row["queue_name"],
                "language": row["language"],
                "contacts": row["contacts"],
                "answered": row["answered"],
                "within": row["answered_within"],
                "abandoned": row["abandoned"],
                "asa": _average(row["wait_sum"], row["wait_count"]),
                "aht": _average(row["handle_sum"], row["handle_count"]),
                "wrap": _average(row["wrap_sum"], row["wrap_count"]),
                "wrap_total": row["wrap_sum"] if row["wrap_count"] else None,
                "service_level_percent": _percent(row["answered_within"], settled),
                "abandonment_percent": _percent(row["abandoned"], settled),
            }
        )
    return result


def calls_connected(*, limit: int = 200) -> list[WaitingContact]:
    """The calls agents are on now, longest first: the wallboard's live monitor. Read through the
    one-contact-per-agent index (offered or connected), so as many rows as agents on a call."""
    return list(
        WaitingContact.objects.filter(status=ContactStatus.CONNECTED, offered_to__isnull=False)
        .select_related("offered_to")
        .order_by("answered_at", "id")[:limit]
    )


def monitor_sessions_open() -> list[MonitorSession]:
    """Supervisors in a call now (listening, whispering or barged in)."""
    return list(
        MonitorSession.objects.filter(ended_at__isnull=True, contact__status=ContactStatus.CONNECTED).select_related(
            "supervisor"
        )[:200]
    )


def monitor_session_of(*, user) -> MonitorSession | None:
    """The call the supervisor is in now, if any (a session whose call ended some other way than
    through the conference's callbacks is not shown as one)."""
    return MonitorSession.objects.filter(
        supervisor=user, ended_at__isnull=True, contact__status=ContactStatus.CONNECTED
    ).first()


def agents_signed_on() -> QuerySet[AgentState]:
    """Every agent not offline, longest in their state first: the wallboard's agent list."""
    return (
        AgentState.objects.exclude(state=AgentStatus.OFFLINE)
        .select_related("user")
        .order_by("home_queue", "state_since", "id")
    )


def tier2_officers_signed_in() -> dict[str, int]:
    """Tier 2 officers signed in now (any state but offline) who could take an escalation in each
    language: homed in that language's Tier 2 queue, or speaking it (they take it on overflow)."""
    from .models import Language, Tier

    signed_in = AgentState.objects.filter(tier=Tier.TIER2).exclude(state=AgentStatus.OFFLINE)
    return {
        code: signed_in.filter(Q(home_queue=f"tier2-{code}") | Q(languages__contains=f",{code},")).count()
        for code in Language.values
    }


def service_request_submitted(*, user, submission_token: str | None) -> ServiceRequest | None:
    """The service request this user's form with this one-time token already created, if any."""
    if not submission_token:
        return None
    return ServiceRequest.objects.filter(submission_token=submission_token, created_by=user).first()


# --- caller verification ------------------------------------------------------------------------
@dataclass(frozen=True)
class VerificationState:
    """What a contact's caller has proved: the receipt numbers they verified, and the A-numbers they
    answered (whose every case they may then act on); whether verification is locked."""

    receipt_numbers: frozenset[str]
    a_numbers: frozenset[str]
    failures: int
    locked: bool
    tries_left: int

    @property
    def verified(self) -> bool:
        return bool(self.receipt_numbers)

    def covers(self, case: BenefitCase | None) -> bool:
        return case is not None and (
            case.receipt_number in self.receipt_numbers or (bool(case.a_number) and case.a_number in self.a_numbers)
        )


def _verification_contacts(contact: WaitingContact) -> list[int]:
    """The contact and, for a Tier 2 contact, the Tier 1 conversation it was escalated from: the same
    call, whose caller the CSR already verified."""
    earlier = Escalation.objects.filter(to_contact_id=contact.pk).values_list("from_contact_id", flat=True).first()
    return [contact.pk] if earlier is None else [contact.pk, earlier]


def caller_verification_state(*, contact: WaitingContact) -> VerificationState:
    tries = CallerVerification.objects.filter(contact_id__in=_verification_contacts(contact))
    passed = list(
        tries.filter(outcome=VerificationOutcome.PASSED, step=VerificationStep.VERIFY)
        .select_related("case")
        .only("receipt_number", "checks", "case__a_number")
    )
    failures = tries.filter(outcome=VerificationOutcome.FAILED).count()
    limit = settings.CALLER_VERIFICATION_FAILURES_PER_CONTACT
    # A receipt number of this caller that others failed on too often (within 24 hours) locks as well.
    receipt_locked = (
        CallerVerification.objects.filter(
            outcome=VerificationOutcome.FAILED,
            receipt_number__in=contact.receipt_numbers,
            created_at__gt=timezone.now() - timedelta(hours=24),
        )
        .values("receipt_number")
        .annotate(failed=Count("id"))
        .filter(failed__gte=settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT)
        .exists()
    )
    return VerificationState(
        receipt_numbers=frozenset(row.receipt_number for row in passed),
        a_numbers=frozenset(row.case.a_number for row in passed if row.a_number_matched and row.case.a_number),
        failures=failures,
        locked=failures >= limit or receipt_locked,
        tries_left=0 if receipt_locked else max(limit - failures, 0),
    )


def caller_verification_failures(
    *, receipt_number: str, contact: WaitingContact | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Failed tries of this contact's caller, and failed tries on this receipt number in the last 24
    hours on any contact or none."""
    now = now or timezone.now()
    failed = CallerVerification.objects.filter(outcome=VerificationOutcome.FAILED)
    by_contact = failed.filter(contact_id__in=_verification_contacts(contact)).count() if contact else 0
    by_receipt = failed.filter(receipt_number=receipt_number, created_at__gt=now - timedelta(hours=24)).count()
    return by_contact, by_receipt


def caller_verification_locked(
    *, receipt_number: str, contact: WaitingContact | None = None, now: datetime | None = None
) -> bool:
    by_contact, by_receipt = caller_verification_failures(receipt_number=receipt_number, contact=contact, now=now)
    return (
        by_contact >= settings.CALLER_VERIFICATION_FAILURES_PER_CONTACT
        or by_receipt >= settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT
    )


def connected_contact_for(*, user) -> WaitingContact | None:
    """The live contact an agent has on the line now, if any."""
    return (
        WaitingContact.objects.filter(offered_to=user, status=ContactStatus.CONNECTED).order_by("-answered_at").first()
    )


def caller_verified_for(*, contact: WaitingContact | None, case: BenefitCase | None) -> bool:
    """Whether the caller on this contact (or on the Tier 1 call it was escalated from) proved this case."""
    return contact is not None and caller_verification_state(contact=contact).covers(case)


# Roles that work cases in writing or oversee: they see a case's identity without a caller to verify.
IDENTITY_WITHOUT_VERIFICATION = frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.SUPERVISOR})


def case_identity_visible(*, user, case: BenefitCase | None) -> bool:
    """A CSR or ISO sees a case's date of birth, A-number and address only while the caller on their
    line has passed verification for it: knowing them is what proves the caller."""
    if case is None:
        return False
    if user_roles(user) & IDENTITY_WITHOUT_VERIFICATION:
        return True
    return caller_verified_for(contact=connected_contact_for(user=user), case=case)


def written_request_get(*, interaction_id: int) -> Interaction | None:
    """A written request in the ledger (channel written) with its identifiers."""
    return (
        Interaction.objects.filter(pk=interaction_id, channel=Channel.WRITTEN).prefetch_related("identifiers").first()
    )


def transfer_queues(*, contact: WaitingContact) -> list[str]:
    """The queues an agent may cold-transfer this caller to: Tier 1's go to another Tier 1 queue
    (Tier 2 is reached by escalation), Tier 2's to any other active queue."""
    queues = QueueConfig.objects.filter(active=True).exclude(name=contact.queue_name)
    if contact.tier == 1:
        queues = queues.filter(tier=1)
    return list(queues.order_by("tier", "name").values_list("name", flat=True))


# --- call recordings ------------------------------------------------------------------------------
def recording_get(*, user, recording_id: int) -> CallRecording | None:
    """A recording the user may listen to; None for anyone else (or none such)."""
    if not user_roles(user) & RECORDING_LISTENER_ROLES:
        return None
    return CallRecording.objects.select_related("contact").filter(pk=recording_id).first()


def recordings_by_interaction(*, user, interaction_ids: list[int]) -> dict[int, list[CallRecording]]:
    """The recordings of the conversations listed (a case's contact history), for a user who may
    listen to them; empty for anyone else."""
    if not interaction_ids or not user_roles(user) & RECORDING_LISTENER_ROLES:
        return {}
    found: dict[int, list[CallRecording]] = {}
    for recording in CallRecording.objects.filter(interaction_id__in=interaction_ids).order_by("started_at", "id"):
        found.setdefault(recording.interaction_id, []).append(recording)
    return found


def consult_latest(*, contact: WaitingContact) -> WaitingContact | None:
    """The newest consult asked on a contact's call: under way, or how the last one ended (the
    console says when nobody answered)."""
    return WaitingContact.objects.select_related("offered_to").filter(consult_of=contact).order_by("-id").first()


def staff_agent_lines() -> QuerySet[StaffProfile]:
    """Tier 1 and Tier 2 agents with where their calls ring (a desk phone or SIP line, or the browser)."""
    return StaffProfile.objects.exclude(tier=Tier.NONE).select_related("user").order_by("user__username")
