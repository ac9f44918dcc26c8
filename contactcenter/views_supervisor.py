"""Supervisors' own settings pages: queue hours, thresholds, after-call time and overflow, and the
reasons agents give for not being ready."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .audit import AuditContext
from .errors import ApplicationError
from .forms import AgentLineForm, NotReadyReasonForm, QueueSettingsForm
from .roles import Role, roles_required
from .services import QUEUE_EDITABLE
from .views_console import _form_refusal


@roles_required(Role.SUPERVISOR)
def queue_list(request: HttpRequest) -> HttpResponse:
    return render(request, "contactcenter/supervisor_queues.html", {"queues": selectors.queue_configs_list()})


@roles_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def queue_edit(request: HttpRequest, name: str) -> HttpResponse:
    config = selectors.queue_config_get(name=name)
    if config is None:
        raise Http404(name)
    others = [queue.name for queue in selectors.queue_configs_list() if queue.name != name]
    if request.method == "GET":
        form = QueueSettingsForm(
            initial={field: getattr(config, field) for field in QUEUE_EDITABLE}, queue_names=others
        )
        return render(request, "contactcenter/supervisor_queue_edit.html", {"config": config, "form": form})
    form = QueueSettingsForm(request.POST, queue_names=others)
    if form.is_valid():
        try:
            services.queue_config_update(
                context=AuditContext.from_request(request),
                name=name,
                **{f: form.cleaned_data[f] for f in QUEUE_EDITABLE},
            )
        except ApplicationError as error:
            _form_refusal(form, error)
        else:
            messages.success(request, _("The settings of queue %(name)s are saved.") % {"name": name})
            return redirect("supervisor-queues")
    return render(request, "contactcenter/supervisor_queue_edit.html", {"config": config, "form": form}, status=400)


@roles_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def not_ready_reasons(request: HttpRequest) -> HttpResponse:
    form = NotReadyReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.not_ready_reason_save(context=AuditContext.from_request(request), **form.cleaned_data)
        except ApplicationError as error:
            _form_refusal(form, error)
        else:
            messages.success(request, _("Reason %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect("supervisor-reasons")
    return render(
        request,
        "contactcenter/supervisor_reasons.html",
        {"reasons": selectors.not_ready_reasons(active_only=False), "form": form},
        status=400 if form.is_bound else 200,
    )


@roles_required(Role.SUPERVISOR, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def agent_lines(request: HttpRequest) -> HttpResponse:
    """Where each agent's calls ring: the browser, or a desk phone or SIP line the accept dials."""
    agents = list(selectors.staff_agent_lines())
    form = AgentLineForm(request.POST or None, agents=agents)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.staff_agent_line_set(
                context=AuditContext.from_request(request),
                user_id=form.cleaned_data["agent"],
                line=form.cleaned_data["line"],
            )
        except ApplicationError as error:
            _form_refusal(form, error)
        else:
            messages.success(
                request, _("Where %(agent)s answers calls is saved.") % {"agent": profile.user.get_username()}
            )
            return redirect("supervisor-agent-lines")
    return render(
        request,
        "contactcenter/supervisor_agent_lines.html",
        {"agents": agents, "form": form},
        status=400 if form.is_bound else 200,
    )
