"""Issue 16 (CAO): an analyst searches the knowledge library from the draft, inserts an approved answer,
sends it for review; the letter downloads as a PDF on letterhead, Spanish accents and all, and the
day's letters print as one PDF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import Response, ResponseStatus, TripRedress
from contactcenter.models import AuditAction, AuditEvent, KnowledgeArticle, Topic
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry
from tests.pdf_text import pdf_text


@pytest.fixture(autouse=True)
def plain_pdfs(settings):
    # Uncompressed content streams, so the test reads the letters' text back (tests/pdf_text.py).
    settings.CASEWORK_LETTER_PDF_COMPRESS = False


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _publish(supervisor: Client, analyst: Client, **fields) -> KnowledgeArticle:
    data = {"kind": "answer", "topic": Topic.objects.get(code="address-change").pk, "source": "8 CFR 265.1", **fields}
    created = analyst.post(reverse("knowledge-article-new"), data)
    assert created.status_code == 302
    article = KnowledgeArticle.objects.order_by("-pk").first()
    assert supervisor.post(reverse("knowledge-article-action", args=[article.pk, "publish"])).status_code == 302
    return article


@pytest.fixture
def desk(make_staff):
    analyst_user, supervisor_user = make_staff(Role.CAO_ANALYST), make_staff(Role.CAO_SUPERVISOR)
    analyst, supervisor = _client(analyst_user), _client(supervisor_user)
    english = _publish(
        supervisor,
        analyst,
        title="Change of address",
        language="en",
        body="Please file Form AR-11 online within 10 days of your move.",
    )
    spanish = _publish(
        supervisor,
        analyst,
        title="Cambio de dirección",
        language="es",
        translation_of=english.pk,
        body="Presente el Formulario AR-11 en línea dentro de los 10 días después de su mudanza.",
    )
    return {"analyst": analyst, "analyst_user": analyst_user, "supervisor": supervisor, "es": spanish, "en": english}


def _letter_draft(desk, *, name: str = "Nguyễn Thị Mai", language: str = "es") -> Response:
    inquiry = make_inquiry(
        correspondent_name=name,
        correspondent_email="",
        correspondent_address="1200 Calle Ñandú\nSan Juan, PR 00901",
        language=language,
    )
    analyst = desk["analyst"]
    analyst.post(f"/casework/inquiries/{inquiry.pk}/triage/", {"source": "public", "priority": 3})
    analyst.post(f"/casework/inquiries/{inquiry.pk}/assign/", {"assignee": desk["analyst_user"].pk})
    drafted = analyst.post(
        f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "letter", "body": "Estimado/a {{ name }}:"}
    )
    assert drafted.status_code == 302
    return Response.objects.get(inquiry=inquiry)


def test_an_analyst_finds_the_spanish_answer_inserts_it_and_the_approved_letter_prints(desk):
    response = _letter_draft(desk)
    analyst = desk["analyst"]
    page = analyst.get(reverse("casework:response", args=[response.pk]), {"library-q": "mudanza dirección"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-answer="{desk["es"].pk}"' in body and f'data-answer="{desk["en"].pk}"' not in body
    assert "Insert “Cambio de dirección” into draft" in body
    inserted = analyst.post(
        reverse("casework:response-insert", args=[response.pk]),
        {"subject": "Su consulta", "body": "Estimado/a Nguyễn Thị Mai:", "article": desk["es"].pk},
    )
    assert inserted.status_code == 302
    response.refresh_from_db()
    assert response.body == (
        "Estimado/a Nguyễn Thị Mai:\n\n"
        "Presente el Formulario AR-11 en línea dentro de los 10 días después de su mudanza."
    )
    assert list(response.knowledge_articles.all()) == [desk["es"]]
    assert AuditEvent.objects.filter(
        summary=f"Library answer {desk['es'].pk} inserted into response {response.pk}"
    ).exists()
    shown = analyst.get(reverse("casework:response", args=[response.pk])).content.decode()
    assert "data-answers-used" in shown and "Cambio de dirección" in shown

    submitted = analyst.post(
        reverse("casework:response", args=[response.pk]),
        {"subject": "Su consulta", "body": response.body, "submit": "review"},
    )
    assert submitted.status_code == 302
    reviewed = desk["supervisor"].post(reverse("casework:response-review", args=[response.pk]), {"decision": "approve"})
    assert reviewed.status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SENT

    pdf = analyst.get(reverse("casework:response-letter-pdf", args=[response.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf.content).split())  # the lines a paragraph wrapped into, joined
    assert "U.S. Citizenship and Immigration Services" in text and "Customer Assistance Office" in text
    assert f"Número de confirmación: {response.inquiry.reference}" in text
    assert "Nguyễn Thị Mai" in text and "1200 Calle Ñandú" in text
    assert "Presente el Formulario AR-11 en línea dentro de los 10 días después de su mudanza." in text
    assert "Atentamente," in text
    assert "Draft" not in text and "Borrador" not in text
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, target_type="casework.response", target_id=str(response.pk)
    ).exists()
    # The printable page is the same letter: letterhead, reference and text.
    html = analyst.get(reverse("casework:response-letter", args=[response.pk])).content.decode()
    assert "<h1>U.S. Citizenship and Immigration Services</h1>" in html
    assert response.inquiry.reference in html and "su mudanza." in html


def test_a_draft_letter_pdf_says_it_is_a_draft(desk):
    response = _letter_draft(desk, name="Ana Pérez", language="en")
    text = " ".join(
        pdf_text(desk["analyst"].get(reverse("casework:response-letter-pdf", args=[response.pk])).content).split()
    )
    assert "Draft: not yet approved for sending." in text and "Ana Pérez" in text


def test_an_answer_no_longer_published_is_not_inserted(desk):
    response = _letter_draft(desk)
    desk["supervisor"].post(reverse("knowledge-article-action", args=[desk["es"].pk, "unpublish"]))
    refused = desk["analyst"].post(
        reverse("casework:response-insert", args=[response.pk]),
        {"subject": "Su consulta", "body": "Mi texto", "article": desk["es"].pk},
    )
    assert refused.status_code == 400
    assert "no longer published" in refused.content.decode() and "Mi texto" in refused.content.decode()
    response.refresh_from_db()
    assert response.knowledge_articles.count() == 0


def test_the_days_letters_print_as_one_pdf(desk, make_staff):
    first = _letter_draft(desk, name="Nguyễn Văn An")
    second = _letter_draft(desk, name="José Núñez")
    for response, text in ((first, "Primera carta."), (second, "Segunda carta.")):
        desk["analyst"].post(
            reverse("casework:response", args=[response.pk]),
            {"subject": "Su consulta", "body": text, "submit": "review"},
        )
        desk["supervisor"].post(reverse("casework:response-review", args=[response.pk]), {"decision": "approve"})
    trip_inquiry = make_inquiry(source="tsa_trip", correspondent_name="Zoë Traveller")
    trip = TripRedress.objects.create(
        inquiry=trip_inquiry,
        redress_control_number="2026123456",
        traveller_name="Zoë Traveller",
        status="completed",
        determination_letter="Your redress request is complete.",
        determined_at=timezone.now(),
    )
    batch = desk["analyst"].get(reverse("casework:letters-batch-pdf"))
    assert batch.status_code == 200 and batch.content.startswith(b"%PDF")
    assert batch.content.count(b"/Type /Page\n") == 3  # a page each: a page break between letters
    text = " ".join(pdf_text(batch.content).split())
    assert text.index("Nguyễn Văn An") < text.index("Primera carta.") < text.index("José Núñez")
    assert text.index("Segunda carta.") < text.index("Redress control number: 2026123456")
    assert "Your redress request is complete." in text and "Traveler Redress Inquiry Program" in text
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT, target_type="casework.letter_batch")
    assert audit.target_id == timezone.localdate().isoformat() and str(first.pk) in audit.detail["response_ids"]
    assert str(trip.pk) in audit.detail["trip_ids"]
    other_day = desk["analyst"].get(reverse("casework:letters-batch-pdf"), {"day": "2020-01-02"})
    assert "Nguyễn" not in pdf_text(other_day.content)
    assert _client(make_staff(Role.CSR)).get(reverse("casework:letters-batch-pdf")).status_code == 403
    assert _client(make_staff(Role.TSA_LIAISON)).get(reverse("casework:letters-batch-pdf")).status_code == 403


def test_a_trip_determination_letter_downloads_as_pdf(desk, make_staff):
    inquiry = make_inquiry(source="tsa_trip", correspondent_name="Zoë Traveller")
    trip = TripRedress.objects.create(
        inquiry=inquiry,
        redress_control_number="2026654321",
        traveller_name="Zoë Traveller",
        status="completed",
        determination_letter="Cleared for travel.",
        determined_at=timezone.now(),
    )
    pdf = _client(make_staff(Role.TSA_LIAISON)).get(reverse("casework:trip-letter-pdf", args=[trip.pk]))
    assert pdf.status_code == 200
    text = " ".join(pdf_text(pdf.content).split())
    assert "Department of Homeland Security" in text and "Zoë Traveller" in text and "Cleared for travel." in text
    assert "Redress control number: 2026654321" in text
