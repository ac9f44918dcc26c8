"""The service center / field office's pages: the queue of service requests routed to the user's
offices, and a request's page where its steps are taken (one service call per button)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, record_list_view, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.office_forms import (
    AskForm,
    NoteForm,
    OfficeQueueFilterForm,
    ReplyForm,
    RerouteForm,
    ResolveForm,
)
from contactcenter.staff.roles import Role, roles_required

OFFICE = (Role.OFFICE_STAFF,)


@roles_required(*OFFICE)
def office_queue(request: HttpRequest) -> HttpResponse:
    form = OfficeQueueFilterForm(request.GET or None)
    # A refused filter is shown next to its control; the others still apply.
    refused = form.is_bound and not form.is_valid()
    filters = form.cleaned_data if form.is_bound else {}
    today = timezone.localdate()
    soon_limit = selectors.service_request_due_soon_limit(today=today)
    queue = list(
        selectors.service_request_queue(
            user=request.user,
            kind=filters.get("kind") or None,
            status=filters.get("status") or None,
            due=filters.get("due") or None,
            due_before=filters.get("due_before"),
            mine=bool(filters.get("mine")),
            today=today,
        )[:200]
    )
    rows = [(sr, selectors.service_request_due_state(request=sr, today=today, soon_limit=soon_limit)) for sr in queue]
    record_list_view(
        request,
        target_type="contactcenter.servicerequest_list",
        label="service requests in the office queue",
        ids=[sr.pk for sr in queue],
    )
    return render(
        request,
        "contactcenter/office_queue.html",
        {"form": form, "rows": rows, "has_office": bool(selectors.office_ids_for(user=request.user))},
        status=400 if refused else 200,
    )


def _request_or_404(request: HttpRequest, request_id: int):
    found = selectors.service_request_for_office(user=request.user, request_id=request_id)
    if found is None:
        raise Http404
    return found


# The request page's form for each action, by its name in the page's context.
ACTION_FORMS = {
    "claim": None,
    "note": ("note_form", NoteForm),
    "ask": ("ask_form", AskForm),
    "record_reply": ("reply_form", ReplyForm),
    "resolve": ("resolve_form", ResolveForm),
    "reroute": ("reroute_form", RerouteForm),
}


def _page(request: HttpRequest, sr, *, action: str = "", form=None, status: int = 200) -> HttpResponse:
    record_view(
        request,
        target_type="contactcenter.servicerequest",
        target_id=sr.pk,
        summary=f"Viewed service request {sr.reference}",
    )
    offices = selectors.reroute_offices(exclude_id=sr.office_id)
    page = {
        "sr": sr,
        "due": selectors.service_request_due_state(request=sr),
        "events": selectors.service_request_events(request=sr),
        "actions": selectors.service_request_allowed_actions(request=sr, user=request.user),
        "note_form": NoteForm(),
        "ask_form": AskForm(),
        "reply_form": ReplyForm(),
        "resolve_form": ResolveForm(),
        "reroute_form": RerouteForm(offices=offices),
    }
    if form is not None and ACTION_FORMS.get(action):
        page[ACTION_FORMS[action][0]] = form
    return render(request, "contactcenter/office_request.html", page, status=status)


@roles_required(*OFFICE)
def office_request(request: HttpRequest, request_id: int) -> HttpResponse:
    return _page(request, _request_or_404(request, request_id))


@roles_required(*OFFICE)
@require_POST
def office_request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    sr = _request_or_404(request, request_id)
    if action not in ACTION_FORMS:
        raise Http404
    form = None
    if ACTION_FORMS[action]:
        form_class = ACTION_FORMS[action][1]
        kwargs = {"offices": selectors.reroute_offices(exclude_id=sr.office_id)} if action == "reroute" else {}
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            return _page(request, sr, action=action, form=form, status=400)
    data = form.cleaned_data if form is not None else {}
    common = {"context": AuditContext.from_request(request), "user": request.user, "request_id": sr.pk}
    try:
        if action == "claim":
            services.service_request_claim(**common)
        elif action == "note":
            services.service_request_note_add(**common, text=data["text"])
        elif action == "ask":
            services.service_request_ask(**common, question=data["question"])
        elif action == "record_reply":
            services.service_request_reply_record(**common, reply=data["reply"])
        elif action == "resolve":
            services.service_request_resolve(**common, resolution=data["resolution"])
        elif action == "reroute":
            services.service_request_reroute(**common, office_code=data["office_code"], reason=data["reason"])
    except ApplicationError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("office-request", request_id=sr.pk)
        form_refuse(form, error)
        return _page(request, _request_or_404(request, request_id), action=action, form=form, status=400)
    messages.success(request, _("Saved."))
    if action == "reroute":  # no longer this office's: back to the queue
        return redirect("office-queue")
    return redirect("office-request", request_id=sr.pk)
