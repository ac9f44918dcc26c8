"""The customer feedback survey by text: Twilio's messaging webhook for the caller's replies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from twilio.twiml.messaging_response import MessagingResponse

from contactcenter import selectors as contact_selectors
from contactcenter import services as contact_services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel
from contactcenter.routing.phones import callback_number_for

from . import parsing
from .security import twilio_params, twilio_signed


def _score(body: str) -> int | None:
    """1 to 5, texted as a digit or a number word ("5", "cinco", "five"); None for anything else."""
    keys = parsing.digits_only(body)
    if keys:
        return int(keys) if len(keys) == 1 and keys in "12345" else None
    choice = parsing.menu_choice("", body, "en", "12345", menu="survey_text")
    return int(choice) if choice and len(choice) == 1 and choice in "12345" else None


@twilio_signed
def sms_reply(request: HttpRequest) -> HttpResponse:
    """A text to the center's number. A digit from a number we sent the survey to answers its next
    question; the reply is the next question or our thanks, in the survey's language. An opt-out
    (STOP, PARAR...) ends the number's case-status updates. Any other text gets no reply (STOP and
    HELP are answered by Twilio itself)."""
    params = twilio_params(request)
    phone = callback_number_for(params.get("From", "")[:20])
    body = params.get("Body", "")[:160]
    score = _score(body)
    response = MessagingResponse()
    if phone is not None:
        context = AuditContext.system(channel=AuditChannel.IVR)
        if contact_services.sms_is_opt_out(body=body, opt_out_type=params.get("OptOutType", "")[:20]):
            # Twilio blocks further texts to the number itself and answers it; our subscriptions end
            # too, so no notice is even queued for it.
            contact_services.status_subscriptions_opt_out(context=context, phone=phone)
        elif score is None:
            invited = contact_selectors.survey_text_invitation(phone=phone)
            if invited is not None and invited.trust is None:
                response.message(contact_services.survey_text("not_understood", invited.language))
        else:
            answered, question = contact_services.survey_text_reply_record(
                context=context, phone=phone, score=score, message_sid=params.get("MessageSid", "")[:34]
            )
            if answered is not None and question:
                key = "trust" if question == "satisfaction" else "thanks"
                response.message(contact_services.survey_text(key, answered.language))
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")
