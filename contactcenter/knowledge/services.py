"""Writes of the knowledge library: CAO writes and edits articles; a CAO supervisor publishes them."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal
from contactcenter.knowledge.models import SEARCH_CONFIGS, ArticleStatus, KnowledgeArticle
from contactcenter.knowledge.workflows import ARTICLE
from contactcenter.ledger.models import Topic
from contactcenter.models import AuditAction

__all__ = [
    "knowledge_article_create",
    "knowledge_article_publish",
    "knowledge_article_unpublish",
    "knowledge_article_update",
    "knowledge_search_refresh",
]

TARGET = "contactcenter.knowledgearticle"


def knowledge_search_refresh(*, article_ids: list[int]) -> None:
    """Write the articles' search vectors in their own language's configuration (Postgres only: the
    SQLite fallback searches the columns themselves). The title weighs more than the text."""
    if connection.vendor != "postgresql" or not article_ids:
        return
    for code, config in SEARCH_CONFIGS.items():
        KnowledgeArticle.objects.filter(pk__in=article_ids, language=code).update(
            search=SearchVector(Func(F("title"), function="unaccent"), config=config, weight="A")
            + SearchVector(Func(F("body"), function="unaccent"), config=config, weight="B")
        )


def _actor(context: AuditContext):
    return context.actor if context.actor is not None and getattr(context.actor, "pk", None) else None


def _refuse(action: str, article: KnowledgeArticle, user) -> None:
    refusal = ARTICLE.refusal(action, article, user)
    if refusal is Refusal.ROLE:
        if action == "edit":
            raise ApplicationError(_("Only CAO analysts and supervisors edit the knowledge library."))
        raise ApplicationError(_("Only a CAO supervisor publishes or withdraws a library article."))
    if refusal is not None:
        if action == "publish":
            raise ApplicationError(_("This article is already published."))
        raise ApplicationError(_("This article is not published."))


def _save(article: KnowledgeArticle) -> None:
    try:
        article.full_clean(exclude=["created_by", "reviewed_by"])
    except ValidationError as error:
        raise ApplicationError.from_validation(error) from error
    article.save()
    knowledge_search_refresh(article_ids=[article.pk])


def knowledge_article_create(
    *,
    context: AuditContext,
    title: str,
    body: str,
    kind: str,
    topic: Topic,
    language: str,
    source: str = "",
    translation_of: KnowledgeArticle | None = None,
) -> KnowledgeArticle:
    """A new article, a draft until a CAO supervisor publishes it."""
    probe = KnowledgeArticle(status=ArticleStatus.DRAFT)
    _refuse("edit", probe, context.actor)
    with transaction.atomic():
        article = KnowledgeArticle(
            title=title.strip(),
            body=body.strip(),
            kind=kind,
            topic=topic,
            language=language,
            source=source.strip(),
            translation_of=translation_of,
            created_by=_actor(context),
        )
        _save(article)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type=TARGET,
            target_id=article.pk,
            summary=f"Library article {article.pk} drafted: {article.title[:120]}",
            detail={"kind": article.kind, "language": article.language, "topic": topic.code},
        )
    return article


def knowledge_article_update(
    *,
    context: AuditContext,
    article: KnowledgeArticle,
    title: str,
    body: str,
    kind: str,
    topic: Topic,
    language: str,
    source: str = "",
    translation_of: KnowledgeArticle | None = None,
) -> KnowledgeArticle:
    """Change an article; a published one goes back to draft and is reviewed again."""
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        _refuse("edit", article, context.actor)
        step = ARTICLE.row("edit", article, context.actor)
        was_published = article.is_published
        article.title, article.body, article.kind = title.strip(), body.strip(), kind
        article.topic, article.language, article.source = topic, language, source.strip()
        article.translation_of = translation_of
        if step.target is not None:
            article.status = step.target
            article.reviewed_by, article.reviewed_at = None, None
        _save(article)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type=TARGET,
            target_id=article.pk,
            summary=f"Library article {article.pk} edited" + (": back to draft for review" if was_published else ""),
            detail={"kind": article.kind, "language": article.language, "topic": topic.code},
        )
    return article


def knowledge_article_publish(*, context: AuditContext, article: KnowledgeArticle) -> KnowledgeArticle:
    """A CAO supervisor's review: the article reaches the consoles, with who reviewed it and when."""
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        _refuse("publish", article, context.actor)
        article.status = ARTICLE.row("publish", article, context.actor).target
        article.reviewed_by, article.reviewed_at = _actor(context), timezone.now()
        article.full_clean(exclude=["created_by", "reviewed_by"])
        article.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type=TARGET,
            target_id=article.pk,
            summary=f"Library article {article.pk} published",
        )
    return article


def knowledge_article_unpublish(*, context: AuditContext, article: KnowledgeArticle) -> KnowledgeArticle:
    """Withdraw an article from the consoles (back to draft), e.g. when the policy changed."""
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        _refuse("unpublish", article, context.actor)
        article.status = ARTICLE.row("unpublish", article, context.actor).target
        article.save(update_fields=["status", "updated_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type=TARGET,
            target_id=article.pk,
            summary=f"Library article {article.pk} withdrawn to draft",
        )
    return article
