"""Whole calls, walked with signed requests as Twilio would post them."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings

from contactcenter.models import Interaction, OutboundMessage, WaitingContact
from ivr.models import Call, CallEvent
from tests.ivr.conftest import SATURDAY_NOON_EASTERN, WEEKDAY_7PM_EASTERN, WEEKDAY_9PM_EASTERN

SPOKEN_EAC = "E A C dos uno nueve cero cero cero cero cero cero uno"


def test_done_means_spanish_caller_from_213_at_7pm_eastern(reference, caller, at_time):
    """A 213 caller at 7pm Eastern (4pm Pacific) on a weekday: in Spanish, speaks a receipt number,
    hears the processing time, finds the nearest civil surgeon to a ZIP and reaches Tier 1."""
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        first = call.start()
        assert "Para español, oprima 2" in first.text
        menu = call.press("2")
        assert menu.gather["language"] == "es-US"
        assert "Menú principal" in menu.text

        assert "número de recibo" in call.press("1").text
        confirm = call.say(SPOKEN_EAC)
        assert "E A C, 2 1 9, 0 0 0, 0 0 0 1" in confirm.text
        status = call.press("1")
        assert "Formulario I-485: USCIS está revisando activamente el caso." in status.text
        assert all(language == "es-US" for _, language in status.says)

        ptime = call.press("2")
        assert "el 80 por ciento de los casos se completa en" in ptime.text
        assert "fuera del tiempo normal de procesamiento" in ptime.text
        back = call.press("9")
        assert "Menú principal" in back.text

        assert "código postal" in call.press("5").text
        surgeons = call.press("90012")
        assert "Teléfono" in surgeons.text and "millas" in surgeons.text
        assert re.search(r"Teléfono: \d \d \d, \d \d \d, \d \d \d \d\.", surgeons.text)
        call.press("9")

        handoff = call.press("0")
        assert handoff.enqueue is not None
        assert handoff.enqueue["name"] == "tier1-es"
        assert "espere mientras lo comunicamos" in handoff.text
        wait = call.wait_in_queue()
        assert "Usted es el número 1 en la fila" in wait.text

    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.language, record.caller_time_zone, record.outcome) == ("es", "America/Los_Angeles", "to_agent")
    assert record.receipt_numbers == ["EAC2190000001"]
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.queue_name, contact.status, contact.language, contact.priority) == ("tier1-es", "waiting", "es", 1)
    assert contact.receipt_numbers == ["EAC2190000001"]
    assert "representative" in contact.ivr_path
    # Offered first to an agent skilled in cases outside normal processing time.
    assert contact.skill == "outside-processing-time"
    interaction = Interaction.objects.get(source_app="ivr", source_id=call.call_sid)
    assert (interaction.channel, interaction.outcome, interaction.language) == ("ivr", "transferred", "es")
    assert list(interaction.identifiers.values_list("value", flat=True)) == ["EAC2190000001"]
    # Every step recorded once, the receipt number never in clear.
    events = list(CallEvent.objects.filter(call=record))
    assert [e.step for e in events] == list(range(len(events)))
    assert not any("2190000001" in e.input_masked for e in events)


def test_english_keyed_receipt_with_keypad_letters(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("1")
        confirm = call.press("3222190000001")
        assert "I have E A C, 2 1 9, 0 0 0, 0 0 0 1" in confirm.text
        status = call.press("1")
        assert status.text.startswith("Form I-485: ")
        again = call.press("1")
        assert "receipt number" in again.text
        # The prefix menu: 7 = IOE.
        confirm = call.press("70912345678")
        assert "I O E, 0 9 1, 2 3 4, 5 6 7 8" in confirm.text
        assert "Form N-400: " in call.press("1").text


def test_unknown_and_malformed_receipts_get_help_then_a_person(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550101")
        call.start()
        call.press("1")
        call.press("1")
        assert "not a receipt number" in call.press("12345").text
        call.press("3222199999999")
        not_found = call.press("1")
        assert "could not find a case with receipt number E A C, 2 1 9, 9 9 9, 9 9 9 9" in not_found.text
        assert "I did not hear a response" in call.silence().text
        last = call.silence()
        assert last.enqueue is not None and last.enqueue["name"] == "tier1-en"
        assert "trouble understanding" in last.text


def test_silence_after_hours_ends_politely_with_hours_in_the_callers_zone(reference, caller, at_time):
    with at_time(WEEKDAY_9PM_EASTERN):
        call = caller("+12125550100")
        call.start()
        call.press("1")
        call.silence()
        call.silence()
        closed = call.silence()
        assert "8 a.m. to 8 p.m. Eastern time" in closed.text
        assert "December 3, 2026, 8 a.m." in closed.text
        call.silence()
        call.silence()
        bye = call.silence()
        assert bye.hangup and "Goodbye" in bye.text
    assert Call.objects.get(call_sid=call.call_sid).outcome == "after_hours"


def test_after_hours_callback_keeps_the_caller_in_line(reference, caller, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+13055550100")
        call.start()
        call.press("2")
        closed = call.press("0")
        assert "hora del Este" in closed.text and "lunes a viernes" in closed.text
        booked = call.press("1")
        assert "devolveremos la llamada" in booked.text and booked.hangup
        call.hang_up(duration=40)
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.kind, contact.status, contact.queue_name) == ("callback", "waiting", "tier1-es")
    assert Call.objects.get(call_sid=call.call_sid).outcome == "callback"
    assert Interaction.objects.get(source_id=call.call_sid).outcome == "callback"


def test_a_callback_hands_on_the_steps_that_led_to_it_not_the_survey_offered_after(reference, caller, at_time):
    with at_time(WEEKDAY_9PM_EASTERN):
        call = caller("+12025550100")
        call.start()
        call.press("1")
        call.press("2")
        call.press("485")  # a form's fee: the caller is served, so the goodbye offers the survey
        call.press("0")
        offer = call.press("1")
        assert "We will call you back" in offer.text and "two short questions" in offer.text
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert contact.kind == "callback" and contact.ivr_path[-1] == "representative"
    assert Call.objects.get(call_sid=call.call_sid).path[-1] == "survey:offered"


def test_forms_fee_and_text_order(reference, caller, at_time, django_capture_on_commit_callbacks):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("2")
        info = call.press("485")
        assert "Form I-485, Application to Register Permanent Residence or Adjust Status" in info.text
        assert "The filing fee is " in info.text
        with django_capture_on_commit_callbacks() as callbacks:
            ordered = call.press("1")
        assert "We will send a text message with a link to Form I-485" in ordered.text
        assert len(callbacks) == 1
    from contactcenter.models import FormOrder

    order = FormOrder.objects.get()
    assert (order.channel, order.phone, order.status) == ("sms", "+12135550142", "pending")
    from contactcenter import services

    services.form_order_fulfil(order_id=order.pk)
    message = OutboundMessage.objects.get(purpose=f"form-order:{order.pk}")
    assert "uscis.gov/i-485" in message.body
    # Twilio retrying the ordering step creates no second order.
    call.post(call.history[-2][1].gather["action"], Digits="1")
    assert FormOrder.objects.count() == 1


def test_field_office_by_zip_and_text_details(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("4")
        offices = call.press("90012")
        assert offices.text.startswith("Los Angeles Field Office")
        assert "Hours:" in offices.text
        texted = call.press("2")
        assert "We sent the details" in texted.text
    message = OutboundMessage.objects.get(purpose=f"ivr:{call.call_sid}:results")
    assert message.to_number == "+12135550142" and "Los Angeles Field Office" in message.body


def test_priority_dates(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("6")
        call.press("1")
        call.press("4")
        answer = call.press("5")
        assert "visa bulletin, for F3, the Philippines: the final action date is" in answer.text
        assert "date for filing is" in answer.text


def test_processing_time_by_form(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("3")
        call.press("1")
        reply = call.press("765")
        while reply.gather and ("Choose the category" in reply.text or "ZIP code" in reply.text):
            reply = call.press("1" if "Choose the category" in reply.text else "90012")
        assert "For Form I-765" in reply.text and "80 percent of cases are completed within" in reply.text


def test_retried_steps_return_the_same_twiml_and_record_once(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        again = call.post("/ivr/voice/")
        first = call.press("1")
        replay = call.post("/ivr/step/?s=1", Digits="1")
        assert again.xml == call.history[0][1].xml
        assert replay.xml == first.xml
        call.press("1")
        stale = call.post("/ivr/step/?s=9", Digits="5")
        assert stale.xml == call.current.xml
    assert CallEvent.objects.filter(call__call_sid=call.call_sid).count() == 3


def test_first_webhook_retried_keeps_one_call_and_one_first_event(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        first = call.start()
        again = call.post("/ivr/voice/")
    assert again.xml == first.xml
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.step, record.state["awaiting"], record.caller_time_zone) == (0, "language", "America/Los_Angeles")
    assert list(record.events.values_list("step", "node")) == [(0, "start")]


def test_a_known_call_without_its_first_answer_starts_at_the_language_question(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        Call.objects.create(call_sid=call.call_sid, from_number="+12135550142", caller_time_zone="America/Chicago")
        first = call.start()
        assert "Para español, oprima 2" in first.text
        assert "Menú principal" in call.press("2").text
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.language, record.step) == ("es", 1)
    assert list(record.events.values_list("step", flat=True)) == [0, 1]


def test_a_self_served_call_ends_in_the_ledger_without_a_waiting_contact(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("6")
        call.press("1")
        call.press("1")
        call.press("1")
        call.hang_up(duration=61)
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.outcome, record.duration_seconds, record.self_served) == ("self_served", 61, True)
    assert not WaitingContact.objects.filter(call_sid=call.call_sid).exists()
    interaction = Interaction.objects.get(source_id=call.call_sid)
    assert (interaction.outcome, interaction.topic.code) == ("self_served", "priority-dates")
    assert interaction.channel == "ivr"
    assert record.interaction_id == interaction.pk


def test_status_callback_finishes_once_and_abandonment_is_recorded(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("0")
        call.hang_up(duration=95)
        call.hang_up(duration=120)
    record = Call.objects.get(call_sid=call.call_sid)
    assert (record.outcome, record.duration_seconds) == ("abandoned", 95)
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert contact.status == "abandoned" and contact.wait_seconds is not None
    assert Interaction.objects.filter(source_id=call.call_sid).count() == 1
    assert Interaction.objects.get(source_id=call.call_sid).outcome == "abandoned"


@pytest.mark.parametrize("duration", ["²", "99999999999", "-5", "1e3", ""])
def test_a_status_callback_with_an_unusable_duration_still_ends_the_call(reference, caller, at_time, duration):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
    with at_time(WEEKDAY_7PM_EASTERN + timedelta(seconds=42)):
        answer = call.post("/ivr/status/", CallStatus="completed", CallDuration=duration)
    assert answer.status == 200
    record = Call.objects.get(call_sid=call.call_sid)
    assert record.ended_at is not None
    assert 41 <= record.duration_seconds <= 43  # from the call's own start and end
    assert Interaction.objects.filter(source_id=call.call_sid).count() == 1


def test_self_served_call_counts_toward_containment(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("1")
        call.press("3222190000001")
        call.press("1")
        call.hang_up(duration=70)
    interaction = Interaction.objects.get(source_id=call.call_sid)
    assert (interaction.outcome, interaction.topic.code) == ("self_served", "case-status")


@override_settings(IVR_CASE_LOOKUPS_PER_HOUR=2)
def test_case_lookups_are_rate_limited_per_number(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550199")
        call.start()
        call.press("1")
        call.press("1")
        for _ in range(2):
            call.press("3222190000001")
            assert "Another receipt number, 1." in call.press("1").text
            call.press("1")
        call.press("3222190000001")
        limited = call.press("1")
        assert "For your security, we cannot give more case status information" in limited.text
        assert "Main menu" in limited.text


def test_a_failing_step_apologises_and_offers_a_person(reference, caller, at_time, monkeypatch):
    from ivr import flow

    def broken(turn):
        raise RuntimeError("database went away")

    monkeypatch.setitem(flow.NODES, "main", (flow.ask_main, broken))
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        reply = call.press("1")
    assert reply.status == 200
    assert "technical problem" in reply.text
    assert reply.enqueue is not None


def test_fallback_url_answers_without_the_database(caller, at_time, db):
    with at_time(SATURDAY_NOON_EASTERN):
        call = caller("+12135550142")
        reply = call.post("/ivr/fallback/", ErrorCode="11200")
    assert reply.status == 200 and reply.hangup
    assert "technical problem" in reply.text and "problema técnico" in reply.text


def test_caller_in_queue_takes_a_callback_and_keeps_their_place(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        ahead = caller("+12135550101")
        ahead.start()
        ahead.press("1")
        ahead.press("0")
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("0")
        queued_at = WaitingContact.objects.get(call_sid=call.call_sid).enqueued_at
        wait = call.wait_in_queue()
        assert "You are number 2 in line" in wait.text
        assert "get a call back without losing your place, press 1" in wait.text
        left = call.post(wait.gather["action"], Digits="1")
        assert left.leave
        done = call.post(call.current.enqueue["action"], QueueResult="leave")
        assert "You kept your place in line" in done.text and done.hangup
        call.hang_up(duration=200)
    contact = WaitingContact.objects.get(call_sid=call.call_sid)
    assert (contact.kind, contact.status, contact.enqueued_at) == ("callback", "waiting", queued_at)
    assert Call.objects.get(call_sid=call.call_sid).outcome == "callback"


def test_the_lookup_count_kept_in_redis_expires_within_the_hour(reference, caller, at_time, settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    settings.IVR_CASE_LOOKUPS_PER_HOUR = 1
    backend = caches["default"]
    key = backend.make_and_validate_key("ivr:lookups:+12135550177")
    client = backend._cache.get_client(key, write=True)
    client.delete(key)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550177")
        call.start()
        call.press("1")
        call.press("1")
        call.press("3222190000001")
        assert "Another receipt number, 1." in call.press("1").text
        call.press("1")
        call.press("3222190000001")
        assert "For your security, we cannot give more case status information" in call.press("1").text
    assert int(client.get(key)) == 2
    assert 3500 < client.ttl(key) <= 3600
    client.delete(key)
