"""The moment the IVR decides by: whether representatives are answering, which offices are closed
today. Twilio's webhooks always run on the real clock; the call simulator may shift it for the
calls it places in its own process, to walk a call "as if" at another hour (the records keep the
real times)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.utils import timezone

_shift: ContextVar[timedelta] = ContextVar("ivr_clock_shift", default=timedelta(0))


def now() -> datetime:
    return timezone.now() + _shift.get()


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def shifted(by: timedelta) -> Iterator[None]:
    token = _shift.set(by)
    try:
        yield
    finally:
        _shift.reset(token)


def reading() -> str:
    """What the clock reads, in the agency's zone, as the simulators show it."""
    return f"{timezone.localtime(now()):%A %Y-%m-%d %H:%M %Z}"


def shift_to(moment: datetime) -> timedelta:
    """How far to shift the clock so that it reads `moment` now (and keeps ticking from there)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment - timezone.now()
