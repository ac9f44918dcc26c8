"""The agency's reference data as the IVR reads it, cached in each web process.

Forms, field offices and their closures, civil surgeons, ZIP centroids, processing times and the
visa bulletin change a few times a month, through the core's importers or the admin; callers ask for
them on most calls. Each answer the core's selectors give is kept per process, keyed by its
arguments. Any save or delete of a reference row, and every reference import (its audit row), bumps
a version in the shared cache; each process compares it at most every few seconds and then starts
afresh. Benefit cases are not reference data: they are read from the database on every call."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from contactcenter import selectors
from contactcenter.models import (
    AuditEvent,
    CivilSurgeon,
    FieldOffice,
    Form,
    OfficeClosure,
    ProcessingTime,
    VisaBulletinEntry,
    ZipCentroid,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
VERSION_KEY = "ivr:reference:version"
# How stale a process may be after an import elsewhere: the version is read at most this often.
CHECK_SECONDS = 5.0
MAX_ENTRIES = 20_000
REFERENCE_MODELS = (Form, FieldOffice, OfficeClosure, CivilSurgeon, ProcessingTime, VisaBulletinEntry, ZipCentroid)
REFERENCE_TARGETS = frozenset(f"contactcenter.{model._meta.model_name}" for model in REFERENCE_MODELS)

_entries: dict[tuple, object] = {}
_state = {"checked": float("-inf"), "version": None}


def _fresh() -> None:
    now = time.monotonic()
    if now - _state["checked"] < CHECK_SECONDS:
        return
    _state["checked"] = now
    try:
        version = cache.get(VERSION_KEY)
    except Exception:  # the shared cache is down: trust nothing kept
        logger.warning("reference cache version unavailable; reloading reference data")
        version = uuid.uuid4().hex
    if version != _state["version"]:
        _entries.clear()
        _state["version"] = version


def _cached(name: str, key: tuple, load: Callable[[], T]) -> T:
    _fresh()
    entry = (name, *key)
    try:
        return _entries[entry]  # type: ignore[return-value]
    except KeyError:
        pass
    value = load()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[entry] = value
    return value


def clear_local() -> None:
    _entries.clear()
    _state["checked"] = float("-inf")


def invalidate() -> None:
    """Every process reloads: this one at once, the others within CHECK_SECONDS."""
    clear_local()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.exception("could not publish the reference data version")


def _changed(sender, **kwargs) -> None:
    # Now for this process and the rows it already sees; again after the commit, so no process
    # keeps what it loaded between the two.
    invalidate()
    transaction.on_commit(invalidate)


def _audited(sender, instance: AuditEvent, created: bool = False, **kwargs) -> None:
    if created and instance.target_type in REFERENCE_TARGETS:
        _changed(sender)


def connect_signals() -> None:
    for model in REFERENCE_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"ivr-reference-save-{model._meta.model_name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"ivr-reference-delete-{model._meta.model_name}")
    # The importers write in bulk (no per-row signals); each import leaves one audit row.
    post_save.connect(_audited, sender=AuditEvent, dispatch_uid="ivr-reference-import")


# --- the look-ups the call flow makes ------------------------------------------------------------------
def _pk(instance) -> object:
    return getattr(instance, "pk", None)


def forms() -> dict[int, Form]:
    return _cached("forms", (), lambda: {form.pk: form for form in selectors.form_list()})


def form_get(pk: object) -> Form | None:
    return forms().get(pk) if isinstance(pk, int) else None


def form_get_by_digits(digits: str) -> Form | None:
    return _cached("form-digits", (digits,), lambda: selectors.form_get_by_digits(digits=digits))


def zip_known(zip_code: str) -> bool:
    return _cached("zip", (zip_code,), lambda: selectors.zip_centroid_get(zip_code=zip_code) is not None)


def offices_nearest(zip_code: str, limit: int) -> list[tuple[FieldOffice, float]]:
    return _cached("offices", (zip_code, limit), lambda: selectors.offices_nearest(zip_code=zip_code, limit=limit))


def office_closures_upcoming(office: FieldOffice, today: date) -> list[OfficeClosure]:
    return _cached(
        "closures", (office.pk, today), lambda: list(selectors.office_closures_upcoming(office=office, today=today))
    )


def civil_surgeons_nearest(zip_code: str, limit: int) -> list[tuple[CivilSurgeon, float]]:
    return _cached(
        "surgeons", (zip_code, limit), lambda: selectors.civil_surgeons_nearest(zip_code=zip_code, limit=limit)
    )


def processing_time_categories(form: Form) -> list[selectors.ProcessingCategory]:
    return _cached("ptime-categories", (_pk(form),), lambda: selectors.processing_time_categories(form=form))


def processing_time_offices(form: Form, category: str | None) -> list[FieldOffice]:
    return _cached(
        "ptime-offices", (_pk(form), category), lambda: selectors.processing_time_offices(form=form, category=category)
    )


def processing_time_nearest_office(form: Form, category: str | None, zip_code: str) -> FieldOffice | None:
    return _cached(
        "ptime-nearest",
        (_pk(form), category, zip_code),
        lambda: selectors.processing_time_nearest_office(form=form, category=category, zip_code=zip_code),
    )


def processing_time_current(form: Form, category: str | None, office: FieldOffice | None) -> ProcessingTime | None:
    return _cached(
        "ptime",
        (_pk(form), category, _pk(office)),
        lambda: selectors.processing_time_current(form=form, category=category, office=office),
    )


def visa_bulletin_current(category: str, chargeability: str) -> dict[str, VisaBulletinEntry]:
    return _cached(
        "bulletin",
        (category, chargeability),
        lambda: selectors.visa_bulletin_current(category=category, chargeability=chargeability),
    )
