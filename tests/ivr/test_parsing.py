from hypothesis import given
from hypothesis import strategies as st

from contactcenter.reference.identifiers import RECEIPT_PREFIXES, RECEIPT_RE
from ivr import parsing

DIGIT_WORDS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
DIGIT_WORDS_ES = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
receipts = st.tuples(st.sampled_from(RECEIPT_PREFIXES), st.from_regex(r"[0-9]{10}", fullmatch=True)).map("".join)


@given(receipts, st.sampled_from([DIGIT_WORDS_EN, DIGIT_WORDS_ES]))
def test_any_spoken_receipt_number_is_understood(receipt, words):
    spoken = " ".join(receipt[:3]) + " " + " ".join(words[int(d)] for d in receipt[3:])
    assert parsing.receipt_from_speech(spoken) == receipt


@given(receipts)
def test_any_keyed_receipt_number_is_understood_both_ways(receipt):
    keyed = "".join(parsing.KEYPAD[ch] for ch in receipt[:3]) + receipt[3:]
    assert parsing.receipt_from_keys(keyed) == receipt
    menu_digit = str(RECEIPT_PREFIXES.index(receipt[:3]) + 1)
    assert parsing.receipt_from_keys(menu_digit + receipt[3:]) == receipt


@given(st.text(max_size=80))
def test_parsers_never_raise_and_only_return_valid_numbers(text):
    for value in (parsing.receipt_from_speech(text), parsing.receipt_from_keys(text)):
        assert value is None or RECEIPT_RE.match(value)
    # A key of the menu, one every menu has (0, 9, * back) or "repeat" ("cómo", "otra vez").
    assert parsing.menu_choice("", text, "es", "12345609") in (None, *"12345609*", "repeat")


def test_oh_is_a_letter_in_ioe_and_zero_in_the_digits():
    assert parsing.receipt_from_speech("I O E oh nine one two three four five six seven eight") == "IOE0912345678"
    assert parsing.receipt_from_speech("E A C two one nine oh oh oh oh oh oh one") == "EAC2190000001"


def test_every_prefix_keys_to_a_distinct_triple():
    assert len(parsing.PREFIX_BY_KEYS) == len(RECEIPT_PREFIXES)
