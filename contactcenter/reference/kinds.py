"""The kinds of agency reference data imported from CSV rows (forms, offices, closures, civil
surgeons, processing times, the Visa Bulletin and cases): for each, its model, the columns a file
must have, how a row is parsed and checked, its natural key and the fields an update may change.
contactcenter/reference/importer.py does the reading, reporting and writing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db import transaction

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditAction,
    BenefitCase,
    CaseStatusEvent,
    CivilSurgeon,
    FieldOffice,
    Form,
    OfficeClosure,
    OfficeKind,
    ProcessingTime,
    StatusHeadline,
    VisaBulletinEntry,
    VisaCategory,
    VisaChart,
    ZipCentroid,
)
from contactcenter.reference.identifiers import normalize_a_number, normalize_receipt_number
from contactcenter.reference.importer import (
    ImportKind,
    ImportReport,
    Parsed,
    Row,
    RowError,
    RowInvalid,
    full_clean,
    normalize_zip_code,
    numbered,
    parse_date,
    rows_import,
)
from contactcenter.subscriptions.services import status_changes_announce

REFERENCE_KINDS = ("forms", "offices", "closures", "civil_surgeons", "processing_times", "visa_bulletin", "cases")
_FORM_NUMBER = re.compile(r"^([A-Z]{1,3})-?(\d{1,4}[A-Z]{0,2})$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def normalize_form_number(raw: str) -> str:
    """`i485` / `I 485` / `i-485` → `I-485`."""
    match = _FORM_NUMBER.match((raw or "").strip().upper().replace(" ", ""))
    if not match:
        raise ValueError(f"{raw!r} is not a form number like I-485 or N-400.")
    return f"{match.group(1)}-{match.group(2)}"


class _Lookups:
    """The rows an import resolves codes against, loaded once per import."""

    def __init__(self) -> None:
        self._forms: dict[str, Form] | None = None
        self._offices: dict[str, FieldOffice] | None = None
        self._headlines: dict[str, StatusHeadline] | None = None
        self._zips: dict[str, ZipCentroid | None] = {}

    @property
    def forms(self) -> dict[str, Form]:
        if self._forms is None:
            self._forms = {form.number.upper(): form for form in Form.objects.all()}
        return self._forms

    @property
    def offices(self) -> dict[str, FieldOffice]:
        if self._offices is None:
            self._offices = {office.code.upper(): office for office in FieldOffice.objects.all()}
        return self._offices

    @property
    def headlines(self) -> dict[str, StatusHeadline]:
        if self._headlines is None:
            self._headlines = {headline.code: headline for headline in StatusHeadline.objects.all()}
        return self._headlines

    def zip_centroid(self, zip_code: str) -> ZipCentroid | None:
        if zip_code not in self._zips:
            self._zips[zip_code] = ZipCentroid.objects.filter(pk=zip_code).first()
        return self._zips[zip_code]


def _office_code(value: str) -> str:
    return value.strip().upper()


def _headline_code(value: str) -> str:
    return value.strip().lower()


def _form_row(row: Row, lookups: _Lookups) -> Parsed:
    number = row.parsed("number", normalize_form_number) or ""
    form = Form(
        number=number,
        title_en=row.text("title_en"),
        title_es=row.text("title_es"),
        fee=row.decimal("fee"),
        edition=row.date("edition"),
        url=row.text("url", required=False) or (f"https://www.uscis.gov/{number.lower()}" if number else ""),
        active=row.boolean("active", default=True),
    )
    row.check()
    full_clean(form)
    return Parsed((form.number,), form)


_OFFICE_KIND_ALIASES = {
    "field_office": OfficeKind.FIELD_OFFICE,
    "fo": OfficeKind.FIELD_OFFICE,
    "sc": OfficeKind.SERVICE_CENTER,
    "application_support_center": OfficeKind.ASC,
    "national_benefits_center": OfficeKind.NBC,
}


def _office_row(row: Row, lookups: _Lookups) -> Parsed:
    office = FieldOffice(
        code=_office_code(row.text("code")),
        name=row.text("name"),
        kind=row.choice("kind", OfficeKind.values, aliases=_OFFICE_KIND_ALIASES),
        address_line=row.text("address_line"),
        city=row.text("city"),
        state=row.state("state"),
        zip_code=row.zip_code("zip_code"),
        latitude=row.number("latitude", low=-90, high=90),
        longitude=row.number("longitude", low=-180, high=180),
        phone=row.phone("phone", required=False),
        time_zone=row.time_zone("time_zone"),
        hours_en=row.text("hours_en"),
        hours_es=row.text("hours_es"),
        services=row.codes("services", pattern=re.compile(r"[a-z0-9][a-z0-9\-]*")),
        zip_prefixes=row.codes("zip_prefixes", pattern=re.compile(r"\d{3}")),
    )
    row.check()
    full_clean(office)
    return Parsed((office.code,), office)


def _closure_row(row: Row, lookups: _Lookups) -> Parsed:
    office = row.ref("office", lookups.offices, _office_code, "office code")
    closure = OfficeClosure(
        office=office,
        starts_on=row.date("starts_on"),
        ends_on=row.date("ends_on"),
        reason_en=row.text("reason_en"),
        reason_es=row.text("reason_es"),
    )
    row.check()
    full_clean(closure, exclude=["office"])
    return Parsed((office.pk, closure.starts_on), closure)


def _civil_surgeon_row(row: Row, lookups: _Lookups) -> Parsed:
    zip_code = row.zip_code("zip_code")
    latitude = row.number("latitude", required=False, low=-90, high=90)
    longitude = row.number("longitude", required=False, low=-180, high=180)
    if zip_code and (latitude is None or longitude is None):
        centroid = lookups.zip_centroid(zip_code)
        if centroid is None:
            row.fail("zip_code", f"No location known for ZIP code {zip_code}: give latitude and longitude.")
        else:
            latitude, longitude = centroid.latitude, centroid.longitude
    surgeon = CivilSurgeon(
        name=row.text("name"),
        practice=row.text("practice"),
        address_line=row.text("address_line"),
        city=row.text("city"),
        state=row.state("state"),
        zip_code=zip_code,
        latitude=latitude,
        longitude=longitude,
        phone=row.phone("phone"),
        languages=row.codes("languages", pattern=_LANGUAGE_CODE) or ["en"],
    )
    row.check()
    full_clean(surgeon)
    return Parsed((surgeon.name, surgeon.zip_code), surgeon)


def _processing_time_row(row: Row, lookups: _Lookups) -> Parsed:
    form = row.ref("form", lookups.forms, normalize_form_number, "form")
    office = row.ref("office", lookups.offices, _office_code, "office code")
    processing_time = ProcessingTime(
        form=form,
        category=row.text("category"),
        category_es=row.text("category_es"),
        office=office,
        months=row.decimal("months"),
        inquiry_receipt_date=row.date("inquiry_receipt_date"),
        published_on=row.date("published_on"),
    )
    row.check()
    if processing_time.inquiry_receipt_date > processing_time.published_on:
        row.fail("inquiry_receipt_date", "The inquiry receipt date cannot be after the publication date.")
        row.check()
    full_clean(processing_time, exclude=["form", "office"])
    key = (form.pk, processing_time.category, office.pk, processing_time.published_on)
    return Parsed(key, processing_time)


_CHART_ALIASES = {
    "final_action_dates": VisaChart.FINAL_ACTION,
    "fad": VisaChart.FINAL_ACTION,
    "a": VisaChart.FINAL_ACTION,
    "dates_for_filing_applications": VisaChart.DATES_FOR_FILING,
    "dff": VisaChart.DATES_FOR_FILING,
    "b": VisaChart.DATES_FOR_FILING,
}


def _bulletin_month(value: str) -> date:
    value = value.strip()
    for pattern in ("%Y-%m", "%Y-%m-%d", "%B %Y", "%b %Y", "%m/%Y"):
        try:
            parsed = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        return parsed.replace(day=1)
    raise ValueError(f"{value!r} is not a bulletin month (use YYYY-MM).")


def _visa_bulletin_row(row: Row, lookups: _Lookups) -> Parsed:
    month = row.parsed("bulletin_month", _bulletin_month)
    cell = row.text("cell").upper()
    availability, cutoff = "D", None
    if cell in {"C", "U"}:
        availability = cell
    elif cell:
        try:
            cutoff = parse_date(cell)
        except ValueError:
            row.fail("cell", f"{cell!r} is not a date, C (current) or U (unavailable).")
    entry = VisaBulletinEntry(
        bulletin_month=month,
        chart=row.choice("chart", VisaChart.values, aliases=_CHART_ALIASES),
        category=row.choice("category", VisaCategory.values, aliases={"f2": "F2A"}).upper(),
        chargeability=row.choice(
            "chargeability", ["ALL", "CHINA", "INDIA", "MEXICO", "PHILIPPINES"], aliases={"all_chargeability": "ALL"}
        ),
        cutoff=cutoff,
        availability=availability,
    )
    row.check()
    full_clean(entry)
    return Parsed((entry.bulletin_month, entry.chart, entry.category, entry.chargeability), entry)


def _history(row: Row, lookups: _Lookups) -> list[tuple[StatusHeadline, date]]:
    """`case-was-received:2025-01-03;biometrics-appointment-was-scheduled:2025-02-01`."""
    events = []
    for part in [p.strip() for p in row.text("history", required=False).split(";") if p.strip()]:
        code, _, when = part.partition(":")
        headline = lookups.headlines.get(_headline_code(code))
        if headline is None:
            row.fail("history", f"Unknown status {code.strip()!r}.")
            continue
        try:
            events.append((headline, parse_date(when)))
        except ValueError as error:
            row.fail("history", f"{code.strip()}: {error}")
    return sorted(events, key=lambda event: event[1])


def _case_row(row: Row, lookups: _Lookups) -> Parsed:
    history = _history(row, lookups)
    status, status_on = None, row.date("status_on", required=False)
    if row.text("status", required=False):
        status = row.ref("status", lookups.headlines, _headline_code, "status")
        if status_on is None:
            row.fail("status_on", "This field is required with a status.")
    elif history:
        # No status column: the case stands at the latest status of its history.
        status, status_on = history[-1]
    elif not row.text("history", required=False):
        row.fail("status", "Give a status or a history.")
    case = BenefitCase(
        receipt_number=row.identifier("receipt_number", normalize_receipt_number),
        form=row.ref("form", lookups.forms, normalize_form_number, "form"),
        category=row.text("category", required=False),
        office=row.ref("office", lookups.offices, _office_code, "office code"),
        received_on=row.date("received_on"),
        status=status,
        status_on=status_on,
        applicant_name=row.text("applicant_name"),
        date_of_birth=row.date("date_of_birth"),
        a_number=row.identifier("a_number", normalize_a_number, required=False),
        mailing_address_line=row.text("mailing_address_line"),
        mailing_city=row.text("mailing_city"),
        mailing_state=row.state("mailing_state"),
        mailing_zip=row.zip_code("mailing_zip"),
    )
    row.check()
    if case.received_on and any(when < case.received_on for _, when in history):
        row.fail("history", "A status in the history is dated before the case was received.")
        row.check()
    full_clean(case, exclude=["form", "office", "status"])
    if (case.status, case.status_on) not in history:
        history.append((case.status, case.status_on))
    return Parsed((case.receipt_number,), case, history)


def _case_history_write(batch: list[Parsed]) -> None:
    """History only accumulates: a re-import adds the statuses it does not have yet."""
    if not batch:
        return
    ids = dict(
        BenefitCase.objects.filter(receipt_number__in=[item.key[0] for item in batch]).values_list(
            "receipt_number", "id"
        )
    )
    have = set(
        CaseStatusEvent.objects.filter(case_id__in=ids.values()).values_list("case_id", "status_id", "occurred_on")
    )
    events = []
    moved = []  # the events that are a case's new current status: its subscribers hear of them
    for item in batch:
        case_id = ids[item.key[0]]
        for headline, when in item.history:
            if (case_id, headline.pk, when) not in have:
                have.add((case_id, headline.pk, when))
                event = CaseStatusEvent(case_id=case_id, status=headline, occurred_on=when)
                events.append(event)
                if (headline.pk, when) == (item.instance.status_id, item.instance.status_on):
                    moved.append(event)
    CaseStatusEvent.objects.bulk_create(events, batch_size=2000)
    # Enqueued per batch, after the import commits: the import neither sends nor waits for a send.
    status_changes_announce(event_ids=[event.pk for event in moved])


_IMPORT_KINDS: dict[str, ImportKind] = {
    "forms": ImportKind(
        Form,
        ("number", "title_en", "title_es", "fee", "edition"),
        _form_row,
        lambda form: (form.number,),
        ("title_en", "title_es", "fee", "edition", "url", "active"),
    ),
    "offices": ImportKind(
        FieldOffice,
        ("code", "name", "kind", "address_line", "city", "state", "zip_code", "latitude", "longitude", "time_zone"),
        _office_row,
        lambda office: (office.code,),
        (
            "name",
            "kind",
            "address_line",
            "city",
            "state",
            "zip_code",
            "latitude",
            "longitude",
            "phone",
            "time_zone",
            "hours_en",
            "hours_es",
            "services",
            "zip_prefixes",
        ),
    ),
    "closures": ImportKind(
        OfficeClosure,
        ("office", "starts_on", "ends_on", "reason_en", "reason_es"),
        _closure_row,
        lambda closure: (closure.office_id, closure.starts_on),
        ("ends_on", "reason_en", "reason_es"),
    ),
    "civil_surgeons": ImportKind(
        CivilSurgeon,
        ("name", "practice", "address_line", "city", "state", "zip_code", "phone"),
        _civil_surgeon_row,
        lambda surgeon: (surgeon.name, surgeon.zip_code),
        ("practice", "address_line", "city", "state", "latitude", "longitude", "phone", "languages"),
    ),
    "processing_times": ImportKind(
        ProcessingTime,
        ("form", "category", "category_es", "office", "months", "inquiry_receipt_date", "published_on"),
        _processing_time_row,
        lambda pt: (pt.form_id, pt.category, pt.office_id, pt.published_on),
        ("category_es", "months", "inquiry_receipt_date"),
    ),
    "visa_bulletin": ImportKind(
        VisaBulletinEntry,
        ("bulletin_month", "chart", "category", "chargeability", "cell"),
        _visa_bulletin_row,
        lambda entry: (entry.bulletin_month, entry.chart, entry.category, entry.chargeability),
        ("cutoff", "availability"),
    ),
    "cases": ImportKind(
        BenefitCase,
        (
            "receipt_number",
            "form",
            "office",
            "received_on",
            "applicant_name",
            "date_of_birth",
            "mailing_address_line",
            "mailing_city",
            "mailing_state",
            "mailing_zip",
        ),
        _case_row,
        lambda case: (case.receipt_number,),
        (
            "form",
            "category",
            "office",
            "received_on",
            "status",
            "status_on",
            "applicant_name",
            "date_of_birth",
            "a_number",
            "mailing_address_line",
            "mailing_city",
            "mailing_state",
            "mailing_zip",
        ),
        key_column=("receipt_number", normalize_receipt_number),
        after_write=_case_history_write,
    ),
}


def reference_rows_import(
    *,
    context: AuditContext,
    kind: str,
    rows: Iterable[Mapping[str, object] | tuple[int, Mapping[str, object]]],
    dry_run: bool = False,
    create_only: bool = False,
) -> ImportReport:
    """Validate and upsert reference rows of one kind by their natural key.

    Rows are mappings of column → text (a CSV reader's), optionally numbered as (line, row). A bad
    row is reported with its line, field and message and skipped; the good rows still land. A dry
    run does everything, then rolls back. Cases may carry a `history` column; history only grows.
    `create_only` leaves rows already on file as they are (counted as skipped): seeding must not
    undo what staff changed since, such as a case's address.
    """
    spec = _IMPORT_KINDS.get(kind)
    if spec is None:
        raise ApplicationError(f"Unknown kind {kind!r}; use one of {', '.join(REFERENCE_KINDS)}.")
    return rows_import(
        context=context, kind=kind, spec=spec, lookups=_Lookups(), rows=rows, dry_run=dry_run, create_only=create_only
    )


def zip_centroids_load(*, context: AuditContext, rows: Iterable[Mapping[str, object]]) -> ImportReport:
    """Upsert ZIP centroids from rows shaped like the `zipcodes` package's (zip_code, city, state,
    lat, long, timezone). ZIP codes without a location (military APO/FPO, some PO boxes, given as
    0,0) are skipped: a distance from them would be meaningless."""
    report = ImportReport(kind="zip_centroids")
    wanted: dict[str, ZipCentroid] = {}
    for line, data in numbered(rows):
        report.rows += 1
        row = Row(data)
        zip_code = row.zip_code("zip_code")
        latitude = row.number("lat", low=-90, high=90)
        longitude = row.number("long", low=-180, high=180)
        if not row.problems and latitude == 0 and longitude == 0:
            report.skipped += 1
            continue
        centroid = ZipCentroid(
            zip_code=zip_code,
            city=row.text("city")[:80],
            state=row.state("state"),
            latitude=latitude,
            longitude=longitude,
            time_zone=row.text("timezone", required=False),
        )
        try:
            row.check()
            full_clean(centroid)
        except RowInvalid as invalid:
            report.errors.extend(RowError(line, name, message) for name, message in invalid.problems)
            continue
        wanted[zip_code] = centroid
    columns = ("city", "state", "latitude", "longitude", "time_zone")
    with transaction.atomic():
        have = {row[0]: row[1:] for row in ZipCentroid.objects.values_list("zip_code", *columns)}
        writes = []
        for zip_code, centroid in wanted.items():
            values = tuple(getattr(centroid, column) for column in columns)
            if zip_code not in have:
                report.created += 1
            elif have[zip_code] != values:
                report.updated += 1
            else:
                report.unchanged += 1
                continue
            writes.append(centroid)
        ZipCentroid.objects.bulk_create(
            writes, batch_size=2000, update_conflicts=True, unique_fields=["zip_code"], update_fields=list(columns)
        )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.zipcentroid",
            summary=f"ZIP centroids loaded: {report.summary()}",
        )
    return report


__all__ = [
    "REFERENCE_KINDS",
    "ImportReport",
    "RowError",
    "normalize_form_number",
    "normalize_zip_code",
    "reference_rows_import",
    "zip_centroids_load",
]
