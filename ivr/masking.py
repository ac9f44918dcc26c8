"""Receipt numbers out of what the IVR keeps: the TwiML of each step and the call's state.

A stored step keeps a receipt number masked in place ("E A C, * * * * * * 0 0 0 1"): the letters,
the last four digits and every separator, SSML tag and comma stay where they were, so the copy is
still TwiML that says something sensible. Twilio's retry of a step is answered from that copy with
the hidden digits put back from the receipt numbers the live call itself holds (`reveal`), so the
clear number exists only in the call's row while the call lasts, never in a cache or a step record.
The sentences kept for "repeat" are masked the same way, part by part (`conceal_spoken`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from contactcenter.reference.identifiers import RECEIPT_PREFIXES, mask_phone, mask_receipt_number

from .spoken import Spoken, from_json, to_json

MASK = "*"
# Digits hidden: the first six of the ten, as mask_receipt_number hides them.
HIDDEN = range(6)
# Between the letters and digits of a receipt number as the IVR may say it: spaces, commas,
# periods, dashes, and in rendered TwiML the tags of its <say-as> elements (a sentence's parts are
# read as one text without them, see _in_parts).
_SEP = r"(?:[\s,.\-\u2013\u2014]|<[^<>]*>)*"
_PREFIX = "|".join(_SEP.join(prefix) for prefix in RECEIPT_PREFIXES)
# The first letter's class up front lets the scan skip most of a TwiML document at once (each step
# is concealed on the webhook's hot path).
_FIRST = "(?=[" + "".join(sorted({p[0] for p in RECEIPT_PREFIXES})) + "])"
_CLEAR = re.compile(rf"{_FIRST}(?<![A-Za-z0-9])(?:{_PREFIX}){_SEP}\d(?:{_SEP}\d){{9}}(?![0-9])", re.IGNORECASE)
_MASKED = re.compile(
    rf"{_FIRST}(?<![A-Za-z0-9])(?:{_PREFIX}){_SEP}[\d*](?:{_SEP}[\d*]){{9}}(?![0-9*])",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"<[^<>]*>|[\d*]")

# Call.state keys holding a receipt number, and the last reply kept for "repeat".
RECEIPT_KEYS = ("pending_receipt", "case_receipt")


def _slots(span: str) -> list[re.Match]:
    """The ten digit positions of a receipt number's span (the letters come first, tags are skipped)."""
    return [m for m in _TOKEN.finditer(span) if not m.group(0).startswith("<")]


def _mask_span(match: re.Match) -> str:
    span = match.group(0)
    slots = _slots(span)
    out = list(span)
    for index in HIDDEN:
        out[slots[index].start()] = MASK
    return "".join(out)


def conceal(text: str) -> str:
    """`text` (TwiML or a prompt) with every receipt number in it masked in place."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _CLEAR.sub(_mask_span, text)


def reveal(text: str, receipts: Iterable[str]) -> str:
    """`text` with each masked receipt number filled in from `receipts` (the first that fits: same
    letters and last four digits); one that fits none stays masked."""
    if not text or MASK not in text:
        return text
    known = [r.upper() for r in receipts if r and len(r) == 13 and r[3:].isdigit()]
    if not known:
        return text

    def fill(match: re.Match) -> str:
        span = match.group(0)
        letters = "".join(ch for ch in re.sub(r"<[^<>]*>", "", span) if ch.isalpha())[:3].upper()
        slots = _slots(span)
        shown = [m.group(0) for m in slots]
        for receipt in known:
            digits = receipt[3:]
            if receipt[:3] == letters and all(s in (MASK, d) for s, d in zip(shown, digits, strict=True)):
                out = list(span)
                for slot, digit in zip(slots, digits, strict=True):
                    out[slot.start()] = digit
                return "".join(out)
        return span

    return _MASKED.sub(fill, text)


def _in_parts(spoken: Spoken, change: Callable[[str], str]) -> Spoken:
    """`change` (one character for one) applied to a sentence's words read as one text, so that a
    number spread over several marks ("EAC", ", ", "219"…) is found whole; each part keeps its stretch."""
    texts = [part if isinstance(part, str) else part.value for part in spoken]
    whole = "".join(texts)
    changed = change(whole)
    if changed == whole:
        return spoken
    parts, start = [], 0
    for part, text in zip(spoken, texts, strict=True):
        stretch = changed[start : start + len(text)]
        start += len(text)
        parts.append(stretch if isinstance(part, str) else replace(part, value=stretch))
    return tuple(parts)


def conceal_spoken(spoken: Spoken) -> Spoken:
    return _in_parts(spoken, conceal)


def reveal_spoken(spoken: Spoken, receipts: Iterable[str]) -> Spoken:
    receipts = list(receipts)
    return _in_parts(spoken, lambda text: reveal(text, receipts))


def call_receipts(call) -> list[str]:
    """The receipt numbers a live call holds, the one being confirmed or read first."""
    state = call.state or {}
    return [*(state.get(key, "") for key in RECEIPT_KEYS), *(call.receipt_numbers or [])]


def said_concealed(said: dict | None) -> dict | None:
    """The reply kept for "repeat", with its receipt numbers masked; None for one kept in an older
    form (text with markup), which the flow no longer repeats."""
    if not said or not said.get("say"):
        return said
    sentences = [sentence for sentence in map(from_json, said["say"]) if sentence is not None]
    if len(sentences) != len(said["say"]):
        return None
    return {**said, "say": [to_json(conceal_spoken(sentence)) for sentence in sentences]}


def ended_state(state: dict) -> dict:
    """A call's state once it has ended: nothing in clear that only the live call needed."""
    state = dict(state or {})
    for key in RECEIPT_KEYS:
        if state.get(key):
            state[key] = mask_receipt_number(state[key])
    if state.get("pending_digits"):
        state["pending_digits"] = MASK * 6 + state["pending_digits"][-4:]
    if state.get("callback_number"):
        state["callback_number"] = mask_phone(str(state["callback_number"]))
    state.pop("said", None)
    return state


def ended_receipt_numbers(receipt_numbers: list[str]) -> list[str]:
    """The call's receipt numbers once it has ended (the ledger entry keeps them whole)."""
    return [mask_receipt_number(receipt) for receipt in receipt_numbers or []]
