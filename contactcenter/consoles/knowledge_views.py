"""The knowledge library: policy articles and approved answers for every agent and analyst.

CSRs, ISOs and supervisors read what is published; CAO analysts and supervisors write; a CAO supervisor
publishes. Asked by htmx from the agent console, the search and an article answer their panel only
(the console, and the softphone's call, stay); without JavaScript each is a page of its own. Articles
are the agency's own wording, no one's records: reading them is not audited, every change is."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.knowledge_forms import KnowledgeArticleForm, KnowledgeSearchForm
from contactcenter.knowledge.workflows import EDITORS, PUBLISHERS, READERS
from contactcenter.staff.roles import roles_required


def knowledge_search_empty() -> KnowledgeSearchForm:
    """The console's library search form."""
    return KnowledgeSearchForm(auto_id="kb-%s")


def _answer(request: HttpRequest, page: str, partial: str, context: dict, *, status: int = 200) -> HttpResponse:
    template = partial if request.htmx else page
    response = render(request, template, {**context, "partial": partial}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@roles_required(*READERS)
def library(request: HttpRequest) -> HttpResponse:
    form = KnowledgeSearchForm(request.GET or None, auto_id="kb-%s")
    found = None
    if form.is_valid():
        data = form.cleaned_data
        found = selectors.knowledge_search(
            user=request.user,
            text=data["q"],
            language=data["language"] or None,
            kind=data["kind"] or None,
            topic_id=data["topic"].pk if data["topic"] else None,
        )
    elif not form.is_bound:
        found = selectors.knowledge_search(user=request.user)
    return _answer(
        request,
        "contactcenter/knowledge_library.html",
        "contactcenter/_knowledge_results.html",
        {"form": form, "found": found, "can_edit": selectors.knowledge_can_edit(user=request.user)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _article_or_404(request: HttpRequest, pk: int):
    article = selectors.knowledge_article_get(user=request.user, pk=pk)
    if article is None:
        raise Http404(pk)
    return article


@roles_required(*READERS)
def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = _article_or_404(request, pk)
    translation = found.translation
    if translation is not None and selectors.knowledge_article_get(user=request.user, pk=translation.pk) is None:
        translation = None  # an unpublished translation is not shown to agents
    return _answer(
        request,
        "contactcenter/knowledge_article.html",
        "contactcenter/_knowledge_article.html",
        {
            "article": found,
            "translation": translation,
            "actions": selectors.knowledge_allowed_actions(article=found, user=request.user),
        },
    )


@roles_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    found = _article_or_404(request, pk) if pk is not None else None
    initial = None
    if found is not None:
        initial = {
            "title": found.title,
            "kind": found.kind,
            "topic": found.topic_id,
            "language": found.language,
            "translation_of": found.translation_of_id,
            "body": found.body,
            "source": found.source,
        }
    form = KnowledgeArticleForm(request.POST or None, initial=initial, article=found)
    if request.method == "POST" and form.is_valid():
        context = AuditContext.from_request(request)
        try:
            if found is None:
                saved = services.knowledge_article_create(context=context, **form.cleaned_data)
                messages.success(request, _("Article saved as a draft: a CAO supervisor publishes it."))
            else:
                was_published = found.is_published
                saved = services.knowledge_article_update(context=context, article=found, **form.cleaned_data)
                messages.success(
                    request,
                    _("Article saved. It is a draft again until a CAO supervisor publishes it.")
                    if was_published
                    else _("Article saved."),
                )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            return redirect("knowledge-article", pk=saved.pk)
    return render(
        request,
        "contactcenter/knowledge_edit.html",
        {"form": form, "article": found},
        status=400 if form.errors else 200,
    )


@roles_required(*PUBLISHERS)
@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = _article_or_404(request, pk)
    act = {"publish": services.knowledge_article_publish, "unpublish": services.knowledge_article_unpublish}.get(action)
    if act is None:
        raise Http404(action)
    try:
        act(context=AuditContext.from_request(request), article=found)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Article published.") if action == "publish" else _("Article withdrawn to draft."))
    return redirect("knowledge-article", pk=pk)
