"""Writes of the IVR: calls, their steps, hand-offs to the core's queues, and the ledger entry."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from contactcenter import hours, services
from contactcenter.identifiers import mask_receipt_number
from contactcenter.models import Channel, ContactKind, Outcome, WaitingContact
from contactcenter.pii import mask_pii

from . import flow, twiml
from .models import Call, CallEvent, CallOutcome

logger = logging.getLogger(__name__)

LEDGER_OUTCOME = {
    CallOutcome.SELF_SERVED: Outcome.SELF_SERVED,
    CallOutcome.TO_AGENT: Outcome.TRANSFERRED,
    CallOutcome.CALLBACK: Outcome.CALLBACK,
    CallOutcome.ABANDONED: Outcome.ABANDONED,
    CallOutcome.AFTER_HOURS: Outcome.AFTER_HOURS,
    CallOutcome.IN_PROGRESS: Outcome.IN_PROGRESS,
}


def _mask_input(node: str, digits: str, speech: str) -> str:
    if node in ("receipt",):
        value = digits or speech
        return mask_receipt_number(value) if value else ""
    if node == "zip":
        value = digits or speech
        return (value[:3] + "**") if value else ""
    return mask_pii(digits or speech)[:120]


def call_start(*, call_sid: str, from_number: str, to_number: str) -> str:
    """The first webhook of a call. Twilio may post it twice: the second gets the same TwiML."""
    with transaction.atomic():
        call, _ = Call.objects.select_for_update().get_or_create(
            call_sid=call_sid,
            defaults={
                "from_number": from_number[:20],
                "to_number": to_number[:20],
                "caller_time_zone": hours.caller_time_zone(from_number),
            },
        )
        event = call.events.filter(step=0).first()
        if event is not None:
            return event.twiml
        turn = flow.Turn(call=call)
        reply = flow.ask_language(turn)
        call.state = {"awaiting": reply.awaiting, "tries": 0}
        call.step = 0
        body = twiml.render(reply, language="en", next_step=1)
        call.full_clean()
        call.save()
        CallEvent.objects.create(call=call, step=0, node="start", result="answered", twiml=body)
    return body


def _durable_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")


def _relaxed_commit() -> None:
    """A call step's state is rebuilt by Twilio's retry if the last few hundred milliseconds of
    commits are lost in a crash, so it need not wait for the WAL flush (audit rows elsewhere do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def call_step(*, call_sid: str, step: int, digits: str, speech: str) -> str:
    """One answer from the caller. The same step posted again returns the stored TwiML."""
    with transaction.atomic():
        _relaxed_commit()
        call = Call.objects.select_for_update().filter(call_sid=call_sid).first()
        if call is None:
            raise Call.DoesNotExist(call_sid)
        if step != call.step + 1:
            # Twilio retrying a step we answered gets the same answer; a step we never saw (from the
            # future, or forged) gets the current question again.
            event = call.events.filter(step=step).first() if step <= call.step else None
            return (event or call.events.order_by("-step").first()).twiml
        node = call.state.get("awaiting") or "language"
        turn = flow.Turn(call=call, digits=digits[:40], speech=speech[:300])
        reply = flow.respond(turn)
        call.state["awaiting"] = reply.awaiting
        call.step = step
        body = twiml.render(reply, language=call.language or "en", next_step=step + 1)
        if reply.end == "hangup" and call.outcome == CallOutcome.IN_PROGRESS and call.state.get("after_hours"):
            call.outcome = CallOutcome.CALLBACK if "callback" in reply.result else CallOutcome.AFTER_HOURS
        call.save(update_fields=["state", "step", "language", "path", "receipt_numbers", "self_served", "outcome"])
        CallEvent.objects.create(
            call=call,
            step=step,
            node=node,
            option=reply.option or (digits if len(digits) == 1 else ""),
            input_masked=_mask_input(node, digits, speech),
            result=reply.result[:200],
            twiml=body,
        )
    return body


def _record_interaction(call: Call) -> None:
    outcome = LEDGER_OUTCOME[call.outcome]
    interaction = services.interaction_record(
        context=flow.ivr_context(),
        channel=Channel.IVR,
        topic_code=call.state.get("topic", "general"),
        source_app="ivr",
        source_model="call",
        source_id=call.call_sid,
        occurred_at=call.started_at,
        ended_at=call.ended_at,
        language=call.language or "en",
        outcome=outcome,
        receipt_numbers=call.receipt_numbers,
        contact_phone=call.from_number,
        summary=" → ".join(call.path[-8:])[:500],
    )
    if call.interaction_id != interaction.pk:
        call.interaction = interaction
        call.save(update_fields=["interaction"])


def _put_in_line(*, call: Call, outcome: str, kind: str = ContactKind.CALL) -> WaitingContact:
    """Record the call's hand-off in the ledger, then queue it through the core's one enqueue service."""
    _durable_commit()  # the ledger and audit rows written here must survive a crash
    call.outcome = outcome
    call.save(update_fields=["outcome"])
    _record_interaction(call)
    return services.contact_enqueue(
        context=flow.ivr_context(),
        phone=call.from_number,
        language=call.language or "en",
        caller_time_zone=call.caller_time_zone,
        tier=1,
        kind=kind,
        call_sid=call.call_sid,
        receipt_numbers=call.receipt_numbers,
        ivr_path=call.path,
        interaction=call.interaction,
        priority=1 if call.state.get("outside_normal") else 0,
    )


def call_hand_to_queue(*, call: Call) -> WaitingContact:
    """Hand the caller to Tier 1 (called inside call_step's transaction)."""
    return _put_in_line(call=call, outcome=CallOutcome.TO_AGENT)


def call_request_callback(*, call: Call) -> WaitingContact:
    return _put_in_line(call=call, outcome=CallOutcome.CALLBACK, kind=ContactKind.CALLBACK)


TERMINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def call_status_update(*, call_sid: str, status: str, duration: int | None, at: datetime | None = None) -> Call | None:
    """Twilio's status callback. The end of a call is recorded once, however often it is posted."""
    at = at or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(call_sid=call_sid).first()
        if call is None:
            return None
        call.twilio_status = status[:20]
        if status not in TERMINAL_STATUSES or call.ended_at is not None:
            call.save(update_fields=["twilio_status"])
            return call
        call.ended_at = at
        call.duration_seconds = duration if duration is not None else int((at - call.started_at).total_seconds())
        waiting = services.contact_abandon(context=flow.ivr_context(), call_sid=call_sid, ended_at=at)
        if waiting is not None and waiting.status == "abandoned":
            call.outcome = CallOutcome.ABANDONED
        elif call.outcome == CallOutcome.IN_PROGRESS and call.state.get("after_hours") and not call.self_served:
            call.outcome = CallOutcome.AFTER_HOURS
        elif call.outcome == CallOutcome.IN_PROGRESS:
            call.outcome = CallOutcome.SELF_SERVED if call.self_served else CallOutcome.ABANDONED
        call.save(update_fields=["twilio_status", "ended_at", "duration_seconds", "outcome"])
        _record_interaction(call)
    return call


def call_keep_place_with_callback(*, call_sid: str) -> WaitingContact | None:
    """A caller waiting in the queue asks to be called back: they keep their original place."""
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(call_sid=call_sid).first()
        if call is None:
            return None
        return _put_in_line(call=call, outcome=CallOutcome.CALLBACK, kind=ContactKind.CALLBACK)
