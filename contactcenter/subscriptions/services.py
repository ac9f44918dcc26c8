"""Case-status updates by text or e-mail: subscribing (from the IVR, a console or the public page),
confirming, ending (STOP, an unsubscribe link), and the notices an import's status changes send.

Nothing is sent inside the transaction that asks for it: texts go through the gateway's text queue
(sent by a worker after commit), e-mails by a task; the notice row (one per subscription and status
change) keeps a task run twice from sending twice."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.background import enqueue_on_commit, mail_message_id
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditAction,
    BenefitCase,
    CaseStatusEvent,
    StatusNotice,
    StatusSubscription,
    SubscriptionSource,
    SubscriptionStatus,
    UpdateChannel,
    UpdateStatus,
)
from contactcenter.reference.identifiers import (
    InvalidIdentifier,
    mask_receipt_number,
    normalize_receipt_number,
    phone_e164,
)
from contactcenter.routing.phones import callback_number_for
from contactcenter.telephony.gateway import TelephonyError
from contactcenter.telephony.texts import text_queue, text_send

logger = logging.getLogger(__name__)

CODE_MINUTES = 15
CODE_TRIES = 5
# Notices handed to one send task: enough to keep a worker busy, few enough that a retry redoes little.
NOTICE_BATCH = 200
# Twilio's own opt-out keywords, and the Spanish words a caller told "Responda PARAR" may send.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "parar", "cancelar"})
UNSUBSCRIBE_SALT = "contactcenter.status-unsubscribe"
CONFIRM_SALT = "contactcenter.status-confirm"

# What a subscriber reads, in their language (a text is read where no site language applies).
TEXTS = {
    "notice_sms": {
        "en": "USCIS: case {receipt} has a new status: {headline}. Reply STOP to end these texts.",
        "es": "USCIS: el caso {receipt} tiene un nuevo estado: {headline}. Responda PARAR para no recibir más.",
    },
    "notice_subject": {
        "en": "USCIS case {receipt}: {headline}",
        "es": "Caso de USCIS {receipt}: {headline}",
    },
    "notice_email": {
        "en": (
            "The status of case {receipt} changed on {date}:\n\n{headline}\n\n"
            "You asked for these updates. To stop them, open:\n{unsubscribe}\n"
        ),
        "es": (
            "El estado del caso {receipt} cambió el {date}:\n\n{headline}\n\n"
            "Usted pidió estas notificaciones. Para no recibir más, abra:\n{unsubscribe}\n"
        ),
    },
    "code_sms": {
        "en": "USCIS: your code to confirm case status updates is {code}. If you did not ask for it, ignore this.",
        "es": "USCIS: su código para confirmar avisos del estado de su caso es {code}. Si no lo pidió, ignórelo.",
    },
    "code_subject": {
        "en": "Your confirmation code for USCIS case status updates",
        "es": "Su código de confirmación para avisos del estado de su caso de USCIS",
    },
    "code_email": {
        "en": (
            "Your code to confirm case status updates for {receipt} is {code}. It expires in {minutes} minutes.\n\n"
            "If you did not ask for it, ignore this message: nothing more will be sent."
        ),
        "es": (
            "Su código para confirmar avisos del estado del caso {receipt} es {code}. Vence en {minutes} minutos.\n\n"
            "Si no lo pidió, ignore este mensaje: no se le enviará nada más."
        ),
    },
}


def _text(key: str, language: str, **values: object) -> str:
    return TEXTS[key]["es" if language == "es" else "en"].format(**values)


def _address(channel: str, to: str) -> str:
    """The address a subscription is kept under: a phone as E.164, an e-mail in lower case."""
    if channel == UpdateChannel.SMS:
        # As people write it ("(202) 555-0177"), then only where the center texts (U.S. numbers).
        written = phone_e164((to or "").strip()[:25])
        phone = callback_number_for(written) if written else None
        if phone is None:
            raise ApplicationError(_("Enter a U.S. mobile phone number."), field="phone")
        return phone
    if channel == UpdateChannel.EMAIL:
        value = (to or "").strip().lower()
        try:
            validate_email(value)
        except ValidationError:
            raise ApplicationError(_("Enter an e-mail address."), field="email") from None
        return value
    raise ApplicationError(_("Choose text message or e-mail."), field="channel")


def _case(receipt_number: str) -> BenefitCase:
    try:
        value = normalize_receipt_number(receipt_number)
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="receipt_number") from None
    case = BenefitCase.objects.filter(receipt_number=value).first()
    if case is None:
        raise ApplicationError(
            _("No case with this receipt number is on file. Check the number on your receipt notice."),
            field="receipt_number",
        )
    return case


def _audit(context: AuditContext, subscription: StatusSubscription, what: str, detail: dict | None = None) -> None:
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.statussubscription",
        target_id=subscription.pk,
        summary=(
            f"Case-status updates for {mask_receipt_number(subscription.case.receipt_number)} "
            f"by {subscription.get_channel_display()} to {subscription.masked_to}: {what}"
        ),
        detail={"source": subscription.source, "language": subscription.language, **(detail or {})},
    )


def _new_code(subscription: StatusSubscription) -> None:
    """A fresh code, sent after commit; the only message a pending subscription ever gets."""
    subscription.confirm_code = f"{secrets.randbelow(10**6):06d}"
    subscription.code_expires_at = timezone.now() + timedelta(minutes=CODE_MINUTES)
    subscription.code_tries = 0
    subscription.code_mailed = False
    if subscription.channel == UpdateChannel.SMS:
        text_queue(
            to=subscription.to,
            body=_text("code_sms", subscription.language, code=subscription.confirm_code),
            purpose=f"status-code:{subscription.pk}",
        )
    else:
        enqueue_on_commit("contactcenter.status_code_email_send", subscription_id=subscription.pk)


def status_subscription_create(
    *, context: AuditContext, receipt_number: str, channel: str, to: str, language: str, source: str
) -> StatusSubscription:
    """Follow a case by text or e-mail. From the IVR (the caller's own line) and a console (an agent
    with the person on the line) it is confirmed at once; from the public page it waits for the code
    sent to the address, and nothing else is sent there until it is entered. Asking again re-opens
    the same subscription (in the language asked this time)."""
    if source not in SubscriptionSource.values:
        raise ApplicationError(f"Unknown source {source!r}.")
    language = "es" if language == "es" else "en"
    with transaction.atomic():
        case = _case(receipt_number)
        address = _address(channel, to)
        subscription, created = StatusSubscription.objects.select_for_update().get_or_create(
            case=case,
            channel=channel,
            to=address,
            defaults={"language": language, "source": source, "status": SubscriptionStatus.PENDING},
        )
        was = None if created else subscription.status
        subscription.language = language
        if source == SubscriptionSource.WEB:
            if subscription.status == SubscriptionStatus.ENDED:
                subscription.status = SubscriptionStatus.PENDING
                subscription.source = source
            _new_code(subscription)
        elif subscription.status != SubscriptionStatus.CONFIRMED:
            subscription.status = SubscriptionStatus.CONFIRMED
            subscription.source = source
            subscription.confirmed_at = timezone.now()
            subscription.confirm_code = ""
        subscription.ended_at, subscription.ended_reason = None, ""
        if subscription.status != SubscriptionStatus.ENDED:
            subscription.full_clean()
        subscription.save()
        _audit(
            context,
            subscription,
            "subscribed" if subscription.status == SubscriptionStatus.CONFIRMED else "confirmation code sent",
            {"was": was or "new"},
        )
    return subscription


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"


def status_subscription_confirm(*, context: AuditContext, subscription_id: int, code: str) -> str:
    """Check the code sent to the address; a wrong code counts against its few tries (kept even
    though the answer is no), and an expired or used-up code needs a new one."""
    with transaction.atomic():
        subscription = (
            StatusSubscription.objects.select_for_update().select_related("case").filter(pk=subscription_id).first()
        )
        if subscription is None or subscription.status == SubscriptionStatus.ENDED:
            return ConfirmOutcome.EXPIRED
        if subscription.status == SubscriptionStatus.CONFIRMED and not subscription.confirm_code:
            return ConfirmOutcome.CONFIRMED
        if subscription.code_tries >= CODE_TRIES:
            return ConfirmOutcome.LOCKED
        if subscription.code_expires_at is None or subscription.code_expires_at < timezone.now():
            return ConfirmOutcome.EXPIRED
        if not constant_time_compare((code or "").strip(), subscription.confirm_code):
            subscription.code_tries += 1
            subscription.save(update_fields=["code_tries"])
            _audit(context, subscription, "wrong confirmation code", {"tries": subscription.code_tries})
            return ConfirmOutcome.LOCKED if subscription.code_tries >= CODE_TRIES else ConfirmOutcome.WRONG
        subscription.status = SubscriptionStatus.CONFIRMED
        subscription.confirmed_at = timezone.now()
        subscription.confirm_code = ""
        subscription.code_expires_at = None
        subscription.save(update_fields=["status", "confirmed_at", "confirm_code", "code_expires_at"])
        _audit(context, subscription, "confirmed with the code")
    return ConfirmOutcome.CONFIRMED


def status_subscription_end(*, context: AuditContext, subscription_id: int, reason: str) -> bool:
    """End one subscription (its e-mail's unsubscribe link, or staff); False when already ended."""
    with transaction.atomic():
        subscription = (
            StatusSubscription.objects.select_for_update().select_related("case").filter(pk=subscription_id).first()
        )
        if subscription is None or subscription.status == SubscriptionStatus.ENDED:
            return False
        subscription.status, subscription.ended_at, subscription.ended_reason = (
            SubscriptionStatus.ENDED,
            timezone.now(),
            reason[:40],
        )
        subscription.confirm_code = ""
        subscription.save(update_fields=["status", "ended_at", "ended_reason", "confirm_code"])
        _audit(context, subscription, f"ended ({reason})")
    return True


def sms_is_opt_out(*, body: str, opt_out_type: str = "") -> bool:
    """A text that opts out: Twilio's OptOutType=STOP (its Advanced Opt-Out), or one of the
    keywords alone (Twilio matches the whole message, trimmed, in any case)."""
    if (opt_out_type or "").strip().upper() == "STOP":
        return True
    return (body or "").strip().strip(".!").lower() in OPT_OUT_WORDS


def status_subscriptions_opt_out(*, context: AuditContext, phone: str) -> int:
    """STOP from a number ends every case-status subscription by text to it; how many ended."""
    with transaction.atomic():
        ended = list(
            StatusSubscription.objects.select_for_update()
            .select_related("case")
            .filter(channel=UpdateChannel.SMS, to=phone)
            .exclude(status=SubscriptionStatus.ENDED)
        )
        now = timezone.now()
        for subscription in ended:
            subscription.status, subscription.ended_at, subscription.ended_reason = (
                SubscriptionStatus.ENDED,
                now,
                "sms-opt-out",
            )
            subscription.confirm_code = ""
            subscription.save(update_fields=["status", "ended_at", "ended_reason", "confirm_code"])
            _audit(context, subscription, "ended by an opt-out text")
    return len(ended)


# --- links ---------------------------------------------------------------------------------------
def status_unsubscribe_token(subscription: StatusSubscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def status_unsubscribe_url(subscription: StatusSubscription) -> str:
    path = reverse("status-unsubscribe", args=[status_unsubscribe_token(subscription)])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def status_subscription_from_token(token: str, *, purpose: str) -> StatusSubscription | None:
    """The subscription a signed link names (`unsubscribe`, no expiry; `confirm`, a day), or None."""
    try:
        if purpose == "confirm":
            pk = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=1))
        else:
            pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return StatusSubscription.objects.select_related("case").filter(pk=pk).first() if isinstance(pk, int) else None


def status_confirm_token(subscription: StatusSubscription) -> str:
    return signing.dumps(subscription.pk, salt=CONFIRM_SALT)


# --- the code by e-mail --------------------------------------------------------------------------
def status_code_email_send(*, subscription_id: int) -> bool:
    """E-mail the current code once; a redelivered task finds it mailed and does nothing."""
    with transaction.atomic():
        subscription = (
            StatusSubscription.objects.select_for_update().select_related("case").filter(pk=subscription_id).first()
        )
        if (
            subscription is None
            or subscription.channel != UpdateChannel.EMAIL
            or not subscription.confirm_code
            or subscription.code_mailed
        ):
            return False
        language = subscription.language
        EmailMessage(
            _text("code_subject", language),
            _text(
                "code_email",
                language,
                receipt=subscription.case.receipt_number,
                code=subscription.confirm_code,
                minutes=CODE_MINUTES,
            ),
            to=[subscription.to],
            headers={"Message-ID": mail_message_id("status-code", subscription.pk, subscription.confirm_code)},
        ).send()
        subscription.code_mailed = True
        subscription.save(update_fields=["code_mailed"])
    return True


# --- notices of status changes -------------------------------------------------------------------
def status_changes_announce(*, event_ids: Iterable[int]) -> None:
    """Status changes an import wrote: their notices are made by a worker once the import commits
    (one task per batch), so the import neither sends nor waits."""
    ids = sorted(set(event_ids))
    if ids:
        enqueue_on_commit("contactcenter.status_notices_create", event_ids=ids)


def _notice(subscription: StatusSubscription, event: CaseStatusEvent) -> StatusNotice:
    language = subscription.language
    receipt = event.case.receipt_number
    headline = event.status.headline_for(language)
    if subscription.channel == UpdateChannel.SMS:
        subject, body = "", _text("notice_sms", language, receipt=receipt, headline=headline)
    else:
        subject = _text("notice_subject", language, receipt=receipt, headline=headline)
        body = _text(
            "notice_email",
            language,
            receipt=receipt,
            headline=headline,
            date=event.occurred_on.isoformat(),
            unsubscribe=status_unsubscribe_url(subscription),
        )
    return StatusNotice(
        subscription=subscription,
        event=event,
        channel=subscription.channel,
        to=subscription.to,
        language=language,
        subject=subject,
        body=body,
    )


def status_notices_create(*, event_ids: list[int]) -> list[int]:
    """A notice for each confirmed subscriber of each case whose status these events moved it to
    (an event of older history is not news). The unique constraint makes a second run a no-op;
    the queued notices are handed to send tasks after commit. Returns the queued notices' ids."""
    with transaction.atomic():
        events = [
            event
            for event in CaseStatusEvent.objects.filter(pk__in=event_ids).select_related("case", "status")
            if event.status_id == event.case.status_id and event.occurred_on == event.case.status_on
        ]
        by_case = {event.case_id: event for event in events}
        subscriptions = StatusSubscription.objects.filter(
            case_id__in=by_case, status=SubscriptionStatus.CONFIRMED
        ).order_by("pk")
        StatusNotice.objects.bulk_create(
            [_notice(subscription, by_case[subscription.case_id]) for subscription in subscriptions],
            batch_size=1000,
            ignore_conflicts=True,
        )
        queued = list(
            StatusNotice.objects.filter(event_id__in=[event.pk for event in events], status=UpdateStatus.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(queued), NOTICE_BATCH):
            enqueue_on_commit("contactcenter.status_notices_send", notice_ids=queued[start : start + NOTICE_BATCH])
    return queued


def status_notices_send(*, notice_ids: list[int]) -> int:
    """Hand each queued text notice to the gateway's text queue (a worker sends it after commit, its
    retries its own) and each e-mail notice to its task; a notice already handed on is skipped, and
    one whose subscription ended since is dropped. Returns how many were handed on."""
    handed = 0
    emails: list[int] = []
    texts: list[int] = []
    with transaction.atomic():
        notices = list(
            StatusNotice.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk__in=notice_ids, status=UpdateStatus.QUEUED)
            .order_by("pk")
        )
        sent: list[StatusNotice] = []
        for notice in notices:
            if notice.subscription.status != SubscriptionStatus.CONFIRMED:
                notice.status, notice.error = UpdateStatus.FAILED, "The subscription ended before it was sent."
                sent.append(notice)
                continue
            if notice.channel == UpdateChannel.SMS:
                message = text_queue(
                    to=notice.to, body=notice.body, purpose=f"status-notice:{notice.pk}", enqueue=False
                )
                texts.append(message.pk)
                notice.status, notice.sent_at = UpdateStatus.SENT, timezone.now()
                notice.attempts += 1
                sent.append(notice)
                handed += 1
            else:
                emails.append(notice.pk)
        StatusNotice.objects.bulk_update(sent, ["status", "sent_at", "attempts", "error"])
        for notice_id in emails:
            enqueue_on_commit("contactcenter.status_notice_email_send", notice_id=notice_id)
    # Sent here, one after another, once the rows are committed: a task per text would cost more than
    # the text. One that fails stays queued; the gateway's sweep sends it again, with its retries.
    for message_id in texts:
        try:
            text_send(message_id=message_id)
        except TelephonyError as error:
            logger.warning("status notice text %s left for the sweep: %s", message_id, error)
    return handed + len(emails)


def status_notice_email_send(*, notice_id: int) -> bool:
    """Send one notice e-mail once, with its unsubscribe link in the List-Unsubscribe header (one
    click, RFC 8058); a redelivered task finds it sent and does nothing."""
    with transaction.atomic():
        notice = (
            StatusNotice.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.channel != UpdateChannel.EMAIL or notice.status != UpdateStatus.QUEUED:
            return False
        if notice.subscription.status != SubscriptionStatus.CONFIRMED:
            notice.status, notice.error = UpdateStatus.FAILED, "The subscription ended before it was sent."
            notice.save(update_fields=["status", "error"])
            return False
        notice.attempts += 1
        EmailMessage(
            notice.subject,
            notice.body,
            to=[notice.to],
            headers={
                "Message-ID": mail_message_id("status-notice", notice.pk, notice.event_id),
                "List-Unsubscribe": f"<{status_unsubscribe_url(notice.subscription)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        ).send()
        notice.status, notice.sent_at = UpdateStatus.SENT, timezone.now()
        notice.save(update_fields=["status", "sent_at", "attempts"])
    return True


def status_notice_give_up(*, notice_id: int, reason: str) -> None:
    with transaction.atomic():
        StatusNotice.objects.filter(pk=notice_id, status=UpdateStatus.QUEUED).update(
            status=UpdateStatus.FAILED, error=reason[:300]
        )


def status_notices_pending(*, older_than_seconds: int = 60) -> list[list[int]]:
    """Queued notices whose task never reached the broker, in send batches (the sweep resends them)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        StatusNotice.objects.filter(status=UpdateStatus.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    return [ids[start : start + NOTICE_BATCH] for start in range(0, len(ids), NOTICE_BATCH)]


__all__ = [
    "OPT_OUT_WORDS",
    "ConfirmOutcome",
    "sms_is_opt_out",
    "status_changes_announce",
    "status_code_email_send",
    "status_confirm_token",
    "status_notice_email_send",
    "status_notice_give_up",
    "status_notices_create",
    "status_notices_pending",
    "status_notices_send",
    "status_subscription_confirm",
    "status_subscription_create",
    "status_subscription_end",
    "status_subscription_from_token",
    "status_subscriptions_opt_out",
    "status_unsubscribe_token",
    "status_unsubscribe_url",
]
