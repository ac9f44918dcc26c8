"""Callers the center cannot call back at the number they call from: whole calls, signed as Twilio posts them."""

from datetime import datetime

import pytest

from contactcenter.models import FormOrder, OutboundMessage, WaitingContact
from contactcenter.routing.phones import callback_number_for, callback_number_from_keys
from ivr.models import Call, CallEvent
from tests.ivr.conftest import EASTERN, SATURDAY_NOON_EASTERN

# Open for a caller in the Eastern zone and for one in London (3 p.m. there).
WEEKDAY_10AM_EASTERN = datetime(2026, 12, 2, 10, 0, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("from_number", "expected"),
    [
        ("+12135550142", "+12135550142"),
        ("+17875550100", "+17875550100"),  # Puerto Rico
        ("anonymous", None),
        ("restricted", None),  # letters are not read as a keypad's
        ("+266696687", None),  # Twilio's caller ID for a withheld number
        ("", None),
        ("unknown", None),
        ("+447700900123", None),
        ("+14165550100", None),  # Canada: +1, but no callbacks placed there
    ],
)
def test_the_one_callback_rule(from_number, expected):
    assert callback_number_for(from_number) == expected


def test_a_keyed_number_is_ten_us_digits():
    assert callback_number_from_keys("2025550100") == "+12025550100"
    assert callback_number_from_keys("12025550100") == "+12025550100"
    assert callback_number_from_keys("202555010") is None
    assert callback_number_from_keys("4165550100") is None


def _to_callback_offer(call, *, spanish: bool):
    call.start()
    call.press("2" if spanish else "1")
    return call.press("0")


@pytest.mark.parametrize(
    ("from_number", "spanish"),
    [("anonymous", False), ("anonymous", True), ("+447700900123", False), ("+447700900123", True)],
)
def test_caller_without_a_callback_number_keys_one_hears_it_back_and_confirms(
    reference, caller, at_time, from_number, spanish
):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller(from_number)
        closed = _to_callback_offer(call, spanish=spanish)
        assert ("lunes a viernes" if spanish else "Monday through Friday") in closed.text
        ask = call.press("1")
        assert not ask.hangup
        assert ask.gather["finishOnKey"] == "#" and ask.gather["input"] == "dtmf speech"
        assert ("Aviso de privacidad" if spanish else "Privacy notice") in ask.text
        assert (
            "diga o marque el número de teléfono de los Estados Unidos de 10 dígitos"
            if spanish
            else "say or enter the 10-digit U.S. phone number"
        ) in ask.text
        confirm = call.press("3055550123")
        expected = (
            "Le devolveremos la llamada al 3 0 5, 5 5 5, 0 1 2 3. Si es correcto, oprima 1."
            if spanish
            else "We will call you back at 3 0 5, 5 5 5, 0 1 2 3. If this is correct, press 1."
        )
        assert expected in confirm.text
        assert not WaitingContact.objects.filter(call_sid=call.call_sid).exists()
        booked = call.press("1")
        assert booked.hangup
        assert (
            "al 3 0 5, 5 5 5, 0 1 2 3 en horario de atención" if spanish else "at 3 0 5, 5 5 5, 0 1 2 3 during"
        ) in (booked.text)
        call.hang_up(duration=70)
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.kind, contact.status, contact.phone) == ("callback", "waiting", "+13055550123")
    assert contact.queue_name == ("tier1-es" if spanish else "tier1-en")
    assert Call.objects.get(call_sid=call.call_sid).outcome == "callback"
    # The keyed number is never stored in clear in the call's steps.
    assert not CallEvent.objects.filter(call__call_sid=call.call_sid, input_masked__contains="3055550123").exists()


def test_pressing_2_enters_the_number_again(reference, caller, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("anonymous")
        _to_callback_offer(call, spanish=False)
        call.press("1")
        assert "3 0 5, 5 5 5, 0 1 2 3" in call.press("3055550123").text
        again = call.press("2")
        assert "enter the 10-digit U.S. phone number" in again.text
        assert "7 1 8, 5 5 5, 0 1 9 9" in call.press("7185550199").text
        call.press("1")
    assert WaitingContact.objects.get(call_sid=call.call_sid).phone == "+17185550199"


def test_an_invalid_number_is_asked_again_then_explained_then_the_call_ends(reference, caller, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("anonymous")
        _to_callback_offer(call, spanish=True)
        call.press("1")
        first = call.press("12345")
        assert first.text.startswith("Ese no es un número de teléfono de los Estados Unidos de 10 dígitos.")
        assert "tiene 10 dígitos" not in first.text
        second = call.press("4165550100")  # Canadian: not a U.S. number
        assert "Un número de teléfono de los Estados Unidos tiene 10 dígitos" in second.text
        assert "oprima 2 0 2 5 5 5 0 1 0 0" in second.text
        assert "marque el número de teléfono" in second.text
        last = call.silence()
        assert last.hangup and "No pudimos tomar un número" in last.text
        call.hang_up(duration=90)
    assert not WaitingContact.objects.filter(call_sid=call.call_sid).exists()
    assert Call.objects.get(call_sid=call.call_sid).outcome == "after_hours"


def test_after_a_wrong_entry_a_good_one_is_still_taken(reference, caller, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+447700900123")
        _to_callback_offer(call, spanish=False)
        call.press("1")
        assert "That is not a 10-digit U.S. phone number" in call.press("555").text
        assert "2 1 3, 5 5 5, 0 1 4 2" in call.press("2135550142").text
        call.press("1")
    assert WaitingContact.objects.get(call_sid=call.call_sid).phone == "+12135550142"


def test_a_us_caller_books_the_after_hours_callback_on_their_own_number(reference, caller, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+13055550100")
        _to_callback_offer(call, spanish=False)
        booked = call.press("1")
        assert booked.hangup and "We will call you back at this number during business hours" in booked.text
    assert WaitingContact.objects.get(call_sid=call.call_sid).phone == "+13055550100"


@pytest.mark.parametrize("from_number", ["anonymous", "+447700900123"])
def test_in_line_a_caller_without_a_callback_number_is_not_offered_one(reference, caller, at_time, from_number):
    with at_time(WEEKDAY_10AM_EASTERN):
        call = caller(from_number)
        call.start()
        call.press("1")
        call.press("0")
        wait = call.wait_in_queue()
        assert "You are number 1 in line" in wait.text
        assert "call back" not in wait.text and wait.gather is None
        # A key pressed anyway (a forged or stale request) books nothing.
        pressed = call.post("/ivr/queue/key/", Digits="1")
        assert not pressed.leave
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.kind, contact.status) == ("call", "waiting")


def test_in_line_a_us_caller_is_still_offered_the_callback(reference, caller, at_time):
    with at_time(WEEKDAY_10AM_EASTERN):
        call = caller("+12025550142")
        call.start()
        call.press("1")
        call.press("0")
        wait = call.wait_in_queue()
        assert "get a call back without losing your place, press 1" in wait.text
        assert call.post(wait.gather["action"], Digits="1").leave
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.kind, contact.phone) == ("callback", "+12025550142")


@pytest.mark.parametrize("spanish", [False, True])
def test_a_caller_asks_to_be_called_back_at_another_number_and_says_it(reference, caller, at_time, spanish):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+13055550100")
        closed = _to_callback_offer(call, spanish=spanish)
        assert ("otro número, oprima 2" if spanish else "another number, press 2") in closed.text
        ask = call.say("a otro número por favor" if spanish else "at another number please")
        assert ("diga o marque el número" if spanish else "say or enter the 10-digit") in ask.text
        assert "cannot call back" not in ask.text and "No podemos" not in ask.text
        spoken = "dos uno tres cinco cinco cinco cero uno cuatro dos" if spanish else "two one three, 555, 0142"
        confirm = call.say(spoken)
        assert "2 1 3, 5 5 5, 0 1 4 2" in confirm.text
        booked = call.say("sí" if spanish else "yes")
        assert (
            booked.hangup
            and ("Le devolveremos la llamada al 2 1 3" if spanish else "call you back at 2 1 3") in booked.text
        )
    assert WaitingContact.objects.get(call_sid=call.call_sid).phone == "+12135550142"


def test_a_form_link_and_nearby_offices_are_texted_to_a_number_the_caller_gives(reference, caller, at_time):
    with at_time(WEEKDAY_10AM_EASTERN):
        call = caller("anonymous")
        call.start()
        call.press("1")
        call.press("2")  # forms
        menu = call.press("765")
        assert "or to another number, 4" in menu.text
        asked = call.press("1")  # the calling line takes no text: the caller is asked for a number
        assert "We cannot send a text message" in asked.text and "mobile number to text" in asked.text
        confirm = call.say("three oh five, five five five, zero one nine nine")
        assert "We will text 3 0 5, 5 5 5, 0 1 9 9." in confirm.text
        texted = call.press("1")
        assert "We will text a link to Form I-765 to 3 0 5, 5 5 5, 0 1 9 9." in texted.text
        call.press("4")  # field offices
        call.press("90012")
        other = call.press("4")
        assert "mobile number to text" in other.text and "cannot" not in other.text
        call.press("2135550142")
        sent = call.press("1")
        assert "We sent the details to 2 1 3, 5 5 5, 0 1 4 2." in sent.text
    assert FormOrder.objects.get().phone == "+13055550199"
    message = OutboundMessage.objects.get(to_number="+12135550142")
    assert "Los Angeles Field Office, 300 N Los Angeles St, Los Angeles, CA 90012" in message.body
    assert "<say-as" not in message.body
