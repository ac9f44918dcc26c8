"""Importing agency reference data from CSV rows: forms, offices, closures, civil surgeons, processing
times, the Visa Bulletin and cases, each row checked and reported, written in batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as db_models
from django.db import transaction
from django.utils import timezone

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
from contactcenter.reference.identifiers import (
    InvalidIdentifier,
    normalize_a_number,
    normalize_receipt_number,
)

REFERENCE_KINDS = ("forms", "offices", "closures", "civil_surgeons", "processing_times", "visa_bulletin", "cases")
_IMPORT_BATCH = 1000
_FORM_NUMBER = re.compile(r"^([A-Z]{1,3})-?(\d{1,4}[A-Z]{0,2})$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field or 'row'}: {self.message}"


@dataclass
class ImportReport:
    """What one import did: counts, and every problem with its CSV line number and field."""

    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        prefix = "Dry run: would have " if self.dry_run else ""
        text = (
            f"{prefix}{self.kind}: {self.rows} rows read, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )
        return text + (f", {self.skipped} skipped" if self.skipped else "")


class _RowInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


def _validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for name, messages in error.message_dict.items():
        for message in messages:
            problems.append(("" if name == NON_FIELD_ERRORS else name, message))
    return problems


def _full_clean(instance: db_models.Model, *, exclude: list[str] | None = None) -> None:
    """Field and row rules; uniqueness is the upsert's business, foreign keys were resolved by code."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise _RowInvalid(_validation_problems(error)) from error


def _parse_date(value: str) -> date:
    """ISO dates, U.S. month/day/year, and the Visa Bulletin's 01JAN23."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d%b%y", "%d%b%Y", "%d-%b-%Y"):
        try:
            return datetime.strptime(value.title() if "%b" in pattern else value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD).")


def normalize_zip_code(raw: str) -> str:
    """`90012-1234` → `90012`; Excel's `2203` → `02203`. Raises ValueError otherwise."""
    value = (raw or "").strip().split("-")[0].replace(" ", "")
    if value.isdigit() and len(value) == 9:
        value = value[:5]
    if value.isdigit() and 3 <= len(value) <= 4:
        value = value.zfill(5)
    if not (value.isdigit() and len(value) == 5):
        raise ValueError(f"{raw!r} is not a 5-digit ZIP code.")
    return value


def normalize_form_number(raw: str) -> str:
    """`i485` / `I 485` / `i-485` → `I-485`."""
    match = _FORM_NUMBER.match((raw or "").strip().upper().replace(" ", ""))
    if not match:
        raise ValueError(f"{raw!r} is not a form number like I-485 or N-400.")
    return f"{match.group(1)}-{match.group(2)}"


class _Row:
    """One CSV row read field by field, collecting every problem instead of stopping at the first."""

    def __init__(self, data: Mapping[str, object]) -> None:
        self.data = data
        self.problems: list[tuple[str, str]] = []

    def fail(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    def check(self) -> None:
        if self.problems:
            raise _RowInvalid(self.problems)

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.data.get(name)
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.fail(name, "This field is required.")
        return value

    def parsed(self, name: str, parse: Callable[[str], object], *, required: bool = True):
        value = self.text(name, required=required)
        if not value:
            return None
        try:
            return parse(value)
        except (ValueError, ArithmeticError) as error:  # Decimal's InvalidOperation is an ArithmeticError
            self.fail(name, str(error) if isinstance(error, ValueError) and str(error) else f"{value!r} is invalid.")
            return None

    def date(self, name: str, *, required: bool = True) -> date | None:
        return self.parsed(name, _parse_date, required=required)

    def decimal(self, name: str) -> Decimal | None:
        def parse(value: str) -> Decimal:
            number = Decimal(value.replace("$", "").replace(",", ""))
            if not number.is_finite():
                raise ValueError(f"{value!r} is not a number.")
            return number

        return self.parsed(name, parse)

    def number(self, name: str, *, required: bool = True, low: float, high: float) -> float | None:
        def parse(value: str) -> float:
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a number.") from None
            if not low <= number <= high:
                raise ValueError(f"{number} is outside {low} to {high}.")
            return number

        return self.parsed(name, parse, required=required)

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self.text(name, required=False).lower()
        if not value:
            return default
        if value in {"1", "true", "yes", "y", "t"}:
            return True
        if value in {"0", "false", "no", "n", "f"}:
            return False
        self.fail(name, f"{value!r} is not yes or no.")
        return default

    def choice(self, name: str, choices: list[str], *, aliases: Mapping[str, str] | None = None) -> str:
        value = self.text(name)
        if not value:
            return ""
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        for choice in choices:
            if key == choice.lower():
                return choice
        if aliases and key in aliases:
            return aliases[key]
        self.fail(name, f"{value!r} is not one of {', '.join(choices)}.")
        return ""

    def zip_code(self, name: str) -> str:
        return self.parsed(name, normalize_zip_code) or ""

    def state(self, name: str) -> str:
        value = self.text(name).upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            self.fail(name, f"{value!r} is not a 2-letter state or territory code.")
        return value

    def identifier(self, name: str, normalize: Callable[[str], str], *, required: bool = True) -> str:
        value = self.text(name, required=required)
        if not value:
            return ""
        try:
            return normalize(value)
        except InvalidIdentifier as error:
            self.fail(name, str(error))
            return ""

    def phone(self, name: str, *, required: bool = True) -> str:
        value = self.text(name, required=required)
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            self.fail(name, f"{value!r} is not a phone number.")
            return ""
        if number.country_code == 1:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def codes(self, name: str, *, pattern: re.Pattern | None = None, lower: bool = True) -> list[str]:
        raw = self.text(name, required=False)
        values = [part.strip() for part in re.split(r"[;|]", raw) if part.strip()]
        if lower:
            values = [value.lower() for value in values]
        bad = [value for value in values if pattern is not None and not pattern.fullmatch(value)]
        if bad:
            self.fail(name, f"Not valid here: {', '.join(bad)}.")
        return list(dict.fromkeys(values))

    def time_zone(self, name: str) -> str:
        value = self.text(name)
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                self.fail(name, f"{value!r} is not an IANA time zone such as America/Chicago.")
        return value

    def ref(self, name: str, table: Mapping[str, object], normalize: Callable[[str], str], label: str):
        value = self.text(name)
        if not value:
            return None
        try:
            key = normalize(value)
        except ValueError as error:
            self.fail(name, str(error))
            return None
        found = table.get(key)
        if found is None:
            self.fail(name, f"Unknown {label} {value!r}.")
        return found


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


@dataclass
class _Parsed:
    key: tuple
    instance: db_models.Model
    history: list[tuple[StatusHeadline, date]] = field(default_factory=list)


def _office_code(value: str) -> str:
    return value.strip().upper()


def _headline_code(value: str) -> str:
    return value.strip().lower()


def _form_row(row: _Row, lookups: _Lookups) -> _Parsed:
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
    _full_clean(form)
    return _Parsed((form.number,), form)


_OFFICE_KIND_ALIASES = {
    "field_office": OfficeKind.FIELD_OFFICE,
    "fo": OfficeKind.FIELD_OFFICE,
    "sc": OfficeKind.SERVICE_CENTER,
    "application_support_center": OfficeKind.ASC,
    "national_benefits_center": OfficeKind.NBC,
}


def _office_row(row: _Row, lookups: _Lookups) -> _Parsed:
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
    _full_clean(office)
    return _Parsed((office.code,), office)


def _closure_row(row: _Row, lookups: _Lookups) -> _Parsed:
    office = row.ref("office", lookups.offices, _office_code, "office code")
    closure = OfficeClosure(
        office=office,
        starts_on=row.date("starts_on"),
        ends_on=row.date("ends_on"),
        reason_en=row.text("reason_en"),
        reason_es=row.text("reason_es"),
    )
    row.check()
    _full_clean(closure, exclude=["office"])
    return _Parsed((office.pk, closure.starts_on), closure)


def _civil_surgeon_row(row: _Row, lookups: _Lookups) -> _Parsed:
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
    _full_clean(surgeon)
    return _Parsed((surgeon.name, surgeon.zip_code), surgeon)


def _processing_time_row(row: _Row, lookups: _Lookups) -> _Parsed:
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
    _full_clean(processing_time, exclude=["form", "office"])
    key = (form.pk, processing_time.category, office.pk, processing_time.published_on)
    return _Parsed(key, processing_time)


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


def _visa_bulletin_row(row: _Row, lookups: _Lookups) -> _Parsed:
    month = row.parsed("bulletin_month", _bulletin_month)
    cell = row.text("cell").upper()
    availability, cutoff = "D", None
    if cell in {"C", "U"}:
        availability = cell
    elif cell:
        try:
            cutoff = _parse_date(cell)
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
    _full_clean(entry)
    return _Parsed((entry.bulletin_month, entry.chart, entry.category, entry.chargeability), entry)


def _history(row: _Row, lookups: _Lookups) -> list[tuple[StatusHeadline, date]]:
    """`case-was-received:2025-01-03;biometrics-appointment-was-scheduled:2025-02-01`."""
    events = []
    for part in [p.strip() for p in row.text("history", required=False).split(";") if p.strip()]:
        code, _, when = part.partition(":")
        headline = lookups.headlines.get(_headline_code(code))
        if headline is None:
            row.fail("history", f"Unknown status {code.strip()!r}.")
            continue
        try:
            events.append((headline, _parse_date(when)))
        except ValueError as error:
            row.fail("history", f"{code.strip()}: {error}")
    return sorted(events, key=lambda event: event[1])


def _case_row(row: _Row, lookups: _Lookups) -> _Parsed:
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
    _full_clean(case, exclude=["form", "office", "status"])
    if (case.status, case.status_on) not in history:
        history.append((case.status, case.status_on))
    return _Parsed((case.receipt_number,), case, history)


@dataclass(frozen=True)
class _ImportKind:
    model: type[db_models.Model]
    columns: tuple[str, ...]
    build: Callable[[_Row, _Lookups], _Parsed]
    key: Callable[[db_models.Model], tuple]
    fields: tuple[str, ...]


_IMPORT_KINDS: dict[str, _ImportKind] = {
    "forms": _ImportKind(
        Form,
        ("number", "title_en", "title_es", "fee", "edition"),
        _form_row,
        lambda form: (form.number,),
        ("title_en", "title_es", "fee", "edition", "url", "active"),
    ),
    "offices": _ImportKind(
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
    "closures": _ImportKind(
        OfficeClosure,
        ("office", "starts_on", "ends_on", "reason_en", "reason_es"),
        _closure_row,
        lambda closure: (closure.office_id, closure.starts_on),
        ("ends_on", "reason_en", "reason_es"),
    ),
    "civil_surgeons": _ImportKind(
        CivilSurgeon,
        ("name", "practice", "address_line", "city", "state", "zip_code", "phone"),
        _civil_surgeon_row,
        lambda surgeon: (surgeon.name, surgeon.zip_code),
        ("practice", "address_line", "city", "state", "latitude", "longitude", "phone", "languages"),
    ),
    "processing_times": _ImportKind(
        ProcessingTime,
        ("form", "category", "category_es", "office", "months", "inquiry_receipt_date", "published_on"),
        _processing_time_row,
        lambda pt: (pt.form_id, pt.category, pt.office_id, pt.published_on),
        ("category_es", "months", "inquiry_receipt_date"),
    ),
    "visa_bulletin": _ImportKind(
        VisaBulletinEntry,
        ("bulletin_month", "chart", "category", "chargeability", "cell"),
        _visa_bulletin_row,
        lambda entry: (entry.bulletin_month, entry.chart, entry.category, entry.chargeability),
        ("cutoff", "availability"),
    ),
    "cases": _ImportKind(
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
    ),
}


def _numbered(rows: Iterable[Mapping[str, object] | tuple[int, Mapping[str, object]]]) -> Iterator[tuple[int, Mapping]]:
    """Rows may come numbered (line, row) from a CSV reader; bare rows count from line 2, under a header.
    Column names are compared trimmed and in lower case; cells beyond the header are dropped."""
    for index, item in enumerate(rows, start=2):
        line, data = item if isinstance(item, tuple) else (index, item)
        yield line, {str(key).strip().lower(): value for key, value in data.items() if key is not None}


def _existing(spec: _ImportKind, parsed: list[_Parsed], cache: dict) -> dict[tuple, db_models.Model]:
    if spec.model is BenefitCase:
        numbers = [item.key[0] for item in parsed]
        return {(case.receipt_number,): case for case in BenefitCase.objects.filter(receipt_number__in=numbers)}
    if "all" not in cache:
        cache["all"] = {spec.key(obj): obj for obj in spec.model.objects.all()}
    return cache["all"]


def _field_value(instance: db_models.Model, name: str):
    model_field = instance._meta.get_field(name)
    return getattr(instance, model_field.attname)


def _write_batch(
    spec: _ImportKind, batch: list[_Parsed], report: ImportReport, cache: dict, *, create_only: bool
) -> None:
    existing = _existing(spec, batch, cache)
    created: list[_Parsed] = []
    changed: list[db_models.Model] = []
    kept: list[_Parsed] = []
    for item in batch:
        current = existing.get(item.key)
        if current is None:
            created.append(item)
            kept.append(item)
            continue
        if create_only:
            report.skipped += 1
            continue
        kept.append(item)
        differs = [name for name in spec.fields if _field_value(current, name) != _field_value(item.instance, name)]
        for name in differs:
            setattr(current, spec.model._meta.get_field(name).attname, _field_value(item.instance, name))
        if differs:
            changed.append(current)
        else:
            report.unchanged += 1
        item.instance = current
    spec.model.objects.bulk_create([item.instance for item in created], batch_size=500)
    if changed:
        update_fields = [spec.model._meta.get_field(name).name for name in spec.fields]
        if spec.model is BenefitCase:
            for case in changed:
                case.updated_at = timezone.now()
            update_fields.append("updated_at")
        spec.model.objects.bulk_update(changed, update_fields, batch_size=500)
    report.created += len(created)
    report.updated += len(changed)
    if "all" in cache:
        cache["all"].update({item.key: item.instance for item in created})
    if spec.model is BenefitCase:
        _case_history_write(kept)


def _case_history_write(batch: list[_Parsed]) -> None:
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
    for item in batch:
        case_id = ids[item.key[0]]
        for headline, when in item.history:
            if (case_id, headline.pk, when) not in have:
                have.add((case_id, headline.pk, when))
                events.append(CaseStatusEvent(case_id=case_id, status=headline, occurred_on=when))
    CaseStatusEvent.objects.bulk_create(events, batch_size=2000)


def _chunks(rows: Iterator[tuple[int, Mapping]], size: int) -> Iterator[list[tuple[int, Mapping]]]:
    chunk: list[tuple[int, Mapping]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cases_present(chunk: list[tuple[int, Mapping]]) -> set[int]:
    """Lines of the chunk whose receipt number is already on file, found before any row is parsed."""
    numbers: dict[int, str] = {}
    for line, data in chunk:
        try:
            numbers[line] = normalize_receipt_number(str(data.get("receipt_number") or ""))
        except InvalidIdentifier:
            continue
    on_file = set(
        BenefitCase.objects.filter(receipt_number__in=set(numbers.values())).values_list("receipt_number", flat=True)
    )
    return {line for line, number in numbers.items() if number in on_file}


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
    report = ImportReport(kind=kind, dry_run=dry_run)
    lookups = _Lookups()
    cache: dict = {}
    seen: dict[tuple, int] = {}
    with transaction.atomic():
        for chunk in _chunks(_numbered(rows), _IMPORT_BATCH):
            if report.rows == 0:
                missing = [column for column in spec.columns if column not in chunk[0][1]]
                if missing:
                    report.errors.extend(RowError(1, column, "This column is missing.") for column in missing)
                    break
            report.rows += len(chunk)
            if create_only and spec.model is BenefitCase:
                present = _cases_present(chunk)
                report.skipped += len(present)
                chunk = [(line, data) for line, data in chunk if line not in present]
            batch: list[_Parsed] = []
            for line, data in chunk:
                try:
                    item = spec.build(_Row(data), lookups)
                except _RowInvalid as invalid:
                    report.errors.extend(RowError(line, name, message) for name, message in invalid.problems)
                    continue
                if item.key in seen:
                    report.errors.append(RowError(line, "", f"Duplicate of line {seen[item.key]}."))
                    continue
                seen[item.key] = line
                batch.append(item)
            if batch:
                _write_batch(spec, batch, report, cache, create_only=create_only)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                target_type=f"contactcenter.{spec.model._meta.model_name}",
                summary=f"Reference data imported: {report.summary()}",
                detail={"kind": kind, "created": report.created, "updated": report.updated, "failed": report.failed},
            )
    return report


def zip_centroids_load(*, context: AuditContext, rows: Iterable[Mapping[str, object]]) -> ImportReport:
    """Upsert ZIP centroids from rows shaped like the `zipcodes` package's (zip_code, city, state,
    lat, long, timezone). ZIP codes without a location (military APO/FPO, some PO boxes, given as
    0,0) are skipped: a distance from them would be meaningless."""
    report = ImportReport(kind="zip_centroids")
    wanted: dict[str, ZipCentroid] = {}
    for line, data in _numbered(rows):
        report.rows += 1
        row = _Row(data)
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
            _full_clean(centroid)
        except _RowInvalid as invalid:
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
