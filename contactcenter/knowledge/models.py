"""The knowledge library: policy articles and approved answers, in English and Spanish, written and
reviewed by CAO and read by every agent (CSR, ISO) and analyst while they answer the public."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Language, Topic


class ArticleKind(models.TextChoices):
    ARTICLE = "article", _("Policy article")
    ANSWER = "answer", _("Approved answer")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# The Postgres text-search configuration of each language: stems and stop words of that language.
SEARCH_CONFIGS = {Language.ENGLISH: "english", Language.SPANISH: "spanish"}


class KnowledgeArticle(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.ARTICLE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="knowledge_articles")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    translation_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translated_as",
        help_text=_("The article in the other language this one translates."),
    )
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    source = models.CharField(
        _("source or reference"),
        max_length=300,
        blank=True,
        help_text=_("Where the policy comes from, e.g. USCIS Policy Manual, Vol. 7, Part A, Ch. 3."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Written by the services on Postgres, in the article's language (SEARCH_CONFIGS), accents removed.
    search = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("knowledge article")
        indexes = [models.Index(fields=["status", "language", "kind"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def translation(self) -> KnowledgeArticle | None:
        """The same article in the other language, whichever side holds the link."""
        if self.translation_of_id is not None:
            return self.translation_of
        try:
            return self.translated_as
        except KnowledgeArticle.DoesNotExist:
            return None

    def clean(self) -> None:
        other = self.translation_of
        if other is None:
            return
        if other.pk is not None and other.pk == self.pk:
            raise ValidationError({"translation_of": _("An article cannot translate itself.")})
        if other.language == self.language:
            raise ValidationError({"translation_of": _("A translation is in the other language.")})
        if other.translation_of_id is not None:
            raise ValidationError({"translation_of": _("That article is itself a translation: link to its original.")})
