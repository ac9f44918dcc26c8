"""Scenario 3: a worker killed (SIGKILL) in the middle of sending something to a person.

The SMTP server holds the message before accepting it; the worker is killed there; the broker
gives the unacknowledged task to a fresh worker once the visibility timeout passes (no sweep runs
here); the person receives exactly one e-mail, with the Message-ID fixed by the row."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.waiting import wait_for

pytestmark = [pytest.mark.celery_worker]


def _approved_response(make_staff):
    from casework import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.staff.roles import Role
    from tests.casework.factories import make_inquiry

    analyst, supervisor = make_staff(Role.CAO_ANALYST), make_staff(Role.CAO_SUPERVISOR)
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}, the case is moving.")
    services.response_submit(context=context, response=response)
    services.response_review(context=AuditContext(actor=supervisor), response=response, approve=True)
    return response


def _kill_mid_send_then_fresh_worker(fault_stack, smtp_sink, only: str):
    smtp_sink.mode, smtp_sink.only = "hold", only
    first = fault_stack.worker("killed", TEST_EMAIL_PORT=str(smtp_sink.port))
    return first


def test_a_cao_response_is_delivered_exactly_once_when_the_worker_is_killed_mid_send(
    fault_stack, smtp_sink, make_staff
):
    from casework.models import Response, ResponseStatus

    first = _kill_mid_send_then_fresh_worker(fault_stack, smtp_sink, "cao-response-")
    response = _approved_response(make_staff)  # the send task reaches the worker after commit
    assert wait_for(smtp_sink.holding.is_set), first.text()[-3000:]
    first.kill()
    assert wait_for(lambda: smtp_sink.dropped == 1, timeout=10)
    # The send's transaction died with the worker: not marked sent, nothing delivered.
    assert wait_for(lambda: Response.objects.get(pk=response.pk).status == ResponseStatus.APPROVED)
    assert smtp_sink.messages("Message-ID", "cao-response-") == []
    assert fault_stack.broker().hlen("unacked") == 1  # taken, never acknowledged

    smtp_sink.mode = "accept"
    fault_stack.until_visible_again()
    second = fault_stack.worker("fresh", TEST_EMAIL_PORT=str(smtp_sink.port))
    assert wait_for(lambda: Response.objects.get(pk=response.pk).status == ResponseStatus.SENT, timeout=60), (
        second.text()[-3000:]
    )
    assert wait_for(fault_stack.idle, timeout=30)
    delivered = smtp_sink.messages("Message-ID", "cao-response-")
    assert len(delivered) == 1, [m["Message-ID"] for m in delivered]
    response.refresh_from_db()
    assert delivered[0]["Message-ID"].startswith(f"<cao-response-{response.send_key}@")
    assert delivered[0]["To"] == "caseassistance@cisomb.dhs.gov"
    assert "Dear Ombudsman Case Assistance, the case is moving." in delivered[0].get_payload(decode=True).decode()
    assert response.send_attempts == 1  # the killed attempt rolled back with its transaction
    assert "casework.response_send" in second.text()

    # What staff see: sent, once.
    supervisor = response.reviewed_by
    client = Client()
    client.force_login(supervisor)
    page = client.get(f"/casework/inquiries/{response.inquiry_id}/").content.decode()
    assert 'data-response-status="sent"' in page


def test_a_registration_confirmation_is_delivered_exactly_once_when_the_worker_is_killed_mid_send(
    fault_stack, smtp_sink
):
    from outreach.models import Registration
    from tests.outreach.factories import EngagementFactory

    engagement = EngagementFactory(capacity=10)
    first = _kill_mid_send_then_fresh_worker(fault_stack, smtp_sink, "registration-confirmation")
    page = Client().post(
        f"/outreach/events/{engagement.pk}/", {"name": "Ana Ruiz", "email": "ana@example.org"}, follow=True
    )
    assert page.status_code == 200
    registration = Registration.objects.get(email="ana@example.org")
    assert wait_for(smtp_sink.holding.is_set), first.text()[-3000:]
    first.kill()
    assert wait_for(lambda: smtp_sink.dropped == 1, timeout=10)
    assert wait_for(lambda: Registration.objects.get(pk=registration.pk).confirmed_status == "")

    smtp_sink.mode = "accept"
    fault_stack.until_visible_again()
    second = fault_stack.worker("fresh", TEST_EMAIL_PORT=str(smtp_sink.port))
    assert wait_for(
        lambda: Registration.objects.get(pk=registration.pk).confirmation_sent_at is not None, timeout=60
    ), second.text()[-3000:]
    assert wait_for(fault_stack.idle, timeout=30)
    delivered = smtp_sink.messages("Message-ID", "registration-confirmation")
    assert [m["To"] for m in delivered] == ["ana@example.org"]
    assert delivered[0]["Message-ID"].startswith(f"<ncsc-registration-confirmation-{registration.pk}-registered@")


def _twilio_worker(fault_stack, name: str, folder):
    return fault_stack.worker(
        name,
        TELEPHONY_BACKEND="twilio",
        TWILIO_PHONE_NUMBER="+18003755283",
        TEST_TWILIO_HTTP_CLIENT="tests.faults.twilio_files.FileTwilioApi",
        FAKE_TWILIO_DIR=str(folder),
    )


def _twilio_did(folder, kind: str) -> list[dict]:
    path = folder / f"{kind}.json"
    return json.loads(path.read_text()) if path.exists() else []


def test_a_text_is_sent_exactly_once_when_the_worker_is_killed_after_twilio_took_it(fault_stack, tmp_path):
    from django.db import transaction

    from contactcenter import services
    from contactcenter.models import OutboundMessage

    folder = tmp_path / "twilio"
    folder.mkdir()
    (folder / "plan.json").write_text(json.dumps(["hold_after"]))  # Twilio sends it; its answer never arrives
    first = _twilio_worker(fault_stack, "killed", folder)
    with transaction.atomic():
        message = services.text_queue(
            to="+12135550142", body="USCIS: Los Angeles Field Office", purpose="ivr:CA1:results"
        )
    assert wait_for((folder / "holding").exists), first.text()[-3000:]
    first.kill()
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1  # the try was counted before the call
    assert len(_twilio_did(folder, "messages")) == 1  # ... and Twilio had sent the text

    fault_stack.until_visible_again()
    second = _twilio_worker(fault_stack, "fresh", folder)
    assert wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == "sent", timeout=60), second.text()[
        -3000:
    ]
    assert wait_for(fault_stack.idle, timeout=30)
    texts = _twilio_did(folder, "messages")
    assert len(texts) == 1 and texts[0]["to"] == "+12135550142"  # the person got one text
    message.refresh_from_db()
    assert message.provider_sid == texts[0]["sid"]
    assert [method for method, _url in json.loads((folder / "requests.json").read_text())] == ["POST", "GET"]


def test_a_callback_is_dialled_exactly_once_when_the_worker_is_killed_after_twilio_took_it(
    fault_stack, tmp_path, make_staff, at_time
):
    from contactcenter import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import CallControl, ContactKind
    from contactcenter.staff.roles import Role
    from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

    folder = tmp_path / "twilio"
    folder.mkdir()
    (folder / "plan.json").write_text(json.dumps(["hold_after"]))
    first = _twilio_worker(fault_stack, "killed", folder)
    agent = make_staff(Role.CSR)
    context = AuditContext(actor=agent)
    with at_time(WEEKDAY_7PM_EASTERN):  # 4 p.m. for the caller in the Pacific zone: callbacks are placed
        services.agent_state_set(context=context, user=agent, state="available")
        contact = services.contact_enqueue(
            context=AuditContext.system(),
            phone="+12135550142",
            language="en",
            caller_time_zone="America/Los_Angeles",
            kind=ContactKind.CALLBACK,
        )
        services.route_next(queue_name="tier1-en")
        services.contact_answer(context=context, user=agent, contact_id=contact.pk)
    control = CallControl.objects.get(contact=contact)
    assert wait_for((folder / "holding").exists), first.text()[-3000:]
    first.kill()
    control.refresh_from_db()
    assert (control.status, control.attempts) == ("pending", 1)
    assert len(_twilio_did(folder, "calls")) == 1  # the caller's phone is ringing

    fault_stack.until_visible_again()
    second = _twilio_worker(fault_stack, "fresh", folder)
    assert wait_for(lambda: CallControl.objects.get(pk=control.pk).status == "done", timeout=60), second.text()[-3000:]
    assert wait_for(fault_stack.idle, timeout=30)
    calls = _twilio_did(folder, "calls")
    assert len(calls) == 1 and calls[0]["to"] == "+12135550142"  # dialled once, not twice
    control.refresh_from_db()
    assert (control.provider_sid, control.attempts) == (calls[0]["sid"], 2)
