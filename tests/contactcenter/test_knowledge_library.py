"""The knowledge library through HTTP: CAO writes and publishes, agents find published articles from
their console (htmx panel or a page of its own), in English and Spanish, and cannot edit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contactcenter.models import ArticleStatus, AuditEvent, KnowledgeArticle, Topic
from contactcenter.staff.roles import Role

HTMX = {"HTTP_HX_REQUEST": "true"}


def _signed_in(make_staff, role: Role) -> Client:
    client = Client()
    client.force_login(make_staff(role))
    return client


def _write(client: Client, **fields) -> KnowledgeArticle:
    data = {
        "title": "Changing your address",
        "kind": "answer",
        "topic": Topic.objects.get(code="address-change").pk,
        "language": "en",
        "body": "File Form AR-11 online within 10 days of moving.",
        "source": "8 CFR 265.1",
        **fields,
    }
    answer = client.post(reverse("knowledge-article-new"), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return KnowledgeArticle.objects.get(pk=int(answer["Location"].rstrip("/").rsplit("/", 1)[-1]))


@pytest.fixture
def library(make_staff):
    """An analyst writes an English answer and its Spanish translation; a CAO supervisor publishes both,
    and leaves a third article in draft."""
    analyst = _signed_in(make_staff, Role.CAO_ANALYST)
    english = _write(analyst)
    spanish = _write(
        analyst,
        title="Cambio de dirección",
        language="es",
        translation_of=english.pk,
        body="Presente el Formulario AR-11 en línea dentro de los 10 días después de mudarse.",
    )
    draft = _write(analyst, title="Biometrics rescheduling", body="Reschedule a biometrics appointment online.")
    supervisor = _signed_in(make_staff, Role.CAO_SUPERVISOR)
    for article in (english, spanish):
        assert supervisor.post(reverse("knowledge-article-action", args=[article.pk, "publish"])).status_code == 302
    return {"english": english, "spanish": spanish, "draft": draft, "analyst": analyst, "supervisor": supervisor}


def test_a_supervisor_publishes_and_the_review_is_recorded(library):
    english = KnowledgeArticle.objects.get(pk=library["english"].pk)
    assert english.status == ArticleStatus.PUBLISHED and english.reviewed_at is not None
    assert english.reviewed_by.groups.filter(name=Role.CAO_SUPERVISOR).exists()
    assert english.translation == library["spanish"]
    assert KnowledgeArticle.objects.get(pk=library["spanish"].pk).translation == english
    summaries = set(
        AuditEvent.objects.filter(target_type="contactcenter.knowledgearticle").values_list("summary", flat=True)
    )
    assert f"Library article {english.pk} published" in summaries


def test_an_analyst_drafts_but_may_not_publish(library):
    refused = library["analyst"].post(reverse("knowledge-article-action", args=[library["draft"].pk, "publish"]))
    assert refused.status_code == 403
    assert KnowledgeArticle.objects.get(pk=library["draft"].pk).status == ArticleStatus.DRAFT


def test_editing_a_published_article_takes_it_back_to_draft(library):
    english = library["english"]
    page = library["analyst"].get(reverse("knowledge-article-edit", args=[english.pk]))
    assert "saving a change makes it a draft again" in page.content.decode()
    answer = library["analyst"].post(
        reverse("knowledge-article-edit", args=[english.pk]),
        {
            "title": english.title,
            "kind": "answer",
            "topic": english.topic_id,
            "language": "en",
            "body": "File Form AR-11 online within 10 days of moving, or by mail.",
        },
    )
    assert answer.status_code == 302
    english.refresh_from_db()
    assert english.status == ArticleStatus.DRAFT and english.reviewed_at is None


def test_a_translation_must_be_in_the_other_language(library):
    answer = library["analyst"].post(
        reverse("knowledge-article-new"),
        {
            "title": "Another English text",
            "kind": "article",
            "topic": library["english"].topic_id,
            "language": "en",
            "translation_of": library["english"].pk,
            "body": "Text.",
        },
    )
    assert answer.status_code == 400
    assert "A translation is in the other language." in answer.content.decode()


def test_spanish_words_find_the_spanish_answer(library, make_staff):
    csr = _signed_in(make_staff, Role.CSR)
    page = csr.get(reverse("knowledge-library"), {"q": "mudarse formulario"})
    assert page.status_code == 200
    found = page.context["found"]
    assert found == [library["spanish"]]
    # Accents are not needed: "direccion" finds "dirección".
    assert csr.get(reverse("knowledge-library"), {"q": "direccion"}).context["found"] == [library["spanish"]]
    assert csr.get(reverse("knowledge-library"), {"q": "moving address"}).context["found"] == [library["english"]]


def test_a_csr_finds_an_article_from_the_console_and_reads_it_in_the_panel(library, make_staff):
    csr = _signed_in(make_staff, Role.CSR)
    console = csr.get(reverse("agent-console")).content.decode()
    assert "data-knowledge-search" in console and 'hx-get="/knowledge/"' in console
    panel = csr.get(reverse("knowledge-library"), {"q": "AR-11 moving"}, **HTMX)
    body = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in body  # the panel only: the console stays
    assert f'data-article="{library["english"].pk}"' in body and "Changing your address" in body
    assert "Biometrics rescheduling" not in body
    article = csr.get(reverse("knowledge-article", args=[library["english"].pk]), **HTMX).content.decode()
    assert "within 10 days of moving" in article and "<html" not in article
    assert "Cambio de dirección" in article  # the link to its translation


def test_agents_see_no_drafts_and_cannot_edit(library, make_staff):
    csr = _signed_in(make_staff, Role.CSR)
    assert csr.get(reverse("knowledge-article", args=[library["draft"].pk])).status_code == 404
    assert csr.get(reverse("knowledge-article-new")).status_code == 403
    assert csr.get(reverse("knowledge-article-edit", args=[library["english"].pk])).status_code == 403
    assert csr.post(reverse("knowledge-article-action", args=[library["english"].pk, "unpublish"])).status_code == 403
    page = csr.get(reverse("knowledge-article", args=[library["english"].pk])).content.decode()
    assert reverse("knowledge-article-edit", args=[library["english"].pk]) not in page
    assert reverse("knowledge-article-action", args=[library["english"].pk, "unpublish"]) not in page
    library_page = csr.get(reverse("knowledge-library")).content.decode()
    assert "Write an article" not in library_page and "Biometrics rescheduling" not in library_page


def test_an_iso_reads_the_library_and_an_outreach_officer_may_not(library, make_staff):
    assert _signed_in(make_staff, Role.ISO).get(reverse("knowledge-library"), {"q": "AR-11"}).status_code == 200
    assert _signed_in(make_staff, Role.CRO).get(reverse("knowledge-library")).status_code == 403
