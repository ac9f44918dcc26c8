"""Receipt numbers, A-numbers and phone numbers: parsing, normalising and masking."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

RECEIPT_PREFIXES = ("EAC", "WAC", "LIN", "SRC", "NBC", "MSC", "IOE", "YSC")
RECEIPT_RE = re.compile(r"^(EAC|WAC|LIN|SRC|NBC|MSC|IOE|YSC)\d{10}$")
A_NUMBER_RE = re.compile(r"^A?\d{7,9}$")
ZIP5_RE = re.compile(r"^\d{5}$")
# USPS codes a mailing address in the United States may carry: the states, the District of
# Columbia, the territories and freely associated states, and the armed forces' post offices.
# fmt: off
US_STATE_CODES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    "DC", "AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW", "AA", "AE", "AP",
})
# fmt: on
_SEPARATORS = re.compile(r"[\s\-–—_.]+")

# Found inside free text (e-mail bodies, notes, log lines).
RECEIPT_IN_TEXT = re.compile(
    r"\b(EAC|WAC|LIN|SRC|NBC|MSC|IOE|YSC)[\s\-]?(\d{3})[\s\-]?(\d{3})[\s\-]?(\d{4})\b", re.IGNORECASE
)
A_NUMBER_IN_TEXT = re.compile(r"\bA[\s\-#]?(\d{3})[\s\-]?(\d{3})[\s\-]?(\d{1,3})\b", re.IGNORECASE)


class InvalidIdentifier(ValueError):
    pass


def normalize_receipt_number(raw: str) -> str:
    """`eac-219-000-0001` → `EAC2190000001`; raises InvalidIdentifier otherwise."""
    value = _SEPARATORS.sub("", (raw or "")).upper()
    if not RECEIPT_RE.match(value):
        raise InvalidIdentifier(
            _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
        )
    return value


def is_receipt_number(raw: str) -> bool:
    try:
        normalize_receipt_number(raw)
    except InvalidIdentifier:
        return False
    return True


def normalize_a_number(raw: str) -> str:
    """`A12345678` / `12-345-678` → `A012345678` (A + 9 digits)."""
    value = _SEPARATORS.sub("", (raw or "")).upper()
    if value.startswith("A-"):
        value = "A" + value[2:]
    if not A_NUMBER_RE.match(value):
        raise InvalidIdentifier(_("An A-number is the letter A followed by 7, 8 or 9 digits."))
    return "A" + value.lstrip("A").zfill(9)


def phone_e164(raw: str) -> str | None:
    """A dialable number (US by default, or +country) in E.164; None when it is not one."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw or "", "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_receipt_numbers(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in RECEIPT_IN_TEXT.finditer(text or ""):
        seen["".join(match.groups()).upper()] = None
    return list(seen)


def find_a_numbers(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in A_NUMBER_IN_TEXT.finditer(text or ""):
        digits = "".join(match.groups())
        if 7 <= len(digits) <= 9:
            seen["A" + digits.zfill(9)] = None
    return list(seen)


def mask_receipt_number(value: str) -> str:
    value = value or ""
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "***"


def mask_a_number(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return "A" + "*" * max(len(digits) - 3, 0) + digits[-3:] if digits else "A***"


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return ("+" if (value or "").startswith("+") else "") + "*" * max(len(digits) - 4, 0) + digits[-4:]
