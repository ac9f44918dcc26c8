"""The knowledge library's forms: the search (library page, consoles, response drafting) and the editor."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contactcenter import selectors
from contactcenter.common.forms import UswdsForm
from contactcenter.models import ArticleKind, KnowledgeArticle, Language, Topic


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name_for((get_language() or "en")[:2])


class KnowledgeSearchForm(UswdsForm):
    q = forms.CharField(
        label=_("Search the library"),
        max_length=200,
        required=False,
        help_text=_("Words in English or Spanish, e.g. “change of address” or “cambio de dirección”."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *Language.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *ArticleKind.choices], required=False)
    topic = TopicChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("Any topic")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(active=True)


class TranslationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.get_language_display()})"


class KnowledgeArticleForm(UswdsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ArticleKind.choices,
        help_text=_("An approved answer is wording analysts may insert into a response."),
    )
    topic = TopicChoiceField(label=_("Topic"), queryset=Topic.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    translation_of = TranslationChoiceField(
        label=_("Translation of"),
        queryset=KnowledgeArticle.objects.none(),
        required=False,
        help_text=_("When this article translates another, the original in the other language."),
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))
    source = forms.CharField(
        label=_("Source or reference"),
        max_length=300,
        required=False,
        help_text=_("Where the policy comes from, e.g. USCIS Policy Manual, Vol. 7, Part A, Ch. 3."),
    )

    def __init__(self, *args, article: KnowledgeArticle | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(active=True)
        self.fields["translation_of"].queryset = selectors.knowledge_translation_choices(
            exclude_pk=article.pk if article is not None else None
        )
