"""Which numbers the center can call back: one rule for every callback offer (in line and after hours)."""

from __future__ import annotations

import re

from contactcenter.reference.identifiers import phone_e164

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


# A SIP address an agent's calls may be dialled to: sip:user@host[:port][;params], as Twilio dials it.
_SIP_URI = re.compile(
    r"sips?:[A-Za-z0-9._~+%!$&'()*,=-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+(?::\d{1,5})?(?:;[A-Za-z0-9_.=-]{1,40}){0,4}",
)
AGENT_LINE_MAX = 80
# A number as staff write it: "(202) 555-0123", "+1 202-555-0123" (letters are refused, not read as a keypad's).
_WRITTEN_NUMBER = re.compile(r"\+?[0-9 ().-]{7,25}")


def agent_line_for(value: str) -> str | None:
    """The desk phone or remote line an agent's calls are dialled to, as stored and dialled: a
    number the center can call (the callback rule: the U.S. and its territories) in E.164, or a
    SIP URI (`sip:` scheme lower-cased); None when it is neither."""
    value = (value or "").strip()
    if value[:4].lower() in ("sip:", "sips"):
        scheme, _colon, rest = value.partition(":")
        uri = f"{scheme.lower()}:{rest}"
        return uri if len(uri) <= AGENT_LINE_MAX and _SIP_URI.fullmatch(uri) else None
    e164 = phone_e164(value) if _WRITTEN_NUMBER.fullmatch(value) else None
    return callback_number_for(e164) if e164 else None
