"""The survey by text after a live conversation: invited at wrap-up, answered by signed text replies."""

import pytest
from django.conf import settings
from django.test import override_settings

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import OutboundMessage, SurveyResponse
from contactcenter.surveys.services import SURVEY_TEXTS
from ivr.simulator import in_process_transport, sign
from tests.contactcenter.test_after_call_work import _in_wrap_up

CALLER = "+12025550100"


def _text(body: str, *, sid: str, from_number: str = CALLER, token: str | None = None) -> tuple[int, str]:
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
        "MessageSid": sid,
        "From": from_number,
        "To": "+18003755283",
        "Body": body,
        "NumMedia": "0",
    }
    signature = sign(settings.PUBLIC_BASE_URL.rstrip("/") + "/ivr/sms/", params, token)
    status, xml = in_process_transport()("/ivr/sms/", params, {"X-Twilio-Signature": signature})
    return status, xml


def _reply(xml: str) -> str:
    import xml.etree.ElementTree as ET

    message = ET.fromstring(xml).find("Message")
    return message.text if message is not None else ""


@override_settings(SURVEY_TEXT_AFTER_CONVERSATION=True)
def test_a_caller_answers_by_text_after_the_conversation(make_staff):
    csr, contact = _in_wrap_up(make_staff)
    context = AuditContext(actor=csr)
    services.contact_wrap_up(context=context, user=csr, contact_id=contact.pk, disposition="information")
    invitation = SurveyResponse.objects.get()
    assert (invitation.channel, invitation.queue_name, invitation.method) == ("tier1", "tier1-en", "text")
    text = OutboundMessage.objects.get(purpose=f"survey:{invitation.pk}")
    assert (text.to_number, text.body) == (CALLER, SURVEY_TEXTS["satisfaction"]["en"])
    # Not an answer yet: no figures.
    assert not selectors.survey_responses_answered(
        start=invitation.created_at.date(), end=invitation.created_at.date()
    ).exists()

    status, xml = _text("maybe", sid="SM1")
    assert status == 200 and _reply(xml) == SURVEY_TEXTS["not_understood"]["en"]
    status, xml = _text("4", sid="SM2")
    assert _reply(xml) == SURVEY_TEXTS["trust"]["en"]
    status, again = _text("4", sid="SM2")  # Twilio retrying the webhook
    assert again == xml
    assert _reply(_text("five", sid="SM3")[1]) == SURVEY_TEXTS["thanks"]["en"]
    assert _reply(_text("1", sid="SM4")[1]) == ""  # answered: nothing more to take

    invitation.refresh_from_db()
    assert (invitation.satisfaction, invitation.trust) == (4, 5)


@override_settings(SURVEY_TEXT_AFTER_CONVERSATION=True)
def test_no_text_after_an_escalated_conversation_and_a_second_wrap_up_sends_none(make_staff):
    _csr, contact = _in_wrap_up(make_staff)
    contact.refresh_from_db()
    contact.disposition = "escalated"
    assert services.survey_after_conversation(context=AuditContext.system(), contact=contact) is None
    contact.disposition = "information"
    assert services.survey_after_conversation(context=AuditContext.system(), contact=contact) is not None
    assert services.survey_after_conversation(context=AuditContext.system(), contact=contact) is None
    assert OutboundMessage.objects.filter(purpose__startswith="survey:").count() == 1


@pytest.mark.django_db
def test_an_unsigned_text_is_refused_and_a_stranger_gets_no_reply():
    status, _ = _text("5", sid="SM9", token="not-the-token")
    assert status == 403
    status, xml = _text("5", sid="SM10", from_number="+13125550199")
    assert status == 200 and _reply(xml) == ""
    assert not SurveyResponse.objects.exists()
