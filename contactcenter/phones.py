"""Which numbers the center can call back: one rule for every callback offer (in line and after hours)."""

from __future__ import annotations

import re

from .identifiers import phone_e164

_DIALABLE = re.compile(r"\+?[0-9][0-9 ().-]{6,19}")

# Callbacks are dialled only to the United States and its territories (the +1 plan also covers
# Canada and the Caribbean, where the center places no calls).
CALLBACK_REGIONS = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})


def callback_number_for(from_number: str) -> str | None:
    """The E.164 number a callback would dial for this caller, or None when the center cannot call
    them back (withheld or unknown caller ID, or a number outside the callback regions)."""
    import phonenumbers

    # Letters are refused before parsing: phonenumbers reads them as a keypad's, and "restricted"
    # would become the dialable 737-874-2833.
    e164 = phone_e164(from_number) if _DIALABLE.fullmatch((from_number or "").strip()) else None
    if e164 is None or not e164.startswith("+1"):
        return None
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    return e164 if region in CALLBACK_REGIONS else None


def callback_number_from_keys(digits: str) -> str | None:
    """A 10-digit U.S. number keyed by the caller (an 11th, leading 1 allowed), or None."""
    keyed = "".join(ch for ch in digits or "" if ch.isdigit())
    if len(keyed) == 11 and keyed.startswith("1"):
        keyed = keyed[1:]
    if len(keyed) != 10:
        return None
    return callback_number_for("+1" + keyed)
