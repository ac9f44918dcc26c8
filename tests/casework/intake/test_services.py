"""Intake's services: the confirmation e-mail sent once, a model's refusal turned into an
ApplicationError, and one inquiry per submission token."""

import pytest

from casework import services
from casework.models import Inquiry
from tests.casework.factories import make_inquiry
from tests.casework.intake.form_data import LONG_EMAIL

pytestmark = pytest.mark.django_db


def test_confirmation_email_is_sent_once(mailoutbox):
    inquiry = make_inquiry(correspondent_email="ana@example.com", language="es")
    assert services.inquiry_confirm_send(inquiry_id=inquiry.pk) is True
    assert services.inquiry_confirm_send(inquiry_id=inquiry.pk) is False
    assert len(mailoutbox) == 1
    assert inquiry.reference in mailoutbox[0].subject and mailoutbox[0].to == ["ana@example.com"]
    assert "Gracias" in mailoutbox[0].body


def test_intake_turns_a_model_validation_error_into_a_refusal():
    from django.utils import translation

    from contactcenter.common.errors import ApplicationError

    with translation.override("en"), pytest.raises(ApplicationError, match="could not be recorded") as refused:
        make_inquiry(correspondent_email=LONG_EMAIL)
    assert list(refused.value.fields) == ["correspondent_email"]
    with pytest.raises(ApplicationError) as refused:
        make_inquiry(topic_code="not a slug")
    assert list(refused.value.fields) == ["topic_code"]
    assert not Inquiry.objects.exists()


def test_intake_is_idempotent_on_the_submission_token():
    token = "t" * 32
    first = make_inquiry(submission_token=token)
    assert make_inquiry(submission_token=token, subject="Changed") == first
    assert Inquiry.objects.count() == 1
