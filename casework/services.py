"""Every write CAO casework does. Views, the API, tasks and commands all call these."""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from contactcenter import selectors as core_selectors
from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.common.background import enqueue_on_commit, mail_message_id
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal, Transition
from contactcenter.models import AuditAction, AuditChannel, BenefitCase, Channel, Language, Outcome, Topic
from contactcenter.reference.identifiers import (
    InvalidIdentifier,
    find_a_numbers,
    find_receipt_numbers,
    normalize_a_number,
    normalize_receipt_number,
)
from contactcenter.staff.roles import Role, has_any_role

from . import selectors
from .agency_voice import agency_status
from .attachments import AttachmentIn, attachment_problem, content_type_for
from .models import (
    TRIP_DOCUMENTS,
    ActivityKind,
    Attachment,
    Correspondent,
    CorrespondentRole,
    Inquiry,
    InquiryActivity,
    InquiryChannel,
    InquiryStatus,
    Priority,
    Response,
    ResponseKind,
    ResponseStatus,
    ResponseTemplate,
    Source,
    TelephoneOutcome,
    TripRedress,
    TripStatus,
)
from .sla import add_business_days, business_days_between
from .workflows import INQUIRY, RESPONSE

logger = logging.getLogger(__name__)
User = get_user_model()

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_IN_TEXT = re.compile(r"\bCAO-([A-HJKMNP-Z2-9]{8})\b", re.IGNORECASE)


def new_reference() -> str:
    return "CAO-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def reference_in(text: str) -> str | None:
    match = REFERENCE_IN_TEXT.search(text or "")
    return f"CAO-{match.group(1).upper()}" if match else None


def _en(choices, value) -> str:
    """A choice's label in English: the activity log, the ledger and the audit trail are written in
    one language, whatever the language of the request that wrote them."""
    with override("en"):
        return str(choices(value).label)


def _audit(context: AuditContext, inquiry: Inquiry, summary: str, action: str = AuditAction.UPDATE) -> None:
    core_services.audit_record(
        context=context, action=action, target_type="casework.inquiry", target_id=inquiry.pk, summary=summary
    )


def _activity(
    context: AuditContext,
    inquiry: Inquiry,
    kind: str,
    text: str = "",
    from_status: str = "",
    to_status: str = "",
    message_id: str | None = None,
) -> InquiryActivity:
    actor = context.actor if context.actor is not None and context.actor.pk else None
    activity = InquiryActivity(
        inquiry=inquiry,
        actor=actor,
        kind=kind,
        text=text,
        from_status=from_status,
        to_status=to_status,
        message_id=message_id,
    )
    activity.full_clean(validate_unique=False)
    activity.save()
    return activity


def _status_refused(inquiry: Inquiry, to: str) -> ApplicationError:
    return ApplicationError(
        _("An inquiry that is %(current)s cannot become %(target)s.")
        % {"current": inquiry.get_status_display().lower(), "target": InquiryStatus(to).label.lower()}
    )


def _set_status(context: AuditContext, inquiry: Inquiry, to: str, text: str = "") -> None:
    if not INQUIRY.leads(inquiry.status, to):
        raise _status_refused(inquiry, to)
    before = inquiry.status
    inquiry.status = to
    fields = ["status", "updated_at"]
    if to == InquiryStatus.SENT and inquiry.responded_at is None:
        inquiry.responded_at = timezone.now()
        fields.append("responded_at")
    if to == InquiryStatus.CLOSED:
        inquiry.closed_at = timezone.now()
        fields.append("closed_at")
    inquiry.full_clean(exclude=["cases"])
    inquiry.save(update_fields=fields)
    _activity(context, inquiry, ActivityKind.STATUS, text, from_status=before, to_status=to)
    _audit(context, inquiry, f"Inquiry {inquiry.reference} {before} → {to}")


def _locked(inquiry: Inquiry | int) -> Inquiry:
    pk = inquiry.pk if isinstance(inquiry, Inquiry) else inquiry
    found = Inquiry.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("That inquiry does not exist."))
    return found


def _due_on(*, source: str, received_at: datetime, hold_days: int = 0) -> date:
    days, _soon = selectors.sla_target_for(source=source)
    return add_business_days(timezone.localdate(received_at), days + hold_days)


def _ledger(context: AuditContext, inquiry: Inquiry, outcome: str = Outcome.IN_PROGRESS):
    topic = inquiry.topic_code if Topic.objects.filter(code=inquiry.topic_code).exists() else "general"
    return core_services.interaction_record(
        context=context,
        channel=Channel.WRITTEN,
        topic_code="travel-redress" if inquiry.source == Source.TSA_TRIP else topic,
        source_app="casework",
        source_model="inquiry",
        source_id=inquiry.pk,
        occurred_at=inquiry.received_at,
        ended_at=inquiry.responded_at,
        language=inquiry.language,
        outcome=outcome,
        receipt_numbers=inquiry.receipt_numbers,
        a_numbers=inquiry.a_numbers,
        source_url=f"/casework/inquiries/{inquiry.pk}/",
        # Everyone who reads the ledger (the case view of every console) sees this entry: a sensitive
        # inquiry's is confidential (only CAO supervisors read its details; others see it exists) and
        # does not say what it is about.
        confidential=inquiry.sensitive,
        summary=(
            f"Sensitive CAO inquiry {inquiry.reference}"
            if inquiry.sensitive
            else f"{_en(Source, inquiry.source)} inquiry {inquiry.reference}: {inquiry.subject}"
        ),
        handled_by=inquiry.assignee,
    )


class AttachmentsNotStored(ApplicationError):
    """The attachments' storage refused to write (disk full, not writable): nothing was recorded."""


@contextmanager
def _files_undone_on_failure() -> Iterator[list[str]]:
    """The names of the files stored inside the block; if the block fails (and its transaction
    rolls back), they are deleted: no file without its row."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                default_storage.delete(name)
            except OSError as error:  # the same fault that failed the block may refuse this too
                logger.error("could not remove %s after a failed save: %s", name, error)
        raise


def _remove_partial(name: str) -> None:
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
    except OSError as error:
        logger.error("could not remove the partial file %s: %s", name, error)


def _store_attachments(inquiry: Inquiry, attachments: Iterable[AttachmentIn], stored: list[str]) -> None:
    for item in attachments:
        attachment = Attachment(
            inquiry=inquiry,
            filename=item.filename[:200],
            content_type=content_type_for(item.filename),
            size=len(item.content),
        )
        # A name no other upload has: a write that fails half-way leaves a partial file Django does
        # not remove, and this is the name to remove it by.
        stem, suffix = PurePath(item.filename).stem[:40], PurePath(item.filename).suffix[:10]
        name = attachment.file.field.generate_filename(attachment, f"{secrets.token_hex(6)}-{stem}{suffix}")
        try:
            attachment.file.name = default_storage.save(name, ContentFile(item.content))
        except OSError as error:
            logger.error("attachment storage refused a file (%s): %s", error.strerror, error)
            _remove_partial(name)
            raise AttachmentsNotStored(
                _(
                    "Your inquiry was not sent: we cannot store attached files at the moment. Everything you "
                    "typed is still here. Try again in a few minutes, or send it without the attachments."
                )
            ) from error
        stored.append(attachment.file.name)
        attachment.full_clean()
        attachment.save()


def _check_attachments(attachments: Iterable[AttachmentIn]) -> list[AttachmentIn]:
    items = list(attachments)
    problems = [p for p in (attachment_problem(filename=i.filename, content=i.content) for i in items) if p]
    if problems:
        raise ApplicationError(" ".join(problems), extra={"attachments": problems})
    return items


# A model's full_clean refusing an inquiry: every problem, in the one sentence.
NOT_RECORDED = gettext_lazy("The inquiry could not be recorded: %(problems)s")


# --- intake --------------------------------------------------------------------------------------
def inquiry_create(
    *,
    context: AuditContext,
    channel: str,
    subject: str,
    body: str,
    correspondent_name: str,
    correspondent_email: str = "",
    correspondent_phone: str = "",
    correspondent_address: str = "",
    correspondent_organisation: str = "",
    correspondent_role: str = CorrespondentRole.APPLICANT,
    source: str | None = None,
    language: str = Language.ENGLISH,
    priority: int = Priority.NORMAL,
    topic_code: str = "general",
    body_html: str = "",
    message_id: str | None = None,
    received_at: datetime | None = None,
    attachments: Iterable[AttachmentIn] = (),
    referred_from_interaction_id: int | None = None,
    submission_token: str | None = None,
    sender_verified: bool = False,
    refers_to: Inquiry | None = None,
    receipt_numbers: Iterable[str] = (),
    a_numbers: Iterable[str] = (),
) -> Inquiry:
    """Record a written inquiry from any channel, find its receipt numbers and A-numbers, start its
    SLA clock, put it in the ledger and, after commit, acknowledge it with its confirmation number.

    An inquiry whose source is known at intake (given, or by the sender's domain) is triaged at
    once; the rest wait in `received` for an analyst. The sender's domain decides only when the
    caller vouches that the receiving server authenticated it (`sender_verified`): an unverified
    domain of a known source makes a general public inquiry that keeps the claim for staff to see.
    `refers_to`: the inquiry whose reference a message from someone else quoted. Idempotent on the
    e-mail Message-ID and on the public form's one-time submission token.

    A telephone call an analyst logs comes the same way (channel `telephone`), with the receipt
    number and A-number the caller gave (`receipt_numbers`, `a_numbers`) beside those in the text."""
    if message_id:
        existing = selectors.inquiry_by_message_id(message_id=message_id)
        if existing is not None:
            return existing
    if submission_token:
        existing = selectors.inquiry_by_submission_token(token=submission_token)
        if existing is not None:
            return existing
    if channel not in InquiryChannel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.")
    if language not in Language.values:
        raise ApplicationError(f"Unknown language {language!r}.")
    if not (subject or "").strip() or not (body or "").strip():
        raise ApplicationError(_("An inquiry needs a subject and a message."))
    items = _check_attachments(attachments)
    claimed = ""
    if source is None:
        by_domain = selectors.source_for_sender(email=correspondent_email)
        if by_domain and sender_verified:
            source = by_domain
        elif by_domain:
            claimed, source = by_domain, Source.PUBLIC
        elif channel == InquiryChannel.WEB_FORM:
            source = Source.PUBLIC
    # An unverified claim waits for an analyst, who sees it, rather than being triaged by it.
    auto_triage = source is not None and not claimed
    source = source or Source.OTHER
    received_at = received_at or timezone.now()
    text = f"{subject}\n{body}"
    try:
        given_receipts = [normalize_receipt_number(value) for value in receipt_numbers if value]
        given_a_numbers = [normalize_a_number(value) for value in a_numbers if value]
    except InvalidIdentifier as error:
        raise ApplicationError(_("A receipt number or A-number given is not valid.")) from error
    receipts = list(dict.fromkeys([*given_receipts, *find_receipt_numbers(text)]))
    a_numbers = list(dict.fromkeys([*given_a_numbers, *find_a_numbers(text)]))
    parent = None
    if referred_from_interaction_id:
        parent = core_selectors.interaction_list().filter(pk=referred_from_interaction_id).first()
    with _files_undone_on_failure() as stored, transaction.atomic():
        correspondent = Correspondent(
            name=correspondent_name.strip()[:160],
            organisation=correspondent_organisation.strip()[:160],
            email=correspondent_email.strip(),
            phone=correspondent_phone.strip()[:30],
            address=correspondent_address.strip(),
            role=correspondent_role,
        )
        try:
            correspondent.full_clean()
        except ValidationError as error:
            raise ApplicationError.from_validation(
                error, prefix="correspondent_", message=NOT_RECORDED, once=False
            ) from error
        correspondent.save()
        inquiry = Inquiry(
            reference=new_reference(),
            source=source,
            channel=channel,
            correspondent=correspondent,
            subject=subject.strip()[:300],
            body=body.strip(),
            body_html=body_html,
            language=language,
            topic_code=topic_code,
            receipt_numbers=receipts,
            a_numbers=a_numbers,
            priority=priority,
            received_at=received_at,
            due_on=_due_on(source=source, received_at=received_at),
            message_id=message_id or None,
            submission_token=submission_token or None,
            sender_claimed_source=claimed,
            refers_to=refers_to,
        )
        try:
            inquiry.full_clean(exclude=["cases"], validate_unique=False)
        except ValidationError as error:
            raise ApplicationError.from_validation(error, message=NOT_RECORDED, once=False) from error
        try:
            with transaction.atomic():
                inquiry.save()
        except IntegrityError:
            # The same message ingested (or the same form sent) concurrently: the first one is the inquiry.
            existing = selectors.inquiry_by_message_id(message_id=message_id) if message_id else None
            existing = existing or selectors.inquiry_by_submission_token(token=submission_token or "")
            if existing is None:
                raise
            return existing
        inquiry.cases.set(BenefitCase.objects.filter(receipt_number__in=receipts))
        _store_attachments(inquiry, items, stored)
        _activity(
            context,
            inquiry,
            ActivityKind.STATUS,
            f"Received by {_en(InquiryChannel, inquiry.channel).lower()}",
            to_status=InquiryStatus.RECEIVED,
        )
        if claimed:
            _activity(
                context,
                inquiry,
                ActivityKind.EDIT,
                f"Sender domain not verified: {inquiry.sender_domain} would make this {_en(Source, claimed)} "
                f"mail, but the receiving server did not authenticate it; recorded as {_en(Source, source)}",
            )
        if refers_to is not None:
            _activity(
                context,
                inquiry,
                ActivityKind.EDIT,
                f"Quotes inquiry {refers_to.reference} but was not sent by its correspondent: "
                "recorded as a new inquiry linked to it",
            )
        _audit(context, inquiry, f"Inquiry {inquiry.reference} received by {channel}", AuditAction.CREATE)
        interaction = _ledger(context, inquiry)
        if parent is not None and interaction.parent_id is None:
            interaction.parent = parent
            interaction.save(update_fields=["parent"])
            # No longer a first contact, and a hand-off of its parent: both intervals' figures change.
            core_services.ledger_rollups_mark(moments=[interaction.occurred_at, parent.occurred_at])
        inquiry.interaction = interaction
        inquiry.save(update_fields=["interaction"])
        if auto_triage:
            _set_status(
                context, inquiry, InquiryStatus.TRIAGED, f"Triaged automatically as {_en(Source, inquiry.source)}"
            )
        if correspondent.email:
            enqueue_on_commit("casework.inquiry_confirm", inquiry_id=inquiry.pk)
    return inquiry


def is_correspondent(*, inquiry: Inquiry, email: str) -> bool:
    """Whether an e-mail address is the inquiry's correspondent's (the only sender who may write
    *into* an inquiry; anyone else quoting its reference starts a new one)."""
    own = (inquiry.correspondent.email or "").strip().casefold()
    return bool(own) and own == (email or "").strip().casefold()


def inquiry_reply_record(
    *,
    context: AuditContext,
    inquiry: Inquiry,
    sender_email: str,
    body: str,
    message_id: str | None = None,
    attachments: Iterable[AttachmentIn] = (),
) -> InquiryActivity:
    """A correspondent wrote again about an inquiry: the message joins its activity log once, and
    an answered inquiry is reopened. Refused from anyone but the correspondent."""
    if not is_correspondent(inquiry=inquiry, email=sender_email):
        raise ApplicationError(_("Only the correspondent's own messages are added to an inquiry."))
    if message_id and selectors.message_id_seen(message_id=message_id):
        existing = InquiryActivity.objects.filter(message_id=message_id).first()
        if existing is not None:
            return existing
        raise ApplicationError(_("That message was already ingested as an inquiry."))
    items = _check_attachments(attachments)
    with _files_undone_on_failure() as stored, transaction.atomic():
        inquiry = _locked(inquiry)
        activity = _activity(context, inquiry, ActivityKind.REPLY, body.strip(), message_id=message_id or None)
        _store_attachments(inquiry, items, stored)
        new = [r for r in find_receipt_numbers(body) if r not in inquiry.receipt_numbers]
        if new:
            inquiry.receipt_numbers = [*inquiry.receipt_numbers, *new]
            inquiry.save(update_fields=["receipt_numbers", "updated_at"])
            inquiry.cases.add(*BenefitCase.objects.filter(receipt_number__in=new))
            _ledger(context, inquiry)
        # A reply to an answered inquiry is work again: back in the queue, not only in the log.
        if (step := INQUIRY.row("reply", inquiry, None)) is not None:
            _reopen(context, inquiry, "Reopened: the correspondent wrote again", step=step)
        _audit(context, inquiry, f"Reply threaded onto inquiry {inquiry.reference}")
    return activity


def inquiry_confirm_send(*, inquiry_id: int) -> bool:
    """E-mail the confirmation number once; a redelivered task finds it sent and does nothing."""
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().select_related("correspondent").filter(pk=inquiry_id).first()
        if inquiry is None or inquiry.confirmation_sent_at is not None or not inquiry.correspondent.email:
            return False
        with override(inquiry.language):
            subject = _("We received your inquiry [%(reference)s]") % {"reference": inquiry.reference}
            body = _(
                "Thank you for writing to USCIS. Your inquiry was received and its confirmation number is "
                "%(reference)s. Keep this number in the subject line if you write to us again about it."
            ) % {"reference": inquiry.reference}
            body += "\n\n" + _(
                "You can check its status at %(url)s with this number and the e-mail address you wrote from."
            ) % {"url": settings.PUBLIC_BASE_URL + reverse("casework:status")}
        EmailMessage(
            subject,
            body,
            to=[inquiry.correspondent.email],
            headers={"Message-ID": mail_message_id("inquiry-confirmation", inquiry.pk, inquiry.reference)},
        ).send()
        inquiry.confirmation_sent_at = timezone.now()
        inquiry.save(update_fields=["confirmation_sent_at"])
        _activity(AuditContext.system(AuditChannel.TASK), inquiry, ActivityKind.RESPONSE, "Confirmation e-mailed")
    return True


def inquiry_confirm_give_up(*, inquiry_id: int, reason: str) -> None:
    """The confirmation e-mail could not be delivered after its last try: say so on the inquiry."""
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
        if inquiry is None or inquiry.confirmation_sent_at is not None:
            return
        inquiry.confirmation_failed_at = timezone.now()
        inquiry.save(update_fields=["confirmation_failed_at"])
        _activity(
            AuditContext.system(AuditChannel.TASK),
            inquiry,
            ActivityKind.RESPONSE,
            f"Confirmation e-mail not delivered ({reason})",
        )


# --- triage and workflow -------------------------------------------------------------------------
def inquiry_triage(
    *,
    context: AuditContext,
    inquiry: Inquiry,
    source: str,
    priority: int,
    topic_code: str = "",
) -> Inquiry:
    if source not in Source.values:
        raise ApplicationError(f"Unknown source {source!r}.")
    if priority not in Priority.values:
        raise ApplicationError(f"Unknown priority {priority!r}.")
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "triage" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("Only an open inquiry can be triaged."))
        inquiry.source, inquiry.priority = source, priority
        inquiry.topic_code = topic_code or inquiry.topic_code
        inquiry.due_on = _due_on(source=source, received_at=inquiry.received_at, hold_days=inquiry.hold_business_days)
        inquiry.full_clean(exclude=["cases"])
        inquiry.save(update_fields=["source", "priority", "topic_code", "due_on", "updated_at"])
        source, priority = _en(Source, inquiry.source), _en(Priority, inquiry.priority)
        text = f"Source {source}, priority {priority}, due {inquiry.due_on}"
        if INQUIRY.row("triage", inquiry, context.actor).target is not None:
            _set_status(context, inquiry, InquiryStatus.TRIAGED, text)
        else:
            _activity(context, inquiry, ActivityKind.EDIT, text)
            _audit(context, inquiry, f"Inquiry {inquiry.reference} re-triaged")
        _ledger(context, inquiry)
    return inquiry


def _hidden_from_actor(context: AuditContext, inquiry: Inquiry) -> bool:
    """Whether the person acting may not see the inquiry (a sensitive one not naming them): a list
    of ids (the queue's bulk assignment) must not reach what the pages hide."""
    actor = context.actor
    return (
        actor is not None
        and bool(actor.pk)
        and not selectors.inquiry_list_for(user=actor).filter(pk=inquiry.pk).exists()
    )


def inquiry_assign(*, context: AuditContext, inquiry: Inquiry, assignee) -> Inquiry:
    if not has_any_role(assignee, [Role.CAO_ANALYST, Role.CAO_SUPERVISOR]):
        raise ApplicationError(_("Inquiries are assigned to CAO analysts and supervisors only."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if _hidden_from_actor(context, inquiry):
            raise ApplicationError(_("That inquiry does not exist."))
        step = INQUIRY.row("assign", inquiry, context.actor)
        if step is None:
            raise ApplicationError(
                _("Triage the inquiry (source and priority) before assigning it.")
                if inquiry.status == InquiryStatus.RECEIVED
                else _("A closed or answered inquiry cannot be assigned; reopen it first.")
            )
        inquiry.assignee = assignee
        inquiry.save(update_fields=["assignee", "updated_at"])
        _activity(context, inquiry, ActivityKind.ASSIGNMENT, f"Assigned to {assignee.get_full_name() or assignee}")
        if inquiry.sensitive and not inquiry.sensitive_readers.filter(pk=assignee.pk).exists():
            # Whoever is given a sensitive inquiry to answer may open it: assigning names them.
            inquiry.sensitive_readers.add(assignee)
            _activity(context, inquiry, ActivityKind.EDIT, f"{_name(assignee)} may now see this sensitive inquiry")
        if step.target is not None:
            _set_status(context, inquiry, step.target)
        _audit(context, inquiry, f"Inquiry {inquiry.reference} assigned to {assignee.get_username()}")
        _ledger(context, inquiry)
    return inquiry


def inquiries_bulk_assign(*, context: AuditContext, inquiry_ids: Iterable[int], assignee) -> list[Inquiry]:
    """Assign several at once: all of them, or (on any refusal) none."""
    with transaction.atomic():
        return [inquiry_assign(context=context, inquiry=pk, assignee=assignee) for pk in inquiry_ids]


def inquiry_hold(*, context: AuditContext, inquiry: Inquiry, reason: str) -> Inquiry:
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the inquiry is on hold."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "hold" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("Only an open inquiry that is not already on hold can be put on hold."))
        before = inquiry.status
        inquiry.status_before_hold, inquiry.status = before, InquiryStatus.ON_HOLD
        inquiry.hold_reason, inquiry.held_since = reason.strip()[:300], timezone.now()
        inquiry.save(update_fields=["status", "status_before_hold", "hold_reason", "held_since", "updated_at"])
        _activity(context, inquiry, ActivityKind.STATUS, reason, from_status=before, to_status=InquiryStatus.ON_HOLD)
        _audit(context, inquiry, f"Inquiry {inquiry.reference} on hold")
    return inquiry


def inquiry_resume(*, context: AuditContext, inquiry: Inquiry) -> Inquiry:
    """Take an inquiry off hold: the business days it waited move its due date back."""
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "resume" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("The inquiry is not on hold."))
        held = business_days_between(timezone.localdate(inquiry.held_since), timezone.localdate())
        inquiry.hold_business_days += held
        inquiry.due_on = _due_on(
            source=inquiry.source, received_at=inquiry.received_at, hold_days=inquiry.hold_business_days
        )
        inquiry.status, inquiry.status_before_hold = inquiry.status_before_hold, ""
        inquiry.held_since, inquiry.hold_reason = None, ""
        inquiry.save(
            update_fields=[
                "status",
                "status_before_hold",
                "held_since",
                "hold_reason",
                "hold_business_days",
                "due_on",
                "updated_at",
            ]
        )
        _activity(
            context,
            inquiry,
            ActivityKind.STATUS,
            f"Off hold after {held} business days; now due {inquiry.due_on}",
            from_status=InquiryStatus.ON_HOLD,
            to_status=inquiry.status,
        )
        _audit(context, inquiry, f"Inquiry {inquiry.reference} off hold")
    return inquiry


def inquiry_close(*, context: AuditContext, inquiry: Inquiry, reason: str = "") -> Inquiry:
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "close" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            if inquiry.status == InquiryStatus.ON_HOLD:
                raise ApplicationError(_("Take the inquiry off hold before closing it."))
            raise _status_refused(inquiry, InquiryStatus.CLOSED)
        _set_status(context, inquiry, InquiryStatus.CLOSED, reason)
        _ledger(context, inquiry, Outcome.RESOLVED)
    return inquiry


def inquiry_reopen(*, context: AuditContext, inquiry: Inquiry, reason: str) -> Inquiry:
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the inquiry is reopened."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "reopen" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("Only an answered or closed inquiry can be reopened."))
        _reopen(context, inquiry, reason, step=INQUIRY.row("reopen", inquiry, context.actor))
    return inquiry


def _reopen(context: AuditContext, inquiry: Inquiry, reason: str, *, step: Transition) -> None:
    before = inquiry.status
    inquiry.status = step.target
    inquiry.closed_at = inquiry.responded_at = None
    inquiry.escalated_at = None
    inquiry.save(update_fields=["status", "closed_at", "responded_at", "escalated_at", "updated_at"])
    _activity(context, inquiry, ActivityKind.STATUS, reason, from_status=before, to_status=inquiry.status)
    _audit(context, inquiry, f"Inquiry {inquiry.reference} reopened")
    _ledger(context, inquiry, Outcome.IN_PROGRESS)


def inquiry_note_add(*, context: AuditContext, inquiry: Inquiry, text: str) -> InquiryActivity:
    if not (text or "").strip():
        raise ApplicationError(_("A note cannot be empty."))
    with transaction.atomic():
        activity = _activity(context, inquiry, ActivityKind.NOTE, text.strip())
        _audit(context, inquiry, f"Note added to inquiry {inquiry.reference}")
    return activity


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def inquiry_sensitivity_set(
    *, context: AuditContext, inquiry: Inquiry, sensitive: bool, readers: Iterable = ()
) -> Inquiry:
    """Mark an inquiry sensitive, naming the analysts who may see it besides CAO supervisors (its
    assignee and an analyst marking it are always among them), or make it ordinary again. Only a
    CAO supervisor or the assigned analyst may."""
    readers = list(dict.fromkeys(readers))
    if sensitive and any(not has_any_role(user, [Role.CAO_ANALYST, Role.CAO_SUPERVISOR]) for user in readers):
        raise ApplicationError(_("Only CAO analysts and supervisors can be named to see a sensitive inquiry."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if _hidden_from_actor(context, inquiry):
            raise ApplicationError(_("That inquiry does not exist."))
        if not selectors.inquiry_may_set_sensitivity(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("Only a CAO supervisor or the assigned analyst may mark an inquiry sensitive."))
        if sensitive:
            kept = [context.actor, inquiry.assignee]
            readers += [u for u in kept if u is not None and u not in readers and not _is_supervisor(u)]
        inquiry.sensitive = sensitive
        inquiry.save(update_fields=["sensitive", "updated_at"])
        inquiry.sensitive_readers.set(readers if sensitive else [])
        if sensitive:
            names = ", ".join(sorted(_name(user) for user in readers)) or "no analyst"
            text = f"Marked sensitive: seen only by {names} and CAO supervisors"
        else:
            text = "No longer sensitive: every CAO analyst may see it"
        _activity(context, inquiry, ActivityKind.EDIT, text)
        _audit(
            context,
            inquiry,
            f"Inquiry {inquiry.reference} {'marked sensitive' if sensitive else 'no longer sensitive'}",
        )
        _ledger(context, inquiry)
    return inquiry


def _is_supervisor(user) -> bool:
    return has_any_role(user, [Role.CAO_SUPERVISOR])


# --- responses -----------------------------------------------------------------------------------
_MERGE_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def merge_fields(*, inquiry: Inquiry, analyst=None, language: str | None = None) -> dict[str, str]:
    """The merge fields of a reply in `language` (the inquiry's by default). The case's status is the
    agency's sentence about it, never the status service's headline in the applicant's voice."""
    case = inquiry.cases.select_related("status").first()
    status = ""
    if case is not None:
        status = agency_status(code=case.status.code, language=language or inquiry.language)
    return {
        "name": inquiry.correspondent.name,
        "organisation": inquiry.correspondent.organisation,
        "reference": inquiry.reference,
        "subject": inquiry.subject,
        "receipt_numbers": ", ".join(inquiry.receipt_numbers),
        "case_status": status,
        "today": timezone.localdate().isoformat(),
        "analyst": (analyst.get_full_name() or analyst.get_username()) if analyst else "",
    }


def template_render(*, text: str, fields: dict[str, str]) -> str:
    """Fill merge fields; an unknown field is left as written so the analyst sees it in review."""
    return _MERGE_FIELD.sub(lambda m: fields.get(m.group(1), m.group(0)), text)


def _response_locked(response: Response | int) -> Response:
    pk = response.pk if isinstance(response, Response) else response
    found = Response.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("That response does not exist."))
    return found


def response_draft(
    *,
    context: AuditContext,
    inquiry: Inquiry,
    kind: str = ResponseKind.EMAIL,
    template: ResponseTemplate | None = None,
    subject: str = "",
    body: str = "",
    language: str | None = None,
) -> Response:
    if kind not in (ResponseKind.EMAIL, ResponseKind.LETTER):
        raise ApplicationError(_("Draft an e-mail or a letter; log telephone responses instead."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        step = INQUIRY.row("draft", inquiry, context.actor)
        if step is None:
            raise ApplicationError(_("Assign the inquiry before drafting its response."))
        if kind == ResponseKind.EMAIL and not inquiry.correspondent.email:
            raise ApplicationError(_("The correspondent has no e-mail address; draft a letter."))
        if template is not None:
            subject = subject or template.subject
            body = body or template.body
            language = language or template.language
        fields = merge_fields(inquiry=inquiry, analyst=context.actor, language=language)
        response = Response(
            inquiry=inquiry,
            kind=kind,
            language=language or inquiry.language,
            template=template,
            subject=template_render(text=subject or f"Re: {inquiry.subject} [{inquiry.reference}]", fields=fields)[
                :300
            ],
            body=template_render(text=body, fields=fields),
            to_email=inquiry.correspondent.email if kind == ResponseKind.EMAIL else "",
            drafted_by=context.actor if context.actor is not None and context.actor.pk else None,
        )
        if inquiry.reference not in response.subject:
            response.subject = f"{response.subject} [{inquiry.reference}]"[:300]
        response.full_clean()
        response.save()
        if step.target is not None:
            _set_status(context, inquiry, step.target)
        _activity(context, inquiry, ActivityKind.RESPONSE, f"{_en(ResponseKind, response.kind)} drafted")
    return response


def response_update(*, context: AuditContext, response: Response, subject: str, body: str) -> Response:
    with transaction.atomic():
        response = _response_locked(response)
        if "edit" not in selectors.response_allowed_actions(response=response, user=context.actor):
            raise ApplicationError(_("Only a draft can be edited."))
        changed = [
            name for name, value in (("subject", subject[:300]), ("body", body)) if getattr(response, name) != value
        ]
        response.subject, response.body = subject[:300], body
        response.full_clean()
        response.save(update_fields=["subject", "body", "updated_at"])
        editor = context.actor if context.actor is not None and context.actor.pk else None
        if changed and editor is not None:
            # Whoever changes the text shares authorship of it: four eyes means none of them approves.
            response.edited_by.add(editor)
        core_services.audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="casework.inquiry",
            target_id=response.inquiry_id,
            summary=f"Response {response.pk} edited",
            detail={
                "response": response.pk,
                "changed": ", ".join(changed) or "nothing",
                "editor": editor.get_username() if editor else "",
            },
        )
    return response


def response_knowledge_insert(
    *, context: AuditContext, response: Response, article_id: int, subject: str, body: str
) -> Response:
    """Append one of the library's published approved answers to a draft, after the text the analyst
    has typed (saved with it, as `response_update`), and record on the response that it was used."""
    with transaction.atomic():
        article = core_selectors.knowledge_answer_get(user=context.actor, pk=article_id)
        if article is None:
            raise ApplicationError(_("That approved answer is not in the library, or is no longer published."))
        typed = body.rstrip()
        response = response_update(
            context=context,
            response=response,
            subject=subject,
            body=f"{typed}\n\n{article.body}" if typed else article.body,
        )
        response.knowledge_articles.add(article)
        core_services.audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="casework.inquiry",
            target_id=response.inquiry_id,
            summary=f"Library answer {article.pk} inserted into response {response.pk}",
            detail={"response": response.pk, "article": article.pk, "language": article.language},
        )
    return response


def response_submit(
    *, context: AuditContext, response: Response, subject: str | None = None, body: str | None = None
) -> Response:
    """Send a draft for supervisor review; text given here is saved first (as `response_update`),
    in the same transaction, so what is reviewed is what the analyst last typed."""
    with transaction.atomic():
        if subject is not None or body is not None:
            current = _response_locked(response)
            response_update(
                context=context,
                response=current,
                subject=current.subject if subject is None else subject,
                body=current.body if body is None else body,
            )
        response = _response_locked(response)
        if "submit" not in selectors.response_allowed_actions(response=response, user=context.actor):
            raise ApplicationError(_("Only a draft can be sent for review."))
        if not response.body.strip():
            raise ApplicationError(_("The response is empty."))
        inquiry = _locked(response.inquiry_id)
        response.status = ResponseStatus.IN_REVIEW
        response.save(update_fields=["status", "updated_at"])
        _set_status(context, inquiry, InquiryStatus.IN_REVIEW, "Response sent for supervisor review")
    return response


def response_review(*, context: AuditContext, response: Response, approve: bool, note: str = "") -> Response:
    """A CAO supervisor approves (the response goes out) or returns it to draft with a note.

    Nothing is sent without this review; the reviewer may not approve their own draft."""
    reviewer, action = context.actor, "approve" if approve else "return"
    if RESPONSE.refusal(action, response, reviewer) is Refusal.ROLE:
        raise ApplicationError(_("Only a CAO supervisor reviews responses."))
    with transaction.atomic():
        response = _response_locked(response)
        if action not in selectors.response_allowed_actions(response=response, user=reviewer):
            if RESPONSE.refusal(action, response, reviewer) is Refusal.STATE:
                raise ApplicationError(_("This response is not awaiting review."))
            if response.drafted_by_id == reviewer.pk:
                raise ApplicationError(_("A supervisor cannot approve a response they drafted."))
            raise ApplicationError(
                _("A supervisor cannot approve a response whose text they edited; another supervisor must review it.")
            )
        if not approve and not note.strip():
            raise ApplicationError(_("Say what to change when returning a response."))
        inquiry = _locked(response.inquiry_id)
        response.reviewed_by, response.review_note = reviewer, note.strip()[:500]
        if approve:
            response.status = ResponseStatus.APPROVED
            response.approved_at = timezone.now()
            response.send_key = uuid.uuid4().hex
            if response.kind == ResponseKind.LETTER:
                # A letter is printed from its letter view and posted by the mail room.
                response.status, response.sent_at = ResponseStatus.SENT, timezone.now()
        else:
            response.status = ResponseStatus.DRAFT
        response.save(update_fields=["status", "reviewed_by", "review_note", "approved_at", "send_key", "sent_at"])
        _activity(
            context,
            inquiry,
            ActivityKind.RESPONSE,
            ("Approved" if approve else "Returned to draft") + (f": {note.strip()}" if note.strip() else ""),
        )
        if not approve:
            _set_status(context, inquiry, InquiryStatus.DRAFTING, note)
        elif response.kind == ResponseKind.LETTER:
            _set_status(context, inquiry, InquiryStatus.SENT, "Letter approved for printing and mailing")
            _ledger(context, inquiry, Outcome.RESOLVED)
        else:
            enqueue_on_commit("casework.response_send", response_id=response.pk)
    return response


def response_send(*, response_id: int) -> bool:
    """Send an approved e-mail response exactly once.

    The row lock serialises concurrent deliveries and the SENT state stops a redelivered task. The
    mail goes out inside the transaction: a worker killed before commit leaves the response
    APPROVED (the sweep resends it); the Message-ID derives from the send key, so a receiving
    server can drop a copy sent again in the instant between the SMTP hand-off and the commit."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update()
            .select_related("inquiry", "inquiry__correspondent")
            .filter(pk=response_id)
            .first()
        )
        if response is None or response.kind != ResponseKind.EMAIL:
            return False
        if "send" not in selectors.response_allowed_actions(response=response, user=None):
            return False
        response.send_attempts += 1
        inquiry = Inquiry.objects.select_for_update().get(pk=response.inquiry_id)
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
        # EMAIL_TIMEOUT bounds how long a silent server holds these row locks.
        message = EmailMessage(
            response.subject,
            response.body,
            to=[response.to_email],
            headers={"Message-ID": f"<cao-response-{response.send_key}@{domain}>"},
        )
        message.send()
        # From here to the commit is the one window where a killed worker sends twice (the
        # Message-ID above is then the same): nothing slow happens in it.
        response.status, response.sent_at, response.send_error = ResponseStatus.SENT, timezone.now(), ""
        response.save(update_fields=["status", "sent_at", "send_attempts", "send_error", "updated_at"])
        context = AuditContext.system(AuditChannel.TASK)
        _set_status(context, inquiry, InquiryStatus.SENT, f"E-mail response sent to {response.to_email}")
        _ledger(context, inquiry, Outcome.RESOLVED)
    return True


def response_send_attempt_failed(*, response_id: int, reason: str) -> None:
    """Count a failed try (its own transaction: the send's rolled back) so staff see it retrying."""
    Response.objects.filter(pk=response_id, status=ResponseStatus.APPROVED).update(
        send_attempts=F("send_attempts") + 1, send_error=reason[:300], updated_at=timezone.now()
    )


def response_send_give_up(*, response_id: int, reason: str) -> None:
    """The last try failed: the response shows "Delivery failed" (never sent) until sent again."""
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(pk=response_id).first()
        if response is None or "give_up" not in selectors.response_allowed_actions(response=response, user=None):
            return
        response.status, response.send_error = ResponseStatus.FAILED, reason[:300]
        response.save(update_fields=["status", "send_error", "updated_at"])
        inquiry = Inquiry.objects.get(pk=response.inquiry_id)
        context = AuditContext.system(AuditChannel.TASK)
        _activity(context, inquiry, ActivityKind.RESPONSE, f"E-mail response not delivered to {response.to_email}")
        _audit(context, inquiry, f"E-mail response on {inquiry.reference} not delivered after its last try")


def response_send_again(*, context: AuditContext, response: Response) -> Response:
    """Staff send a response whose delivery failed once more (after the mail server is back)."""
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        if "send_again" not in selectors.response_allowed_actions(response=response, user=context.actor):
            if RESPONSE.refusal("send_again", response, context.actor) is Refusal.ROLE:
                raise ApplicationError(_("Only a CAO supervisor sends a response again."))
            raise ApplicationError(_("Only a response whose delivery failed can be sent again."))
        response.status, response.send_error = ResponseStatus.APPROVED, ""
        response.save(update_fields=["status", "send_error", "updated_at"])
        inquiry = Inquiry.objects.get(pk=response.inquiry_id)
        _activity(context, inquiry, ActivityKind.RESPONSE, f"E-mail response sent again to {response.to_email}")
        _audit(context, inquiry, f"E-mail response on {inquiry.reference} sent again after a failed delivery")
        enqueue_on_commit("casework.response_send", response_id=response.pk)
    return response


def response_telephone_log(
    *, context: AuditContext, inquiry: Inquiry, outcome: str, notes: str, language: str | None = None
) -> Response:
    """A telephonic response: kept like any other; a conversation answers the inquiry."""
    if outcome not in TelephoneOutcome.values:
        raise ApplicationError(f"Unknown outcome {outcome!r}.")
    if not (notes or "").strip():
        raise ApplicationError(_("Write what was said (or tried)."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if "telephone" not in selectors.inquiry_allowed_actions(inquiry=inquiry, user=context.actor):
            raise ApplicationError(_("Log a call on an assigned inquiry that is not on hold."))
        response = Response(
            inquiry=inquiry,
            kind=ResponseKind.TELEPHONE,
            language=language or inquiry.language,
            body=notes.strip(),
            status=ResponseStatus.LOGGED,
            telephone_outcome=outcome,
            drafted_by=context.actor if context.actor is not None and context.actor.pk else None,
            sent_at=timezone.now(),
        )
        response.full_clean()
        response.save()
        _activity(
            context,
            inquiry,
            ActivityKind.RESPONSE,
            f"Telephone call: {_en(TelephoneOutcome, response.telephone_outcome)}",
        )
        if outcome == TelephoneOutcome.ANSWERED:
            _set_status(context, inquiry, InquiryStatus.SENT, "Answered by telephone")
            _ledger(context, inquiry, Outcome.RESOLVED)
        else:
            _audit(context, inquiry, f"Call attempt logged on {inquiry.reference}")
    return response


# --- SLA reminders and escalation ----------------------------------------------------------------
def sla_sweep(*, today: date | None = None) -> dict[str, int]:
    """Remind assignees of inquiries due soon (once a day) and escalate overdue ones to every CAO
    supervisor (once per inquiry). Safe to run as often as the beat likes."""
    today = today or timezone.localdate()
    context = AuditContext.system(AuditChannel.TASK)
    reminded = escalated = 0
    for candidate in selectors.inquiries_to_remind(today=today):
        with transaction.atomic():
            inquiry = _locked(candidate)
            if inquiry.reminded_on == today or inquiry.assignee is None:
                continue
            inquiry.reminded_on = today
            inquiry.save(update_fields=["reminded_on"])
            _activity(context, inquiry, ActivityKind.SLA, f"Reminder: due {inquiry.due_on}")
            if inquiry.assignee.email:
                EmailMessage(
                    f"CAO inquiry {inquiry.reference} is due {inquiry.due_on}",
                    f"The inquiry {inquiry.reference} ({inquiry.subject}) assigned to you is due on "
                    f"{inquiry.due_on}.\n{settings.PUBLIC_BASE_URL}/casework/inquiries/{inquiry.pk}/",
                    to=[inquiry.assignee.email],
                ).send()
            reminded += 1
    supervisors = [u.email for u in selectors.cao_supervisors() if u.email]
    for candidate in selectors.inquiries_to_escalate(today=today):
        with transaction.atomic():
            inquiry = _locked(candidate)
            if inquiry.escalated_at is not None:
                continue
            inquiry.escalated_at = timezone.now()
            inquiry.save(update_fields=["escalated_at"])
            _activity(context, inquiry, ActivityKind.SLA, f"Overdue since {inquiry.due_on}: escalated to supervisors")
            _audit(context, inquiry, f"Inquiry {inquiry.reference} overdue, escalated")
            if supervisors:
                EmailMessage(
                    f"Overdue CAO inquiry {inquiry.reference}",
                    f"The inquiry {inquiry.reference} ({_en(Source, inquiry.source)}) was due on {inquiry.due_on} "
                    f"and is {_en(InquiryStatus, inquiry.status).lower()}.\n"
                    f"{settings.PUBLIC_BASE_URL}/casework/inquiries/{inquiry.pk}/",
                    to=supervisors,
                ).send()
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


# --- DHS TRIP ------------------------------------------------------------------------------------
def trip_redress_open(
    *,
    context: AuditContext,
    inquiry: Inquiry,
    redress_control_number: str,
    traveller_name: str,
    traveller_date_of_birth: date | None = None,
) -> TripRedress:
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if inquiry.source != Source.TSA_TRIP:
            inquiry.source = Source.TSA_TRIP
            inquiry.due_on = _due_on(source=inquiry.source, received_at=inquiry.received_at)
            inquiry.save(update_fields=["source", "due_on", "updated_at"])
        if TripRedress.objects.filter(redress_control_number=redress_control_number.strip()).exists():
            raise ApplicationError(_("That redress control number is already on file."))
        trip = TripRedress(
            inquiry=inquiry,
            redress_control_number=redress_control_number.strip(),
            traveller_name=traveller_name.strip(),
            traveller_date_of_birth=traveller_date_of_birth,
        )
        trip.full_clean()
        trip.save()
        _activity(context, inquiry, ActivityKind.EDIT, "DHS TRIP redress request opened")
        _audit(context, inquiry, "DHS TRIP redress request opened", AuditAction.CREATE)
        _ledger(context, inquiry)
    return trip


def trip_redress_update(
    *,
    context: AuditContext,
    trip: TripRedress,
    documents_received: Iterable[str],
    status: str,
    determination_letter: str = "",
) -> TripRedress:
    documents = sorted(set(documents_received))
    unknown = [d for d in documents if d not in dict(TRIP_DOCUMENTS)]
    if unknown:
        raise ApplicationError(f"Unknown documents: {', '.join(unknown)}.")
    if status not in TripStatus.values:
        raise ApplicationError(f"Unknown status {status!r}.")
    with transaction.atomic():
        trip = TripRedress.objects.select_for_update().select_related("inquiry").get(pk=trip.pk)
        if context.actor is not None and selectors.trip_only(context.actor) and trip.inquiry.source != Source.TSA_TRIP:
            raise ApplicationError(_("This request is no longer a DHS TRIP case."))
        if status == TripStatus.COMPLETED:
            if not determination_letter.strip():
                raise ApplicationError(_("A completed redress request needs its determination letter."))
            missing = [code for code, _label in TRIP_DOCUMENTS if code not in documents]
            if "form_591" in missing or "passport" in missing:
                raise ApplicationError(_("DHS Form 591 and a photo ID are needed before a determination."))
            trip.determined_at = trip.determined_at or timezone.now()
        trip.documents_received, trip.status = documents, status
        trip.determination_letter = determination_letter.strip()
        trip.full_clean()
        trip.save(update_fields=["documents_received", "status", "determination_letter", "determined_at", "updated_at"])
        _activity(context, trip.inquiry, ActivityKind.EDIT, f"DHS TRIP status {_en(TripStatus, trip.status)}")
        _audit(context, trip.inquiry, f"DHS TRIP {trip.redress_control_number} now {status}")
    return trip
