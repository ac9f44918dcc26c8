"""Reads of agency reference data: cases by receipt number, forms, offices and civil surgeons by
ZIP code, processing times, the Visa Bulletin."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)

from contactcenter.common.prepared import fetch_one_with_related
from contactcenter.models import (
    BenefitCase,
    CaseStatusEvent,
    CivilSurgeon,
    FieldOffice,
    Form,
    FormOrder,
    FormOrderStatus,
    MailingBatch,
    MailingBatchItem,
    OfficeClosure,
    OfficeKind,
    ProcessingTime,
    VisaBulletinEntry,
    ZipCentroid,
)
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_a_number, normalize_receipt_number

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


def case_pending(*, case: BenefitCase) -> bool:
    """Whether the case still waits for a decision: not approved, denied or rejected, and not at a step
    after an approval (a card produced, mailed or delivered), which are not terminal yet not pending."""
    return case.status.awaiting_decision and not case.status.terminal


@dataclass(frozen=True)
class CaseProcessingVerdict:
    """Where a case stands against its published processing time: the IVR, the consoles, the case page
    and the "outside normal processing time" service request all read this one answer."""

    processing_time: ProcessingTime | None
    pending: bool
    # None when no processing time is published for the case; False whenever it is not pending.
    outside_normal: bool | None


def case_processing_verdict(*, case: BenefitCase, today: date | None = None) -> CaseProcessingVerdict:
    """A pending case received before the current processing time's "receipt date for a case
    inquiry" is outside normal processing time (only then may a service request be taken for it).
    `today` ignores processing times published after it."""
    processing_time = processing_time_for_case(case=case, as_of=today)
    pending = case_pending(case=case)
    outside = None if processing_time is None else pending and case.received_on < processing_time.inquiry_receipt_date
    return CaseProcessingVerdict(processing_time=processing_time, pending=pending, outside_normal=outside)


def case_outside_normal_processing(*, case: BenefitCase, today: date | None = None) -> bool | None:
    """True when a pending case is outside normal processing time; False when it is within it, or no
    longer pending (decided, or its card produced or mailed); None when no processing time is published
    for it."""
    return case_processing_verdict(case=case, today=today).outside_normal


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


# --- the console's look-ups (the IVR's self-service, for agents) ------------------------------------
def form_get(*, form_id: int) -> Form | None:
    return form_list().filter(pk=form_id).first()


def form_search(*, query: str) -> list[Form]:
    """Forms by number or title, in either language: `485`, `I-485`, `i485` or "employment". Digits
    find the form the IVR's keypad finds (`form_get_by_digits`); words search the titles."""
    text = " ".join(str(query or "").split())
    if not text:
        return []
    found: dict[int, Form] = {}
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        by_digits = form_get_by_digits(digits=digits)
        if by_digits is not None:
            found[by_digits.pk] = by_digits
    for form in form_list().filter(Q(number__iexact=text) | Q(title_en__icontains=text) | Q(title_es__icontains=text))[
        :25
    ]:
        found.setdefault(form.pk, form)
    return sorted(found.values(), key=lambda form: form.number)


def processing_time_publishing_offices() -> QuerySet[FieldOffice]:
    """Every office that publishes a processing time of its own."""
    return FieldOffice.objects.filter(pk__in=ProcessingTime.objects.values("office_id")).order_by("name")


def processing_times_for_form(
    *, form: Form, category: str | None = None, office: FieldOffice | None = None
) -> list[ProcessingTime]:
    """The current processing times of a form as the IVR answers them: for each category (or the one
    asked for), the national figure and each field office's own (or only the office asked for)."""
    categories = [category] if category else [c.category for c in processing_time_categories(form=form)]
    rows: list[ProcessingTime] = []
    for name in categories:
        offices: list[FieldOffice | None] = [office] if office is not None else [None]
        if office is None:
            offices += processing_time_offices(form=form, category=name)
        for where in offices:
            found = processing_time_current(form=form, category=name, office=where)
            if found is not None and found.pk not in {row.pk for row in rows}:
                rows.append(found)
    return rows


def visa_bulletin_rows(*, category: str, chargeabilities: list[str]) -> list[tuple[str, dict[str, VisaBulletinEntry]]]:
    """(chargeability, cells by chart) of the latest bulletin, as the IVR's priority-date menu reads each."""
    return [
        (chargeability, visa_bulletin_current(category=category, chargeability=chargeability))
        for chargeability in chargeabilities
    ]


def form_orders_for_case(*, case: BenefitCase) -> QuerySet[FormOrder]:
    """A case's form orders, newest first, with the batch each mail order went out in."""
    return (
        FormOrder.objects.select_related("form", "mailing_item__batch").filter(case=case).order_by("-created_at", "-id")
    )


# --- mailing batches -----------------------------------------------------------------------------
def form_orders_queued_count() -> int:
    return FormOrder.objects.filter(status=FormOrderStatus.QUEUED).count()


def mailing_batches_list() -> QuerySet[MailingBatch]:
    return MailingBatch.objects.select_related("created_by", "confirmed_by").annotate(order_count=Count("items"))


def mailing_batch_get(*, batch_id: int) -> MailingBatch | None:
    return mailing_batches_list().filter(pk=batch_id).first()


def mailing_batch_items(*, batch: MailingBatch) -> QuerySet[MailingBatchItem]:
    return MailingBatchItem.objects.select_related("order").filter(batch=batch).order_by("id")


def mailing_batch_allowed_actions(*, batch: MailingBatch, user) -> frozenset[str]:
    from contactcenter.reference.workflows import MAILING_BATCH

    return MAILING_BATCH.allowed_actions(batch, user)


__all__ = [
    "EARTH_RADIUS_MILES",
    "NATIONAL_OFFICE_KINDS",
    "CaseProcessingVerdict",
    "ProcessingCategory",
    "case_get",
    "case_history",
    "case_outside_normal_processing",
    "case_pending",
    "case_processing_verdict",
    "cases_for_a_number",
    "civil_surgeons_nearest",
    "form_get",
    "form_get_by_digits",
    "form_list",
    "form_orders_for_case",
    "form_orders_queued_count",
    "form_search",
    "mailing_batch_allowed_actions",
    "mailing_batch_get",
    "mailing_batch_items",
    "mailing_batches_list",
    "miles_between",
    "office_closures_upcoming",
    "offices_nearest",
    "processing_time_categories",
    "processing_time_current",
    "processing_time_for_case",
    "processing_time_nearest_office",
    "processing_time_offices",
    "processing_time_publishing_offices",
    "processing_times_for_form",
    "visa_bulletin_current",
    "visa_bulletin_rows",
    "zip_centroid_get",
]
