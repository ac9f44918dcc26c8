"""CAO's replies speak of the case in the agency's voice: the status service's headline is the
applicant's ("La tarjeta me fue enviada por correo"), a reply says what USCIS did."""

import pytest

from casework.agency_voice import AGENCY_STATUS
from casework.models import Response, ResponseTemplate
from contactcenter.models import StatusHeadline
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded_templates():
    """The reply templates casework's migrations seed (and 0010 rewrote), back after any test that
    flushed the tables, through the migrations' own data and function."""
    from importlib import import_module

    from django.apps import apps

    seeded = import_module("casework.migrations.0002_search_trigger_and_defaults")
    for code, language, title, subject, body in seeded.TEMPLATES:
        ResponseTemplate.objects.get_or_create(
            code=code, language=language, defaults={"title": title, "subject": subject, "body": body}
        )
    import_module("casework.migrations.0010_telephone_intake_sensitive_agency_voice").forwards(apps, None)


FIRST_PERSON = (" me ", "mi ", "Me ", " To Me", " to me", "Mailed To Me")


def _draft(client, inquiry, language: str) -> Response:
    template = ResponseTemplate.objects.get(code="acknowledge-case", language=language)
    client.post(f"/casework/inquiries/{inquiry.pk}/assign-me/")
    done = client.post(f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "letter", "template": template.pk})
    assert done.status_code == 302, done.content
    return Response.objects.get(inquiry=inquiry)


def test_the_spanish_reply_says_we_mailed_the_card_not_the_applicants_words(client_as, seeded_cases):
    mailed = StatusHeadline.objects.get(code="card-was-mailed-to-me")
    assert mailed.headline_es == "La tarjeta me fue enviada por correo"
    seeded_cases.status = mailed
    seeded_cases.save()
    inquiry = make_inquiry(language="es")
    response = _draft(client_as(Role.CAO_ANALYST), inquiry, "es")
    assert "Le enviamos su tarjeta por correo" in response.body
    assert mailed.headline_es not in response.body
    assert "me fue" not in response.body and "El estado actual del caso es" not in response.body
    page = client_as(Role.CAO_ANALYST).get(f"/casework/responses/{response.pk}/").text
    assert "Le enviamos su tarjeta por correo" in page


def test_the_english_reply_says_we_mailed_the_card(client_as, seeded_cases):
    seeded_cases.status = StatusHeadline.objects.get(code="card-was-mailed-to-me")
    seeded_cases.save()
    response = _draft(client_as(Role.CAO_ANALYST), make_inquiry(), "en")
    assert "We mailed your card to the address we have on file." in response.body
    assert "Card Was Mailed To Me" not in response.body


def test_every_headline_has_an_agency_sentence_in_both_languages_and_none_in_the_first_person():
    codes = set(StatusHeadline.objects.values_list("code", flat=True))
    assert codes and codes <= set(AGENCY_STATUS)
    for english, spanish in AGENCY_STATUS.values():
        assert not any(word in f" {english} " for word in FIRST_PERSON), english
        assert " me " not in f" {spanish} " and "mí" not in spanish, spanish
