"""Writes of the customer feedback survey (OMB Circular A-11 §280): answers by keypad at the end of
an IVR call, and by text after a live conversation."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.common.integrity import is_unique_clash
from contactcenter.models import (
    SURVEY_TEXT_REPLY_HOURS,
    AuditAction,
    Channel,
    Disposition,
    Interaction,
    Language,
    SurveyMethod,
    SurveyQuestion,
    SurveyResponse,
    Topic,
    WaitingContact,
)
from contactcenter.reference.identifiers import InvalidIdentifier, mask_phone, normalize_receipt_number
from contactcenter.routing.phones import callback_number_for

__all__ = [
    "SURVEY_TEXTS",
    "SURVEY_TEXT_REPLY_HOURS",
    "survey_after_conversation",
    "survey_answer_record",
    "survey_text",
    "survey_text_invite",
    "survey_text_reply_record",
]

logger = logging.getLogger(__name__)

# What the survey says by text, in English and Spanish (the IVR's spoken survey is in ivr/prompts.py).
SURVEY_TEXTS: dict[str, dict[str, str]] = {
    "satisfaction": {
        "en": "USCIS: Thank you for your call. Please reply with a number from 1 (strongly disagree) to "
        "5 (strongly agree): I am satisfied with the service I received. Reply STOP to opt out.",
        "es": "USCIS: Gracias por su llamada. Responda con un número del 1 (totalmente en desacuerdo) al "
        "5 (totalmente de acuerdo): Estoy satisfecho con el servicio que recibí. Responda STOP para no "
        "recibir más mensajes.",
    },
    "trust": {
        "en": "Thank you. And from 1 to 5: This interaction increased my trust in USCIS.",
        "es": "Gracias. Y del 1 al 5: Esta interacción aumentó mi confianza en USCIS.",
    },
    "thanks": {
        "en": "Thank you for your answers. They help us improve our service.",
        "es": "Gracias por sus respuestas. Nos ayudan a mejorar nuestro servicio.",
    },
    "not_understood": {
        "en": "Please reply with one number from 1 to 5.",
        "es": "Por favor, responda con un solo número del 1 al 5.",
    },
}


def survey_text(key: str, language: str) -> str:
    return SURVEY_TEXTS[key]["es" if language == Language.SPANISH else "en"]


def _receipt(value: str) -> str:
    if not value:
        return ""
    try:
        return normalize_receipt_number(value)
    except InvalidIdentifier:
        return ""


def _topic(code: str) -> Topic | None:
    return Topic.objects.filter(code=code or "general").first() or Topic.objects.filter(code="general").first()


def _response_for(*, source_app: str, source_model: str, source_id: str, defaults: dict) -> tuple[SurveyResponse, bool]:
    """The source's row, locked, inserted first when there is none. The insert meets a concurrent
    one in the unique index, inside a savepoint, so the error does not spoil the transaction; any
    other refusal by the database is an error, raised."""
    source = {"source_app": source_app, "source_model": source_model, "source_id": str(source_id)}
    response = SurveyResponse(**source, **defaults)
    response.full_clean(exclude=["topic", "interaction"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError as error:
        if not is_unique_clash(error, SurveyResponse, "survey_response_unique_source"):
            raise
    else:
        return response, True
    return SurveyResponse.objects.select_for_update().get(**source), False


def survey_answer_record(
    *,
    context: AuditContext,
    channel: Channel | str,
    source_app: str,
    source_model: str,
    source_id: str | int,
    method: SurveyMethod | str,
    question: SurveyQuestion | str,
    score: int,
    language: str = Language.ENGLISH,
    topic_code: str = "general",
    queue_name: str = "",
    receipt_number: str = "",
) -> SurveyResponse:
    """Record one answer (1-5) of a contact's survey. Idempotent: the same answer posted again (Twilio
    retrying a step, a text delivered twice) changes nothing and writes no second audit row."""
    question = SurveyQuestion(question)
    if score not in range(1, 6):
        raise ApplicationError("A survey answer is a whole number from 1 to 5.")
    with transaction.atomic():
        response, created = _response_for(
            source_app=source_app,
            source_model=source_model,
            source_id=str(source_id),
            defaults={
                **_about(channel, language, queue_name, topic_code, receipt_number),
                "method": method,
                question.value: score,
            },
        )
        if not created:
            if getattr(response, question.value) == score:
                return response
            setattr(response, question.value, score)
            response.full_clean(exclude=["topic", "interaction"], validate_unique=False, validate_constraints=False)
            response.save(update_fields=[question.value, "updated_at"])
        _audit(context, response, created=created, summary=f"Survey answer: {question.value} {score} ({method})")
    return response


def _about(channel: str, language: str, queue_name: str, topic_code: str, receipt_number: str) -> dict:
    """What a new response records of its contact, whichever way the survey is taken."""
    return {
        "channel": channel,
        "language": language if language in Language.values else Language.ENGLISH,
        "queue_name": queue_name[:40],
        "topic": _topic(topic_code),
        "receipt_number": _receipt(receipt_number),
    }


def _audit(context: AuditContext, response: SurveyResponse, *, created: bool, summary: str) -> None:
    from contactcenter.audit.services import audit_record

    audit_record(
        context=context,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target_type="contactcenter.surveyresponse",
        target_id=response.pk,
        summary=f"{Channel(response.channel).label}: {summary}",
    )


def survey_text_invite(
    *,
    context: AuditContext,
    channel: Channel | str,
    source_app: str,
    source_model: str,
    source_id: str | int,
    phone: str,
    language: str,
    topic_code: str = "general",
    queue_name: str = "",
    receipt_number: str = "",
    interaction: Interaction | None = None,
    body: str,
) -> SurveyResponse | None:
    """After a live conversation: text the caller the first question, once per contact. None (and
    nothing sent) when the contact was invited already."""
    from contactcenter.telephony.texts import text_queue

    with transaction.atomic():
        response, created = _response_for(
            source_app=source_app,
            source_model=source_model,
            source_id=str(source_id),
            defaults={
                **_about(channel, language, queue_name, topic_code, receipt_number),
                "method": SurveyMethod.TEXT,
                "text_to": phone[:20],
                "interaction": interaction,
            },
        )
        if not created:
            return None
        text_queue(to=phone, body=body, purpose=f"survey:{response.pk}")
        _audit(context, response, created=True, summary=f"Survey invitation texted to {mask_phone(phone)}")
    return response


def survey_after_conversation(*, context: AuditContext, contact: WaitingContact) -> SurveyResponse | None:
    """At the wrap-up of a live conversation: text the caller the survey's first question, unless the
    conversation went on to Tier 2 (the caller is surveyed after that one) or the number cannot be
    texted. Called inside the wrap-up's transaction; the text leaves after commit."""
    if not settings.SURVEY_TEXT_AFTER_CONVERSATION or contact.disposition == Disposition.ESCALATED:
        return None
    phone = callback_number_for(contact.phone) if contact.answered_at else None
    if phone is None:
        return None
    interaction = contact.agent_interaction or contact.interaction
    receipts = contact.receipt_numbers or []
    return survey_text_invite(
        context=context,
        channel=Channel.TIER2 if contact.tier == 2 else Channel.TIER1,
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id=contact.pk,
        phone=phone,
        language=contact.language,
        topic_code=interaction.topic.code if interaction is not None else "general",
        queue_name=contact.queue_name,
        receipt_number=receipts[-1] if receipts else "",
        interaction=interaction,
        body=survey_text("satisfaction", contact.language),
    )


def survey_text_reply_record(
    *, context: AuditContext, phone: str, score: int, message_sid: str
) -> tuple[SurveyResponse | None, str]:
    """A text reply with a digit: the answer to the next unanswered question of the latest invitation
    sent to this number. Returns the row and the question answered ("" when there was none to answer).
    Twilio posting the same message again (its MessageSid) answers as the first time, writing nothing."""
    since = timezone.now() - timedelta(hours=SURVEY_TEXT_REPLY_HOURS)
    with transaction.atomic():
        response = (
            SurveyResponse.objects.select_for_update()
            .filter(method=SurveyMethod.TEXT, text_to=phone, created_at__gte=since)
            .order_by("-created_at", "-id")
            .first()
        )
        if response is None:
            return None, ""
        if message_sid and response.last_reply_sid == message_sid:
            return response, (SurveyQuestion.TRUST if response.trust is not None else SurveyQuestion.SATISFACTION).value
        if response.trust is not None:
            return response, ""
        question = SurveyQuestion.SATISFACTION if response.satisfaction is None else SurveyQuestion.TRUST
        SurveyResponse.objects.filter(pk=response.pk).update(last_reply_sid=message_sid[:34])
        recorded = survey_answer_record(
            context=context,
            channel=response.channel,
            source_app=response.source_app,
            source_model=response.source_model,
            source_id=response.source_id,
            method=SurveyMethod.TEXT,
            question=question,
            score=score,
        )
    return recorded, question.value
