"""A sentence the IVR says, as parts: plain text, and marks the voice says in a particular way.

A mark is Twilio's `<say-as>` before it is TwiML (letters spelled, digit groups, a date, an amount
as a cardinal); only `ivr/twiml.py` renders it, through twilio's builder. Prompts stay plain
templates: `fill` puts parts into their named fields, so a receipt number read back in groups is
still a template with `{spelled}` in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from string import Formatter
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Mark:
    kind: str  # Twilio's interpret-as: characters, digits, date, cardinal
    value: str
    format: str = ""  # a date's order: mdy or dmy


Part: TypeAlias = str | Mark
Spoken: TypeAlias = tuple[Part, ...]
# What may go into a sentence: text, one mark, or a sentence's parts.
Piece: TypeAlias = str | Mark | Spoken


def concat(*pieces: Piece) -> Spoken:
    """The pieces as one sentence; neighbouring texts are merged (Twilio gets one text node for
    them, as a prompt written in one piece would give)."""
    parts: list[Part] = []
    for piece in pieces:
        for part in piece if isinstance(piece, tuple) else (piece,):
            if isinstance(part, str):
                if not part:
                    continue
                if parts and isinstance(parts[-1], str):
                    parts[-1] += part
                    continue
            parts.append(part)
    return tuple(parts)


def join(separator: str, sentences: Iterable[Piece]) -> Spoken:
    pieces: list[Piece] = []
    for index, sentence in enumerate(sentences):
        if index:
            pieces.append(separator)
        pieces.append(sentence)
    return concat(*pieces)


_FORMATTER = Formatter()


@lru_cache(maxsize=1024)
def _template(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    return tuple(_FORMATTER.parse(text))


def fill(template: str, /, **values: object) -> Spoken:
    """`template` with its named fields filled as `str.format` would (KeyError for a missing one),
    except that a mark or a sentence given for a field goes in as its parts."""
    pieces: list[Piece] = []
    for literal, name, spec, conversion in _template(template):
        pieces.append(literal)
        if name is None:
            continue
        value = _FORMATTER.get_field(name, (), values)[0]
        if isinstance(value, Mark | tuple):
            pieces.append(value)
            continue
        if conversion:
            value = _FORMATTER.convert_field(value, conversion)
        pieces.append(format(value, spec or ""))
    return concat(*pieces)


# --- kept in a call's JSON state (what "#" says again) ---------------------------------------------
def to_json(sentence: Spoken) -> list[str | dict[str, str]]:
    return [part if isinstance(part, str) else _mark_json(part) for part in sentence]


def _mark_json(mark: Mark) -> dict[str, str]:
    return {"mark": mark.kind, "value": mark.value, **({"format": mark.format} if mark.format else {})}


def from_json(data: object) -> Spoken | None:
    """The sentence `to_json` kept; None for anything else (a state written before sentences were
    parts holds text with markup in it, which must not be said as words)."""
    if not isinstance(data, list):
        return None
    parts: list[Part] = []
    for item in data:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict) and "mark" in item:
            parts.append(Mark(str(item["mark"]), str(item.get("value", "")), str(item.get("format", ""))))
        else:
            return None
    return tuple(parts)
