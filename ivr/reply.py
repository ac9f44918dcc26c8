"""What the IVR answers at a step, before it is TwiML: the flow writes it, `twiml` renders it.

A reply may also ask for writes beyond the call's own row (its effects): the flow decides them,
`ivr.services` carries them out before the reply is rendered, so the flow never calls back up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from .spoken import Spoken


# A hand-off carries the steps that led to it, as the agent will see them: what the reply goes on to
# add (the survey's offer after a callback's goodbye) is no part of them.
@dataclass(frozen=True)
class ToQueue:
    """Put the caller in Tier 1's line; the reply then enqueues them in the queue the core chose."""

    path: tuple[str, ...]


@dataclass(frozen=True)
class BookCallback:
    """A representative calls back: the calling number, or `phone` the caller keyed and confirmed."""

    path: tuple[str, ...]
    phone: str = ""


@dataclass(frozen=True)
class RaiseLookupAlert:
    """Not-found lookups across all callers went over the hourly limit (raised once per window)."""

    not_found_count: int
    limit: int
    window_seconds: int


Effect: TypeAlias = ToQueue | BookCallback | RaiseLookupAlert


@dataclass
class Reply:
    say: list[Spoken] = field(default_factory=list)
    # The language of each of `say`'s items said in a voice other than the call's ("" or none: the call's):
    # the language question and an announcement before the caller chose speak Spanish in its own voice.
    voices: tuple[str, ...] = ()
    awaiting: str | None = None
    num_digits: int | None = None
    finish_on_key: str = ""
    timeout: int = 6
    hints: str = ""
    speech: bool = True
    end: str = ""  # "", "hangup" or "enqueue"
    queue_name: str = ""
    result: str = ""
    option: str = ""
    effects: list[Effect] = field(default_factory=list)
