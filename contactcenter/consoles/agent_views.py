"""The CSR and ISO console: state, the offer, the caller's context, service requests, escalation,
wrap-up. Every action is a POST that calls one service and returns to the console."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, record_list_view, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.forms import (
    AgentStateForm,
    CallerVerificationForm,
    EscalationForm,
    ReceiptLookupForm,
    ReviewForm,
    ServiceRequestForm,
    WrapUpForm,
    ZipLookupForm,
)
from contactcenter.consoles.lookup_views import lookup_forms_empty
from contactcenter.models import (
    VERIFICATION_LOCKED_MESSAGE,
    AgentStatus,
    ContactStatus,
    Language,
    StaffProfile,
    Tier,
    VerificationOutcome,
)
from contactcenter.reference.identifiers import mask_phone, mask_receipt_number
from contactcenter.routing.hours import zone_name
from contactcenter.staff.roles import Role, roles_required
from contactcenter.views import SIDE_PANEL_HEADER, side_panel

AGENTS = (Role.CSR, Role.ISO)
POLLING_STATES = {None, AgentStatus.OFFLINE, AgentStatus.AVAILABLE, AgentStatus.OFFERED, AgentStatus.NOT_READY}
# An available agent's console asks every half second, so a call offered to them rings within a
# second (issue 13: ≤ 1 s p99 from the caller's choice); every other state, every 2 s. At peak few
# agents are idle, so the fast polls are few when the server is busiest.
POLL_WAITING_FOR_CALL = "500ms"
POLL_OTHERWISE = "2s"


def _work_signature(glance: tuple[str, ...]) -> str:
    """What the polled part of the console shows, in short. The same signature twice means nothing
    on that part of the page would change."""
    return hashlib.blake2s("|".join(glance).encode(), digest_size=8).hexdigest()


def _polling_consult(state: selectors.ConsoleState, consult) -> bool:
    """On a call, the console follows a consult: the asking agent's (answered or not, the person
    leaving), and the consulted person's until the call is left to them."""
    if consult is not None and consult.status in (ContactStatus.OFFERED, ContactStatus.CONNECTED):
        return True
    contact = state.contact
    return bool(
        contact is not None
        and contact.status == ContactStatus.CONNECTED
        and contact.consult_of_id is not None
        and not contact.call_sid
    )


def _context(request: HttpRequest, *, partial: bool = False, **forms) -> dict:
    state = selectors.console_state(user=request.user)
    consult = selectors.console_consult(state)
    contact = state.contact or state.wrap_up
    receipts = selectors.contact_receipt_context(user=request.user, contact=contact) if contact else []
    contact_actions = frozenset()
    if state.contact is not None:
        contact_actions = selectors.live_contact_allowed_actions(contact=state.contact, user=request.user)
    connected = "end" in contact_actions
    # A case's date of birth, A-number and address show only once the caller on the line proved them.
    verification = selectors.caller_verification_state(contact=state.contact) if connected else None
    identity_shown = {row.receipt_number for row in receipts if verification and verification.covers(row.case)}
    if contact is not None and receipts:
        record_view(
            request,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary="Viewed the caller's cases: " + ", ".join(mask_receipt_number(r.receipt_number) for r in receipts),
            detail={"identity_shown": ", ".join(sorted(mask_receipt_number(r) for r in identity_shown))},
        )
    language = request.LANGUAGE_CODE[:2]
    local_time = None
    if contact is not None and contact.caller_time_zone:
        local_time = timezone.localtime(timezone.now(), timezone=_zone(contact.caller_time_zone))
    profile = state.profile
    is_iso = profile is not None and profile.tier == Tier.TIER2
    reviews, my_requests, recent = [], [], []
    if not partial:  # the polled part shows none of these tables: neither read nor audited per poll
        reviews = list(selectors.service_requests_awaiting_review()[:20]) if is_iso else []
        my_requests = list(selectors.service_requests_list(created_by=request.user)[:10])
        recent = list(
            selectors.interactions_visible_to(user=request.user)
            .filter(handled_by=request.user)
            .select_related("topic")[:10]
        )
    if reviews or my_requests or recent:
        record_list_view(
            request,
            target_type="contactcenter.servicerequest_list",
            label="service requests (ISO review and own) on the agent console",
            ids=[sr.pk for sr in reviews + my_requests],
            also_shown={"interaction_ids": [interaction.pk for interaction in recent]},
        )
    # Read only where the state form shows (no contact offered, on the line or to wrap up).
    reasons = selectors.not_ready_reasons() if state.contact is None and state.wrap_up is None else []
    wrap_up_ends_at = (
        selectors.after_call_work_ends_at(agent=state.agent, contact=state.wrap_up) if state.wrap_up else None
    )
    offered = "accept" in contact_actions
    consult_actions = (
        selectors.live_contact_allowed_actions(contact=consult, user=request.user) if consult else frozenset()
    )
    agent_state = state.agent.state if state.agent else AgentStatus.OFFLINE
    return {
        "state": state,
        "offer_card": _offer_card(state.contact) if offered else None,
        "consult": consult,
        "consult_actions": consult_actions,
        "consult_open": "consult_cancel" in consult_actions,
        "consult_unanswered": consult is not None and consult.disposition == "no_answer",
        "not_ready_reasons": reasons,
        "reason_label": selectors.reason_label(reasons, state.agent.reason_code, language)
        if state.agent and state.agent.reason_code
        else "",
        "wrap_up_ends_at": wrap_up_ends_at,
        "wrap_up_elapsed": _clock((timezone.now() - state.agent.state_since).total_seconds())
        if wrap_up_ends_at
        else "",
        "wrap_up_left": _clock((wrap_up_ends_at - timezone.now()).total_seconds()) if wrap_up_ends_at else "",
        "agent_state": agent_state,
        "agent_actions": selectors.agent_allowed_actions(agent=state.agent, user=request.user),
        "waiting_for_caller": agent_state == AgentStatus.AVAILABLE,
        "contact": contact,
        "connected": connected,
        "verification": verification,
        "identity_shown": identity_shown,
        "verification_locked_message": VERIFICATION_LOCKED_MESSAGE,
        "verify_form": forms.get("verify_form")
        or CallerVerificationForm(
            initial={"receipt_number": contact.receipt_numbers[0] if contact and contact.receipt_numbers else ""}
        ),
        "offered": offered,
        "escalation": selectors.escalation_for(contact=contact) if contact and contact.tier == 2 else None,
        "transfer_queues": selectors.transfer_queues(contact=state.contact) if connected else [],
        "recording_enabled": settings.CALL_RECORDING,
        "receipts": receipts,
        "local_time": local_time,
        "zone_label": zone_name(contact.caller_time_zone, language) if contact and contact.caller_time_zone else "",
        # In wrap-up too: the page follows a wrap-up closed by the after-call time limit.
        "polling": (state.agent.state if state.agent else None) in POLLING_STATES
        or state.wrap_up is not None
        or _polling_consult(state, consult),
        "signature": _work_signature(selectors.console_glance_of(state, consult)),
        # The state is in the signature: the region is drawn again (with the new pace) when it changes.
        "poll_every": POLL_WAITING_FOR_CALL
        if state.agent and state.agent.state == AgentStatus.AVAILABLE and contact is None
        else POLL_OTHERWISE,
        "is_iso": is_iso,
        "reviews": [(sr, selectors.service_request_allowed_actions(request=sr, user=request.user)) for sr in reviews],
        "my_requests": my_requests,
        "recent": recent,
        "state_form": AgentStateForm(),
        "lookup_form": ReceiptLookupForm(),
        "zip_form": ZipLookupForm(),
        "sr_form": forms.get("sr_form") or ServiceRequestForm(initial=_service_request_initial(contact)),
        "escalation_form": _with_tier2_staffing(
            forms.get("escalation_form") or EscalationForm(initial={"language": contact.language if contact else "en"}),
            show=state.contact is not None and state.contact.tier == 1,
        ),
        "wrap_form": forms.get("wrap_form")
        or WrapUpForm(
            tier=profile.tier if profile else None,
            initial=_wrap_up_initial(state.wrap_up) if state.wrap_up else None,
        ),
        "receipt_form": forms.get("receipt_form") or ReceiptLookupForm(),
        "review_form": ReviewForm(),
        "voice_device_script": _voice_device_script(),
        # The look-ups section (contactcenter/consoles/lookup_views.py); the polled part shows none.
        **({} if partial else lookup_forms_empty()),
    }


def _offer_card(contact) -> dict:
    """What the offer card shows before the agent answers: nothing a caller ID could give away in
    full (the number and receipt numbers masked; the case itself shows once the call is taken), the
    offer's end and the caller's whole wait so far (the page counts both on from these instants)."""
    now = timezone.now()
    return {
        "caller": mask_phone(contact.phone) if any(ch.isdigit() for ch in contact.phone or "") else "",
        "receipts": [mask_receipt_number(number) for number in contact.receipt_numbers or []],
        "waited_seconds": max(int((now - contact.enqueued_at).total_seconds()), 0),
        "seconds_left": max(int((contact.offer_expires_at - now).total_seconds()), 0)
        if contact.offer_expires_at
        else None,
        "now": now,
    }


# The service request a caller's topic asks for, proposed in the form taken during their call.
TOPIC_REQUEST_KINDS = {
    "address-change": "address_change",
    "non-delivery": "notice_not_received",
    "outside-processing-time": "outside_normal",
    "accommodation": "accommodation",
    "typographic-error": "typographic_error",
    "expedite": "expedite",
    "emergency-appointment": "emergency_appointment",
}


def _service_request_initial(contact) -> dict:
    """The service-request form prefilled from the call: the caller's first receipt number, their
    number for the reply, and the request their topic (the IVR's or the queue's skill) asks for."""
    if contact is None:
        return {}
    topic = contact.interaction.topic.code if contact.interaction_id and contact.interaction else ""
    initial = {
        "receipt_number": contact.receipt_numbers[0] if contact.receipt_numbers else "",
        "contact_phone": contact.phone if any(ch.isdigit() for ch in contact.phone or "") else "",
    }
    kind = TOPIC_REQUEST_KINDS.get(contact.skill or "") or TOPIC_REQUEST_KINDS.get(topic)
    if kind:
        initial["kind"] = kind
    return initial


def _with_tier2_staffing(form: EscalationForm, *, show: bool) -> EscalationForm:
    """Next to the language choice, how many signed-in Tier 2 officers speak each language (their own
    queue's, or another's they take on overflow): a language with none waits for one to sign in."""
    if show:
        signed_in = selectors.tier2_officers_signed_in()
        counts = ", ".join(f"{Language(code).label}: {count}" for code, count in signed_in.items())
        form.fields["language"].help_text = _(
            "Tier 2 officers signed in now who speak each language: %(counts)s. With none for the caller's "
            "language, the caller waits until an officer who speaks it signs in."
        ) % {"counts": counts}
        form.tier2_signed_in = signed_in
        form._bound_fields_cache.pop("language", None)  # a bound field keeps the help text it was made with
    return form


def _clock(seconds: float) -> str:
    """mm:ss (h:mm:ss past the hour), as static/js/wrap-up-timer.js counts on from it."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours}:{text}" if hours else text


def _wrap_up_initial(contact) -> dict:
    """The wrap-up form proposes what the conversation shows happened and the IVR's topic."""
    return {
        "disposition": selectors.wrap_up_disposition_default(contact),
        "topic": contact.wrap_up_topic or (contact.interaction.topic.code if contact.interaction_id else ""),
    }


def _agent_tier(user) -> str | None:
    return StaffProfile.objects.filter(user=user).values_list("tier", flat=True).first()


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@roles_required(*AGENTS)
def console(request: HttpRequest) -> HttpResponse:
    lookup = ReceiptLookupForm(request.GET or None)
    if lookup.is_valid():
        return redirect("case-history", receipt_number=lookup.cleaned_data["receipt_number"])
    context = _context(request)
    if lookup.is_bound:
        context["lookup_form"] = lookup  # shows what was typed and why it is not a receipt number
    return render(request, "contactcenter/console.html", context)


def _voice_device_script() -> str:
    from contactcenter.telephony.softphone import voice_device_script

    return voice_device_script()


@roles_required(*AGENTS)
def console_work(request: HttpRequest) -> HttpResponse:
    """The part of the console that changes on its own (an offer arriving or lapsing), for htmx.
    When the page already shows what would be rendered (`seen`, its signature) the answer is 204 and
    htmx leaves the page alone: a standing offer keeps the keyboard focus on Accept and its live
    region is not announced again every poll."""
    seen = request.GET.get("seen")
    if seen and seen == _work_signature(selectors.console_glance(user=request.user)):
        return HttpResponse(status=204)
    return render(request, "contactcenter/_console_work.html", _context(request, partial=True))


def _act(request: HttpRequest, action, success: str) -> HttpResponse:
    try:
        action(AuditContext.from_request(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("agent-console")


@roles_required(*AGENTS)
@require_POST
def state_set(request: HttpRequest) -> HttpResponse:
    form = AgentStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose available, not ready (with a reason), on break or offline."))
        return redirect("agent-console")
    state, reason_code = form.cleaned_data["state"], form.cleaned_data["reason_code"]
    if state not in (AgentStatus.NOT_READY, AgentStatus.BREAK):
        reason_code = ""
    label = AgentStatus(state).label
    if reason_code:
        reasons = selectors.not_ready_reasons()
        label = f"{label}: {selectors.reason_label(reasons, reason_code, request.LANGUAGE_CODE)}"
    return _act(
        request,
        lambda context: services.agent_state_set(
            context=context, user=request.user, state=state, reason_code=reason_code
        ),
        _("Your status is now: %(state)s.") % {"state": label},
    )


@roles_required(*AGENTS)
@require_POST
def wrap_up_extend(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        lambda context: services.wrap_up_extend(context=context, user=request.user),
        _("Your after-call time is extended once."),
    )


@roles_required(*AGENTS)
@require_POST
def device_problem(request: HttpRequest) -> JsonResponse:
    """The console's softphone reports that it failed or lost its registration (static/js/softphone.js):
    an agent who could be offered a call becomes not ready, with that reason."""
    # The browser's words for what failed (an SDK error code), kept to plain characters for the log.
    detail = re.sub(r"[^\w .:-]", "", request.POST.get("detail", ""))[:80].strip()
    try:
        agent = services.agent_device_problem(
            context=AuditContext.from_request(request), user=request.user, detail=detail
        )
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=409)
    return JsonResponse({"state": agent.state, "reason": services.DEVICE_PROBLEM_REASON})


@roles_required(*AGENTS)
@require_POST
def offer_accept(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _act(
        request,
        lambda context: services.contact_answer(context=context, user=request.user, contact_id=contact_id),
        _("Connected. The caller's context is below."),
    )


@roles_required(*AGENTS)
@require_POST
def offer_decline(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _act(
        request,
        lambda context: services.offer_decline(context=context, user=request.user, contact_id=contact_id),
        _("Offer declined: the caller keeps their place. You are not ready until you choose available."),
    )


@roles_required(*AGENTS)
@require_POST
def contact_end(request: HttpRequest, contact_id: int) -> HttpResponse:
    reached = request.POST.get("reached", "yes") != "no"
    return _act(
        request,
        lambda context: services.contact_end(
            context=context, user=request.user, contact_id=contact_id, reached=reached
        ),
        _("Conversation ended. Wrap up below."),
    )


@roles_required(*AGENTS)
@require_POST
def contact_hold(request: HttpRequest, contact_id: int) -> HttpResponse:
    hold = request.POST.get("hold") == "on"
    return _act(
        request,
        lambda context: services.contact_hold(context=context, user=request.user, contact_id=contact_id, hold=hold),
        _("The caller is on hold and hears music.") if hold else _("The caller is back on the line with you."),
    )


@roles_required(*AGENTS)
@require_POST
def contact_transfer(request: HttpRequest, contact_id: int) -> HttpResponse:
    queue_name = request.POST.get("queue_name", "")[:40]
    return _act(
        request,
        lambda context: services.contact_transfer(
            context=context, user=request.user, contact_id=contact_id, queue_name=queue_name
        ),
        _("The caller is transferred to %(queue)s. Wrap up below.") % {"queue": queue_name},
    )


@roles_required(*AGENTS)
@require_POST
def contact_consult(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Consult an ISO, or ask for a supervisor: the caller goes on hold while the person is rung."""
    purpose = request.POST.get("purpose", "")[:12]
    return _act(
        request,
        lambda context: services.contact_consult_start(
            context=context, user=request.user, contact_id=contact_id, purpose=purpose
        ),
        _("The caller is on hold. We are ringing a supervisor for you.")
        if purpose == "supervisor"
        else _("The caller is on hold. We are ringing an ISO for you."),
    )


CONSULT_STEPS = {
    "join": (services.contact_consult_join, gettext_lazy("The caller has joined: the three of you are on the call.")),
    "complete": (
        services.contact_consult_complete,
        gettext_lazy("You left the call to the person you asked. Wrap up below."),
    ),
    "cancel": (
        services.contact_consult_cancel,
        gettext_lazy("Consult cancelled: the caller is back on the line with you."),
    ),
}


@roles_required(*AGENTS)
@require_POST
def contact_consult_step(request: HttpRequest, contact_id: int, step: str) -> HttpResponse:
    """Join the caller to the consult, leave the call to the consulted person, or cancel the consult."""
    if step not in CONSULT_STEPS:
        raise Http404
    service, success = CONSULT_STEPS[step]
    return _act(
        request,
        lambda context: service(context=context, user=request.user, contact_id=contact_id),
        str(success),
    )


@roles_required(*AGENTS)
@require_POST
def contact_mute(request: HttpRequest, contact_id: int) -> HttpResponse:
    mute = request.POST.get("mute") == "on"
    return _act(
        request,
        lambda context: services.contact_mute(context=context, user=request.user, contact_id=contact_id, mute=mute),
        _("You are muted: the caller cannot hear you.") if mute else _("You are no longer muted."),
    )


@roles_required(*AGENTS)
@require_GET
def caller_timeline(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Everything from the caller of one of the agent's contacts (by their phone number), on every
    channel: the console's side panel asks for it (static/js/side-panel.js)."""
    contact = selectors.contact_of_agent(user=request.user, contact_id=contact_id)
    if contact is None:
        raise Http404
    timeline = selectors.contact_timeline(user=request.user, phone=contact.phone)
    interactions = [entry.interaction for entry in timeline if entry.interaction is not None]
    recordings = selectors.recordings_by_interaction(user=request.user, interaction_ids=[i.pk for i in interactions])
    for interaction in interactions:
        interaction.call_recordings = recordings.get(interaction.pk, [])
    record_view(
        request,
        target_type="contactcenter.waitingcontact",
        target_id=contact.pk,
        summary=f"Viewed the timeline of caller {mask_phone(contact.phone)}",
        detail={"contacts_shown": len(interactions), "timeline_entries_shown": len(timeline)},
    )
    template = (
        "contactcenter/_caller_timeline_panel.html" if side_panel(request) else "contactcenter/caller_timeline.html"
    )
    response = render(request, template, {"contact": contact, "timeline": timeline})
    patch_vary_headers(response, [SIDE_PANEL_HEADER])
    return response


@roles_required(*AGENTS)
@require_POST
def contact_recording(request: HttpRequest, contact_id: int) -> HttpResponse:
    paused = request.POST.get("paused") == "on"
    return _act(
        request,
        lambda context: services.contact_recording_pause(
            context=context, user=request.user, contact_id=contact_id, paused=paused
        ),
        _("Recording paused: the caller's sensitive data is not recorded. Resume it when they are done.")
        if paused
        else _("Recording resumed."),
    )


@roles_required(*AGENTS)
@require_POST
def contact_receipt(request: HttpRequest, contact_id: int) -> HttpResponse:
    """A receipt number the caller gives: refused next to the field, with what was typed kept."""
    return _field_form_action(
        request,
        form=ReceiptLookupForm(request.POST),
        field="receipt_number",
        act=lambda context, data: services.contact_receipt_add(
            context=context, user=request.user, contact_id=contact_id, receipt_number=data["receipt_number"]
        ),
        success=_("Receipt number added to the contact."),
        page=lambda form: _context(request, receipt_form=form),
    )


@roles_required(*AGENTS)
@require_POST
def contact_verify(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The caller's answers to the verification questions, checked by the service. A failed or
    locked try comes back on the console next to the form, with how many tries are left."""
    form = CallerVerificationForm(request.POST)
    if form.is_valid():
        try:
            verification = services.caller_verify(
                context=AuditContext.from_request(request),
                user=request.user,
                contact_id=contact_id,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            if error.field not in form.fields:
                messages.error(request, error.message)
                return redirect("agent-console")
            form_refuse(form, error)
        else:
            if verification.outcome == VerificationOutcome.PASSED:
                messages.success(
                    request,
                    _("Caller verified for %(receipt)s: the case's date of birth, A-number and address are shown.")
                    % {"receipt": verification.receipt_number},
                )
                return redirect("agent-console")
            by_contact, by_receipt = selectors.caller_verification_failures(
                receipt_number=verification.receipt_number, contact=verification.contact
            )
            left = min(
                settings.CALLER_VERIFICATION_FAILURES_PER_CONTACT - by_contact,
                settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT - by_receipt,
            )
            if verification.outcome == VerificationOutcome.LOCKED or left <= 0:
                form.add_error(None, str(VERIFICATION_LOCKED_MESSAGE))
            else:
                form.add_error(
                    None,
                    ngettext(
                        "The answers do not match the case on file: the caller is not verified. %(count)d try left.",
                        "The answers do not match the case on file: the caller is not verified. %(count)d tries left.",
                        left,
                    )
                    % {"count": left},
                )
    return render(request, "contactcenter/console.html", _context(request, verify_form=form), status=400)


def _field_form_action(request: HttpRequest, *, form, field: str, act, success: str, page) -> HttpResponse:
    """A console form about one field: the service's refusal of that field comes back next to it, with
    what was typed; a refusal about anything else (the call or request moved on) is a message on the
    console."""
    if form.is_valid():
        try:
            act(AuditContext.from_request(request), form.cleaned_data)
        except ApplicationError as error:
            if error.field != field:
                messages.error(request, error.message)
                return redirect("agent-console")
            form_refuse(form, error)
        else:
            messages.success(request, success)
            return redirect("agent-console")
    return render(request, "contactcenter/console.html", page(form), status=400)


@roles_required(*AGENTS)
@require_http_methods(["GET", "POST"])
def service_request(request: HttpRequest) -> HttpResponse:
    """Within a call (from the console) or without one (written or callback follow-up)."""
    if request.method == "GET":
        # During a call the form is the call's, prefilled from it; the console opens it in its side panel.
        state = selectors.console_state(user=request.user)
        on_call = state.contact
        if on_call is not None and "take_service_request" not in selectors.live_contact_allowed_actions(
            contact=on_call, user=request.user
        ):
            on_call = None
        template = (
            "contactcenter/_service_request_panel.html" if side_panel(request) else "contactcenter/service_request.html"
        )
        context = {
            "sr_form": ServiceRequestForm(initial=_service_request_initial(on_call)),
            "connected": on_call is not None,
            "contact": on_call,
        }
        response = render(request, template, context)
        patch_vary_headers(response, [SIDE_PANEL_HEADER])
        return response
    form = ServiceRequestForm(request.POST)
    contact_id = request.POST.get("contact_id")
    if form.is_valid():
        earlier = selectors.service_request_submitted(
            user=request.user, submission_token=form.cleaned_data.get("submission_token")
        )
        if earlier is not None:
            # The same form posted again (a double click, Back then Send): one request, told once.
            messages.info(request, _("%(reference)s was already taken.") % {"reference": earlier.reference})
            return redirect("agent-console")
        try:
            created = services.service_request_create(
                context=AuditContext.from_request(request),
                user=request.user,
                contact_id=int(contact_id) if contact_id and contact_id.isdigit() else None,
                language=request.POST.get("language", "en")[:2],
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s taken: %(kind)s, routed to %(office)s, due %(due)s.")
                % {
                    "reference": created.reference,
                    "kind": created.get_kind_display(),
                    "office": created.office.name,
                    "due": created.due_on.isoformat(),
                },
            )
            if created.contact_phone or created.contact_email:
                messages.info(
                    request,
                    _("Read the caller the reference number %(reference)s: it is also sent to the contact they gave.")
                    % {"reference": created.reference},
                )
            return redirect("agent-console")
    if not contact_id:
        return render(request, "contactcenter/service_request.html", {"sr_form": form}, status=400)
    return render(request, "contactcenter/console.html", _context(request, sr_form=form), status=400)


def _contact_form_action(request: HttpRequest, *, contact_id: int, form, form_key: str, service, success: str):
    """Validate a console form, hand its data to one contact service, and come back to the console
    (with the form, its data and the refusal when the service says no)."""
    if form.is_valid():
        try:
            service(
                context=AuditContext.from_request(request),
                user=request.user,
                contact_id=contact_id,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, success)
            return redirect("agent-console")
    return render(request, "contactcenter/console.html", _context(request, **{form_key: form}), status=400)


@roles_required(*AGENTS)
@require_POST
def contact_escalate(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _contact_form_action(
        request,
        contact_id=contact_id,
        form=EscalationForm(request.POST),
        form_key="escalation_form",
        service=services.contact_escalate,
        success=_("Escalated to Tier 2: the caller waits on the line for an officer."),
    )


@roles_required(*AGENTS)
@require_POST
def contact_wrap_up(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _contact_form_action(
        request,
        contact_id=contact_id,
        form=WrapUpForm(request.POST, tier=_agent_tier(request.user)),
        form_key="wrap_form",
        service=services.contact_wrap_up,
        success=_("Wrap-up saved."),
    )


@roles_required(Role.ISO)
@require_POST
def service_request_review(request: HttpRequest, request_id: int) -> HttpResponse:
    """A refused decision comes back next to the reason's field of that request, with what was typed."""

    def page(form) -> dict:
        context = _context(request)
        context.update(review_form=form, review_refused=request_id)
        return context

    return _field_form_action(
        request,
        form=ReviewForm(request.POST),
        field="note",
        act=lambda context, data: services.service_request_review(
            context=context,
            user=request.user,
            request_id=request_id,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
        success=_("Decision recorded."),
        page=page,
    )


@roles_required(Role.CSR, Role.ISO, Role.SUPERVISOR)
def lookup_zip(request: HttpRequest) -> HttpResponse:
    """Nearest field offices and civil surgeons to a ZIP code: the IVR's self-service, for agents."""
    form = ZipLookupForm(request.GET or None)
    offices = surgeons = None
    if form.is_valid():
        zip_code = form.cleaned_data["zip_code"]
        offices = selectors.offices_nearest(zip_code=zip_code, limit=3)
        surgeons = selectors.civil_surgeons_nearest(zip_code=zip_code, limit=5)
    return render(
        request,
        "contactcenter/lookup_zip.html",
        {"form": form, "offices": offices, "surgeons": surgeons},
        status=400 if request.GET and not form.is_valid() else 200,
    )
