"""Masking of personally identifiable information in free text (log lines, audit summaries)."""

from __future__ import annotations

import re

from .identifiers import mask_a_number, mask_phone

_RECEIPT = re.compile(r"\b(EAC|WAC|LIN|SRC|NBC|MSC|IOE|YSC)([\s\-]?\d){6}((?:[\s\-]?\d){4})\b", re.IGNORECASE)
_A_NUMBER = re.compile(r"\bA[\s\-#]?\d(?:[\s\-]?\d){6,8}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w*])(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}\b")
_STREET = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.]+\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|Calle|Avenida)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*[\w\-]+)?",
    re.IGNORECASE,
)


def _mask_receipt(match: re.Match) -> str:
    compact = re.sub(r"[\s\-]", "", match.group(0)).upper()
    return compact[:3] + "******" + compact[-4:]


def mask_pii(text: str) -> str:
    if not text:
        return text
    text = _RECEIPT.sub(_mask_receipt, text)
    text = _A_NUMBER.sub(lambda m: mask_a_number(m.group(0)), text)
    text = _STREET.sub("[street address]", text)
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return text


def mask_case_identifiers(text: str) -> str:
    """Receipt numbers and A-numbers only, masked as mask_pii masks them. For text the agency itself
    writes to the public (an answer in a report back): its telephone numbers and office addresses are
    the agency's own and must stay readable, but a person's case must not be named."""
    if not text:
        return text
    text = _RECEIPT.sub(_mask_receipt, text)
    return _A_NUMBER.sub(lambda m: mask_a_number(m.group(0)), text)
