"""Reads of the knowledge library: the consoles, the library pages and CAO's response drafting."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Func, Q, QuerySet, Value, When

from contactcenter.knowledge.models import SEARCH_CONFIGS, ArticleKind, ArticleStatus, KnowledgeArticle
from contactcenter.knowledge.workflows import ARTICLE, EDITORS, READERS
from contactcenter.staff.roles import has_any_role

__all__ = [
    "knowledge_allowed_actions",
    "knowledge_answer_get",
    "knowledge_article_get",
    "knowledge_can_edit",
    "knowledge_can_read",
    "knowledge_search",
    "knowledge_translation_choices",
]

# A search answers a page of results, never the whole library.
SEARCH_LIMIT = 25


def knowledge_can_read(*, user) -> bool:
    return has_any_role(user, READERS)


def knowledge_can_edit(*, user) -> bool:
    return has_any_role(user, EDITORS)


def _visible(user) -> QuerySet[KnowledgeArticle]:
    """Agents read published articles only; CAO's editors see their drafts too."""
    qs = KnowledgeArticle.objects.select_related("topic", "reviewed_by", "translation_of", "translated_as")
    return qs if knowledge_can_edit(user=user) else qs.filter(status=ArticleStatus.PUBLISHED)


def knowledge_search(
    *,
    user,
    text: str = "",
    language: str | None = None,
    kind: str | None = None,
    topic_id: int | None = None,
    published_only: bool = False,
    limit: int = SEARCH_LIMIT,
) -> list[KnowledgeArticle]:
    """Articles matching the words typed, best first: on Postgres by full-text search, each article
    in its own language's configuration (Spanish stems for Spanish articles), accents ignored; elsewhere
    (SQLite for `make run`) by a substring of the title or text."""
    qs = _visible(user)
    if published_only:
        qs = qs.filter(status=ArticleStatus.PUBLISHED)
    if language:
        qs = qs.filter(language=language)
    if kind:
        qs = qs.filter(kind=kind)
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    text = text.strip()
    if not text:
        return list(qs.order_by("title", "id")[:limit])
    if connection.vendor != "postgresql":
        return list(qs.filter(Q(title__icontains=text) | Q(body__icontains=text)).order_by("title", "id")[:limit])
    unaccented = Func(Value(text), function="unaccent")
    found = Q()
    for code, config in SEARCH_CONFIGS.items():
        found |= Q(language=code, search=SearchQuery(unaccented, config=config, search_type="websearch"))
    own_config = Case(
        *(When(language=code, then=Value(config)) for code, config in SEARCH_CONFIGS.items()),
        default=Value("english"),
    )
    ranked = qs.filter(found).annotate(
        rank=SearchRank(F("search"), SearchQuery(unaccented, config=own_config, search_type="websearch"))
    )
    return list(ranked.order_by("-rank", "title", "id")[:limit])


def knowledge_article_get(*, user, pk: int) -> KnowledgeArticle | None:
    return _visible(user).filter(pk=pk).first()


def knowledge_answer_get(*, user, pk: int) -> KnowledgeArticle | None:
    """A published approved answer: the only kind of article a draft response takes text from."""
    return _visible(user).filter(pk=pk, kind=ArticleKind.ANSWER, status=ArticleStatus.PUBLISHED).first()


def knowledge_allowed_actions(*, article: KnowledgeArticle, user) -> frozenset[str]:
    return ARTICLE.allowed_actions(article, user)


def knowledge_translation_choices(*, exclude_pk: int | None = None) -> QuerySet[KnowledgeArticle]:
    """Originals an article may be linked to as their translation: those not translations themselves."""
    qs = KnowledgeArticle.objects.filter(translation_of__isnull=True).order_by("language", "title")
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs
