"""A sentence is text and marks: prompts are filled with parts, kept as JSON for "repeat", masked
part by part."""

import json
from datetime import date

import pytest

from ivr import masking, speech
from ivr.spoken import Mark, concat, fill, from_json, join, to_json

RECEIPT = speech.spoken_receipt("EAC2190000001")


def test_a_prompt_is_filled_with_marks_as_parts_and_with_text_as_format_would():
    sentence = fill("I have {spelled}. Right?", spelled=RECEIPT)
    assert sentence == (
        "I have ",
        Mark("characters", "EAC"),
        ", ",
        Mark("digits", "219"),
        ", ",
        Mark("digits", "000"),
        ", ",
        Mark("digits", "0001"),
        ". Right?",
    )
    assert fill("{miles} miles, {name!r}, {share:.0%}", miles=3, name="x", share=0.5) == ("3 miles, 'x', 50%",)
    due = Mark("date", "12-04-2026", "mdy")
    assert fill("Due {date}.", date=due) == ("Due ", due, ".")
    with pytest.raises(KeyError):
        fill("{missing}")


def test_texts_next_to_each_other_are_one_part():
    assert concat("a", "", ("b", Mark("digits", "1")), "c", "d") == ("ab", Mark("digits", "1"), "cd")
    assert join(", ", [Mark("digits", "1"), ("x",), Mark("digits", "2")]) == (
        Mark("digits", "1"),
        ", x, ",
        Mark("digits", "2"),
    )


def test_a_sentence_kept_as_json_comes_back_whole_and_older_text_does_not():
    sentence = concat("On ", speech.spoken_date(date(2026, 12, 4), "en"), ", ", RECEIPT)
    kept = json.loads(json.dumps(to_json(sentence)))
    assert from_json(kept) == sentence
    assert from_json('I have <say-as interpret-as="characters">EAC</say-as>.') is None
    assert masking.said_concealed({"say": ["text kept before parts"], "awaiting": "main"}) is None


def test_a_sentence_is_masked_part_by_part_and_filled_back_from_the_live_call():
    sentence = fill("I have {spelled}. Right?", spelled=RECEIPT)
    masked = masking.conceal_spoken(sentence)
    assert masked[3] == Mark("digits", "***") and masked[5] == Mark("digits", "***") and masked[7] == sentence[7]
    assert speech.heard(masked, "en") == "I have E A C, * * *, * * *, 0 0 0 1. Right?"
    assert masking.reveal_spoken(masked, ["WAC2190000001", "EAC2190000001"]) == sentence
    assert masking.reveal_spoken(masked, ["EAC2190000002"]) == masked
    phone = fill("Call {number}.", number=speech.spoken_phone("+12135550142"))
    assert masking.conceal_spoken(phone) is phone
