"""What the IVR answers at a step, before it is TwiML: the flow writes it, `twiml` renders it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .spoken import Spoken


@dataclass
class Reply:
    say: list[Spoken] = field(default_factory=list)
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
