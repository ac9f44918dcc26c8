"""Every write of outreach mailings: segments, bilingual mailings with attachments, the send in
batches, unsubscribes and bounces. Views, tasks and the bounce importer call these and nothing else.

Recipients are only ever the segment's contacts who consented to e-mail, have not unsubscribed and
whose address has not hard-bounced (mailing_selectors.mailable), checked when the mailing is sent
and again for each person when their message goes out."""

from __future__ import annotations

import email
import re
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from contactcenter import selectors as core_selectors
from contactcenter.audit.context import AuditContext
from contactcenter.common.background import enqueue_on_commit, mail_message_id
from contactcenter.common.errors import ApplicationError
from contactcenter.common.files import content_type_for, file_problem
from contactcenter.models import AuditAction, AuditChannel, Language

from . import mailing_selectors as selectors
from .models import (
    Contact,
    Mailing,
    MailingAttachment,
    MailingRecipient,
    MailingSegment,
    MailingStatus,
    OrganisationLevel,
    OrganisationType,
    Program,
    RecipientStatus,
)
from .services import _audit, _save
from .workflows import MAILING

UNSUBSCRIBE_SALT = "outreach.mailing.unsubscribe"
BOUNCE_SALT = "outreach.mailing.bounce"
# The VERP tag in a bounce address's local part and in the X-NCSC-Mailing header: m<recipient>-<hmac>.
BOUNCE_TAG = re.compile(r"\bm(\d+)-([0-9a-f]{16})\b")

# extension → (content type, leading bytes the file must start with; None = UTF-8 text)
ATTACHMENT_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".txt", ".ics")


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content: bytes


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")


# --- attachments ---------------------------------------------------------------------------------
def attachment_problem(*, filename: str, content: bytes) -> str | None:
    """Why this file cannot go out with a mailing, in words for staff; None if it can."""
    return file_problem(
        filename=filename,
        content=content,
        extensions=ATTACHMENT_EXTENSIONS,
        limit=settings.OUTREACH_MAILING_ATTACHMENT_MAX_BYTES,
        wrong_type=_("%(name)s: only PDF, JPEG, PNG, Word (.docx), calendar (.ics) and text files can be attached."),
    )


def _attach(mailing: Mailing, files: Iterable[AttachmentIn]) -> list[MailingAttachment]:
    files = list(files)
    if mailing.attachments.count() + len(files) > settings.OUTREACH_MAILING_ATTACHMENTS_MAX:
        raise ApplicationError(
            _("A mailing may carry at most %(count)s attachments.")
            % {"count": settings.OUTREACH_MAILING_ATTACHMENTS_MAX},
            field="attachments",
        )
    made = []
    for item in files:
        name = PurePath(item.filename).name[:200]
        problem = attachment_problem(filename=name, content=item.content)
        if problem:
            raise ApplicationError(problem, field="attachments")
        attachment = MailingAttachment(
            mailing=mailing,
            filename=name,
            content_type=content_type_for(name),
            size=len(item.content),
        )
        attachment.file.save(name, ContentFile(item.content), save=False)
        attachment.save()
        made.append(attachment)
    return made


# --- segments ------------------------------------------------------------------------------------
def _clean_codes(values: Iterable[str], allowed: Iterable[str], field: str) -> list[str]:
    allowed = set(allowed)
    codes = sorted({value.strip() for value in values if value.strip()})
    unknown = [code for code in codes if code not in allowed]
    if unknown:
        raise ApplicationError(_("Unknown choice: %(codes)s.") % {"codes": ", ".join(unknown)}, field=field)
    return codes


def segment_save(
    *,
    context: AuditContext,
    name: str,
    kinds: Iterable[str] = (),
    levels: Iterable[str] = (),
    region: str = "",
    state: str = "",
    language: str = "",
    interests: Iterable[str] = (),
    segment_id: int | None = None,
) -> MailingSegment:
    """Save a named audience (a new one, or the one `segment_id` names)."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the segment a name."), field="name")
    topics = core_selectors.topic_list(active_only=False).values_list("code", flat=True)
    values = {
        "name": name,
        "kinds": _clean_codes(kinds, OrganisationType.values, "kinds"),
        "levels": _clean_codes(levels, OrganisationLevel.values, "levels"),
        "region": region.strip(),
        "state": state.strip().upper(),
        "language": language.strip().lower(),
        "interests": _clean_codes(interests, topics, "interests"),
    }
    with transaction.atomic():
        if MailingSegment.objects.filter(name__iexact=name).exclude(pk=segment_id).exists():
            raise ApplicationError(_("A segment named %(name)s already exists.") % {"name": name}, field="name")
        if segment_id is None:
            segment = MailingSegment(created_by=context.actor, **values)
            _save(segment)
            _audit(context, AuditAction.CREATE, segment, f"Mailing segment {name} created", **_criteria(segment))
        else:
            segment = MailingSegment.objects.select_for_update().get(pk=segment_id)
            for field, value in values.items():
                setattr(segment, field, value)
            _save(segment)
            _audit(context, AuditAction.UPDATE, segment, f"Mailing segment {name} changed", **_criteria(segment))
    return segment


def _criteria(segment: MailingSegment) -> dict[str, str]:
    return {
        "kinds": ",".join(segment.kinds),
        "levels": ",".join(segment.levels),
        "region": segment.region,
        "state": segment.state,
        "language": segment.language,
        "interests": ",".join(segment.interests),
    }


def contact_interests_set(*, context: AuditContext, contact_id: int, interests: Iterable[str]) -> Contact:
    topics = core_selectors.topic_list(active_only=False).values_list("code", flat=True)
    codes = _clean_codes(interests, topics, "interests")
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id, merged_into__isnull=True)
        contact.interests = codes
        _save(contact, update_fields=["interests", "updated_at"])
        _audit(context, AuditAction.UPDATE, contact, f"Contact #{contact.pk} interests: {', '.join(codes) or 'none'}")
    return contact


# --- mailings ------------------------------------------------------------------------------------
def _check_text(values: dict[str, str]) -> dict[str, str]:
    cleaned = {field: value.strip() for field, value in values.items()}
    for field, label in (
        ("subject_en", _("an English subject")),
        ("body_en", _("an English message")),
        ("subject_es", _("a Spanish subject")),
        ("body_es", _("a Spanish message")),
    ):
        if not cleaned[field]:
            message = _("Write %(what)s: each person gets the mailing in their language.") % {"what": label}
            raise ApplicationError(message, field=field)
        if field.startswith("subject") and ("\n" in cleaned[field] or "\r" in cleaned[field]):
            raise ApplicationError(_("A subject is one line."), field=field)
    return cleaned


def _program(program_id: int | None) -> Program | None:
    if program_id is None:
        return None
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise ApplicationError(_("Choose a program."), field="program")
    return program


def mailing_create(
    *,
    context: AuditContext,
    segment_id: int,
    subject_en: str,
    body_en: str,
    subject_es: str,
    body_es: str,
    attachments: Iterable[AttachmentIn] = (),
    program_id: int | None = None,
) -> Mailing:
    """A draft mailing to a segment, part of a program when `program_id` names one."""
    text = _check_text({"subject_en": subject_en, "body_en": body_en, "subject_es": subject_es, "body_es": body_es})
    with transaction.atomic():
        segment = MailingSegment.objects.filter(pk=segment_id).first()
        if segment is None:
            raise ApplicationError(_("Choose a segment."), field="segment")
        program = _program(program_id)
        mailing = Mailing(segment=segment, program=program, created_by=context.actor, **text)
        _save(mailing)
        _attach(mailing, attachments)
        _audit(
            context,
            AuditAction.CREATE,
            mailing,
            f"Mailing #{mailing.pk} drafted for segment {segment.name}",
            program=str(program.pk) if program else "",
        )
    return mailing


def _locked(mailing_id: int) -> Mailing:
    mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
    if mailing is None:
        raise ApplicationError(_("There is no such mailing."))
    return mailing


def mailing_update(
    *,
    context: AuditContext,
    mailing_id: int,
    segment_id: int,
    subject_en: str,
    body_en: str,
    subject_es: str,
    body_es: str,
    attachments: Iterable[AttachmentIn] = (),
    remove_attachment_ids: Iterable[int] = (),
    program_id: int | None = None,
) -> Mailing:
    """Change a draft: its segment, program (None: none), text and attachments."""
    text = _check_text({"subject_en": subject_en, "body_en": body_en, "subject_es": subject_es, "body_es": body_es})
    with transaction.atomic():
        mailing = _locked(mailing_id)
        if "edit" not in selectors.mailing_allowed_actions(mailing=mailing, user=context.actor):
            raise ApplicationError(_("This mailing has been sent; it can no longer be changed."))
        segment = MailingSegment.objects.filter(pk=segment_id).first()
        if segment is None:
            raise ApplicationError(_("Choose a segment."), field="segment")
        mailing.segment = segment
        mailing.program = _program(program_id)
        for field, value in text.items():
            setattr(mailing, field, value)
        _save(mailing)
        for attachment in mailing.attachments.filter(pk__in=list(remove_attachment_ids)):
            attachment.file.delete(save=False)
            attachment.delete()
        _attach(mailing, attachments)
        _audit(
            context,
            AuditAction.UPDATE,
            mailing,
            f"Mailing #{mailing.pk} changed",
            program=str(mailing.program_id or ""),
        )
    return mailing


def mailing_render(*, mailing: Mailing, language: str, unsubscribe_url: str = "") -> tuple[str, str, str]:
    """The subject, plain text and HTML a person reading `language` gets (the preview shows the same)."""
    language = language if language in Language.values else Language.ENGLISH
    subject = mailing.subject_es if language == Language.SPANISH else mailing.subject_en
    body = mailing.body_es if language == Language.SPANISH else mailing.body_en
    context = {"subject": subject, "body": body, "unsubscribe_url": unsubscribe_url, "language": language}
    with translation.override(language):
        text = render_to_string("outreach/mailings/email/message.txt", context)
        html = render_to_string("outreach/mailings/email/message.html", context)
    return subject, text, html


def mailing_test_send(*, context: AuditContext, mailing_id: int) -> str:
    """Send the sender both language versions at their own address (after commit, by a task)."""
    address = (getattr(context.actor, "email", "") or "").strip()
    if not address:
        raise ApplicationError(_("Your staff account has no e-mail address to send the test to."))
    with transaction.atomic():
        mailing = _locked(mailing_id)
        if "test_send" not in selectors.mailing_allowed_actions(mailing=mailing, user=context.actor):
            raise ApplicationError(_("This mailing has been sent already."))
        mailing.test_sent_at = timezone.now()
        mailing.save(update_fields=["test_sent_at", "updated_at"])
        _audit(context, AuditAction.UPDATE, mailing, f"Mailing #{mailing.pk}: test sent to its author")
        # The task carries ids only: the address is read again from the account when it runs.
        enqueue_on_commit("outreach.mailing_test_deliver", mailing_id=mailing.pk, user_id=context.actor.pk)
    return address


def mailing_test_deliver(*, mailing_id: int, user_id: int) -> None:
    mailing = selectors.mailing_get(mailing_id=mailing_id)
    to = get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).first()
    if not to:
        return
    connection = get_connection()
    messages = []
    for language in (Language.ENGLISH, Language.SPANISH):
        subject, text, html = mailing_render(mailing=mailing, language=language, unsubscribe_url="")
        message = EmailMultiAlternatives(
            f"[TEST] {subject}", text, settings.DEFAULT_FROM_EMAIL, [to], connection=connection
        )
        message.attach_alternative(html, "text/html")
        _attach_files(message, mailing)
        messages.append(message)
    connection.send_messages(messages)


def mailing_send(*, context: AuditContext, mailing_id: int) -> int:
    """Draft → sending: one recipient row per person the segment may mail now, each sent by a task
    after commit in batches. A second click finds the mailing no longer a draft and sends nothing."""
    with transaction.atomic():
        mailing = _locked(mailing_id)
        if "send" not in selectors.mailing_allowed_actions(mailing=mailing, user=context.actor):
            raise ApplicationError(_("This mailing has been sent already."), extra={"code": "not_draft"})
        contacts = list(
            selectors.segment_recipients(segment=mailing.segment).values("pk", "email", "preferred_language")
        )
        if not contacts:
            raise ApplicationError(_("No one in this segment may be e-mailed: nothing was sent."))
        MailingRecipient.objects.bulk_create(
            [
                MailingRecipient(
                    mailing=mailing,
                    contact_id=row["pk"],
                    email=row["email"],
                    language=row["preferred_language"] if row["preferred_language"] in Language.values else "en",
                )
                for row in contacts
            ],
            ignore_conflicts=True,
        )
        mailing.status, mailing.sent_at, mailing.sent_by = MailingStatus.SENDING, timezone.now(), context.actor
        _save(mailing, update_fields=["status", "sent_at", "sent_by", "updated_at"])
        ids = list(mailing.recipients.filter(status=RecipientStatus.QUEUED).order_by("pk").values_list("pk", flat=True))
        size = max(1, settings.OUTREACH_MAILING_BATCH_SIZE)
        for start in range(0, len(ids), size):
            enqueue_on_commit(
                "outreach.mailing_batch_send", mailing_id=mailing.pk, recipient_ids=ids[start : start + size]
            )
        _audit(context, AuditAction.UPDATE, mailing, f"Mailing #{mailing.pk} sent to {len(ids)} recipient(s)")
    return len(ids)


def unsubscribe_token(recipient_id: int) -> str:
    return signing.dumps({"r": recipient_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def recipient_from_unsubscribe_token(token: str) -> MailingRecipient | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return MailingRecipient.objects.select_related("contact", "mailing").filter(pk=data.get("r")).first()


def bounce_tag(recipient_id: int) -> str:
    return f"m{recipient_id}-{salted_hmac(BOUNCE_SALT, str(recipient_id)).hexdigest()[:16]}"


def _recipient_from_tag(text: str) -> MailingRecipient | None:
    for match in BOUNCE_TAG.finditer(text):
        recipient_id = int(match.group(1))
        if constant_time_compare(bounce_tag(recipient_id), match.group(0)):
            recipient = MailingRecipient.objects.filter(pk=recipient_id).first()
            if recipient is not None:
                return recipient
    return None


def bounce_address(recipient_id: int) -> str:
    """The envelope sender (Return-Path) of one recipient's message: bounces+<tag>@domain (VERP)."""
    base = settings.OUTREACH_MAILING_BOUNCE_ADDRESS or f"bounces@{_mail_domain()}"
    local, domain = base.rsplit("@", 1)
    return f"{local}+{bounce_tag(recipient_id)}@{domain}"


def _unsubscribe_address() -> str:
    return settings.OUTREACH_MAILING_UNSUBSCRIBE_ADDRESS or f"unsubscribe@{_mail_domain()}"


def _files(mailing: Mailing) -> list[tuple[str, bytes, str]]:
    files = []
    for attachment in mailing.attachments.all():
        with attachment.file.open("rb") as handle:
            files.append((attachment.filename, handle.read(), attachment.content_type))
    return files


def _attach_files(message: EmailMultiAlternatives, mailing: Mailing, files=None) -> None:
    for filename, content, content_type in _files(mailing) if files is None else files:
        message.attach(filename, content, content_type)


def _message(recipient: MailingRecipient, connection, files) -> EmailMultiAlternatives:
    mailing = recipient.mailing
    token = unsubscribe_token(recipient.pk)
    unsubscribe_url = _absolute(reverse("outreach:mailing-unsubscribe", args=[token]))
    subject, text, html = mailing_render(mailing=mailing, language=recipient.language, unsubscribe_url=unsubscribe_url)
    message = EmailMultiAlternatives(
        subject,
        text,
        bounce_address(recipient.pk),  # the envelope sender: where bounces come back
        [recipient.email],
        connection=connection,
        headers={
            "From": settings.DEFAULT_FROM_EMAIL,
            "Message-ID": mail_message_id("mailing", mailing.pk, recipient.pk),
            "List-Unsubscribe": f"<{unsubscribe_url}>, <mailto:{_unsubscribe_address()}?subject=unsubscribe%20{token}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "X-NCSC-Mailing": bounce_tag(recipient.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    _attach_files(message, mailing, files)
    return message


def _skip_reason(contact: Contact, email_address: str) -> tuple[str, str] | None:
    """Why a queued person is not written to after all (status, detail); None to send."""
    if contact.mail_unsubscribed_at is not None:
        return RecipientStatus.UNSUBSCRIBED, "unsubscribed before this message went out"
    if not contact.consent_email or contact.merged_into_id is not None:
        return RecipientStatus.UNSUBSCRIBED, "no longer agrees to e-mail"
    if contact.email_bounced_at is not None:
        return RecipientStatus.FAILED, f"the address bounced earlier: {contact.email_bounce_reason}"[:500]
    if contact.email != email_address:
        return RecipientStatus.FAILED, "the contact's address changed after the mailing was sent"
    return None


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {message}"[:500]


def mailing_batch_send(*, mailing_id: int, recipient_ids: list[int]) -> int:
    """Send one batch over one SMTP connection; each person in their own transaction, so what was
    sent stays sent if the batch stops half-way (a retry sends only those still queued).

    A recipient the server refuses for good (5xx) is bounced with its reply; anything else that
    fails (a closed port, a 4xx) propagates for the task to retry with backoff."""
    sent = 0
    if not MailingRecipient.objects.filter(
        pk__in=recipient_ids, mailing_id=mailing_id, status=RecipientStatus.QUEUED
    ).exists():  # a batch run again after it was done: no connection to a server that may be down
        mailing_complete_if_done(mailing_id=mailing_id)
        return 0
    files = _files(Mailing.objects.get(pk=mailing_id))  # read once for the batch
    connection = get_connection()
    connection.open()
    try:
        for recipient_id in recipient_ids:
            with transaction.atomic():
                recipient = (
                    MailingRecipient.objects.select_for_update()
                    .select_related("mailing", "contact")
                    .filter(pk=recipient_id, mailing_id=mailing_id, status=RecipientStatus.QUEUED)
                    .first()
                )
                if recipient is None:
                    continue
                skip = _skip_reason(recipient.contact, recipient.email)
                if skip is not None:
                    recipient.status, recipient.detail = skip
                    recipient.save(update_fields=["status", "detail"])
                    continue
                try:
                    _message(recipient, connection, files).send()
                except smtplib.SMTPRecipientsRefused as refused:
                    code, text = next(iter(refused.recipients.values()))
                    if code < 500:
                        raise
                    _bounce(AuditContext.system(AuditChannel.TASK), recipient, _reply(code, text))
                    continue
                except smtplib.SMTPDataError as refused:
                    if refused.smtp_code < 500:
                        raise
                    recipient.status, recipient.detail = (
                        RecipientStatus.FAILED,
                        _reply(refused.smtp_code, refused.smtp_error),
                    )
                    recipient.save(update_fields=["status", "detail"])
                    continue
                recipient.status, recipient.sent_at, recipient.detail = RecipientStatus.SENT, timezone.now(), ""
                recipient.save(update_fields=["status", "sent_at", "detail"])
                sent += 1
    finally:
        connection.close()
    mailing_complete_if_done(mailing_id=mailing_id)
    return sent


def mailing_recipients_pending(*, older_than_seconds: int = 3600) -> dict[int, list[int]]:
    """Recipients still queued long after their mailing was sent (its task never reached the broker,
    or a worker was lost), by mailing, for the sweep; sending them again is safe, each row guards itself."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending: dict[int, list[int]] = {}
    for mailing_id, recipient_id in (
        MailingRecipient.objects.filter(
            status=RecipientStatus.QUEUED, mailing__status=MailingStatus.SENDING, created_at__lt=cutoff
        )
        .order_by("mailing_id", "pk")
        .values_list("mailing_id", "pk")[:5000]
    ):
        pending.setdefault(mailing_id, []).append(recipient_id)
    return pending


def mailing_batch_give_up(*, mailing_id: int, recipient_ids: list[int], reason: str) -> None:
    """A batch still failing after its last try: those still queued are marked failed with why."""
    with transaction.atomic():
        failed = MailingRecipient.objects.filter(
            pk__in=recipient_ids, mailing_id=mailing_id, status=RecipientStatus.QUEUED
        ).update(status=RecipientStatus.FAILED, detail=reason[:500])
        mailing = Mailing.objects.filter(pk=mailing_id).first()
        if mailing is not None and failed:
            _audit(
                AuditContext.system(AuditChannel.TASK),
                AuditAction.UPDATE,
                mailing,
                f"Mailing #{mailing.pk}: {failed} message(s) not delivered after the last try",
            )
    mailing_complete_if_done(mailing_id=mailing_id)


def mailing_complete_if_done(*, mailing_id: int) -> bool:
    """Sending → sent once no one is left queued."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
        if mailing is None or "complete" not in MAILING.allowed_actions(mailing, None):
            return False
        if mailing.recipients.filter(status=RecipientStatus.QUEUED).exists():
            return False
        mailing.status, mailing.completed_at = MailingStatus.SENT, timezone.now()
        mailing.save(update_fields=["status", "completed_at", "updated_at"])
        _audit(AuditContext.system(AuditChannel.TASK), AuditAction.UPDATE, mailing, f"Mailing #{mailing.pk} sent")
    return True


# --- unsubscribes and bounces --------------------------------------------------------------------
def contact_unsubscribe(*, context: AuditContext, recipient_id: int) -> Contact:
    """The person asked for no more mailings (the link in one, or its one-click header): recorded
    on the contact, whose e-mail consent is withdrawn; a second request changes nothing."""
    with transaction.atomic():
        recipient = MailingRecipient.objects.select_related("mailing").get(pk=recipient_id)
        contact = Contact.objects.select_for_update().get(pk=recipient.contact_id)
        # A contact merged since: the person is the one kept.
        if contact.merged_into_id is not None:
            contact = Contact.objects.select_for_update().get(pk=contact.merged_into_id)
        if contact.mail_unsubscribed_at is None:
            now = timezone.now()
            contact.mail_unsubscribed_at, contact.consent_email, contact.consent_recorded_at = now, False, now
            contact.save(update_fields=["mail_unsubscribed_at", "consent_email", "consent_recorded_at", "updated_at"])
            _audit(
                context,
                AuditAction.UPDATE,
                contact,
                f"Contact #{contact.pk} unsubscribed from mailings (link in mailing #{recipient.mailing_id})",
                mailing_id=recipient.mailing_id,
            )
        # Messages of other mailings still queued for them are not sent.
        MailingRecipient.objects.filter(contact=contact, status=RecipientStatus.QUEUED).exclude(pk=recipient.pk).update(
            status=RecipientStatus.UNSUBSCRIBED, detail="unsubscribed before this message went out"
        )
    return contact


def _bounce(context: AuditContext, recipient: MailingRecipient, reason: str) -> None:
    """Inside the caller's transaction: the recipient bounced, and the address is not mailed again."""
    now = timezone.now()
    recipient.status, recipient.bounced_at, recipient.detail = RecipientStatus.BOUNCED, now, reason[:500]
    recipient.save(update_fields=["status", "bounced_at", "detail"])
    contact = Contact.objects.select_for_update().get(pk=recipient.contact_id)
    if contact.email == recipient.email and contact.email_bounced_at is None:
        contact.email_bounced_at, contact.email_bounce_reason = now, reason[:300]
        contact.save(update_fields=["email_bounced_at", "email_bounce_reason", "updated_at"])
    _audit(
        context,
        AuditAction.UPDATE,
        contact,
        f"Contact #{contact.pk}: mailing #{recipient.mailing_id} bounced; the address is not mailed again",
        mailing_id=recipient.mailing_id,
        reason=reason[:300],
    )


@dataclass(frozen=True)
class BounceResult:
    outcome: str  # "bounced", "already", "soft", "unmatched", "unsubscribed", "not_dsn"
    recipient_id: int | None = None
    reason: str = ""


def _dsn_fields(message: Message) -> list[Message] | None:
    """The per-recipient field blocks of an RFC 3464 delivery status notification, or None."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                return blocks[1:] if len(blocks) > 1 else blocks
    return None


UNSUBSCRIBE_SUBJECT = re.compile(r"\bunsubscribe\s+(\S+)", re.IGNORECASE)


def bounce_import(*, raw: bytes) -> BounceResult:
    """Read one message sent back to us: a bounce whose permanent failure (Action: failed, Status
    5.x.x) marks its recipient bounced and the contact's address as not to be mailed again; or the
    "unsubscribe <token>" message a mail program sends to the List-Unsubscribe mailto: address."""
    message = email.message_from_bytes(raw)
    blocks = _dsn_fields(message)
    if blocks is None:
        asked = UNSUBSCRIBE_SUBJECT.search(str(message.get("Subject", "")))
        recipient = recipient_from_unsubscribe_token(asked.group(1)) if asked else None
        if recipient is None:
            return BounceResult("not_dsn")
        contact_unsubscribe(context=AuditContext.system(AuditChannel.SYSTEM), recipient_id=recipient.pk)
        return BounceResult("unsubscribed", recipient.pk)
    failures = [
        block
        for block in blocks
        if (block.get("Action", "") or "").strip().lower() == "failed"
        and (block.get("Status", "") or "").strip().startswith("5")
    ]
    # The tag: in the address the DSN was sent to (our VERP envelope sender) or the returned headers.
    where = " ".join(str(message.get(h, "")) for h in ("To", "Delivered-To", "X-Original-To", "Envelope-To"))
    recipient = _recipient_from_tag(where) or _recipient_from_tag(raw.decode("utf-8", "replace"))
    if recipient is None:
        return BounceResult("unmatched")
    if not failures:
        return BounceResult("soft", recipient.pk)
    block = failures[0]
    reason = " ".join(
        part
        for part in (
            (block.get("Status", "") or "").strip(),
            re.sub(r"\s+", " ", (block.get("Diagnostic-Code", "") or "")).strip(),
        )
        if part
    )
    with transaction.atomic():
        recipient = MailingRecipient.objects.select_for_update().get(pk=recipient.pk)
        if recipient.status == RecipientStatus.BOUNCED:
            return BounceResult("already", recipient.pk, recipient.detail)
        _bounce(AuditContext.system(AuditChannel.SYSTEM), recipient, reason)
    return BounceResult("bounced", recipient.pk, reason)
