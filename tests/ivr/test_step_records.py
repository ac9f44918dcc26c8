"""Receipt numbers never in clear in what a call leaves behind: the TwiML of each step is stored
masked, Twilio's retry of a step still says the whole number, and the call's state keeps it only
while the call lasts."""

import re

import pytest

from contactcenter.models import Interaction
from ivr import masking
from ivr.models import Call, CallEvent
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN
from tests.ivr.test_step_race import _race

SPOKEN_EAC = "E A C dos uno nueve cero cero cero cero cero cero uno"
# A receipt number's ten digits in any way the IVR may write or say them.
CLEAR = re.compile(r"2\W*1\W*9\W*0\W*0\W*0\W*0\W*0\W*0\W*1|2\W*1\W*9\W*9\W*9\W*9\W*9\W*9\W*9\W*9")


def _stored(call_sid: str, *, ended: bool = True) -> str:
    """What the call's records hold: its steps, and once it has ended its own row too."""
    call = Call.objects.get(call_sid=call_sid)
    events = CallEvent.objects.filter(call=call).values_list("twiml", "input_masked", "result")
    return repr([*([call.state, call.receipt_numbers] if ended else []), *events])


def test_a_whole_call_leaves_no_receipt_number_in_clear(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        assert "E A C, 2 1 9, 9 9 9, 9 9 9 9" in call.press("3222199999999").text
        assert "E A C, 2 1 9, 9 9 9, 9 9 9 9" in call.press("1").text  # not found, said back
        assert "I have E A C, 2 1 9, 0 0 0, 0 0 0 1" in call.press("3222190000001").text
        again = call.say("repeat")
        assert "I have E A C, 2 1 9, 0 0 0, 0 0 0 1" in again.text
        assert "Form I-485: " in call.press("1").text
        # While the call lasts, its state holds what the flow needs; "repeat" is kept masked.
        live = Call.objects.get(call_sid=call.call_sid)
        assert live.state["case_receipt"] == "EAC2190000001"
        assert not CLEAR.search(repr(live.state.get("said")))
        # Every step so far is stored masked, in place: still TwiML that says the letters and last digits.
        twiml = list(CallEvent.objects.filter(call=live).values_list("twiml", flat=True))
        assert any(
            '<say-as interpret-as="digits">***</say-as>, <say-as interpret-as="digits">0001</say-as>' in body
            for body in twiml
        )
        assert not any(CLEAR.search(body) for body in twiml)
        call.hang_up()

    assert not CLEAR.search(_stored(call.call_sid))
    ended = Call.objects.get(call_sid=call.call_sid)
    assert ended.receipt_numbers == ["EAC******0001"]
    assert ended.state["case_receipt"] == "EAC******0001" and "said" not in ended.state
    # The ledger entry keeps the number whole: the case view on every console finds the call.
    interaction = Interaction.objects.get(source_app="ivr", source_id=call.call_sid)
    assert list(interaction.identifiers.values_list("value", flat=True)) == ["EAC2190000001"]


def test_a_retried_step_still_says_the_whole_number(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("2")
        call.press("1")
        action = call.current.gather["action"]
        confirm = call.say(SPOKEN_EAC)
        # Twilio posts the same step again (its request timed out): the same answer, number and all.
        retried = call.post(action, SpeechResult=SPOKEN_EAC, Confidence="0.92")
        assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in retried.text
        assert retried.xml == confirm.xml
        # After an apology (`r=1`, without the caller's answer) the question is asked again whole.
        replayed = call.post(action + "&r=1")
        assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in replayed.text

        action = call.current.gather["action"]
        status = call.press("1")
        assert status.xml == call.post(action, Digits="1").xml
    assert not CLEAR.search(_stored(call.call_sid, ended=False))


def test_after_the_call_ends_a_stored_step_is_masked_but_still_twiml(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        action = call.current.gather["action"]
        call.press("3222190000001")
        call.hang_up()
        late = call.post(action, Digits="3222190000001")
    assert late.status == 200
    assert "I have E A C, * * *, * * *, 0 0 0 1" in late.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_posts_of_one_step_at_once_all_hear_the_whole_number(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")  # case status: the receipt question is step 3
        answers = _race(call.call_sid, step=3, digits="3222190000001")
    assert len(set(answers)) == 1
    assert '<say-as interpret-as="digits">219</say-as>, <say-as interpret-as="digits">000</say-as>' in answers[0]
    assert not CLEAR.search(_stored(call.call_sid, ended=False))


@pytest.mark.parametrize(
    "spoken",
    [
        "You entered E A C, 2 1 9 0 0 0 0 0 0 1.",
        "Usted ingresó E A C, 219, 000, 0001.",
        "receipt EAC2190000001 and eac-219-000-0001",
        '<Say><say-as interpret-as="characters">EAC</say-as>, <prosody rate="90%">219 000 0001</prosody></Say>',
    ],
)
def test_receipt_numbers_are_masked_in_place_and_filled_back_from_the_live_call(spoken):
    masked = masking.conceal(spoken)
    assert not CLEAR.search(masked)
    assert masked.count("0001") == spoken.count("0001")
    assert masking.reveal(masked, ["WAC2190000001", "EAC2190000001"]) == spoken
    # A number the call does not hold stays masked; text without one is left alone.
    assert masking.reveal(masked, ["EAC2190000002"]) == masked
    assert masking.conceal("You are number 1 in line. Phone: 2 1 3, 5 5 5, 0 1 4 2.") == (
        "You are number 1 in line. Phone: 2 1 3, 5 5 5, 0 1 4 2."
    )
