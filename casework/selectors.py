"""Reads of CAO casework that the consoles, the API, the tasks and the reports share."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy

from contactcenter import selectors as core_selectors
from contactcenter.reference.identifiers import is_receipt_number, normalize_receipt_number
from contactcenter.staff.roles import CASEWORK_ROLES, Role, user_roles

from .models import (
    OPEN_STATUSES,
    ActivityKind,
    Attachment,
    Inquiry,
    InquiryActivity,
    InquiryStatus,
    Response,
    ResponseKind,
    ResponseStatus,
    ResponseTemplate,
    SlaTarget,
    Source,
    TripRedress,
)
from .sla import (
    DEFAULT_BUSINESS_DAYS,
    DEFAULT_DUE_SOON_DAYS,
    DEFAULT_SENDER_DOMAINS,
    add_business_days,
    business_days_between,
)
from .workflows import INQUIRY, RESPONSE

User = get_user_model()


# --- SLA -----------------------------------------------------------------------------------------
def sla_target_for(*, source: str) -> tuple[int, int]:
    """(business days to answer, business days before due that count as due soon) for a source."""
    target = SlaTarget.objects.filter(source=source).first()
    if target is not None:
        return target.business_days, target.due_soon_days
    return DEFAULT_BUSINESS_DAYS.get(source, DEFAULT_BUSINESS_DAYS[Source.OTHER]), DEFAULT_DUE_SOON_DAYS


def source_for_sender(*, email: str) -> str | None:
    """The source an e-mail address writes for, by its domain (admin-configured first)."""
    domain = (email or "").rsplit("@", 1)[-1].lower().strip()
    if not domain:
        return None
    configured = {target.source: target.domains() for target in SlaTarget.objects.exclude(sender_domains="")}
    for table in (configured, DEFAULT_SENDER_DOMAINS):
        for source, domains in table.items():
            if any(domain == d or domain.endswith("." + d) for d in domains):
                return source
    return None


def sla_targets() -> dict[str, tuple[int, int]]:
    """sla_target_for every source at once (one query), for a list that shows many inquiries."""
    configured = {
        source: (days, soon)
        for source, days, soon in SlaTarget.objects.values_list("source", "business_days", "due_soon_days")
    }
    return {
        source: configured.get(
            source, (DEFAULT_BUSINESS_DAYS.get(source, DEFAULT_BUSINESS_DAYS[Source.OTHER]), DEFAULT_DUE_SOON_DAYS)
        )
        for source in Source.values
    }


def sla_state(*, inquiry: Inquiry, today: date | None = None, targets: dict[str, tuple[int, int]] | None = None) -> str:
    """ "paused", "overdue", "due_soon", "on_track" or "" (answered). A list passes `targets`
    (sla_targets()) so its rows share one query."""
    if not inquiry.is_open:
        return ""
    if inquiry.status == InquiryStatus.ON_HOLD:
        return "paused"
    today = today or timezone.localdate()
    if today > inquiry.due_on:
        return "overdue"
    _days, due_soon = (targets or {}).get(inquiry.source) or sla_target_for(source=inquiry.source)
    return "due_soon" if business_days_between(today, inquiry.due_on) <= due_soon else "on_track"


def last_due_soon_day(*, source: str, today: date) -> date:
    """The last due date sla_state calls "due soon" today for this source (business days from today
    to the due date at most the source's due-soon days): the queue's SLA filter uses it, so the
    filter and the badges agree."""
    _days, due_soon = sla_target_for(source=source)
    return add_business_days(today, due_soon + 1) - timedelta(days=1)


# --- inquiries -----------------------------------------------------------------------------------
def _base() -> QuerySet[Inquiry]:
    return Inquiry.objects.select_related("correspondent", "assignee", "trip")


def trip_only(user) -> bool:
    """A TSA liaison without a CAO role sees DHS TRIP items and nothing else."""
    roles = user_roles(user)
    return Role.TSA_LIAISON in roles and not (roles & CASEWORK_ROLES)


def visible_to(user, prefix: str = "") -> Q:
    """The inquiries `user` may see (through `prefix`, e.g. "inquiry__", from a related table): a TSA
    liaison only DHS TRIP ones; a sensitive one only its named analysts and CAO supervisors. Every
    list, page, search, API endpoint and export of inquiries reads through this."""
    found = Q()
    if trip_only(user):
        found &= Q(**{f"{prefix}source": Source.TSA_TRIP})
    if Role.CAO_SUPERVISOR not in user_roles(user):
        named = Inquiry.sensitive_readers.through.objects.filter(user_id=user.pk).values("inquiry_id")
        found &= Q(**{f"{prefix}sensitive": False}) | Q(**{f"{prefix}pk__in": named})
    return found


def inquiry_list_for(*, user) -> QuerySet[Inquiry]:
    return _base().filter(visible_to(user))


def hidden_inquiry_ids(*, user, ids: Iterable[int]) -> set[int]:
    """Of these inquiries, the ones `user` may not see (a case view leaves their ledger entries out)."""
    ids = set(ids)
    return ids - set(inquiry_list_for(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def inquiry_may_set_sensitivity(*, inquiry: Inquiry, user) -> bool:
    """A CAO supervisor, or the analyst the inquiry is assigned to, marks it sensitive or not."""
    if user is None or not user.pk:
        return False
    roles = user_roles(user)
    return Role.CAO_SUPERVISOR in roles or (Role.CAO_ANALYST in roles and inquiry.assignee_id == user.pk)


def sensitive_reader_choices() -> QuerySet:
    """The analysts a sensitive inquiry may name (supervisors see every one anyway)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.CAO_ANALYST)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def inquiry_queue(
    *,
    user,
    status: str | None = None,
    source: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    sla: str | None = None,
    search: str | None = None,
    open_only: bool = True,
) -> QuerySet[Inquiry]:
    """The triage queue: earliest due first, then the most urgent."""
    qs = inquiry_list_for(user=user)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if source:
        qs = qs.filter(source=source)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    today = timezone.localdate()
    if sla == "overdue":
        qs = qs.filter(due_on__lt=today).exclude(status=InquiryStatus.ON_HOLD)
    elif sla == "paused":
        qs = qs.filter(status=InquiryStatus.ON_HOLD)
    elif sla in ("due_soon", "on_track"):
        running = qs.filter(status__in=OPEN_STATUSES, due_on__gte=today).exclude(status=InquiryStatus.ON_HOLD)
        soon = Q()
        for source in Source.values:
            soon |= Q(source=source, due_on__lte=last_due_soon_day(source=source, today=today))
        qs = running.filter(soon) if sla == "due_soon" else running.exclude(soon)
    if search:
        # Matches keep the queue's order (not ts_rank): the planner can then stop early on the
        # queue-order index for a common word instead of ranking every match.
        qs = inquiry_search(queryset=qs, text=search)
    return qs.order_by("due_on", "priority", "id")


# The non-Postgres search: these columns and the words typed, through fold() on both sides.
SEARCHED_COLUMNS = ("subject", "body", "correspondent__name", "correspondent__email")
FOLD_FUNCTION = "casework_fold"


def fold(value: str | None) -> str | None:
    """Text as search compares it: case-folded, accents dropped ("María" and "MARIA" are "maria",
    "Straße" is "strasse"). Deterministic; registered in SQLite as FOLD_FUNCTION."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def register_fold_function(sender, connection, **kwargs) -> None:
    """connection_created: give each SQLite connection FOLD_FUNCTION (Postgres has unaccent)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


CONFIRMATION_NUMBER = re.compile(r"^CAO-?([A-HJKMNP-Z2-9]{8})$", re.IGNORECASE)


def inquiry_search(*, queryset: QuerySet[Inquiry], text: str) -> QuerySet[Inquiry]:
    """Full-text search over subject, body and correspondent (the trigger-maintained vector,
    accent-insensitive on Postgres); a confirmation number (CAO-7K3M9QX2, any case, dash or not)
    finds its inquiry and a receipt number in any common format the inquiries linked to it."""
    text = text.strip()
    if connection.vendor == "postgresql":
        unaccented = Func(Value(text), function="unaccent")
        found = Q(search=SearchQuery(unaccented, config="english", search_type="websearch"))
        if "@" in text:  # an address or part of one ("@example.org"), as typed
            found |= Q(correspondent__email__icontains=text)
    else:  # SQLite: a substring match, both sides folded (case and accents) by FOLD_FUNCTION
        folded = fold(text)
        found = Q()
        for column in SEARCHED_COLUMNS:
            found |= Q(Contains(Func(F(column), function=FOLD_FUNCTION), folded))
    reference = CONFIRMATION_NUMBER.match(text)
    receipt = is_receipt_number(text)
    if not reference and not receipt:
        return queryset.filter(found)
    if reference:
        found |= Q(reference=f"CAO-{reference.group(1).upper()}")
    if receipt:
        ledger = core_selectors.ledger_ids_for_receipt_number(
            receipt_number=text, source_app="casework", source_model="inquiry"
        )
        found |= Q(interaction__in=ledger) | Q(cases__receipt_number=normalize_receipt_number(text))
    return queryset.filter(found).distinct()


def inquiry_get(*, user, pk: int) -> Inquiry | None:
    return (
        inquiry_list_for(user=user)
        .prefetch_related("attachments", "cases__status", "cases__form")
        .filter(pk=pk)
        .first()
    )


def inquiry_links(*, user, inquiry: Inquiry) -> tuple[Inquiry | None, list[Inquiry]]:
    """(the inquiry this one quoted, the inquiries that quoted this one), each only if the user may
    open it: mail from someone other than the correspondent is linked, never threaded."""
    visible = inquiry_list_for(user=user)
    refers_to = visible.filter(pk=inquiry.refers_to_id).first() if inquiry.refers_to_id else None
    return refers_to, list(visible.filter(refers_to=inquiry).order_by("received_at", "id"))


def attachment_get(*, user, inquiry_pk: int, pk: int) -> Attachment | None:
    """An attachment of an inquiry the user may open (a TSA liaison: DHS TRIP inquiries only)."""
    return (
        Attachment.objects.select_related("inquiry")
        .filter(inquiry__in=inquiry_list_for(user=user).values("pk"), inquiry_id=inquiry_pk, pk=pk)
        .first()
    )


def inquiry_by_reference(*, reference: str) -> Inquiry | None:
    return _base().filter(reference=reference.upper()).first()


@dataclass(frozen=True)
class PublicStatus:
    """All a correspondent is told on the public status page: no name, text or analyst."""

    reference: str
    status_text: str
    received_on: date
    updated_on: date
    target_reply_on: date | None
    answered_on: date | None


# Each status in plain words for the public page (the reader's language when shown).
PUBLIC_STATUS_TEXT = {
    InquiryStatus.RECEIVED: gettext_lazy("We received your inquiry. It is waiting for an analyst."),
    InquiryStatus.TRIAGED: gettext_lazy("We received your inquiry. It is waiting for an analyst."),
    InquiryStatus.ASSIGNED: gettext_lazy("An analyst is working on your inquiry."),
    InquiryStatus.DRAFTING: gettext_lazy("An analyst is working on your inquiry."),
    InquiryStatus.IN_REVIEW: gettext_lazy("Our reply is being checked before we send it."),
    InquiryStatus.ON_HOLD: gettext_lazy("Your inquiry is waiting for information before we can continue."),
    InquiryStatus.SENT: gettext_lazy("We sent our reply."),
    InquiryStatus.CLOSED: gettext_lazy("Your inquiry is closed."),
}


def confirmation_number(text: str) -> str | None:
    """A confirmation number as typed (any case, dash or not) in its stored form, e.g. CAO-7K3M9QX2."""
    match = CONFIRMATION_NUMBER.match((text or "").strip())
    return f"CAO-{match.group(1).upper()}" if match else None


def inquiry_public_status(*, reference: str, email: str) -> PublicStatus | None:
    """The status of the inquiry with this confirmation number, if it was sent from this e-mail
    address (any case); None alike for a number that does not exist and an address that does not match."""
    reference, email = confirmation_number(reference), (email or "").strip()
    if reference is None or not email:
        return None
    inquiry = (
        Inquiry.objects.filter(reference=reference, correspondent__email__iexact=email)
        .only("reference", "status", "received_at", "due_on", "responded_at")
        .first()
    )
    if inquiry is None:
        return None
    last = (
        InquiryActivity.objects.filter(inquiry=inquiry, kind=ActivityKind.STATUS)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return PublicStatus(
        reference=inquiry.reference,
        status_text=str(PUBLIC_STATUS_TEXT[inquiry.status]),
        received_on=timezone.localdate(inquiry.received_at),
        updated_on=timezone.localdate(last or inquiry.received_at),
        target_reply_on=inquiry.due_on if inquiry.is_open else None,
        answered_on=timezone.localdate(inquiry.responded_at) if inquiry.responded_at else None,
    )


def inquiry_public_status_id(*, reference: str) -> int | None:
    """The inquiry a public status check asked about, for its audit row only."""
    reference = confirmation_number(reference)
    if reference is None:
        return None
    return Inquiry.objects.filter(reference=reference).values_list("pk", flat=True).first()


def inquiry_by_message_id(*, message_id: str) -> Inquiry | None:
    return _base().filter(message_id=message_id).first()


def inquiry_by_submission_token(*, token: str) -> Inquiry | None:
    return _base().filter(submission_token=token).first() if token else None


def message_id_seen(*, message_id: str) -> bool:
    return (
        Inquiry.objects.filter(message_id=message_id).exists()
        or InquiryActivity.objects.filter(message_id=message_id).exists()
    )


def inquiry_allowed_actions(*, inquiry: Inquiry, user) -> frozenset[str]:
    """What `user` (None: the system) may do to the inquiry now, by the workflow's table."""
    return INQUIRY.allowed_actions(inquiry, user)


def inquiry_actions_offered(*, user) -> bool:
    """Whether the workflow's table gives `user` any action on an inquiry (in some state): the
    inquiry page shows them its actions."""
    return INQUIRY.offers_actions_to(user)


def inquiry_activities(*, inquiry: Inquiry) -> QuerySet[InquiryActivity]:
    return InquiryActivity.objects.select_related("actor").filter(inquiry=inquiry)


def inquiries_for_receipt_number(*, user, receipt_number: str) -> QuerySet[Inquiry]:
    """The inquiries about a receipt number, found through the core's ledger (any database)."""
    ledger = core_selectors.ledger_ids_for_receipt_number(
        receipt_number=receipt_number, source_app="casework", source_model="inquiry"
    )
    return inquiry_list_for(user=user).filter(interaction__in=ledger).order_by("-received_at")


def referrals_awaiting_intake(*, user) -> QuerySet:
    """Calls a CSR or ISO closed as "referred to CAO casework", not yet taken up as an inquiry."""
    return core_selectors.cao_referrals_pending(user=user)


def referral_awaiting_intake(*, user, interaction_id: int):
    return referrals_awaiting_intake(user=user).filter(pk=interaction_id).first()


def assignable_staff() -> QuerySet:
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.CAO_ANALYST, Role.CAO_SUPERVISOR])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def cao_supervisors() -> QuerySet:
    return User.objects.filter(is_active=True, groups__name=Role.CAO_SUPERVISOR).distinct()


def inquiries_to_remind(*, today: date) -> list[Inquiry]:
    """Open, assigned, not on hold, due within the source's due-soon window, not reminded today."""
    candidates = (
        _base()
        .filter(status__in=OPEN_STATUSES, assignee__isnull=False, due_on__gte=today)
        .exclude(status=InquiryStatus.ON_HOLD)
        .exclude(reminded_on=today)
    )
    targets = sla_targets()
    return [inquiry for inquiry in candidates if sla_state(inquiry=inquiry, today=today, targets=targets) == "due_soon"]


def inquiries_to_escalate(*, today: date) -> QuerySet[Inquiry]:
    return (
        _base()
        .filter(status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True)
        .exclude(status=InquiryStatus.ON_HOLD)
    )


def inquiries_confirmation_pending(*, older_than) -> list[int]:
    return list(
        Inquiry.objects.filter(
            confirmation_sent_at__isnull=True, confirmation_failed_at__isnull=True, created_at__lt=older_than
        )
        .exclude(correspondent__email="")
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


# --- responses -----------------------------------------------------------------------------------
def response_templates(*, language: str | None = None) -> QuerySet[ResponseTemplate]:
    qs = ResponseTemplate.objects.filter(active=True)
    return qs.filter(language=language) if language else qs


def responses_for(*, inquiry: Inquiry) -> QuerySet[Response]:
    return Response.objects.select_related("drafted_by", "reviewed_by", "template").filter(inquiry=inquiry)


def response_list_for(*, user) -> QuerySet[Response]:
    return Response.objects.select_related("inquiry", "drafted_by", "reviewed_by").filter(visible_to(user, "inquiry__"))


def response_allowed_actions(*, response: Response, user) -> frozenset[str]:
    """What `user` (None: the system) may do to the response now, by the workflow's table."""
    return RESPONSE.allowed_actions(response, user)


def responses_awaiting_review() -> QuerySet[Response]:
    return Response.objects.select_related("inquiry", "drafted_by").filter(status=ResponseStatus.IN_REVIEW)


def responses_send_pending(*, older_than, retry_lost_before=None) -> list[int]:
    """Approved e-mail responses never tried, or (before `retry_lost_before`) whose retries stopped."""
    retrying = Q(send_attempts__gt=0)
    if retry_lost_before is not None:
        retrying &= Q(updated_at__gte=retry_lost_before)
    return list(
        Response.objects.filter(status=ResponseStatus.APPROVED, approved_at__lt=older_than)
        .exclude(retrying)
        .order_by("approved_at")
        .values_list("pk", flat=True)[:500]
    )


def letters_of_day(*, day: date, user) -> tuple[list[Response], list[TripRedress]]:
    """The day's letters for the mail room that `user` may see: responses approved for printing and
    mailing that day, and DHS TRIP determinations made that day, oldest first."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    responses = list(
        Response.objects.select_related("inquiry", "inquiry__correspondent", "drafted_by")
        .filter(
            kind=ResponseKind.LETTER,
            status__in=(ResponseStatus.APPROVED, ResponseStatus.SENT),
            approved_at__gte=start,
            approved_at__lt=end,
        )
        .filter(visible_to(user, "inquiry__"))
        .order_by("approved_at", "id")
    )
    trips = list(
        trip_list()
        .filter(determined_at__gte=start, determined_at__lt=end)
        .filter(visible_to(user, "inquiry__"))
        .exclude(determination_letter="")
        .order_by("determined_at", "id")
    )
    return responses, trips


# --- DHS TRIP ------------------------------------------------------------------------------------
def trip_list(*, status: str | None = None) -> QuerySet[TripRedress]:
    qs = TripRedress.objects.select_related("inquiry", "inquiry__correspondent", "inquiry__assignee")
    qs = qs.filter(status=status) if status else qs
    return qs.order_by("inquiry__due_on", "id")


def trip_list_for(*, user, status: str | None = None) -> QuerySet[TripRedress]:
    """The redress requests a user may open: a TSA liaison only those whose inquiry is DHS TRIP
    now, so a request re-classified away from TRIP leaves their view with its inquiry."""
    return trip_list(status=status).filter(visible_to(user, "inquiry__"))


def trip_search(*, user, status: str | None = None, text: str = "") -> QuerySet[TripRedress]:
    """Redress requests by status, and by words of their inquiry or their redress control number."""
    rows = trip_list_for(user=user, status=status)
    if not text:
        return rows
    found = inquiry_search(queryset=inquiry_list_for(user=user), text=text).filter(source=Source.TSA_TRIP)
    return rows.filter(inquiry__in=found) | rows.filter(redress_control_number__iexact=text)


def trip_get(*, user, pk: int) -> TripRedress | None:
    return trip_list_for(user=user).filter(pk=pk).first()


def trip_for_inquiry(*, inquiry: Inquiry) -> TripRedress | None:
    return trip_list().filter(inquiry=inquiry).first()


# --- reports -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportFigures:
    volume: list[dict]
    on_time_percent: float | None
    answered: int
    median_days: float | None
    ageing: list[dict]


AGEING_BUCKETS = [(0, 5, "0–5"), (6, 10, "6–10"), (11, 20, "11–20"), (21, 30, "21–30"), (31, 10_000, "31+")]


def casework_report(*, start: date, end: date, user=None) -> ReportFigures:
    """Volume by source and month, on-time share and median business days to respond for inquiries
    received in [start, end], and the age of today's open backlog in business days."""
    qs = inquiry_list_for(user=user) if user is not None else _base()
    period = qs.filter(received_at__date__gte=start, received_at__date__lte=end)
    volume = list(
        period.annotate(month=TruncMonth("received_at"))
        .values("month", "source")
        .annotate(count=Count("id"))
        .order_by("month", "source")
    )
    answered = list(period.filter(responded_at__isnull=False).values("received_at", "responded_at", "due_on"))
    on_time = sum(1 for row in answered if timezone.localdate(row["responded_at"]) <= row["due_on"])
    days = [
        business_days_between(timezone.localdate(row["received_at"]), timezone.localdate(row["responded_at"]))
        for row in answered
    ]
    today = timezone.localdate()
    open_received = [
        timezone.localdate(at) for at in qs.filter(status__in=OPEN_STATUSES).values_list("received_at", flat=True)
    ]
    ages = [business_days_between(received, today) for received in open_received]
    ageing = [
        {"label": label, "count": sum(1 for age in ages if low <= age <= high)} for low, high, label in AGEING_BUCKETS
    ]
    return ReportFigures(
        volume=volume,
        on_time_percent=round(100 * on_time / len(answered), 1) if answered else None,
        answered=len(answered),
        median_days=statistics.median(days) if days else None,
        ageing=ageing,
    )
