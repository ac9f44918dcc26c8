"""Done means (issue 16): a caller in the Spanish IVR hears their case's status, presses 4, and gets
exactly one Spanish text when an import moves the case, however often the notice work runs; STOP
(PARAR) ends the texts."""

from datetime import date

import pytest
from celery import current_app

from contactcenter import tasks
from contactcenter.models import (
    BenefitCase,
    OutboundMessage,
    StatusHeadline,
    StatusNotice,
    StatusSubscription,
)
from ivr.models import Call
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN
from tests.status_updates_helpers import import_status, text_in

CALLER = "+12135550142"


@pytest.fixture
def tasks_run_in_process(monkeypatch):
    """Tasks enqueued after commit run here, as the worker would run them (the real task, in process)."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


def _subscribe_by_phone(call, language_key: str):
    call.start()
    call.press(language_key)
    call.press("1")
    call.press("3222190000001")  # E A C on the keypad, then the digits
    status = call.press("1")  # yes, that is the number
    return status, call.press("4")


def test_a_spanish_caller_subscribes_and_gets_one_spanish_text_until_parar(
    reference, caller, at_time, fake_twilio, tasks_run_in_process, django_capture_on_commit_callbacks
):
    case = BenefitCase.objects.select_related("status").get(receipt_number="EAC2190000001")
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller(CALLER)
        status, answer = _subscribe_by_phone(call, "2")
    assert "Un mensaje de texto cuando cambie el estado de este caso, 4." in status.text
    assert "le enviaremos un mensaje de texto en español al teléfono desde el que llama" in answer.text
    assert "responda PARAR" in answer.text
    assert answer.gather is not None  # the case-status menu again
    subscription = StatusSubscription.objects.get()
    assert (subscription.case, subscription.channel, subscription.to, subscription.language) == (
        case,
        "sms",
        CALLER,
        "es",
    )
    assert subscription.status == "confirmed" and subscription.source == "ivr"
    assert "status-updates:subscribed" in Call.objects.get(call_sid=call.call_sid).path
    assert not fake_twilio.texts  # subscribing from the caller's own line sends nothing yet

    approved = StatusHeadline.objects.exclude(pk=case.status_id).get(code="case-was-approved")
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, approved, date(2026, 12, 3))
    assert [text["to"] for text in fake_twilio.texts] == [CALLER]
    body = fake_twilio.texts[0]["body"]
    assert approved.headline_es in body and "EAC2190000001" in body and "PARAR" in body
    assert approved.headline_en not in body

    # The notice work delivered again (a redelivered task, a second worker): nothing more goes out.
    notice = StatusNotice.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.status_notices_create.apply(kwargs={"event_ids": [notice.event_id]})
        tasks.status_notices_send.apply(kwargs={"notice_ids": [notice.pk]})
        tasks.text_send.apply(kwargs={"message_id": OutboundMessage.objects.get(purpose__startswith="status-").pk})
    assert len(fake_twilio.texts) == 1 and StatusNotice.objects.count() == 1
    assert OutboundMessage.objects.filter(purpose=f"status-notice:{notice.pk}").count() == 1

    status_code, _xml = text_in("Parar", from_number=CALLER, sid="SM-stop-1")
    assert status_code == 200
    subscription.refresh_from_db()
    assert (subscription.status, subscription.ended_reason) == ("ended", "sms-opt-out")

    mailed = StatusHeadline.objects.get(code="card-was-mailed-to-me")
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, mailed, date(2026, 12, 10))
    assert len(fake_twilio.texts) == 1  # no text after PARAR
    assert StatusNotice.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "extra"),
    [("STOP", {}), ("cancelar", {}), ("unsubscribe ", {}), ("No more please", {"OptOutType": "STOP"})],
    ids=["stop", "cancelar", "unsubscribe", "opt-out-type"],
)
def test_opt_out_texts_end_every_subscription_of_the_number(reference, caller, at_time, body, extra):
    with at_time(WEEKDAY_7PM_EASTERN):
        _subscribe_by_phone(caller(CALLER), "1")
    assert StatusSubscription.objects.get().status == "confirmed"
    status_code, _xml = text_in(body, from_number=CALLER, sid="SM-opt-out", **extra)
    assert status_code == 200
    assert StatusSubscription.objects.get().status == "ended"


def test_a_survey_reply_is_not_an_opt_out(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        _subscribe_by_phone(caller(CALLER), "1")
    status_code, _xml = text_in("5", from_number=CALLER, sid="SM-score")
    assert status_code == 200 and StatusSubscription.objects.get().status == "confirmed"
