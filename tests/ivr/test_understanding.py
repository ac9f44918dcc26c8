"""Issue 20: the IVR understands callers as they speak — walked with signed requests."""

from contactcenter.common import ratelimit
from contactcenter.models import WaitingContact
from ivr.models import Call
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

SPOKEN_EAC = "E A C dos uno nueve cero cero cero cero cero cero uno"


def test_no_es_correcto_asks_for_the_number_again_and_looks_nothing_up(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("2")
        call.press("1")
        assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in call.say(SPOKEN_EAC).text
        again = call.say("no es correcto")
        assert "número de recibo" in again.text
        assert "estado de su caso" not in again.text
        assert "E A C" in call.say("E A C dos uno nueve cero cero cero cero cero cero dos").text
        assert "número de recibo" in call.say("no, eso no es correcto").text
    assert ratelimit.count("ivr:lookups:+12135550142") == 0
    record = Call.objects.get(call_sid=call.call_sid)
    assert record.receipt_numbers == []
    assert not any(step.startswith("case-status") for step in record.path)


def test_un_representante_por_favor_reaches_the_spanish_tier1_queue(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("2")
        handoff = call.say("un representante por favor")
        assert handoff.enqueue is not None and handoff.enqueue["name"] == "tier1-es"
    assert WaitingContact.objects.get(call_sid=call.call_sid).queue_name == "tier1-es"


def test_words_beat_the_digit_words_they_hold(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        spanish = caller("+12135550143")
        spanish.start()
        spanish.press("2")
        assert "formulario" in spanish.say("necesito un formulario").text
        english = caller("+12135550144")
        english.start()
        english.press("1")
        assert "receipt number" in english.say("I'm calling for my case").text


def test_zero_nine_and_star_mean_the_same_at_every_step(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("4")  # field offices: the ZIP code entry
        assert "Main menu" in call.press("9").text
        call.press("1")  # case status: the receipt number entry
        assert "Main menu" in call.press("*").text
        call.press("2")
        assert "Main menu" in call.say("go back").text  # spoken, at the form entry
        call.press("2")
        handoff = call.say("I need an agent")
        assert handoff.enqueue is not None and handoff.enqueue["name"] == "tier1-en"


def test_a_choice_heard_with_low_confidence_is_confirmed_first(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550101")
        call.start()
        call.press("1")
        check = call.say("forms", confidence="0.21")
        assert "I heard: forms and fees. Is that right?" in check.text
        assert "Main menu" in call.say("no").text
        assert "I heard: civil surgeon" not in call.say("civil surgeon", confidence="0.9").text
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550102")
        call.start()
        call.press("2")
        check = call.say("el estado de mi caso", confidence="0.3")
        assert "Entendí: el estado de su caso." in check.text
        assert "número de recibo" in call.say("sí").text


def test_the_ten_digits_first_then_the_letters(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550103")
        call.start()
        call.press("1")
        call.press("1")
        letters = call.say("two one nine oh oh oh oh oh oh one")
        assert "three letters" in letters.text
        assert "I have E A C, 2 1 9, 0 0 0, 0 0 0 1" in call.say("E A C").text
        status = call.press("1")
        assert status.text.startswith("Form I-485: ")
        # "repeat" after an answer says the answer again.
        repeated = call.say("repeat that please")
        assert repeated.text == status.text


def test_a_spanish_zip_in_tens(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550145")
        call.start()
        call.press("2")
        call.press("5")
        surgeons = call.say("noventa cero cero uno dos")
        assert "millas" in surgeons.text
