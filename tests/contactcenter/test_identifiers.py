import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactcenter.audit.pii import mask_pii
from contactcenter.common.logging import MaskPIIFilter
from contactcenter.reference.identifiers import (
    InvalidIdentifier,
    find_a_numbers,
    find_receipt_numbers,
    normalize_a_number,
    normalize_receipt_number,
)


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


@pytest.mark.parametrize(
    "written",
    [
        "EAC.219.000.0001",
        "EAC_219_000_0001",
        "EAC–219–000–0001",  # en dash
        "EAC—219—000—0001",  # em dash
        "EAC - 219 . 000 _ 0001",
        "E-A-C-2190000001",
        "eac 219 000 0001",
        "EAC+219+000+0001",
        "EAC%20219%20000%200001",
        "EAC%2D219%2d000%2D0001",
        "EAC%E2%80%93219%E2%80%930000001",
    ],
)
def test_every_receipt_number_the_normaliser_accepts_is_masked_in_text(written):
    compact = normalize_receipt_number(
        written.replace("%20", " ").replace("%2D", "-").replace("%2d", "-").replace("+", " ").replace("%E2%80%93", "–")
    )
    assert compact == "EAC2190000001"
    for line in (f"lookup {written} done", f"GET /cases/?q={written}&page=2", f"GET /cases/?q=x%20{written}"):
        masked = mask_pii(line)
        assert "EAC******0001" in masked, masked
        rest = masked.replace("EAC******0001", "")
        assert "219" not in rest and "000" not in rest, masked


@pytest.mark.parametrize(
    "written",
    ["A.012.345.678", "A_012_345_678", "A–012–345–678", "A—012345678", "A+012345678", "A%20012345678",
     "A%2D012%2D345%2D678", "A%23012345678", "a 012 345 678"],
)  # fmt: skip
def test_every_a_number_separator_is_masked_in_text(written):
    for line in (f"file {written} ok", f"GET /search/?a={written}", f"GET /search/?q=x%20{written}&n=1"):
        masked = mask_pii(line)
        assert "A******678" in masked, masked
        assert "012" not in masked and "345" not in masked, masked


@pytest.mark.parametrize(
    "request_id",
    [
        "3fa2a123456789bc0de1f2a3b4c5d6e7",  # uuid4().hex with 'a' + nine digits inside
        "0d9eac21900000017c5a0123456789ab",  # a receipt prefix inside hex
        "3fa85f64-a123-4567-b3fc-2c963f66afa6",  # a proxy's UUID: 'a123-4567' reads like an A-number
        "5e0b7a012345678f",
    ],
)
def test_identifiers_inside_request_ids_are_left_alone(request_id):
    line = f"GET /api/me/ 200 [{request_id}] id={request_id}"
    assert mask_pii(line) == line
    # The same id next to a real A-number: only the A-number is masked.
    masked = mask_pii(f"{request_id} lookup A012345678 EAC2190000001")
    assert masked == f"{request_id} lookup A******678 EAC******0001"


def test_identifiers_standing_as_words_are_still_masked():
    for text, expected in [
        ("(A012345678)", "(A******678)"),
        ("A012345678.", "A******678."),
        ("a=A012345678&b", "a=A******678&b"),
        ("ref_EAC2190000001", "ref_EAC******0001"),
        ("x%20EAC2190000001", "x%20EAC******0001"),
    ]:
        assert mask_pii(text) == expected
