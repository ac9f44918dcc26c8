"""Supervisors' own pages: queue hours, thresholds, after-call time and overflow, the reasons agents
give for not being ready, listening to call recordings, and the customer feedback survey's results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.forms import (
    AgentLineForm,
    ClosureForm,
    NotReadyReasonForm,
    QueueSettingsForm,
    SurveyReportForm,
)
from contactcenter.services import CLOSURE_FIELDS, QUEUE_EDITABLE
from contactcenter.staff.roles import RECORDING_LISTENER_ROLES, Role, roles_required
from contactcenter.telephony import gateway as telephony


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
            form_refuse(form, error)
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
            form_refuse(form, error)
        else:
            messages.success(request, _("Reason %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect("supervisor-reasons")
    return render(
        request,
        "contactcenter/supervisor_reasons.html",
        {"reasons": selectors.not_ready_reasons(active_only=False), "form": form},
        status=400 if form.is_bound else 200,
    )


@roles_required(Role.SUPERVISOR)
def closure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "contactcenter/supervisor_closures.html", {"closures": selectors.closures_list()})


@roles_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def closure_edit(request: HttpRequest, closure_id: int | None = None) -> HttpResponse:
    """Enter a closure (no id) or change one."""
    closure = None
    if closure_id is not None:
        closure = selectors.closure_get(closure_id=closure_id)
        if closure is None:
            raise Http404(closure_id)
    queue_names = [queue.name for queue in selectors.queue_configs_list()]
    if request.method == "GET":
        initial = {field: getattr(closure, field) for field in CLOSURE_FIELDS} if closure else {}
        form = ClosureForm(initial=initial, queue_names=queue_names)
        return render(request, "contactcenter/supervisor_closure_edit.html", {"closure": closure, "form": form})
    form = ClosureForm(request.POST, queue_names=queue_names)
    if form.is_valid():
        try:
            services.closure_save(
                context=AuditContext.from_request(request),
                closure_id=closure_id,
                **{field: form.cleaned_data[field] for field in CLOSURE_FIELDS},
            )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, _("The closure is saved. Callers hear it within a minute."))
            return redirect("supervisor-closures")
    return render(request, "contactcenter/supervisor_closure_edit.html", {"closure": closure, "form": form}, status=400)


@roles_required(Role.SUPERVISOR)
@require_POST
def closure_delete(request: HttpRequest, closure_id: int) -> HttpResponse:
    try:
        services.closure_delete(context=AuditContext.from_request(request), closure_id=closure_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The closure is removed: the queues keep their usual hours."))
    return redirect("supervisor-closures")


def _recording_or_404(request: HttpRequest, recording_id: int):
    recording = selectors.recording_get(user=request.user, recording_id=recording_id)
    if recording is None:
        raise Http404(recording_id)
    return recording


@roles_required(*RECORDING_LISTENER_ROLES)
def recording_listen(request: HttpRequest, recording_id: int) -> HttpResponse:
    """A page to listen to one call's recording: the audio comes through our server (below), never
    from a phone network URL."""
    recording = _recording_or_404(request, recording_id)
    record_view(
        request,
        target_type="contactcenter.callrecording",
        target_id=recording.pk,
        summary=f"Viewed recording of contact {recording.contact_id}",
    )
    return render(request, "contactcenter/supervisor_recording.html", {"recording": recording})


@roles_required(*RECORDING_LISTENER_ROLES)
def recording_media(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The recording's audio, fetched from the phone network with the account's credentials and
    streamed on; with TELEPHONY_BACKEND=local, a silent WAV as long as the recording."""
    recording = _recording_or_404(request, recording_id)
    try:
        media = telephony.gateway(recording.backend or None).recording_media(recording=recording)
    except telephony.TelephonyError as error:
        telephony.logger.warning("recording %s could not be fetched: %s", recording.pk, error)
        return HttpResponse(
            _("The recording could not be fetched from the phone network. Try again in a minute."),
            status=502,
            content_type="text/plain; charset=utf-8",
        )
    if request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):  # not every seek of the player
        record_view(
            request,
            target_type="contactcenter.callrecording",
            target_id=recording.pk,
            summary=f"Played recording of contact {recording.contact_id}",
        )
    response = StreamingHttpResponse(media.chunks, content_type=media.content_type)
    if media.length is not None:
        response["Content-Length"] = str(media.length)
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response


# --- the wallboard's live monitor: listen, whisper, barge, leave; force-state ------------------------
MONITOR_ACTIONS = {
    "listen": services.monitor_listen,
    "whisper": services.monitor_whisper,
    "barge": services.monitor_barge,
}


def _wallboard_answer(request: HttpRequest, *, message: str, error: bool) -> HttpResponse:
    """The answer to a wallboard action: sent in place (htmx), the live part redrawn with the message
    in the page's status region (the supervisor's phone stays on the call); else back to the page."""
    if not request.htmx:
        (messages.error if error else messages.success)(request, message)
        return redirect("wallboard")
    from contactcenter.views import _wallboard_context

    context = {**_wallboard_context(request.user), "feedback": message, "feedback_error": error}
    return render(request, "contactcenter/_wallboard_live.html", context)


@roles_required(Role.SUPERVISOR)
@require_POST
def monitor(request: HttpRequest, contact_id: int) -> HttpResponse:
    mode = request.POST.get("mode", "")
    context = AuditContext.from_request(request)
    try:
        if mode == "leave":
            session = services.monitor_leave(context=context, user=request.user, contact_id=contact_id)
            message = _("You left the call.") if session else _("You are not in this call.")
        elif mode in MONITOR_ACTIONS:
            MONITOR_ACTIONS[mode](context=context, user=request.user, contact_id=contact_id)
            message = {
                "listen": _("You are listening: no one hears you."),
                "whisper": _("You are whispering: only the agent hears you."),
                "barge": _("You have barged in: the caller and the agent hear you."),
            }[mode]
        else:
            return _wallboard_answer(request, message=_("Choose listen, whisper, barge or leave."), error=True)
    except ApplicationError as refusal:
        return _wallboard_answer(request, message=refusal.message, error=True)
    return _wallboard_answer(request, message=message, error=False)


class ForceStateForm(forms.Form):
    agent = forms.IntegerField(min_value=1)
    state = forms.ChoiceField(choices=[(state, state) for state in services.FORCEABLE_STATES])
    reason_code = forms.SlugField(max_length=30, required=False)
    reason = forms.CharField(max_length=160)


@roles_required(Role.SUPERVISOR)
@require_POST
def agent_state_force(request: HttpRequest) -> HttpResponse:
    form = ForceStateForm(request.POST)
    if not form.is_valid():
        return _wallboard_answer(
            request, message=_("Choose the agent and the state, and say why (a reason is required)."), error=True
        )
    data = form.cleaned_data
    try:
        agent = services.agent_state_force(
            context=AuditContext.from_request(request),
            user=request.user,
            agent_id=data["agent"],
            state=data["state"],
            reason_code=data["reason_code"],
            reason=data["reason"],
        )
    except ApplicationError as refusal:
        return _wallboard_answer(request, message=refusal.message, error=True)
    name = agent.user.get_full_name() or agent.user.get_username()
    return _wallboard_answer(
        request,
        message=_("%(name)s is now: %(state)s.") % {"name": name, "state": agent.get_state_display()},
        error=False,
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
            form_refuse(form, error)
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


@roles_required(Role.SUPERVISOR)
def survey_report(request: HttpRequest) -> HttpResponse:
    """Customer feedback (OMB Circular A-11 §280): answers, mean scores and % agreeing by channel,
    queue, language and topic over a period. Aggregates only: no one's receipt number or phone."""
    form = SurveyReportForm.for_params(request.GET)
    figures = {}
    if form.is_valid():
        figures = selectors.survey_figures(
            start=form.cleaned_data["start"], end=form.cleaned_data["end"], language=get_language() or "en"
        )
    sections = [
        ("channel", _("By channel")),
        ("queue", _("By queue")),
        ("language", _("By language")),
        ("topic", _("By topic")),
    ]
    return render(
        request,
        "contactcenter/survey_report.html",
        {
            "form": form,
            "refused": not form.is_valid(),
            "overall": (figures.get("all") or [None])[0],
            "sections": [(key, title, figures.get(key, [])) for key, title in sections],
        },
        status=400 if not form.is_valid() else 200,
    )
