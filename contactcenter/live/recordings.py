"""Call recordings: a live call is recorded dual-channel from the moment the agent joins (the caller
was told in their language before); the agent pauses and resumes it while the caller gives
sensitive data; the phone network's recording status callbacks keep one row per recording; rows
and their media are deleted when the retention period is over."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.live.conference import _audit_contact, _connected_call
from contactcenter.live.services import _call_control_queue
from contactcenter.models import (
    AuditAction,
    AuditChannel,
    CallControl,
    CallControlAction,
    CallRecording,
    RecordingStatus,
    WaitingContact,
)
from contactcenter.telephony import gateway as telephony

FINAL_RECORDING_STATUSES = frozenset({RecordingStatus.COMPLETED, RecordingStatus.ABSENT, RecordingStatus.FAILED})
RECORDINGS_EXPIRE_BATCH = 200


def recording_start_queue(*, contact: WaitingContact) -> str:
    """The agent joined the caller's conference: record the caller's call (once per conversation).
    Returns what was done, for the conference event's outcome."""
    if not settings.CALL_RECORDING or not contact.call_sid:
        return ""
    target = telephony.conference_name(contact)
    if CallControl.objects.filter(contact=contact, action=CallControlAction.RECORD_START, target=target).exists():
        return "agent joined; recording already started"
    _call_control_queue(contact=contact, action=CallControlAction.RECORD_START, target=target)
    return "agent joined: recording started"


def contact_recording_pause(
    *, context: AuditContext, user, contact_id: int, paused: bool, now: datetime | None = None
) -> WaitingContact:
    """The agent pauses the call's recording while the caller gives sensitive data (a card number, a
    date of birth), or resumes it. Asking for the state the recording is already in changes nothing."""
    if not settings.CALL_RECORDING:
        raise ApplicationError(_("Calls are not recorded here: there is no recording to pause."))
    with transaction.atomic():
        contact = _connected_call(user=user, contact_id=contact_id)
        if contact.recording_paused == paused:
            return contact
        contact.recording_paused = paused
        contact.full_clean()
        contact.save(update_fields=["recording_paused", "updated_at"])
        _call_control_queue(
            contact=contact,
            action=CallControlAction.RECORD_PAUSE if paused else CallControlAction.RECORD_RESUME,
            target=telephony.conference_name(contact),
        )
        _audit_contact(context=context, contact=contact, summary="Recording paused" if paused else "Recording resumed")
    return contact


def _status_rank(status: str) -> int:
    return 1 if status in FINAL_RECORDING_STATUSES else 0


def recording_status_record(
    *,
    context: AuditContext,
    contact_id: int,
    recording_sid: str,
    status: str,
    call_sid: str = "",
    channels: int | None = None,
    duration: int | None = None,
    media_url: str = "",
    started_at: datetime | None = None,
    at: datetime | None = None,
    backend: str = "",
    create: bool = True,
) -> CallRecording | None:
    """One recording status callback (in-progress, completed, absent), kept once however often it is
    posted: a callback that tells nothing new (the same status again, or in-progress after the end)
    changes nothing and writes no audit row. None for a contact or a status not ours."""
    at = at or timezone.now()
    if status not in RecordingStatus.values or not recording_sid:
        return None
    with transaction.atomic():
        contact = WaitingContact.objects.filter(pk=contact_id).first()
        if contact is None:
            return None
        recording = CallRecording.objects.select_for_update().filter(recording_sid=recording_sid).first()
        created = False
        if recording is None:
            if not create:
                return None
            recording = CallRecording(
                contact=contact,
                interaction_id=contact.agent_interaction_id,
                recording_sid=recording_sid[:34],
                call_sid=(call_sid or contact.call_sid or "")[:34],
                status=RecordingStatus.IN_PROGRESS,
                backend=(backend or settings.TELEPHONY_BACKEND)[:10],
                started_at=started_at or at,
            )
            recording.full_clean()
            try:
                with transaction.atomic():
                    recording.save()
            except IntegrityError:  # the same callback, posted twice at once: the other one keeps it
                return CallRecording.objects.filter(recording_sid=recording_sid).first()
            created = True
        elif recording.contact_id != contact.pk:
            return recording  # a callback URL naming another contact: not believed
        changed = created
        if _status_rank(status) > _status_rank(recording.status) or (
            status != recording.status and status in FINAL_RECORDING_STATUSES and recording.completed_at is None
        ):
            recording.status = status
            recording.completed_at = at
            changed = True
        if status in FINAL_RECORDING_STATUSES and recording.status == status:
            facts = (("duration_seconds", duration), ("channels", channels), ("media_url", media_url[:300]))
            for field, value in facts:
                if value not in (None, "") and getattr(recording, field) != value:
                    setattr(recording, field, value)
                    changed = True
        if not changed:
            return recording
        recording.full_clean()
        recording.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="contactcenter.callrecording",
            target_id=recording.pk,
            summary=(
                f"Recording {recording.recording_sid} of contact {contact.pk}: {recording.status}"
                + (f" ({recording.duration_seconds} s)" if recording.duration_seconds is not None else "")
            ),
        )
    return recording


def recording_delete(*, context: AuditContext, recording_id: int, reason: str) -> bool:
    """Delete a recording: its audio at the phone network first (a failure leaves the row, for the
    task to try again), then its row, audited. False when it was deleted already."""
    recording = CallRecording.objects.filter(pk=recording_id).first()
    if recording is None:
        return False
    telephony.gateway(recording.backend or None).recording_delete(recording=recording)
    with transaction.atomic():
        recording = CallRecording.objects.select_for_update().filter(pk=recording_id).first()
        if recording is None:
            return False
        summary = f"Deleted recording {recording.recording_sid} of contact {recording.contact_id} ({reason})"
        recording.delete()
        audit_record(
            context=context,
            action=AuditAction.DELETE,
            target_type="contactcenter.callrecording",
            target_id=recording_id,
            summary=summary[:255],
        )
    return True


def recordings_expire(*, now: datetime | None = None, limit: int = RECORDINGS_EXPIRE_BATCH) -> int:
    """Delete recordings older than RECORDING_RETENTION_DAYS, metadata and media; returns how many.
    A recording the phone network would not delete is left for the next try, and the first such
    failure raised once the others are done (the task retries it with backoff)."""
    days = settings.RECORDING_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = list(
        CallRecording.objects.filter(started_at__lt=cutoff).order_by("started_at").values_list("pk", flat=True)[:limit]
    )
    context = AuditContext.system(channel=AuditChannel.TASK)
    deleted, failure = 0, None
    for recording_id in expired:
        try:
            deleted += recording_delete(
                context=context, recording_id=recording_id, reason=f"retention of {days} days over"
            )
        except telephony.TelephonyError as error:
            telephony.logger.warning("recording %s not deleted yet: %s", recording_id, error)
            failure = failure or error
    if failure is not None:
        raise failure
    return deleted


__all__ = [
    "contact_recording_pause",
    "recording_delete",
    "recording_start_queue",
    "recording_status_record",
    "recordings_expire",
]
