"""One importer for reference rows: each row checked field by field and reported with its line,
the good rows upserted by their natural key in batches, a dry run rolled back. What a kind of row
is (its model, columns, parsing and key) is declared in contactcenter/reference/kinds.py."""

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
from contactcenter.models import AuditAction
from contactcenter.reference.identifiers import InvalidIdentifier

_IMPORT_BATCH = 1000


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


class RowInvalid(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


def _validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for name, messages in error.message_dict.items():
        for message in messages:
            problems.append(("" if name == NON_FIELD_ERRORS else name, message))
    return problems


def full_clean(instance: db_models.Model, *, exclude: list[str] | None = None) -> None:
    """Field and row rules; uniqueness is the upsert's business, foreign keys were resolved by code."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise RowInvalid(_validation_problems(error)) from error


def parse_date(value: str) -> date:
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


class Row:
    """One CSV row read field by field, collecting every problem instead of stopping at the first."""

    def __init__(self, data: Mapping[str, object]) -> None:
        self.data = data
        self.problems: list[tuple[str, str]] = []

    def fail(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    def check(self) -> None:
        if self.problems:
            raise RowInvalid(self.problems)

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
        return self.parsed(name, parse_date, required=required)

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


@dataclass
class Parsed:
    key: tuple
    instance: db_models.Model
    # What the kind's after_write records beside the row (a case's status history).
    history: list = field(default_factory=list)


@dataclass(frozen=True)
class ImportKind:
    """One kind of reference row: its model, the columns a file must have, how a row becomes an
    instance (`build`), the natural key it is upserted by and the fields an update may change."""

    model: type[db_models.Model]
    columns: tuple[str, ...]
    build: Callable[[Row, object], Parsed]
    key: Callable[[db_models.Model], tuple]
    fields: tuple[str, ...]
    # Too many rows on file to load them all: the key's one column (and how a cell becomes it), looked
    # up per batch; with `create_only`, rows already on file are skipped before they are parsed.
    key_column: tuple[str, Callable[[str], str]] | None = None
    # Run on the batch's rows written or kept (not skipped), after the batch is written.
    after_write: Callable[[list[Parsed]], None] | None = None


def numbered(rows: Iterable[Mapping[str, object] | tuple[int, Mapping[str, object]]]) -> Iterator[tuple[int, Mapping]]:
    """Rows may come numbered (line, row) from a CSV reader; bare rows count from line 2, under a header.
    Column names are compared trimmed and in lower case; cells beyond the header are dropped."""
    for index, item in enumerate(rows, start=2):
        line, data = item if isinstance(item, tuple) else (index, item)
        yield line, {str(key).strip().lower(): value for key, value in data.items() if key is not None}


def _existing(spec: ImportKind, parsed: list[Parsed], cache: dict) -> dict[tuple, db_models.Model]:
    if spec.key_column is not None:
        column = spec.key_column[0]
        found = spec.model.objects.filter(**{f"{column}__in": [item.key[0] for item in parsed]})
        return {spec.key(obj): obj for obj in found}
    if "all" not in cache:
        cache["all"] = {spec.key(obj): obj for obj in spec.model.objects.all()}
    return cache["all"]


def _field_value(instance: db_models.Model, name: str):
    model_field = instance._meta.get_field(name)
    return getattr(instance, model_field.attname)


def _write_batch(
    spec: ImportKind, batch: list[Parsed], report: ImportReport, cache: dict, *, create_only: bool
) -> None:
    existing = _existing(spec, batch, cache)
    created: list[Parsed] = []
    changed: list[db_models.Model] = []
    kept: list[Parsed] = []
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
        # bulk_update does not stamp auto_now fields as save() would.
        for stamp in [f.name for f in spec.model._meta.concrete_fields if getattr(f, "auto_now", False)]:
            for instance in changed:
                setattr(instance, stamp, timezone.now())
            update_fields.append(stamp)
        spec.model.objects.bulk_update(changed, update_fields, batch_size=500)
    report.created += len(created)
    report.updated += len(changed)
    if "all" in cache:
        cache["all"].update({item.key: item.instance for item in created})
    if spec.after_write is not None:
        spec.after_write(kept)


def _chunks(rows: Iterator[tuple[int, Mapping]], size: int) -> Iterator[list[tuple[int, Mapping]]]:
    chunk: list[tuple[int, Mapping]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lines_on_file(spec: ImportKind, chunk: list[tuple[int, Mapping]]) -> set[int]:
    """Lines of the chunk whose key is already on file, found before any row is parsed."""
    column, normalize = spec.key_column
    keys: dict[int, str] = {}
    for line, data in chunk:
        try:
            keys[line] = normalize(str(data.get(column) or ""))
        except (InvalidIdentifier, ValueError):
            continue
    on_file = set(spec.model.objects.filter(**{f"{column}__in": set(keys.values())}).values_list(column, flat=True))
    return {line for line, key in keys.items() if key in on_file}


def rows_import(
    *,
    context: AuditContext,
    kind: str,
    spec: ImportKind,
    lookups: object,
    rows: Iterable[Mapping[str, object] | tuple[int, Mapping[str, object]]],
    dry_run: bool = False,
    create_only: bool = False,
) -> ImportReport:
    """Validate and upsert rows of one kind (`spec`) by their natural key; `lookups` is handed to
    each row's build.

    Rows are mappings of column → text (a CSV reader's), optionally numbered as (line, row). A bad
    row is reported with its line, field and message and skipped; the good rows still land. A dry
    run does everything, then rolls back. `create_only` leaves rows already on file as they are
    (counted as skipped)."""
    report = ImportReport(kind=kind, dry_run=dry_run)
    cache: dict = {}
    seen: dict[tuple, int] = {}
    with transaction.atomic():
        for chunk in _chunks(numbered(rows), _IMPORT_BATCH):
            if report.rows == 0:
                missing = [column for column in spec.columns if column not in chunk[0][1]]
                if missing:
                    report.errors.extend(RowError(1, column, "This column is missing.") for column in missing)
                    break
            report.rows += len(chunk)
            if create_only and spec.key_column is not None:
                present = _lines_on_file(spec, chunk)
                report.skipped += len(present)
                chunk = [(line, data) for line, data in chunk if line not in present]
            batch: list[Parsed] = []
            for line, data in chunk:
                try:
                    item = spec.build(Row(data), lookups)
                except RowInvalid as invalid:
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
