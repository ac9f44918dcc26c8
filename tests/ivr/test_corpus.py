"""Issue 20: the IVR understands callers as they speak. tests/ivr/corpus.tsv holds utterances as a
recogniser writes them (or the keys pressed), in English and Spanish, for every kind of answer, with
what a careful agent would understand; the parser must agree on at least 98 % in each language."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from contactcenter.routing.phones import callback_number_from_keys
from ivr import parsing

HERE = Path(__file__).parent
# corpus.tsv was written with the parser; corpus_heldout.tsv by someone who had not read it, and
# first measured before any change for it (97.7 % English, 96.2 % Spanish; docs/ivr-understanding.md).
CORPORA = {"corpus": HERE / "corpus.tsv", "held-out": HERE / "corpus_heldout.tsv"}
TARGET = 0.98


def _lines(path: Path) -> list[tuple[str, str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row and not row[0].startswith("#")]
    return [tuple(row) for row in rows]  # type: ignore[misc]


def understood(language: str, step: str, utterance: str) -> str:
    """What the IVR takes from one answer, as the corpus writes it."""
    keys = utterance[len("keys:") :] if utterance.startswith("keys:") else ""
    speech = "" if utterance.startswith("keys:") else utterance
    if step == "language":
        result = parsing.language_choice(keys, speech)
    elif step in parsing.MENU_KEYS:
        result = parsing.menu_choice(keys, speech, language, parsing.MENU_KEYS[step], menu=step)
    elif step == "confirm":
        result = parsing.yes_no(keys, speech)
    elif step == "receipt":
        heard = parsing.receipt_keyed(keys) if keys else parsing.receipt_heard(speech)
        result = None if heard is None else heard.receipt or f"digits:{heard.digits}"
    elif step == "zip":
        result = (keys if len(parsing.digits_only(keys)) == 5 else None) if keys else parsing.zip_from_speech(speech)
    elif step == "form":
        result = parsing.digits_only(keys) if keys else parsing.form_digits_from_speech(speech)
    elif step == "phone":
        number = callback_number_from_keys(keys) if keys else parsing.phone_from_speech(speech)
        result = number[-10:] if number else None
    else:
        raise AssertionError(f"unknown step {step!r}")
    return result or "none"


@pytest.mark.parametrize("name", list(CORPORA))
def test_the_corpus_is_understood_in_each_language(name, record_property):
    lines = _lines(CORPORA[name])
    assert len(lines) >= 250
    assert {language for language, *_ in lines} == {"en", "es"}
    right, total, wrong = Counter(), Counter(), []
    for language, step, utterance, expected in lines:
        got = understood(language, step, utterance)
        total[language] += 1
        if got == expected:
            right[language] += 1
        else:
            wrong.append(f"{language} {step:<12} {utterance!r}: {got!r}, expected {expected!r}")
    for language in total:
        # printed by tests/conftest.py's summary (a property reaches it from an xdist worker too)
        record_property("ivr_corpus", (name, language, right[language], total[language]))
    shortfall = [language for language in total if right[language] < TARGET * total[language]]
    assert not shortfall, "\n".join([f"below {TARGET:.0%} in {', '.join(shortfall)}:", *wrong])


@pytest.mark.parametrize(
    ("language", "said", "expected"),
    [
        ("en", "That is not correct", "no"),
        ("es", "no es correcto", "no"),
        ("en", "yes that's correct", "yes"),
        ("es", "sí, es correcto", "yes"),
    ],
)
def test_a_negation_is_heard_before_the_affirmation_it_holds(language, said, expected):
    assert parsing.yes_no("", said) == expected
