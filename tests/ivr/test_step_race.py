"""Twilio's retry of a step can arrive while the first post of it is still being answered. On real
Postgres, with each post in its own thread and connection: one answer is recorded, every post
gets that answer, and a step's side effect (a form order) happens once."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from django.db import connection

from contactcenter.models import FormOrder
from ivr import services
from ivr.models import Call, CallEvent
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

POSTS = 8


def _race(call_sid: str, step: int, digits: str) -> list[str]:
    barrier = threading.Barrier(POSTS)
    answered = threading.Barrier(POSTS)
    answer = services._answer

    def answer_when_all_have(*args, **kwargs):
        """Every post has read the call and worked out its answer before any saves it: the widest
        race (under the lock only one post gets here at a time, so the wait times out)."""
        result = answer(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            answered.wait(timeout=3)
        return result

    answers: list[str] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(services.call_step(call_sid=call_sid, step=step, digits=digits, speech=""))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(POSTS)]
    services._answer = answer_when_all_have
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        services._answer = answer
    assert not errors, errors
    assert len(answers) == POSTS
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_step_posted_at_once_is_answered_once_and_every_post_hears_that_answer(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")  # English: the main menu is step 1
        answers = _race(call.call_sid, step=2, digits="4")  # field offices
    assert len(set(answers)) == 1
    assert "ZIP code" in answers[0]
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.step, record.state["awaiting"]) == (2, "zip")
    assert list(CallEvent.objects.filter(call=record).values_list("step", flat=True)) == [0, 1, 2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_form_order_posted_at_once_is_ordered_once(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("2")
        call.press("485")  # the form's menu is step 3; "1" texts a link
        answers = _race(call.call_sid, step=4, digits="1")
    assert len(set(answers)) == 1
    assert "We will send a text message with a link to Form I-485" in answers[0]
    assert FormOrder.objects.filter(phone="+12135550142").count() == 1
    record = Call.objects.get(call_sid=call.call_sid)
    assert CallEvent.objects.filter(call=record, step=4).count() == 1
    assert record.step == 4


def _drop_the_web_connection() -> None:
    """Postgres ends the session the webhooks use, as a restart or an idle timeout would."""
    import psycopg2

    pid = connection.connection.get_backend_pid()
    with psycopg2.connect(**connection.get_connection_params()) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    admin.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_postgres_dropped_costs_the_caller_nothing(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        _drop_the_web_connection()
        assert "Main menu" in call.press("1").text  # not the apology
        _drop_the_web_connection()
        assert "ZIP code" in call.press("4").text
        _drop_the_web_connection()
        call.hang_up(duration=40)
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.step, record.duration_seconds, record.outcome) == (2, 40, "abandoned")
    assert list(CallEvent.objects.filter(call=record).values_list("step", flat=True)) == [0, 1, 2]
