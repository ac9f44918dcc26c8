from __future__ import annotations

import functools
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactcenter import selectors as core_selectors
from contactcenter.audit.context import AuditContext, client_ip, record_list_view, record_view
from contactcenter.common import ratelimit
from contactcenter.common.errors import ApplicationError
from contactcenter.common.exports import csv_response
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.forms import ReceiptLookupForm
from contactcenter.consoles.knowledge_forms import KnowledgeSearchForm
from contactcenter.models import ArticleKind, AuditAction, Language
from contactcenter.reference.identifiers import mask_receipt_number
from contactcenter.staff.roles import CASEWORK_ROLES, Role, public, roles_required, user_roles

from . import letters, selectors, services, staging
from .auditing import record_sensitive_views
from .forms import (
    AssignForm,
    DraftForm,
    HoldForm,
    InquiryStaffForm,
    InsertAnswerForm,
    LetterDayForm,
    NoteForm,
    PublicInquiryForm,
    QueueFilterForm,
    ReasonForm,
    ReportForm,
    ResponseEditForm,
    ReviewForm,
    SensitiveForm,
    StatusCheckForm,
    TelephoneForm,
    TelephoneInquiryForm,
    TriageForm,
    TripOpenForm,
    TripUpdateForm,
    submission_key,
)
from .models import InquiryChannel, Response, ResponseKind, ResponseStatus, Source, TripStatus

CAO = tuple(CASEWORK_ROLES)
CAO_AND_TSA = (*CASEWORK_ROLES, Role.TSA_LIAISON)


def _context(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


# --- public web form -----------------------------------------------------------------------------
def _rate_key(request: HttpRequest) -> str:
    return f"casework-form:{client_ip(request) or '-'}"


def _rate_limited(request: HttpRequest) -> bool:
    """Only inquiries actually sent count against the hour: a try the form refused costs nothing."""
    return ratelimit.count(_rate_key(request)) >= settings.CASEWORK_FORM_PER_HOUR


def _rate_count_sent(request: HttpRequest) -> None:
    ratelimit.hit(_rate_key(request), window_seconds=3600)


KEPT_FILES_FIELD = "keep_attachment"
# Set in the session when the public form is shown: only a visitor who opened the form (and so has a
# session cookie) gets files kept on disk after a refused try, not every cookie-less post.
PUBLIC_FORM_SHOWN = "casework_form_shown"


def _staged_quota_key(request: HttpRequest) -> str:
    return f"casework-staged:{client_ip(request) or '-'}"


def _public_stage_quota(request: HttpRequest) -> int:
    """How many more files this visitor may have kept on disk now: none for a post with no session
    from the form, and no more than the hourly allowance of the address."""
    if not request.session.get(PUBLIC_FORM_SHOWN):
        return 0
    used = ratelimit.count(_staged_quota_key(request))
    return max(settings.CASEWORK_STAGED_FILES_PER_ADDRESS_PER_HOUR - used, 0)


def _back_with_errors(
    request: HttpRequest, template: str, context: dict, *, form_name: str, status: int, stage_quota: int | None = None
):
    """The form again, with its errors, everything typed, and its files kept for the next try (no more
    than stage_quota new ones, when given; the public form's are counted against the address)."""
    form = context["form"]
    kept_tokens = request.POST.getlist(KEPT_FILES_FIELD)
    staged = staging.keep_after_error(
        request, form=form_name, kept_tokens=kept_tokens, new=form.attachments_that_passed, max_new=stage_quota
    )
    added = len([item for item in staged if item.token not in set(kept_tokens)])
    if stage_quota is not None:
        for _n in range(added):
            ratelimit.hit(_staged_quota_key(request), window_seconds=3600)
    if added < len(form.attachments_that_passed) and len(staged) < staging.MAX_PER_FORM:
        form.add_error(None, _("Attach your files again: they could not be kept for your next try."))
    return render(request, template, {**context, "staged": staged}, status=status)


def _attachments_sent(request: HttpRequest, form, *, form_name: str) -> list:
    kept = staging.chosen(request, form=form_name, kept_tokens=request.POST.getlist(KEPT_FILES_FIELD))
    return [*kept, *form.cleaned_data["attachments"]]


def _files_sent(request: HttpRequest, *, form_name: str) -> list[tuple[str, int]]:
    """The names and sizes of the files a form sent: its uploads and the staged files it kept."""
    kept = staging.kept(request, form=form_name, kept_tokens=request.POST.getlist(KEPT_FILES_FIELD))
    return [
        *((item.filename, item.size) for item in kept),
        *((f.name, f.size) for f in request.FILES.getlist("attachments")),
    ]


@public
def write(request: HttpRequest) -> HttpResponse:
    """The public inquiry form (English and Spanish). Nothing typed or attached is lost on an error."""
    if request.method != "POST":
        staged = staging.staged_files(request, form="public")
        if not request.session.get(PUBLIC_FORM_SHOWN):
            request.session[PUBLIC_FORM_SHOWN] = True
        form = PublicInquiryForm()
        return render(request, "casework/public_form.html", {"form": form, "staged": staged})
    form = PublicInquiryForm(request.POST, request.FILES)
    if request.POST.get("website"):
        # A bot filled the hidden field: answer as if accepted, keep nothing.
        return render(request, "casework/public_done.html", {"reference": None})
    submission = submission_key(request.POST, files=_files_sent(request, form_name="public"))
    already = selectors.inquiry_by_submission_token(token=submission)
    if already is not None:
        # This very form was sent before (Back, then Send again): its confirmation, not a second inquiry.
        staging.release(request, form="public")
        request.session["casework_reference"] = already.reference
        request.session["casework_reply_by"] = already.due_on.isoformat() if already.due_on else None
        return redirect("casework:write-done")
    back = functools.partial(
        _back_with_errors,
        request,
        "casework/public_form.html",
        form_name="public",
        stage_quota=_public_stage_quota(request),
    )
    if _rate_limited(request):
        # Nothing is kept on disk for a connection that may not send: the files are refused with it.
        form.is_valid()
        form.add_error(None, _("Too many inquiries were sent from this connection. Try again in an hour."))
        staged = staging.staged_files(request, form="public")
        return render(request, "casework/public_form.html", {"form": form, "staged": staged}, status=429)
    if not form.is_valid():
        return back({"form": form}, status=400)
    data = form.cleaned_data
    body = data["message"]
    if data["receipt_number"] and data["receipt_number"] not in body:
        body = f"{body}\n\nReceipt number: {data['receipt_number']}"
    try:
        inquiry = services.inquiry_create(
            context=_context(request),
            channel=InquiryChannel.WEB_FORM,
            source=Source.PUBLIC,
            subject=data["subject"],
            body=body,
            correspondent_name=data["name"],
            correspondent_email=data["email"],
            correspondent_phone=data["phone"],
            correspondent_role=data["role"],
            language=Language.SPANISH if get_language() == "es" else Language.ENGLISH,
            attachments=_attachments_sent(request, form, form_name="public"),
            submission_token=submission,
        )
    except ApplicationError as error:
        form_refuse(form, error, names=PublicInquiryForm.service_names)
        if isinstance(error, services.AttachmentsNotStored):
            # Our storage failed, not the sender: the same form with everything typed, and no file kept
            # for the next try (the disk refuses, and a 5xx response does not save the session naming it).
            return back({"form": form}, status=503, stage_quota=0)
        return back({"form": form}, status=400)
    _rate_count_sent(request)
    staging.release(request, form="public")
    request.session["casework_reference"] = inquiry.reference
    request.session["casework_reply_by"] = inquiry.due_on.isoformat() if inquiry.due_on else None
    return redirect("casework:write-done")


@public
def write_done(request: HttpRequest) -> HttpResponse:
    """The confirmation number, shown once: on a shared computer the next person to open this page
    (or a reload) sees a neutral page, not someone else's number."""
    reference = request.session.pop("casework_reference", None)
    reply_by = request.session.pop("casework_reply_by", None)
    reply_by = date.fromisoformat(reply_by) if reference and reply_by else None
    return render(request, "casework/public_done.html", {"reference": reference, "reply_by": reply_by})


def _status_limited(request: HttpRequest, reference: str) -> bool:
    """Count this status check against the address and against the confirmation number asked about
    (someone guessing e-mail addresses for one number from many addresses): over either, refused."""
    by_address = ratelimit.hit(f"casework-status-ip:{client_ip(request) or '-'}", window_seconds=3600)
    # Keyed by the number as stored, so typing it another way (lower case, no dash) is the same number.
    number = selectors.confirmation_number(reference) or reference.upper()[:20]
    by_number = ratelimit.hit(f"casework-status-ref:{number}", window_seconds=3600)
    return (
        by_address > settings.CASEWORK_STATUS_PER_ADDRESS_PER_HOUR
        or by_number > settings.CASEWORK_STATUS_PER_REFERENCE_PER_HOUR
    )


@public
def status_check(request: HttpRequest) -> HttpResponse:
    """A correspondent's own inquiry's status, by its confirmation number and the e-mail address it was
    sent from: the status in plain words and its dates, nothing else. A wrong number and an address
    that does not match get the same answer."""
    form = StatusCheckForm(request.POST or None)
    if request.method != "POST":
        return render(request, "casework/status_check.html", {"form": form})
    if not form.is_valid():
        return render(request, "casework/status_check.html", {"form": form}, status=400)
    reference = form.cleaned_data["reference"]
    if _status_limited(request, reference):
        record_view(
            request,
            target_type="casework.inquiry_status",
            summary="Public status check refused: too many tries",
            detail={"outcome": "rate_limited"},
        )
        form.add_error(None, _("Too many status checks were made. Try again in an hour."))
        return render(request, "casework/status_check.html", {"form": form}, status=429)
    found = selectors.inquiry_public_status(reference=reference, email=form.cleaned_data["email"])
    record_view(
        request,
        target_type="casework.inquiry_status",
        target_id=selectors.inquiry_public_status_id(reference=reference) or "",
        summary=f"Public status check of {reference.upper()[:20]}: {'shown' if found else 'not found'}",
        detail={"outcome": "shown" if found else "not_found"},
    )
    return render(
        request,
        "casework/status_check.html",
        {"form": form, "found": found, "not_found": found is None},
        status=200 if found else 404,
    )


# --- queue ---------------------------------------------------------------------------------------
@roles_required(*CAO)
def console(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    # A filter with a value the form refuses is reported next to its control (status 400) and the
    # others still apply: never the whole queue looking like the results of the filters sent.
    refused = form.is_bound and not form.is_valid()
    filters = form.cleaned_data if form.is_bound else {}
    queue = selectors.inquiry_queue(
        user=request.user,
        status=filters.get("status") or None,
        source=filters.get("source") or None,
        sla=filters.get("sla") or None,
        assignee_id=request.user.pk if filters.get("mine") else None,
        unassigned=bool(filters.get("unassigned")),
        search=(filters.get("q") or "").strip() or None,
    )[:200]
    targets = selectors.sla_targets()
    rows = [(inquiry, selectors.sla_state(inquiry=inquiry, targets=targets)) for inquiry in queue]
    awaiting_review = (
        list(selectors.responses_awaiting_review()) if Role.CAO_SUPERVISOR in user_roles(request.user) else []
    )
    referrals = list(selectors.referrals_awaiting_intake(user=request.user)[:50])
    record_list_view(
        request,
        target_type="casework.inquiry_list",
        label="inquiries in the CAO queue",
        ids=[inquiry.pk for inquiry, _sla in rows],
        also_shown={
            "response_ids": [response.pk for response in awaiting_review],
            "referral_ids": [referral.pk for referral in referrals],
        },
    )
    record_sensitive_views(request, [inquiry for inquiry, _sla in rows])
    return render(
        request,
        "casework/console.html",
        {
            "form": form,
            "rows": rows,
            "assign_form": AssignForm(staff=selectors.assignable_staff()),
            "awaiting_review": awaiting_review,
            "receipt_form": ReceiptLookupForm(),
            "referrals": referrals,
            "letter_day_form": LetterDayForm(initial={"day": timezone.localdate()}),
        },
        status=400 if refused else 200,
    )


@roles_required(*CAO)
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    form = AssignForm(request.POST, staff=selectors.assignable_staff())
    ids = [int(pk) for pk in request.POST.getlist("inquiry") if pk.isdigit()]
    queue = _queue_url(request.POST.get("filters", ""))
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose inquiries and a person to assign them to."))
        return redirect(queue)
    try:
        done = services.inquiries_bulk_assign(
            context=_context(request), inquiry_ids=ids, assignee=form.cleaned_data["assignee"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        count = len(done)
        messages.success(
            request, ngettext("%(count)d inquiry assigned.", "%(count)d inquiries assigned.", count) % {"count": count}
        )
    return redirect(queue)


def _queue_url(filters: str) -> str:
    """The queue with the filters it was showing (only the filter form's own parameters)."""
    sent = QueryDict(filters)
    kept = QueryDict(mutable=True)
    for name in QueueFilterForm.base_fields:
        if sent.get(name):
            kept[name] = sent[name]
    url = reverse("casework:console")
    return f"{url}?{kept.urlencode()}" if kept else url


def _referral_initial(referral) -> dict:
    """What the ledger knows of a call referred by a CSR or ISO: the analyst completes the rest."""
    receipts = [i.value for i in referral.identifiers.all() if i.kind == "receipt"]
    lines = [referral.summary or _("No summary was left by the agent.")]
    if receipts:
        lines.append(_("Receipt numbers: %(numbers)s") % {"numbers": ", ".join(receipts)})
    return {
        "referral": referral.pk,
        "channel": "iso_referral" if referral.channel == "tier2" else "csr_referral",
        "source": Source.PUBLIC,
        "phone": referral.contact_phone,
        "language": referral.language,
        "subject": _("Referred by the contact center: %(topic)s")
        % {"topic": referral.topic.name_for((get_language() or "en")[:2])},
        "body": "\n".join(lines),
    }


@roles_required(*CAO)
def inquiry_new(request: HttpRequest) -> HttpResponse:
    referral = None
    referral_id = request.POST.get("referral") or request.GET.get("referral")
    if referral_id and referral_id.isdigit():
        referral = selectors.referral_awaiting_intake(user=request.user, interaction_id=int(referral_id))
        if referral is None:
            messages.error(request, _("That referral has already been taken up or does not exist."))
            return redirect("casework:console")
    initial = _referral_initial(referral) if referral is not None else None
    if referral is not None and request.method == "GET":  # the form opens filled with the caller's details
        record_view(
            request,
            target_type="contactcenter.interaction",
            target_id=referral.pk,
            summary=f"Opened referred contact #{referral.pk} to take it up as an inquiry",
        )
    form = InquiryStaffForm(request.POST or None, request.FILES or None, initial=initial)
    context = {"form": form, "referral": referral}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.inquiry_create(
                context=_context(request),
                channel=data["channel"],
                source=data["source"],
                priority=data["priority"],
                subject=data["subject"],
                body=data["body"],
                language=data["language"],
                correspondent_name=data["name"],
                correspondent_organisation=data["organisation"],
                correspondent_role=data["role"],
                correspondent_email=data["email"],
                correspondent_phone=data["phone"],
                correspondent_address=data["address"],
                attachments=_attachments_sent(request, form, form_name="staff"),
                referred_from_interaction_id=referral.pk if referral is not None else None,
            )
        except ApplicationError as error:
            form_refuse(form, error, names=InquiryStaffForm.service_names)
        else:
            staging.release(request, form="staff")
            messages.success(request, _("Inquiry %(reference)s recorded.") % {"reference": inquiry.reference})
            return redirect("casework:inquiry", pk=inquiry.pk)
    if form.errors:
        return _back_with_errors(request, "casework/inquiry_new.html", context, form_name="staff", status=400)
    return render(
        request, "casework/inquiry_new.html", {**context, "staged": staging.staged_files(request, form="staff")}
    )


@roles_required(*CAO)
def inquiry_telephone(request: HttpRequest) -> HttpResponse:
    """A telephone call logged as an inquiry: the intake, SLA clock and workflow of a written one."""
    form = TelephoneInquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = services.inquiry_create(
                context=_context(request),
                channel=InquiryChannel.TELEPHONE,
                source=data["source"],
                subject=form.subject(),
                body=data["asked"],
                language=data["language"],
                correspondent_name=data["name"],
                correspondent_email=data["email"],
                correspondent_phone=data["phone"],
                receipt_numbers=[data["receipt_number"]] if data["receipt_number"] else [],
                a_numbers=[data["a_number"]] if data["a_number"] else [],
            )
        except ApplicationError as error:
            form_refuse(form, error, names=TelephoneInquiryForm.service_names)
        else:
            messages.success(request, _("Telephone inquiry %(reference)s recorded.") % {"reference": inquiry.reference})
            return redirect("casework:inquiry", pk=inquiry.pk)
    return render(request, "casework/inquiry_telephone.html", {"form": form}, status=400 if form.errors else 200)


# --- one inquiry ---------------------------------------------------------------------------------
def _inquiry_or_404(request: HttpRequest, pk: int):
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    if inquiry is None:
        raise Http404
    return inquiry


@roles_required(*CAO_AND_TSA)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inquiry_page(request, _inquiry_or_404(request, pk))


# The inquiry page's form for each action, by its name in the page's context.
ACTION_FORM_NAMES = {
    "triage": "triage_form",
    "assign": "assign_form",
    "hold": "hold_form",
    "reopen": "reason_form",
    "note": "note_form",
    "draft": "draft_form",
    "telephone": "telephone_form",
    "trip": "trip_open_form",
    "sensitive": "sensitive_form",
}


def _inquiry_page(request: HttpRequest, inquiry, *, action: str = "", form=None, status: int = 200) -> HttpResponse:
    """The inquiry page; after a refused action, with that action's form as it was sent (its text
    and its errors) in place of the blank one."""
    record_view(
        request, target_type="casework.inquiry", target_id=inquiry.pk, summary=f"Viewed inquiry {inquiry.reference}"
    )
    record_sensitive_views(request, [inquiry])
    trip = selectors.trip_for_inquiry(inquiry=inquiry)
    actions = selectors.inquiry_allowed_actions(inquiry=inquiry, user=request.user)
    responses = list(selectors.responses_for(inquiry=inquiry))
    refers_to, referring = selectors.inquiry_links(user=request.user, inquiry=inquiry)
    page = {
        "inquiry": inquiry,
        "refers_to": refers_to,
        "referring_inquiries": referring,
        "sla": selectors.sla_state(inquiry=inquiry),
        "activities": selectors.inquiry_activities(inquiry=inquiry),
        "responses": responses,
        # An approved e-mail leaves the inquiry in review until the worker has sent it: say so at once.
        "response_being_sent": any(response.status == ResponseStatus.APPROVED for response in responses),
        "trip": trip,
        "assign_form": AssignForm(staff=selectors.assignable_staff(), initial={"assignee": inquiry.assignee_id}),
        "triage_form": TriageForm(initial={"source": inquiry.source, "priority": inquiry.priority}),
        "hold_form": HoldForm(),
        "reason_form": ReasonForm(),
        "note_form": NoteForm(),
        "draft_form": DraftForm(templates=selectors.response_templates()),
        "telephone_form": TelephoneForm(),
        "trip_open_form": TripOpenForm() if trip is None else None,
        "sensitive_readers": list(inquiry.sensitive_readers.all()) if inquiry.sensitive else [],
        "can_set_sensitivity": selectors.inquiry_may_set_sensitivity(inquiry=inquiry, user=request.user),
        "sensitive_form": SensitiveForm(
            analysts=selectors.sensitive_reader_choices(),
            initial={"sensitive": inquiry.sensitive, "readers": list(inquiry.sensitive_readers.all())},
        ),
        "can_act": selectors.inquiry_actions_offered(user=request.user),
        "actions": actions,
        # The forms the inquiry's state allows; a refused one is shown again with what was typed.
        "forms_shown": actions | {action} if form is not None else actions,
        "can_assign_to_me": "assign" in actions
        and inquiry.assignee_id != request.user.pk
        and selectors.assignable_staff().filter(pk=request.user.pk).exists(),
    }
    if form is not None and action in ACTION_FORM_NAMES:
        page[ACTION_FORM_NAMES[action]] = form
    return render(request, "casework/inquiry.html", page, status=status)


@roles_required(*CAO_AND_TSA)
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A stored attachment, to whoever may open its inquiry: always downloaded, never rendered in
    the browser (its content type is the checked one, and nosniff stops a browser guessing another)."""
    attachment = selectors.attachment_get(user=request.user, inquiry_pk=pk, pk=attachment_pk)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    record_view(
        request,
        target_type="casework.attachment",
        target_id=attachment.pk,
        summary=f"Downloaded attachment {attachment.pk} of inquiry {attachment.inquiry.reference}",
        detail={"inquiry": attachment.inquiry_id, "filename": attachment.filename},
    )
    record_sensitive_views(request, [attachment.inquiry])
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


ACTIONS = {
    "triage": TriageForm,
    "assign": AssignForm,
    "assign-me": None,
    "hold": HoldForm,
    "resume": None,
    "close": None,
    "reopen": ReasonForm,
    "note": NoteForm,
    "draft": DraftForm,
    "telephone": TelephoneForm,
    "trip": TripOpenForm,
    "sensitive": SensitiveForm,
}


@roles_required(*CAO)
@require_POST
def inquiry_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button on the inquiry page: one service call each, errors shown on the page."""
    inquiry = _inquiry_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    form_class = ACTIONS[action]
    kwargs = {"staff": selectors.assignable_staff()} if action == "assign" else {}
    if action == "draft":
        kwargs = {"templates": selectors.response_templates()}
    if action == "sensitive":
        kwargs = {"analysts": selectors.sensitive_reader_choices()}
    form = form_class(request.POST, **kwargs) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _inquiry_page(request, inquiry, action=action, form=form, status=400)
    data = form.cleaned_data if form is not None else {}
    context = _context(request)
    try:
        if action == "triage":
            services.inquiry_triage(context=context, inquiry=inquiry, source=data["source"], priority=data["priority"])
        elif action == "assign":
            services.inquiry_assign(context=context, inquiry=inquiry, assignee=data["assignee"])
        elif action == "assign-me":
            services.inquiry_assign(context=context, inquiry=inquiry, assignee=request.user)
        elif action == "hold":
            services.inquiry_hold(context=context, inquiry=inquiry, reason=data["reason"])
        elif action == "resume":
            services.inquiry_resume(context=context, inquiry=inquiry)
        elif action == "close":
            services.inquiry_close(context=context, inquiry=inquiry)
        elif action == "reopen":
            services.inquiry_reopen(context=context, inquiry=inquiry, reason=data["reason"])
        elif action == "note":
            services.inquiry_note_add(context=context, inquiry=inquiry, text=data["text"])
        elif action == "draft":
            response = services.response_draft(
                context=context, inquiry=inquiry, kind=data["kind"], template=data["template"], body=data["body"]
            )
            return redirect("casework:response", pk=response.pk)
        elif action == "telephone":
            services.response_telephone_log(
                context=context, inquiry=inquiry, outcome=data["outcome"], notes=data["notes"]
            )
        elif action == "trip":
            services.trip_redress_open(context=context, inquiry=inquiry, **data)
        elif action == "sensitive":
            services.inquiry_sensitivity_set(
                context=context, inquiry=inquiry, sensitive=data["sensitive"], readers=data["readers"]
            )
    except ApplicationError as error:
        messages.error(request, error.message)
        if form is not None:  # the page again with what was typed, not a redirect that loses it
            return _inquiry_page(request, _inquiry_or_404(request, pk), action=action, form=form, status=400)
    else:
        messages.success(request, _("Saved."))
    return redirect("casework:inquiry", pk=pk)


# --- responses -----------------------------------------------------------------------------------
def _response_or_404(request: HttpRequest, pk: int) -> Response:
    response = selectors.response_list_for(user=request.user).filter(pk=pk).first()
    if response is None:
        raise Http404
    return response


@roles_required(*CAO)
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response_or_404(request, pk)
    edit_form = ResponseEditForm(request.POST or None, initial={"subject": response.subject, "body": response.body})
    if request.method == "POST" and edit_form.is_valid():
        # "Send for review" sends what is in the form: the edits are saved and sent in one step.
        context = _context(request)
        try:
            if request.POST.get("submit") == "review":
                services.response_submit(context=context, response=response, **edit_form.cleaned_data)
                messages.success(request, _("Sent to a CAO supervisor for review."))
                return redirect("casework:inquiry", pk=response.inquiry_id)
            services.response_update(context=context, response=response, **edit_form.cleaned_data)
            messages.success(request, _("Draft saved."))
            return redirect("casework:response", pk=pk)
        except ApplicationError as error:
            response.refresh_from_db()
            if "edit" in selectors.response_allowed_actions(response=response, user=request.user):
                form_refuse(edit_form, error)
            else:  # no longer a draft: the page shows no form to carry the error
                messages.error(request, error.message)
    return _response_page(request, response, edit_form=edit_form, status=400 if edit_form.errors else 200)


def _response_page(request: HttpRequest, response: Response, *, edit_form=None, review_form=None, status: int = 200):
    """The response page; after a refused review, with the review form as it was sent (decision,
    note and the reason it was refused). A draft's page searches the library's approved answers."""
    if edit_form is None:
        edit_form = ResponseEditForm(initial={"subject": response.subject, "body": response.body})
    actions = selectors.response_allowed_actions(response=response, user=request.user)
    library_form = KnowledgeSearchForm(request.GET or None, prefix="library", auto_id="library-%s")
    answers = None
    if "edit" in actions and library_form.is_valid() and library_form.cleaned_data["q"].strip():
        answers = core_selectors.knowledge_search(
            user=request.user, text=library_form.cleaned_data["q"], kind=ArticleKind.ANSWER, published_only=True
        )
    record_view(
        request,
        target_type="casework.response",
        target_id=response.pk,
        summary=f"Viewed response #{response.pk} to inquiry {response.inquiry.reference}",
    )
    record_sensitive_views(request, [response.inquiry])
    return render(
        request,
        "casework/response.html",
        {
            "response": response,
            "edit_form": edit_form,
            "review_form": review_form or ReviewForm(),
            "actions": actions,
            "library_form": library_form,
            "answers": answers,
            "answers_used": list(response.knowledge_articles.all()),
            "library_readable": core_selectors.knowledge_can_read(user=request.user),
        },
        status=status,
    )


@roles_required(*CAO)
@require_POST
def response_insert(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Insert into draft": the draft as typed, with the chosen approved answer appended, saved."""
    response = _response_or_404(request, pk)
    form = InsertAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an approved answer to insert, and keep the subject."))
        typed = {"subject": request.POST.get("subject", ""), "body": request.POST.get("body", "")}
        return _response_page(request, response, edit_form=ResponseEditForm(initial=typed), status=400)
    data = form.cleaned_data
    try:
        services.response_knowledge_insert(
            context=_context(request),
            response=response,
            article_id=data["article"],
            subject=data["subject"],
            body=data["body"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        response.refresh_from_db()
        typed = {"subject": data["subject"], "body": data["body"]}
        return _response_page(request, response, edit_form=ResponseEditForm(initial=typed), status=400)
    messages.success(request, _("The approved answer was added to the end of the draft."))
    return redirect(reverse("casework:response", kwargs={"pk": pk}) + "#id_body")


def _review_shown(actions: frozenset[str]) -> bool:
    """Whether the response page shows the review form (a refusal is shown on it, not above it)."""
    return "approve" in actions or "return" in actions


@roles_required(Role.CAO_SUPERVISOR)
@require_POST
def response_review(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response_or_404(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _response_page(request, response, review_form=form, status=400)
    try:
        services.response_review(
            context=_context(request),
            response=response,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        # The page again with the supervisor's decision and note as sent, and why it was refused.
        response.refresh_from_db()
        if _review_shown(selectors.response_allowed_actions(response=response, user=request.user)):
            form_refuse(form, error)
        else:  # reviewed meanwhile: the page shows no review form to carry the error
            messages.error(request, error.message)
        return _response_page(request, response, review_form=form, status=400)
    messages.success(request, _("Review recorded."))
    return redirect("casework:inquiry", pk=response.inquiry_id)


@roles_required(Role.CAO_SUPERVISOR)
@require_POST
def response_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response_or_404(request, pk)
    try:
        services.response_send_again(context=_context(request), response=response)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("casework:response", pk=pk)
    messages.success(request, _("The response is being sent again."))
    return redirect("casework:inquiry", pk=response.inquiry_id)


def _pdf_download(request: HttpRequest, *, data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _letter_response(request: HttpRequest, pk: int) -> Response:
    response = _response_or_404(request, pk)
    if response.kind == ResponseKind.TELEPHONE:
        raise Http404
    return response


@roles_required(*CAO)
def response_letter(request: HttpRequest, pk: int) -> HttpResponse:
    response = _letter_response(request, pk)
    record_view(
        request,
        target_type="casework.response",
        target_id=response.pk,
        summary=f"Viewed the letter of response #{response.pk} to inquiry {response.inquiry.reference}",
    )
    record_sensitive_views(request, [response.inquiry])
    return render(request, "casework/letter.html", {"response": response, "letter": letters.response_letter(response)})


@roles_required(*CAO)
def response_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable letter as a PDF: the same content as the letter page, on letterhead."""
    response = _letter_response(request, pk)
    letter = letters.response_letter(response)
    record_sensitive_views(request, [response.inquiry])
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="casework.response",
        target_id=response.pk,
        summary=f"Downloaded the letter of response #{response.pk} to inquiry {response.inquiry.reference} as a PDF",
    )
    data = letters.letters_pdf([letter], title=f"{response.inquiry.reference}: {response.subject}")
    return _pdf_download(request, data=data, filename=letter.filename)


@roles_required(*CAO)
def letters_batch_pdf(request: HttpRequest) -> HttpResponse:
    """Every letter of a day (today unless ?day=YYYY-MM-DD) in one PDF for the mail room: responses
    approved for mailing and DHS TRIP determinations, each from a new page."""
    form = LetterDayForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Give the day as a date, e.g. 2026-03-02."))
        return redirect("casework:console")
    day = (form.cleaned_data.get("day") if form.is_bound else None) or timezone.localdate()
    responses, trips = selectors.letters_of_day(day=day, user=request.user)
    record_sensitive_views(request, [*(r.inquiry for r in responses), *(t.inquiry for t in trips)])
    batch = [*(letters.response_letter(r) for r in responses), *(letters.trip_letter(t) for t in trips)]
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="casework.letter_batch",
        target_id=day.isoformat(),
        summary=f"Downloaded the letters of {day:%Y-%m-%d} as one PDF: {len(batch)} letters",
        detail={"response_ids": [r.pk for r in responses], "trip_ids": [t.pk for t in trips]},
    )
    data = letters.letters_pdf(batch, title=f"CAO letters of {day:%Y-%m-%d}")
    return _pdf_download(request, data=data, filename=f"cao-letters-{day:%Y-%m-%d}.pdf")


# --- case view -----------------------------------------------------------------------------------
@roles_required(*CAO)
def case_view(request: HttpRequest, receipt_number: str) -> HttpResponse:
    """A receipt number's status and every contact about it on any channel, inquiries included."""
    form = ReceiptLookupForm({"receipt_number": receipt_number})
    if not form.is_valid():
        return render(request, "casework/case.html", {"form": form, "interactions": None}, status=400)
    value = form.cleaned_data["receipt_number"]
    timeline = _without_hidden_inquiries(
        request.user, core_selectors.contact_timeline(user=request.user, receipt_number=value)
    )
    interactions = [entry.interaction for entry in timeline if entry.interaction is not None]
    case = core_selectors.case_get(receipt_number=value)
    record_view(
        request,
        target_type="receipt_number",
        target_id=value,
        summary=f"CAO viewed the contacts about {mask_receipt_number(value)}",
        detail={"contacts_shown": len(interactions), "timeline_entries_shown": len(timeline)},
    )
    return render(
        request,
        "casework/case.html",
        {
            "form": form,
            "receipt_number": value,
            "case": case,
            "history": list(core_selectors.case_history(case=case)) if case else [],
            "interactions": interactions,
            "timeline": timeline,
            "inquiries": selectors.inquiries_for_receipt_number(user=request.user, receipt_number=value),
        },
    )


def _without_hidden_inquiries(user, timeline: list) -> list:
    """The timeline without the ledger entries of inquiries the user may not open (sensitive ones)."""

    def inquiry_id(entry) -> int | None:
        interaction = entry.interaction
        if interaction is None or (interaction.source_app, interaction.source_model) != ("casework", "inquiry"):
            return None
        return int(interaction.source_id) if str(interaction.source_id).isdigit() else None

    ids = {pk for pk in map(inquiry_id, timeline) if pk is not None}
    hidden = selectors.hidden_inquiry_ids(user=user, ids=ids)
    return [entry for entry in timeline if inquiry_id(entry) not in hidden] if hidden else timeline


@roles_required(*CAO)
def case_lookup(request: HttpRequest) -> HttpResponse:
    form = ReceiptLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("casework:case", receipt_number=form.cleaned_data["receipt_number"])
    return render(
        request, "casework/case.html", {"form": form, "interactions": None}, status=400 if form.errors else 200
    )


# --- DHS TRIP ------------------------------------------------------------------------------------
@roles_required(*CAO_AND_TSA)
def trip(request: HttpRequest) -> HttpResponse:
    search = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") if request.GET.get("status") in TripStatus.values else ""
    rows = list(selectors.trip_search(user=request.user, status=status or None, text=search)[:200])
    record_list_view(
        request, target_type="casework.tripredress_list", label="DHS TRIP redress requests", ids=[r.pk for r in rows]
    )
    return render(
        request,
        "casework/trip.html",
        {
            "rows": rows,
            "q": search,
            "status_options": [(value, label, value == status) for value, label in TripStatus.choices],
        },
    )


@roles_required(*CAO_AND_TSA)
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trip = selectors.trip_get(user=request.user, pk=pk)
    if trip is None:
        raise Http404
    form = TripUpdateForm(
        request.POST or None,
        initial={
            "documents_received": trip.documents_received,
            "status": trip.status,
            "determination_letter": trip.determination_letter,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_redress_update(context=_context(request), trip=trip, **form.cleaned_data)
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, _("Redress request updated."))
            return redirect("casework:trip-detail", pk=pk)
    record_view(
        request,
        target_type="casework.tripredress",
        target_id=trip.pk,
        summary="Viewed a DHS TRIP redress request",
    )
    return render(
        request, "casework/trip_detail.html", {"trip": trip, "form": form}, status=400 if form.errors else 200
    )


def _trip_with_letter(request: HttpRequest, pk: int):
    trip = selectors.trip_get(user=request.user, pk=pk)
    if trip is None or not trip.determination_letter:
        raise Http404
    return trip


@roles_required(*CAO_AND_TSA)
def trip_letter(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _trip_with_letter(request, pk)
    record_view(
        request,
        target_type="casework.tripredress",
        target_id=trip.pk,
        summary="Viewed the determination letter of a DHS TRIP redress request",
    )
    return render(request, "casework/trip_letter.html", {"trip": trip, "letter": letters.trip_letter(trip)})


@roles_required(*CAO_AND_TSA)
def trip_letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    trip = _trip_with_letter(request, pk)
    letter = letters.trip_letter(trip)
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="casework.tripredress",
        target_id=trip.pk,
        summary="Downloaded the determination letter of a DHS TRIP redress request as a PDF",
    )
    data = letters.letters_pdf([letter], title=f"DHS TRIP determination {trip.redress_control_number}")
    return _pdf_download(request, data=data, filename=letter.filename)


# --- reports -------------------------------------------------------------------------------------
@roles_required(*CAO)
def reports(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # A date left out (a bare ?format=csv link) is the page's default: the last year up to today.
    data = request.GET.copy()
    for name, default in (("start", today - timedelta(days=365)), ("end", today)):
        if not data.get(name, "").strip():
            data[name] = default.isoformat()
    form = ReportForm(data)
    figures = None
    if form.is_valid():
        figures = selectors.casework_report(
            start=form.cleaned_data["start"], end=form.cleaned_data["end"], user=request.user
        )
        if request.GET.get("format") == "csv":
            return _report_csv(request, figures)
    chart = []
    if figures:
        peak = max([row["count"] for row in figures.ageing] + [1])
        chart = [{**row, "percent": round(100 * row["count"] / peak)} for row in figures.ageing]
        peak_volume = max([row["count"] for row in figures.volume] + [1])
        for row in figures.volume:
            row["percent"] = round(100 * row["count"] / peak_volume)
            row["source_label"] = Source(row["source"]).label
    return render(
        request,
        "casework/reports.html",
        {"form": form, "figures": figures, "ageing_chart": chart},
        status=400 if form.errors else 200,
    )


def _report_csv(request: HttpRequest, figures) -> HttpResponse:
    record_view(request, action=AuditAction.EXPORT, target_type="casework.report", summary="CAO report CSV")
    response, writer = csv_response("cao-report.csv")
    writer.writerow(["section", "month", "source", "value"])
    for row in figures.volume:
        writer.writerow(["volume", row["month"].strftime("%Y-%m"), row["source"], row["count"]])
    writer.writerow(["on_time_percent", "", "", "" if figures.on_time_percent is None else figures.on_time_percent])
    writer.writerow(
        ["median_business_days_to_respond", "", "", "" if figures.median_days is None else figures.median_days]
    )
    for row in figures.ageing:
        writer.writerow(["backlog_age_business_days", "", row["label"], row["count"]])
    return response
