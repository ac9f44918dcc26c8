"""Reads of the customer feedback survey (OMB Circular A-11 §280): figures by channel, queue,
language and topic over a period, and the answers about one receipt number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.ledger.selectors import LEDGER_SCOPES, TRIP_TOPIC
from contactcenter.models import (
    SATISFIED_FROM,
    SURVEY_TEXT_REPLY_HOURS,
    Channel,
    Language,
    SurveyMethod,
    SurveyResponse,
)
from contactcenter.reference.identifiers import normalize_receipt_number
from contactcenter.staff.roles import user_roles

DIMENSIONS = ("channel", "queue", "language", "topic")
_GROUP_BY = {"channel": ["channel"], "queue": ["queue_name"], "language": ["language"], "topic": ["topic__code"]}


@dataclass(frozen=True)
class SurveyFigures:
    """One group's answers: how many contacts answered, and per question the answers, their mean
    (1-5) and the share that agree (4 or 5), the figure A-11 §280 reports."""

    dimension: str
    key: str
    label: str
    responses: int
    satisfaction_answers: int
    satisfaction_mean: float | None
    satisfaction_percent: int | None
    trust_answers: int
    trust_mean: float | None
    trust_percent: int | None


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def survey_responses_answered(*, start: date, end: date) -> QuerySet[SurveyResponse]:
    """Contacts that answered at least one question in the period of whole local days (an invitation
    by text not answered is not a response). Read through the created_at index: answers are a small
    share of contacts, so a year is a few hundred thousand rows at most."""
    since, until = _period(start, end)
    return SurveyResponse.objects.filter(created_at__gte=since, created_at__lt=until).filter(
        Q(satisfaction__isnull=False) | Q(trust__isnull=False)
    )


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _mean(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _label(dimension: str, key: str, language: str, topics: dict[str, tuple[str, str]]) -> str:
    if dimension == "channel":
        return str(Channel(key).label) if key in Channel.values else key
    if dimension == "language":
        return str(Language(key).label) if key in Language.values else key
    if dimension == "topic":
        names = topics.get(key)
        return (names[1] if language == "es" else names[0]) if names else key or "—"
    return key or _("No queue (self-service)")


def survey_figures(*, start: date, end: date, language: str = "en") -> dict[str, list[SurveyFigures]]:
    """Per dimension (channel, queue, language, topic, and "all"), one row per value: the answers,
    means and % satisfied of the period. Labels in `language` (the reader's)."""
    answered = survey_responses_answered(start=start, end=end)
    aggregates = {
        "responses": Count("id"),
        "satisfaction_answers": Count("satisfaction"),
        "satisfaction_mean": Avg("satisfaction"),
        "satisfied": Count("id", filter=Q(satisfaction__gte=SATISFIED_FROM)),
        "trust_answers": Count("trust"),
        "trust_mean": Avg("trust"),
        "trusting": Count("id", filter=Q(trust__gte=SATISFIED_FROM)),
    }
    topics = {
        row["topic__code"]: (row["topic__name_en"], row["topic__name_es"])
        for row in answered.values("topic__code", "topic__name_en", "topic__name_es").distinct()
    }
    result: dict[str, list[SurveyFigures]] = {}
    for dimension in ("all", *DIMENSIONS):
        fields = _GROUP_BY.get(dimension, [])
        rows = [answered.aggregate(**aggregates)] if not fields else answered.values(*fields).annotate(**aggregates)
        figures = []
        for row in rows:
            if not row["responses"]:
                continue
            key = str(row[fields[0]] or "") if fields else "all"
            figures.append(
                SurveyFigures(
                    dimension=dimension,
                    key=key,
                    label=_label(dimension, key, language, topics),
                    responses=row["responses"],
                    satisfaction_answers=row["satisfaction_answers"],
                    satisfaction_mean=_mean(row["satisfaction_mean"]),
                    satisfaction_percent=_percent(row["satisfied"], row["satisfaction_answers"]),
                    trust_answers=row["trust_answers"],
                    trust_mean=_mean(row["trust_mean"]),
                    trust_percent=_percent(row["trusting"], row["trust_answers"]),
                )
            )
        result[dimension] = sorted(figures, key=lambda figure: (-figure.responses, figure.key))
    return result


def survey_responses_for_receipt_number(*, user, receipt_number: str) -> QuerySet[SurveyResponse]:
    """The survey answers about a receipt number, on the channels the user's roles read in full (the
    case view's rows; TRIP is never surveyed here, and is left out like everywhere else)."""
    value = normalize_receipt_number(receipt_number)
    channels = set()
    for role in user_roles(user):
        scope = LEDGER_SCOPES.get(role)
        if scope is not None and scope.trip != "only":
            channels |= set(scope.full)
    return (
        SurveyResponse.objects.select_related("topic")
        .filter(receipt_number=value, channel__in=sorted(channels))
        .exclude(Q(topic__code=TRIP_TOPIC) | Q(topic__parent__code=TRIP_TOPIC))
        .filter(Q(satisfaction__isnull=False) | Q(trust__isnull=False))
    )


def survey_text_invitation(*, phone: str) -> SurveyResponse | None:
    """The latest survey texted to this number that a reply would still answer."""
    since = timezone.now() - timedelta(hours=SURVEY_TEXT_REPLY_HOURS)
    return (
        SurveyResponse.objects.filter(method=SurveyMethod.TEXT, text_to=phone, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )


__all__ = [
    "DIMENSIONS",
    "SurveyFigures",
    "survey_figures",
    "survey_responses_answered",
    "survey_responses_for_receipt_number",
    "survey_text_invitation",
]
