import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactcenter.identifiers import (
    InvalidIdentifier,
    find_a_numbers,
    find_receipt_numbers,
    normalize_a_number,
    normalize_receipt_number,
)
from contactcenter.logging import MaskPIIFilter
from contactcenter.pii import mask_pii


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("EAC2190000001", "EAC2190000001"),
        ("eac 219 000 0001", "EAC2190000001"),
        ("ioe-091-234-5678", "IOE0912345678"),
        ("  ysc1990123456 ", "YSC1990123456"),
        ("MSC–219–000–0001", "MSC2190000001"),
    ],
)
def test_receipt_numbers_are_normalised(raw, expected):
    assert normalize_receipt_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "ABC2190000001", "EAC219000001", "EAC21900000012", "EACX190000001", "2190000001"])
def test_bad_receipt_numbers_are_refused_with_the_format(raw):
    with pytest.raises(InvalidIdentifier, match="3 letters"):
        normalize_receipt_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A1234567", "A001234567"),
        ("12345678", "A012345678"),
        ("A-123-456-789", "A123456789"),
        ("a 123456789", "A123456789"),
    ],
)
def test_a_numbers_are_zero_padded(raw, expected):
    assert normalize_a_number(raw) == expected


@pytest.mark.parametrize("raw", ["A123456", "A1234567890", "B12345678", "A12B45678"])
def test_bad_a_numbers_are_refused(raw):
    with pytest.raises(InvalidIdentifier):
        normalize_a_number(raw)


def test_identifiers_are_found_in_free_text():
    text = "Re: my case EAC-219-000-0001 and wac 2190000002; A-number A 123 456 78, also A987654321."
    assert find_receipt_numbers(text) == ["EAC2190000001", "WAC2190000002"]
    assert find_a_numbers(text) == ["A012345678", "A987654321"]


@given(st.text())
def test_normalisers_never_raise_anything_but_invalid_identifier(text):
    for normalise in (normalize_receipt_number, normalize_a_number):
        try:
            value = normalise(text)
        except InvalidIdentifier:
            continue
        assert value.isalnum() and value.isupper()


def test_pii_is_masked_in_text():
    text = (
        "Caller +1 (213) 555-0142 asked about EAC2190000001 for A012345678, "
        "living at 1234 Maple Avenue, Apt 5B, Los Angeles"
    )
    masked = mask_pii(text)
    for secret in ("555-0142", "2190000001", "012345678", "1234 Maple Avenue", "Apt 5B"):
        assert secret not in masked
    assert "EAC******0001" in masked
    assert "A******678" in masked
    assert "[street address]" in masked
    assert masked.endswith("Los Angeles")


def test_log_records_leave_the_process_masked():
    logger = logging.getLogger("ncsc.test")
    record = logger.makeRecord(
        "ncsc.test",
        logging.INFO,
        __file__,
        1,
        "lookup %s for %s from %s",
        ("EAC2190000001", "A12345678", "+12135550142"),
        None,
    )
    MaskPIIFilter().filter(record)
    line = record.getMessage()
    assert "EAC2190000001" not in line and "12345678" not in line and "2135550142" not in line
    assert line.startswith("lookup EAC******0001 for A")


def test_configured_console_handler_masks(capsys):
    import logging.config

    from django.conf import settings

    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    logging.config.dictConfig(config)
    try:
        logging.getLogger("ncsc.mask").info("address change for A012345678 at 77 Elm St")
        err = capsys.readouterr().err
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert "A012345678" not in err and "77 Elm St" not in err
    assert "[street address]" in err
