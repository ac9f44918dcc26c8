"""The A-11 §280 survey at the end of a self-service call, walked with signed requests."""

import pytest

from contactcenter.models import AuditEvent, SurveyResponse
from contactcenter.staff.roles import Role
from ivr.models import Call, CallEvent
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

SPANISH_FINISH = "Si ya terminó, oprima 8."


def _case_status(call, language_key):
    call.start()
    call.press(language_key)
    call.press("1")
    call.press("3222190000001")
    return call.press("1")


def test_spanish_caller_answers_by_keypad_and_the_supervisor_sees_it(reference, caller, at_time, client_as):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        status = _case_status(call, "2")
        assert status.text.startswith("Formulario I-485: ")
        assert status.text.endswith(SPANISH_FINISH)
        offer = call.press("8")
        assert "Para contestar dos preguntas breves sobre esta llamada, oprima 1" in offer.text
        assert offer.gather["language"] == "es-US"
        first = call.press("1")
        assert "estoy satisfecho con el servicio que recibí" in first.text
        second = call.press("5")
        assert "aumentó mi confianza" in second.text
        thanks = call.say("cuatro")
        assert thanks.hangup and "Gracias por sus respuestas" in thanks.text
        assert all(language == "es-US" for _, language in thanks.says)
        call.hang_up()

    response = SurveyResponse.objects.get()
    assert (response.channel, response.language, response.method) == ("ivr", "es", "keypad")
    assert (response.satisfaction, response.trust) == (5, 4)
    assert response.receipt_number == "EAC2190000001"
    assert response.topic.code == "case-status"
    assert response.source_id == call.call_sid
    assert Call.objects.get(call_sid=call.call_sid).outcome == "self_served"

    supervisor = client_as(Role.SUPERVISOR)
    page = supervisor.get("/reports/surveys/", {"start": "2026-12-01", "end": "2026-12-03"}).content.decode()
    assert 'data-survey-row="language:es"' in page
    assert "Spanish" in page and ">1<" in page and "5.0" in page and "100%" in page


def test_english_caller_declines_and_the_call_ends_politely(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        status = _case_status(call, "1")
        assert status.text.endswith("If you have finished, press 8.")
        offer = call.say("that's all")
        assert "To answer two short questions about this call, press 1" in offer.text
        bye = call.press("2")
        assert bye.hangup and "Goodbye" in bye.text
    assert not SurveyResponse.objects.exists()


def test_english_caller_answers_and_silence_skips_a_question(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        _case_status(call, "1")
        call.press("8")
        call.say("yes")
        assert "I did not hear a response" in call.silence().text
        trust = call.silence()
        assert "increased my trust" in trust.text
        thanks = call.say("strongly agree")
        assert thanks.hangup and "Thank you for your answers" in thanks.text
    response = SurveyResponse.objects.get()
    assert (response.language, response.satisfaction, response.trust) == ("en", None, 5)


def test_no_survey_for_a_caller_the_ivr_did_not_serve(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        menu = call.press("1")
        assert "If you have finished" not in menu.text
        assert "Main menu" in call.press("8").text  # 8 is no option there: asked again


def test_a_replayed_step_records_the_answer_once(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        _case_status(call, "2")
        call.press("8")
        call.press("1")
        action = call.current.gather["action"]
        first = call.press("3")
        again = call.post(action, Digits="3")  # Twilio retrying the same step
        assert again.xml == first.xml
    response = SurveyResponse.objects.get()
    assert response.satisfaction == 3
    assert AuditEvent.objects.filter(target_type="contactcenter.surveyresponse").count() == 1
    assert CallEvent.objects.filter(call__call_sid=call.call_sid, node="survey_satisfaction").count() == 1


@pytest.mark.parametrize("key", ["0", "9"])
def test_every_menu_keys_still_work_in_the_survey(reference, caller, at_time, key):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        _case_status(call, "1")
        call.press("8")
        call.press("1")
        reply = call.press(key)
        assert reply.enqueue is not None if key == "0" else "Main menu" in reply.text
