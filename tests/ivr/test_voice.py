"""Issue 20: what the IVR says is written for the ear: notices, relay/TTY, SSML for Polly's neural
voices, months, money and addresses in words, a repeat key, and status texts without web addresses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contactcenter.models import StatusHeadline, WaitingContact
from ivr import speech
from ivr.flow import status_spoken
from ivr.prompts import STATUS_SPOKEN
from ivr.spoken import Mark
from tests.ivr.conftest import SATURDAY_NOON_EASTERN, WEEKDAY_7PM_EASTERN


def test_the_start_names_relay_and_tty_and_7_puts_the_caller_with_an_agent_who_takes_them(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        first = call.start()
        assert "Relay or TTY, press 7." in first.text
        handoff = call.press("7")
        assert handoff.text == (
            "This call may be recorded. Please hold for a representative who takes relay and TTY calls."
        )
        assert handoff.enqueue["name"] == "tier1-en"
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert contact.skill == "accessibility"


def test_a_relay_operator_saying_relay_is_taken_to_the_same_place_and_after_hours_hears_the_hours(
    reference, caller, at_time
):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+12025550100")
        call.start()
        closed = call.say("this is a relay call")
        assert closed.text.startswith("This call may be recorded. Representatives are available Monday")


def test_the_recording_notice_starts_the_call_and_the_privacy_notice_comes_once_before_a_receipt(
    reference, caller, at_time
):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        menu = call.press("2")
        assert menu.says[0][0] == "Esta llamada puede ser grabada."
        ask = call.press("1")
        assert ask.says[0][0] == "Aviso de privacidad: usamos sus datos solo para ayudarle. Darlos es voluntario."
        call.press("3222190000001")
        call.press("1")
        again = call.press("1")  # another receipt number
        assert "Aviso de privacidad" not in again.text and "número de recibo" in again.text


def test_pound_repeats_the_answer_and_its_menu(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        call.press("3222190000001")
        status = call.press("1")
        assert status.gather["finishOnKey"] == ""
        again = call.press("#")
        assert again.text == status.text and again.text.startswith("Form I-485: ")


def test_the_receipt_is_read_back_in_groups_with_ssml_and_by_a_neural_voice(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        confirm = call.press("3222190000001")
    assert (
        '<Say language="en-US" voice="Polly.Joanna-Neural">I have <say-as interpret-as="characters">EAC</say-as>, '
        '<say-as interpret-as="digits">219</say-as>, <say-as interpret-as="digits">000</say-as>, '
        '<say-as interpret-as="digits">0001</say-as>. Right?'
    ) in confirm.xml
    assert confirm.gather["speechModel"] == "phone_call" and confirm.gather["speechTimeout"] == "auto"


def test_the_status_is_its_date_and_one_action_and_reads_no_web_address(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        call.press("3222190000001")
        status = call.press("1")
    said = status.says[0][0]
    assert said.startswith("Form I-485: Case Is Being Actively Reviewed By USCIS. As of ")
    assert "www" not in said and "uscis.gov" not in said and "2 1 9" not in said
    assert '<say-as format="mdy" interpret-as="date">' in status.xml


@pytest.mark.django_db
def test_every_status_has_a_spoken_text_and_a_new_one_is_read_without_its_web_address(reference):
    codes = set(StatusHeadline.objects.values_list("code", flat=True))
    assert codes <= set(STATUS_SPOKEN)
    for texts in STATUS_SPOKEN.values():
        for text in texts.values():
            assert "{date}" in text and "www" not in text and len(text.split()) <= 25
    added = StatusHeadline(
        code="new-one",
        headline_en="New",
        headline_es="Nuevo",
        description_en="On {date}, we did it. If you move, go to www.uscis.gov/addresschange to tell us. Thank you.",
        description_es="El {date}, lo hicimos.",
    )
    assert status_spoken(added, "en", date="May 1") == ("On May 1, we did it. Thank you.",)


def test_months_money_and_addresses_are_said_in_words():
    assert speech.spoken_months(Decimal("5.5"), "en") == "5 and a half months"
    assert speech.spoken_months(Decimal("5.5"), "es") == "5 meses y medio"
    assert speech.spoken_months(Decimal("0.5"), "en") == "a half month"
    assert speech.spoken_months(Decimal("7.3"), "es") == "7,3 meses"
    assert speech.spoken_months(Decimal("1"), "es") == "1 mes"
    assert speech.heard(speech.spoken_money(Decimal("1225"), "es"), "es") == "1.225 dólares"
    assert speech.spoken_money(Decimal("1225"), "es") == (Mark("cardinal", "1225"), " dólares")
    assert speech.spoken_money(Decimal("12.50"), "en") == (
        Mark("cardinal", "12"),
        " dollars and ",
        Mark("cardinal", "50"),
        " cents",
    )
    assert speech.heard(speech.spoken_money(Decimal("1"), "en"), "en") == "1 dollar"
    assert speech.heard(speech.spoken_date(date(2026, 12, 4), "es"), "es") == "4 de diciembre de 2026"
    assert (
        speech.spoken_address("300 N Los Angeles St", "Los Angeles", "CA")
        == "300 North Los Angeles Street, Los Angeles, California"
    )
    assert speech.spoken_address("16000 Sherman Way", "Van Nuys", "ca") == "16000 Sherman Way, Van Nuys, California"


def test_a_field_office_is_said_with_its_address_in_words(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("4")
        results = call.press("90012")
    assert "Los Angeles Field Office, 300 North Los Angeles Street, Los Angeles, California" in results.text


def test_priority_dates_are_under_processing_times_and_the_old_6_still_works(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        intro = call.press("3")
        assert "Priority dates and the visa bulletin, 3." in intro.text
        assert call.press("3").text.startswith("Priority dates.")
        call.press("9")
        assert call.press("6").text.startswith("Priority dates.")
