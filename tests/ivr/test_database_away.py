"""A webhook that finds the database away (a restart, a fail-over): the apology in the call's
language and a retry of the same step, never an error to Twilio. The real restart under load is
tests/faults/test_postgres_restart.py; here the outage is one service call failing on cue."""

from datetime import datetime

from django.db import OperationalError

from ivr import services
from ivr.models import Call, CallEvent
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN


def _away(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_a_spanish_step_meeting_the_gap_apologises_in_spanish_and_asks_again(reference, caller, at_time, monkeypatch):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        menu = call.press("2")
        assert menu.gather["action"] == "/ivr/step/?s=2&l=es"
        with monkeypatch.context() as patch:
            patch.setattr(services, "call_step", _away)
            sorry = call.press("3")
        assert sorry.status == 200
        assert sorry.says == [
            ("Lo sentimos, tenemos un problema técnico.", "es-US"),
            ("Por favor, permanezca en la línea. Lo intentaremos de nuevo en un momento.", "es-US"),
        ]
        assert sorry.redirect == "/ivr/step/?s=2&l=es&r=1" and not sorry.hangup
        # Twilio posts the redirect without the caller's keys: the question is asked again.
        again = call.post(sorry.redirect)
        assert "Menú principal" in again.text and again.gather["action"] == "/ivr/step/?s=2&l=es"
        call.current = again
        assert "código postal" in call.press("4").text
    record = Call.objects.get(call_sid=call.call_sid)
    assert record.step == 2
    assert list(CallEvent.objects.filter(call=record).values_list("step", flat=True)) == [0, 1, 2]


def test_after_three_retries_the_caller_is_asked_to_call_again(reference, caller, at_time, monkeypatch):
    monkeypatch.setattr(services, "call_replay", _away)
    monkeypatch.setattr(services, "call_step", _away)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        sorry = call.press("1")
        assert sorry.says[0] == ("We are sorry, we are having a technical problem.", "en-US")
        redirects = []
        while sorry.redirect:
            redirects.append(sorry.redirect)
            sorry = call.post(sorry.redirect)
    assert redirects == [f"/ivr/step/?s=1&r={n}" for n in (1, 2, 3)]
    # Before the caller chose a language: both, then the way to get help and the end of the call.
    assert sorry.status == 200 and sorry.hangup
    assert "Please call again later" in sorry.text and "vuelva a llamar más tarde" in sorry.text


def test_a_status_callback_meeting_the_gap_is_left_to_the_worker(reference, caller, at_time, monkeypatch):
    from ivr import tasks

    sent = []
    monkeypatch.setattr(services, "call_status_update", _away)
    monkeypatch.setattr(tasks.call_status_record, "apply_async", lambda **kwargs: sent.append(kwargs))
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        ended = call.hang_up(duration=42)
    assert ended.status == 200
    assert len(sent) == 1
    kwargs = sent[0]["kwargs"]
    assert (kwargs["call_sid"], kwargs["status"], kwargs["duration"]) == (call.call_sid, "completed", 42)
    # The worker's run, once the database is back, records the end with the time Twilio posted it.
    monkeypatch.undo()
    tasks.call_status_record.run(**kwargs)
    record = Call.objects.get(call_sid=call.call_sid)
    assert record.ended_at == datetime.fromisoformat(kwargs["at"])
    assert (record.twilio_status, record.duration_seconds) == ("completed", 42) and record.interaction_id
