"""Masking of personally identifiable information in free text (log lines, audit summaries)."""

from __future__ import annotations

import re

from contactcenter.reference.identifiers import mask_a_number, mask_phone

# Every separator normalize_receipt_number / normalize_a_number accept (whitespace, '-', en and em dash,
# '_', '.'), and the same URL-encoded as they appear in access-log query strings ('+', %20, %2D, %2E, %5F,
# the UTF-8 of the dashes). Before a receipt or A-number only a letter is refused, so 'q=x%20EAC…' (a
# digit before) and 'ref_EAC…' are found too.
_SEP = r"(?:[\s\-\u2013\u2014_.+]|%20|%2D|%2E|%5F|%E2%80%9[34])"
_RECEIPT_PREFIX = "|".join(
    f"{_SEP}*".join(prefix) for prefix in ("EAC", "WAC", "LIN", "SRC", "NBC", "MSC", "IOE", "YSC")
)
# An identifier stands as a word: no letter or digit joined to either end (so none is found inside a
# hex request id or a token), except that a URL escape may come just before it ('q=x%20EAC…').
_WORD_START = r"(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))"
_WORD_END = r"(?![A-Za-z0-9])"
_RECEIPT = re.compile(rf"{_WORD_START}(?:{_RECEIPT_PREFIX})(?:{_SEP}*\d){{10}}{_WORD_END}", re.IGNORECASE)
_A_NUMBER = re.compile(rf"{_WORD_START}A(?:{_SEP}|#|%23)*\d(?:{_SEP}*\d){{6,8}}{_WORD_END}", re.IGNORECASE)
# Request ids and other UUIDs (hex groups joined by dashes) are left whole: a group like 'a123' next to
# '-4567' would otherwise read as an A-number written with dashes.
_UUID = re.compile(r"(?<![A-Za-z0-9])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9])", re.I)
_URL_ESCAPE = re.compile(r"%[0-9A-F]{2}", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w*])(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}\b")
_STREET = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.]+\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|Calle|Avenida)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*[\w\-]+)?",
    re.IGNORECASE,
)


def _mask_receipt(match: re.Match) -> str:
    compact = re.sub(r"[^A-Za-z0-9]", "", _URL_ESCAPE.sub("", match.group(0))).upper()
    return compact[:3] + "******" + compact[-4:]


def _mask_a_number(match: re.Match) -> str:
    return mask_a_number(_URL_ESCAPE.sub("", match.group(0)))


def mask_pii(text: str) -> str:
    if not text:
        return text
    text = mask_case_identifiers(text)
    text = _STREET.sub("[street address]", text)
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return text


def mask_case_identifiers(text: str) -> str:
    """Receipt numbers and A-numbers only, masked as mask_pii masks them. For text the agency itself
    writes to the public (an answer in a report back): its telephone numbers and office addresses are
    the agency's own and must stay readable, but a person's case must not be named."""
    if not text:
        return text
    pieces = _UUID.split(text)
    uuids = _UUID.findall(text)
    masked = [_A_NUMBER.sub(_mask_a_number, _RECEIPT.sub(_mask_receipt, piece)) for piece in pieces]
    return "".join(part for pair in zip(masked, [*uuids, ""], strict=True) for part in pair)
