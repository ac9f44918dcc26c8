"""Writes of the IVR: calls, their steps, hand-offs to the core's queues, and the ledger entry."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.audit.pii import mask_pii
from contactcenter.common.errors import ApplicationError
from contactcenter.common.prepared import PreparedStatement
from contactcenter.models import AuditAction, AuditChannel, Channel, ContactKind, Outcome, WaitingContact
from contactcenter.reference.identifiers import mask_phone, mask_receipt_number
from contactcenter.routing import hours
from contactcenter.routing.phones import callback_number_for

from . import flow, masking, twiml
from .models import Announcement, Call, CallEvent, CallOutcome, LookupAlert, PromptOverride
from .reply import BookCallback, RaiseLookupAlert, Reply, ToQueue

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
    if node == "callback_number":
        return mask_phone(digits) if digits else ""
    return mask_pii(digits or speech)[:120]


# The webhooks' own statements are written out and prepared once per session: the ORM's query
# compilation, then Postgres's parsing and planning, cost more CPU than everything else a step does
# (see docs/performance.md, "IVR webhook throughput").
_CALL_FIELDS = list(Call._meta.concrete_fields)
_CALL_COLUMNS = ", ".join(field.column for field in _CALL_FIELDS)
_JSON_COLUMNS = {index for index, field in enumerate(_CALL_FIELDS) if field.get_internal_type() == "JSONField"}
# A call step's state is rebuilt by Twilio's retry if the last few hundred milliseconds of commits
# are lost in a crash, so it need not wait for the WAL flush (audit rows elsewhere do).
_SYNC_OFF = "set_config('synchronous_commit', 'off', true)"
# Column names from the model, no input: nothing to inject.
_READ = PreparedStatement("ivr_call_read", f"SELECT {_CALL_COLUMNS} FROM ivr_call WHERE call_sid = %s")  # noqa: S608
_READ_FOR_UPDATE = PreparedStatement(
    "ivr_call_lock",
    f"SELECT {_CALL_COLUMNS} FROM ivr_call WHERE call_sid = %s FOR UPDATE",  # noqa: S608
)
_READ_FOR_UPDATE_RELAXED = PreparedStatement(
    "ivr_call_lock_relaxed",
    f"SELECT {_CALL_COLUMNS}, {_SYNC_OFF} FROM ivr_call WHERE call_sid = %s FOR UPDATE",  # noqa: S608
)
_STORED_TWIML = PreparedStatement("ivr_event_twiml", "SELECT twiml FROM ivr_callevent WHERE call_id = %s AND step = %s")

# Like a step, the first answer need not wait for the WAL flush: a call lost in a crash starts
# over at the language question on its next webhook.
_START = PreparedStatement(
    "ivr_call_start",
    f"""
WITH new_call AS (
    INSERT INTO ivr_call (call_sid, from_number, to_number, language, caller_time_zone, started_at, outcome,
                          twilio_status, state, step, path, receipt_numbers, self_served)
    SELECT %s::text, %s::text, %s::text, '', %s::text, %s::timestamptz, %s::text, '', %s::jsonb, 0,
           '[]'::jsonb, '[]'::jsonb, false
    FROM (SELECT {_SYNC_OFF}) AS relaxed
    ON CONFLICT (call_sid) DO NOTHING
    RETURNING id
)
INSERT INTO ivr_callevent (call_id, step, node, option, input_masked, result, twiml, created_at)
SELECT id, 0, 'start', '', '', 'answered', %s::text, %s::timestamptz FROM new_call
RETURNING call_id
""",  # noqa: S608 - fixed text
)

_STEP_COLUMNS = """
    SET state = %s::jsonb, step = %s, language = %s, path = %s::jsonb, receipt_numbers = %s::jsonb,
        self_served = %s, outcome = %s"""
_EVENT_VALUES = "%s::int, %s::text, %s::text, %s::text, %s::text, %s::text, %s::timestamptz"

# Under the call's lock (a step with side effects): the update cannot miss.
_STEP_LOCKED = PreparedStatement(
    "ivr_step_locked",
    f"""
WITH saved AS (UPDATE ivr_call {_STEP_COLUMNS} WHERE id = %s RETURNING id)
INSERT INTO ivr_callevent (call_id, step, node, option, input_masked, result, twiml, created_at)
SELECT id, {_EVENT_VALUES} FROM saved
""",  # noqa: S608 - fixed text
)
# Without a lock, in one statement (its own transaction): the update holds only if nobody answered
# this step meanwhile; otherwise no row changes and the step is replayed from the winner's answer.
_STEP_IF_CURRENT = PreparedStatement(
    "ivr_step_if_current",
    f"""
WITH saved AS (
    UPDATE ivr_call {_STEP_COLUMNS}
    WHERE id = %s AND step = %s AND {_SYNC_OFF} = 'off'
    RETURNING id
)
INSERT INTO ivr_callevent (call_id, step, node, option, input_masked, result, twiml, created_at)
SELECT id, {_EVENT_VALUES} FROM saved
RETURNING call_id
""",  # noqa: S608 - fixed text
)

_END = PreparedStatement(
    "ivr_call_end",
    "UPDATE ivr_call SET twilio_status = %s, ended_at = %s, duration_seconds = %s, outcome = %s, interaction_id = %s, "
    "state = %s::jsonb, receipt_numbers = %s::jsonb WHERE id = %s",
)


def _call_from_row(row) -> Call | None:
    if row is None:
        return None
    values = [
        json.loads(value) if index in _JSON_COLUMNS and isinstance(value, str) else value
        for index, value in enumerate(row[: len(_CALL_FIELDS)])
    ]
    return Call.from_db(connection.alias, [field.attname for field in _CALL_FIELDS], values)


def _call_for_update(call_sid: str, *, relaxed: bool = False) -> Call | None:
    """The call, locked for this transaction. `relaxed` also sets `synchronous_commit` off for the
    transaction in the same round trip (see _durable_commit)."""
    if connection.vendor != "postgresql":
        return Call.objects.select_for_update().filter(call_sid=call_sid).first()
    with connection.cursor() as cursor:
        (_READ_FOR_UPDATE_RELAXED if relaxed else _READ_FOR_UPDATE).execute(cursor, [call_sid])
        return _call_from_row(cursor.fetchone())


def _stored_twiml(call_id: int, step: int) -> str | None:
    if connection.vendor != "postgresql":
        return CallEvent.objects.filter(call_id=call_id, step=step).values_list("twiml", flat=True).first()
    with connection.cursor() as cursor:
        _STORED_TWIML.execute(cursor, [call_id, step])
        row = cursor.fetchone()
    return row[0] if row else None


def call_start(*, call_sid: str, from_number: str, to_number: str) -> str:
    """The first webhook of a call. Twilio may post it twice: the second gets the same TwiML.

    One statement inserts the call and its first event, or neither when the CallSid is known."""
    call = Call(
        call_sid=call_sid,
        from_number=from_number[:20],
        to_number=to_number[:20],
        caller_time_zone=hours.caller_time_zone(from_number),
    )
    reply = flow.call_opening(flow.Turn(call=call))
    call.state = {"awaiting": reply.awaiting, "tries": 0}
    body = twiml.render(reply, language="", next_step=1)
    call.full_clean(validate_unique=False, validate_constraints=False)
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _START.execute(
                cursor,
                [
                    call.call_sid,
                    call.from_number,
                    call.to_number,
                    call.caller_time_zone,
                    call.started_at,
                    call.outcome,
                    json.dumps(call.state),
                    body,
                    now,
                ],
            )
            if cursor.fetchone() is not None:
                return body
    return _call_start_existing(call=call, body=body)


def _call_start_existing(*, call: Call, body: str) -> str:
    """The CallSid is known: Twilio's retry gets the stored first answer; a call without one (made
    by another path) starts over at the language question."""
    with transaction.atomic():
        existing, _ = Call.objects.select_for_update().get_or_create(
            call_sid=call.call_sid,
            defaults={
                "from_number": call.from_number,
                "to_number": call.to_number,
                "caller_time_zone": call.caller_time_zone,
            },
        )
        stored = _stored_twiml(existing.pk, 0)
        if stored is not None:
            return stored
        existing.state = call.state
        existing.step = 0
        existing.full_clean()
        existing.save()
        CallEvent.objects.create(call=existing, step=0, node="start", result="answered", twiml=body)
    return body


def _durable_commit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")


def call_step(*, call_sid: str, step: int, digits: str, speech: str, confidence: float | None = None) -> str:
    """One answer from the caller. The same step posted again returns the stored TwiML.

    Most steps change nothing but the call's own row, so they run without a lock in two statements:
    read the call, then save it and the step's event only if nobody answered this step meanwhile.
    A step that would change anything else (a form order, a text message, a place in a queue) is
    taken again under the call's row lock, where its side effects commit with the step or not at all."""
    if connection.vendor != "postgresql":
        return _call_step_locked(call_sid=call_sid, step=step, digits=digits, speech=speech, confidence=confidence)
    with connection.cursor() as cursor:
        _READ.execute(cursor, [call_sid])
        call = _call_from_row(cursor.fetchone())
    if call is None:
        raise Call.DoesNotExist(call_sid)
    if step != call.step + 1:
        return _replayed(call, step)
    try:
        body, event = _answer(call, step=step, digits=digits, speech=speech, confidence=confidence, locked=False)
    except flow.StepNeedsLock:
        return _call_step_locked(call_sid=call_sid, step=step, digits=digits, speech=speech, confidence=confidence)
    with connection.cursor() as cursor:
        _STEP_IF_CURRENT.execute(cursor, [*_step_columns(call), call.pk, step - 1, *event])
        saved = cursor.fetchone() is not None
    if saved:
        return body
    # Twilio's retry of this step ran alongside and answered first: the caller gets that answer.
    stored = _stored_twiml(call.pk, step)
    return masking.reveal(stored, masking.call_receipts(call)) if stored is not None else body


def call_replay(*, call_sid: str, step: int) -> str:
    """A step posted again after it failed (the retry that follows an apology, without the caller's
    answer): the answer to `step` if it was saved after all, else the question still awaiting it."""
    if connection.vendor != "postgresql":
        call = Call.objects.filter(call_sid=call_sid).first()
    else:
        with connection.cursor() as cursor:
            _READ.execute(cursor, [call_sid])
            call = _call_from_row(cursor.fetchone())
    if call is None:
        raise Call.DoesNotExist(call_sid)
    return _replayed(call, step)


def _replayed(call: Call, step: int) -> str:
    """Twilio retrying a step we answered gets the same answer; a step we never saw (from the
    future, or forged) gets the current question again."""
    stored = _stored_twiml(call.pk, step) if step <= call.step else None
    if stored is None:
        stored = _stored_twiml(call.pk, call.step)
    if stored is None:
        stored = call.events.order_by("-step").first().twiml
    # Stored with receipt numbers masked; the live call holds them to say them again.
    return masking.reveal(stored, masking.call_receipts(call))


def _answer(
    call: Call, *, step: int, digits: str, speech: str, confidence: float | None, locked: bool
) -> tuple[str, list]:
    """The flow's reply to this step, rendered, and the step's event row (without the call's id)."""
    node = call.state.get("awaiting") or "language"
    turn = flow.Turn(call=call, digits=digits[:40], speech=speech[:300], locked=locked, confidence=confidence)
    reply = flow.respond(turn)
    _carry_out(call, reply)
    # "Repeat" says again the reply kept masked in the call's state: the caller hears it whole.
    receipts = masking.call_receipts(call)
    reply.say = [masking.reveal_spoken(spoken, receipts) for spoken in reply.say]
    if call.state.get("said"):
        call.state["said"] = masking.said_concealed(call.state["said"])
    call.state["awaiting"] = reply.awaiting
    call.step = step
    body = twiml.render(reply, language=call.language, next_step=step + 1)
    if reply.end == "hangup" and call.outcome == CallOutcome.IN_PROGRESS and call.state.get("after_hours"):
        call.outcome = CallOutcome.CALLBACK if "callback" in reply.result else CallOutcome.AFTER_HOURS
    event = [
        step,
        node,
        (reply.option or (digits if len(digits) == 1 else ""))[:40],
        _mask_input(node, digits, speech)[:120],
        reply.result[:200],
        masking.conceal(body),
        timezone.now(),
    ]
    return body, event


def _carry_out(call: Call, reply: Reply) -> None:
    """The writes the flow asked for with its reply, in its order, inside the step's transaction (a
    hand-off only comes from a step taken under the call's lock: the flow asks for that first)."""
    for effect in reply.effects:
        if isinstance(effect, ToQueue):
            contact = call_hand_to_queue(call=call, path=effect.path)
            reply.queue_name = contact.queue_name
            reply.result = f"queued {contact.queue_name}"
        elif isinstance(effect, BookCallback):
            call_request_callback(call=call, phone=effect.phone, path=effect.path)
        elif isinstance(effect, RaiseLookupAlert):
            lookup_alert_raise(
                not_found_count=effect.not_found_count, limit=effect.limit, window_seconds=effect.window_seconds
            )


def _step_columns(call: Call) -> list:
    return [
        json.dumps(call.state),
        call.step,
        call.language,
        json.dumps(call.path),
        json.dumps(call.receipt_numbers),
        call.self_served,
        call.outcome,
    ]


def _call_step_locked(*, call_sid: str, step: int, digits: str, speech: str, confidence: float | None) -> str:
    with transaction.atomic():
        call = _call_for_update(call_sid, relaxed=True)
        if call is None:
            raise Call.DoesNotExist(call_sid)
        if step != call.step + 1:
            return _replayed(call, step)
        body, event = _answer(call, step=step, digits=digits, speech=speech, confidence=confidence, locked=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                _STEP_LOCKED.execute(cursor, [*_step_columns(call), call.pk, *event])
        else:
            call.save(update_fields=["state", "step", "language", "path", "receipt_numbers", "self_served", "outcome"])
            CallEvent.objects.create(
                call=call,
                step=step,
                node=event[1],
                option=event[2],
                input_masked=event[3],
                result=event[4],
                twiml=event[5],
            )
    return body


def _record_interaction(call: Call, *, save: bool = True, path: Sequence[str] | None = None) -> None:
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
        summary=" → ".join(list(call.path if path is None else path)[-8:])[:500],
    )
    if call.interaction_id != interaction.pk:
        call.interaction = interaction
        if save:
            call.save(update_fields=["interaction"])


def _put_in_line(
    *, call: Call, outcome: str, kind: str = ContactKind.CALL, phone: str = "", path: Sequence[str] | None = None
) -> WaitingContact:
    """Record the call's hand-off in the ledger, then queue it through the core's one enqueue service.
    `path`: the steps that led to it (the call's path so far when not given)."""
    _durable_commit()  # the ledger and audit rows written here must survive a crash
    path = list(call.path if path is None else path)
    call.outcome = outcome
    call.save(update_fields=["outcome"])
    _record_interaction(call, path=path)
    return services.contact_enqueue(
        context=flow.ivr_context(),
        phone=phone or call.from_number,
        language=call.language or "en",
        caller_time_zone=call.caller_time_zone,
        tier=1,
        kind=kind,
        call_sid=call.call_sid,
        receipt_numbers=call.receipt_numbers,
        ivr_path=path,
        interaction=call.interaction,
        priority=1 if call.state.get("outside_normal") else 0,
        # A case found outside normal processing time is what the representative will act on (a
        # service request), whatever the caller asked about first.
        skill=flow.OUTSIDE_PROCESSING_TOPIC if call.state.get("outside_normal") else call.state.get("topic", ""),
    )


def call_hand_to_queue(*, call: Call, path: Sequence[str] | None = None) -> WaitingContact:
    """Hand the caller to Tier 1 (inside call_step's transaction)."""
    return _put_in_line(call=call, outcome=CallOutcome.TO_AGENT, path=path)


def call_request_callback(*, call: Call, phone: str = "", path: Sequence[str] | None = None) -> WaitingContact:
    """A callback after hours, to the caller's own number or to the number they keyed and confirmed."""
    return _put_in_line(call=call, outcome=CallOutcome.CALLBACK, kind=ContactKind.CALLBACK, phone=phone, path=path)


TERMINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def call_status_update(*, call_sid: str, status: str, duration: int | None, at: datetime | None = None) -> Call | None:
    """Twilio's status callback. The end of a call is recorded once, however often it is posted."""
    at = at or timezone.now()
    with transaction.atomic():
        call = _call_for_update(call_sid)
        if call is None:
            return None
        call.twilio_status = status[:20]
        if status not in TERMINAL_STATUSES or call.ended_at is not None:
            call.save(update_fields=["twilio_status"])
            return call
        call.ended_at = at
        call.duration_seconds = duration if duration is not None else int((at - call.started_at).total_seconds())
        # Only a call put in line (or a callback) has a waiting contact to end.
        in_line = call.outcome in (CallOutcome.TO_AGENT, CallOutcome.CALLBACK)
        waiting = (
            services.contact_abandon(context=flow.ivr_context(), call_sid=call_sid, ended_at=at) if in_line else None
        )
        if waiting is not None and waiting.status == "abandoned":
            call.outcome = CallOutcome.ABANDONED
        elif call.outcome == CallOutcome.IN_PROGRESS and call.state.get("after_hours") and not call.self_served:
            call.outcome = CallOutcome.AFTER_HOURS
        elif call.outcome == CallOutcome.IN_PROGRESS:
            call.outcome = CallOutcome.SELF_SERVED if call.self_served else CallOutcome.ABANDONED
        _record_interaction(call, save=False)
        # The ledger entry now holds the receipt numbers; the call's own row keeps them masked.
        call.state = masking.ended_state(call.state)
        call.receipt_numbers = masking.ended_receipt_numbers(call.receipt_numbers)
        if connection.vendor == "postgresql":
            ended = [call.twilio_status, call.ended_at, call.duration_seconds, call.outcome, call.interaction_id]
            scrubbed = [json.dumps(call.state), json.dumps(call.receipt_numbers)]
            with connection.cursor() as cursor:
                _END.execute(cursor, [*ended, *scrubbed, call.pk])
        else:
            call.save(
                update_fields=[
                    "twilio_status",
                    "ended_at",
                    "duration_seconds",
                    "outcome",
                    "interaction",
                    "state",
                    "receipt_numbers",
                ]
            )
    return call


def call_keep_place_with_callback(*, call_sid: str) -> WaitingContact | None:
    """A caller waiting in the queue asks to be called back: they keep their original place."""
    with transaction.atomic():
        call = _call_for_update(call_sid)
        # Never a callback to a number no one can dial (the wait message does not offer it then).
        if call is None or callback_number_for(call.from_number) is None:
            return None
        return _put_in_line(call=call, outcome=CallOutcome.CALLBACK, kind=ContactKind.CALLBACK)


def lookup_alert_raise(*, not_found_count: int, limit: int, window_seconds: int) -> LookupAlert:
    """Record that not-found case lookups across all callers went over the hourly limit: one row
    (the wallboard's banner), its audit row and one ERROR line for whoever watches the logs."""
    now = timezone.now()
    with transaction.atomic():
        alert = LookupAlert(
            raised_at=now,
            window_ends_at=now + timedelta(seconds=window_seconds),
            not_found_count=not_found_count,
            limit=limit,
        )
        alert.full_clean()
        alert.save()
        services.audit_record(
            context=flow.ivr_context(),
            action=AuditAction.CREATE,
            target_type="ivr.lookupalert",
            target_id=alert.pk,
            summary=f"IVR case lookups paused: {not_found_count} not found this hour, all callers (limit {limit})",
        )
    logger.error(
        "IVR case lookups paused until %s: %d not-found lookups this hour across all callers (limit %d); "
        "callers are offered a representative",
        alert.window_ends_at.isoformat(timespec="minutes"),
        not_found_count,
        limit,
    )
    return alert


# Calls whose steps one transaction deletes: some 7,500 step rows, well under a second of row locks
# on rows no live call touches.
STEP_PURGE_BATCH = 500
# Batches one run deletes at most (about 50,000 calls, a day's): a backlog is caught up over a few
# runs rather than in one long one.
STEP_PURGE_MAX_BATCHES = 100


def call_steps_purge(*, older_than: datetime, batch_size: int = STEP_PURGE_BATCH) -> int:
    """Delete the step records (each CallEvent and its TwiML) of up to `batch_size` calls that
    started before `older_than`, oldest first; the Call row (the call's summary) and its ledger entry
    stay. Returns how many calls lost their steps: 0 when none is left to purge.

    Calls are purged in the order they started, so the call with the lowest id still holding steps
    starts the range: every run reads only the calls not yet purged, however long the history."""
    first = CallEvent.objects.order_by("call_id").values_list("call_id", flat=True).first()
    if first is None:
        return 0
    low = Call.objects.filter(pk=first).values_list("started_at", flat=True).first()
    if low is None or low >= older_than:
        return 0
    with transaction.atomic():
        calls = list(
            Call.objects.filter(started_at__gte=low, started_at__lt=older_than)
            .order_by("started_at")
            .values_list("pk", "ended_at")[:batch_size]
        )
        ids = [pk for pk, _ in calls]
        steps, _ = CallEvent.objects.filter(call_id__in=ids).delete()
        # A call whose end Twilio never posted still holds what only the live call needed.
        for call in Call.objects.filter(pk__in=[pk for pk, ended_at in calls if ended_at is None]):
            call.state = masking.ended_state(call.state)
            call.receipt_numbers = masking.ended_receipt_numbers(call.receipt_numbers)
            call.save(update_fields=["state", "receipt_numbers"])
        services.audit_record(
            context=AuditContext.system(channel=AuditChannel.TASK),
            action=AuditAction.DELETE,
            target_type="ivr.callevent",
            summary=f"IVR step records of {len(ids)} calls started before {older_than:%Y-%m-%d %H:%M} deleted",
            detail={"calls": len(ids), "steps": steps, "older_than": older_than.isoformat()},
        )
    return len(ids)


def call_steps_expire(*, now: datetime | None = None, max_batches: int = STEP_PURGE_MAX_BATCHES) -> int:
    """Purge the step records of calls started more than IVR_STEP_RETENTION_DAYS ago, batch by batch
    (each its own transaction); returns how many calls lost their steps. 0 days keeps them all."""
    days = settings.IVR_STEP_RETENTION_DAYS
    if not days:
        return 0
    older_than = (now or timezone.now()) - timedelta(days=days)
    purged = 0
    for _ in range(max_batches):
        count = call_steps_purge(older_than=older_than, batch_size=STEP_PURGE_BATCH)
        purged += count
        if count < STEP_PURGE_BATCH:
            break
    return purged


# --- what supervisors change without a deploy ----------------------------------------------------
def _validated(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError.from_validation(error, field_first=True) from error


def _changes(before: dict, after: dict, created: bool) -> dict[str, tuple]:
    return {field: (before[field], value) for field, value in after.items() if created or before[field] != value}


def announcement_save(
    *,
    context: AuditContext,
    text_en: str,
    text_es: str,
    starts_at: datetime,
    ends_at: datetime,
    announcement_id: int | None = None,
) -> Announcement:
    """Enter an emergency announcement, or change one: callers hear it first from `starts_at` to
    `ends_at` (every process within the cache's 30 s, this one at once)."""
    with transaction.atomic():
        if announcement_id is None:
            announcement = Announcement()
        else:
            announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
            if announcement is None:
                raise ApplicationError(
                    gettext("There is no such announcement."), extra={"announcement_id": announcement_id}
                )
        values = {"text_en": text_en.strip(), "text_es": text_es.strip(), "starts_at": starts_at, "ends_at": ends_at}
        created = announcement.pk is None
        before = {field: getattr(announcement, field) for field in values}
        for field, value in values.items():
            setattr(announcement, field, value)
        _validated(announcement)
        changed = _changes(before, values, created)
        if not changed:
            return announcement
        announcement.save()
        services.audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="ivr.announcement",
            target_id=announcement.pk,
            summary=(
                f"IVR announcement {'entered' if created else 'changed'}: "
                + "; ".join(f"{field} {old!s} → {new!s}" for field, (old, new) in changed.items())
            )[:300],
            detail={field: f"{old!s} → {new!s}" for field, (old, new) in changed.items()},
        )
    return announcement


def announcement_end(*, context: AuditContext, announcement_id: int, at: datetime | None = None) -> Announcement:
    """End an announcement now (the emergency is over): callers no longer hear it."""
    at = at or timezone.now()
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None:
            raise ApplicationError(
                gettext("There is no such announcement."), extra={"announcement_id": announcement_id}
            )
        if announcement.ends_at <= at:
            raise ApplicationError(gettext("This announcement has already ended."))
        before = announcement.ends_at
        announcement.ends_at = at
        # One not yet started never will: its start moves to just before its end.
        announcement.starts_at = min(announcement.starts_at, at - timedelta(microseconds=1))
        announcement.save(update_fields=["ends_at", "starts_at", "updated_at"])
        services.audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="ivr.announcement",
            target_id=announcement.pk,
            summary=f"IVR announcement ended: ends_at {before} → {announcement.ends_at}",
        )
    return announcement


def prompt_override_save(*, context: AuditContext, key: str, text_en: str, text_es: str) -> PromptOverride:
    """Reword one of the prompts prompts.OVERRIDABLE names; refused when it is not one of them or
    its {placeholders} are not the default's."""
    with transaction.atomic():
        override = PromptOverride.objects.select_for_update().filter(key=key).first()
        created = override is None
        override = override or PromptOverride(key=key)
        values = {"text_en": text_en.strip(), "text_es": text_es.strip()}
        before = {field: getattr(override, field) for field in values}
        for field, value in values.items():
            setattr(override, field, value)
        _validated(override)
        changed = _changes(before, values, created)
        if not changed:
            return override
        override.save()
        services.audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="ivr.promptoverride",
            target_id=override.pk,
            summary=f"IVR prompt {key} reworded"[:300],
            detail={field: f"{old!s} → {new!s}" for field, (old, new) in changed.items()},
        )
    return override


def prompt_override_delete(*, context: AuditContext, key: str) -> bool:
    """Back to the default wording; False when there was no rewording."""
    with transaction.atomic():
        override = PromptOverride.objects.select_for_update().filter(key=key).first()
        if override is None:
            return False
        services.audit_record(
            context=context,
            action=AuditAction.DELETE,
            target_type="ivr.promptoverride",
            target_id=override.pk,
            summary=f"IVR prompt {key} back to its default wording",
            detail={"text_en": override.text_en, "text_es": override.text_es},
        )
        override.delete()
    return True
