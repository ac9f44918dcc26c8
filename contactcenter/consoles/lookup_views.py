"""The agent console's look-ups: everything the IVR's self-service answers, for a CSR on the line.

Each reads the core selectors the IVR reads (forms by number, processing times, the case's
"outside normal processing time" verdict, the Visa Bulletin) and orders forms through the service the
IVR orders them with. Asked by htmx from the console, a look-up answers its results only, so the
console (and the softphone's call) stays; without JavaScript it is a page of its own."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.consoles.knowledge_views import knowledge_search_empty
from contactcenter.consoles.lookup_forms import (
    CaseProcessingForm,
    FormOrderForm,
    FormSearchForm,
    ProcessingTimeForm,
    VisaBulletinForm,
)
from contactcenter.models import Chargeability, FormOrderChannel, VisaChart
from contactcenter.reference.identifiers import mask_receipt_number
from contactcenter.staff.roles import Role, roles_required

LOOKUP_ROLES = (Role.CSR, Role.ISO, Role.SUPERVISOR)


def lookup_forms_empty() -> dict:
    """The look-ups' empty forms, for the console's Lookups section."""
    return {
        "form_search_form": FormSearchForm(auto_id="lookup-form-%s"),
        "ptime_form": ProcessingTimeForm(auto_id="lookup-ptime-%s"),
        "case_ptime_form": CaseProcessingForm(auto_id="lookup-case-%s"),
        "bulletin_form": VisaBulletinForm(auto_id="lookup-vb-%s"),
        "knowledge_form": knowledge_search_empty(),
    }


def _answer(request: HttpRequest, page: str, partial: str, context: dict, *, status: int = 200) -> HttpResponse:
    template = partial if request.htmx else page
    response = render(request, template, {**context, "partial": partial}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _cell(entry) -> str:
    """A bulletin cell as the IVR says it: a date, current, unavailable, or not published."""
    if entry is None:
        return _("Not published")
    if entry.cutoff is not None:
        return formats.date_format(entry.cutoff, "DATE_FORMAT")
    return str(entry.get_availability_display())


@roles_required(*LOOKUP_ROLES)
def forms_lookup(request: HttpRequest) -> HttpResponse:
    form = FormSearchForm(request.GET or None, auto_id="lookup-form-%s")
    found = None
    if form.is_valid():
        found = selectors.form_search(query=form.cleaned_data["q"])
    return _answer(
        request,
        "contactcenter/lookup_forms.html",
        "contactcenter/_lookup_forms_results.html",
        {"form": form, "found": found},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _order_initial(request: HttpRequest) -> dict:
    """The caller on the line: their number and the first receipt number they gave."""
    initial = {"token": uuid.uuid4().hex, "channel": FormOrderChannel.SMS}
    state = selectors.console_state(user=request.user)
    contact = state.contact
    if contact is not None and "end" in selectors.live_contact_allowed_actions(contact=contact, user=request.user):
        initial["phone"] = contact.phone
        initial["language"] = contact.language
        if contact.receipt_numbers:
            initial["receipt_number"] = contact.receipt_numbers[0]
        record_view(
            request,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary="Form order started with the number and receipt number of the caller on the line",
        )
    return initial


@roles_required(*LOOKUP_ROLES)
@require_http_methods(["GET", "POST"])
def form_order(request: HttpRequest, form_id: int) -> HttpResponse:
    """Order a form for the caller: its link by text, or the form mailed to the address on file of
    their case (it waits for the day's mailing batch). The IVR's service, keyed by this page's token so
    a double submit orders once."""
    form_record = selectors.form_get(form_id=form_id)
    if form_record is None:
        raise Http404(form_id)
    order_form = FormOrderForm(request.POST or None, initial=_order_initial(request), auto_id="order-%s")
    context = {"form_record": form_record, "order_form": order_form}
    if request.method == "POST" and order_form.is_valid():
        data = order_form.cleaned_data
        case = None
        if data["channel"] == FormOrderChannel.MAIL:
            case = selectors.case_get(receipt_number=data["receipt_number"])
        try:
            if data["channel"] == FormOrderChannel.MAIL and case is None:
                raise ApplicationError(
                    _("No case is on file for %(receipt)s: check the number with the caller.")
                    % {"receipt": mask_receipt_number(data["receipt_number"])},
                    field="receipt_number",
                )
            order = services.form_order_create(
                context=AuditContext.from_request(request),
                form=form_record,
                channel=data["channel"],
                language=data["language"],
                phone=data["phone"] if data["channel"] == FormOrderChannel.SMS else "",
                case=case,
                idempotency_key=f"console:{request.user.pk}:{data['token']}",
            )
        except ApplicationError as error:
            form_refuse(order_form, error)
        else:
            if order.channel == FormOrderChannel.SMS:
                done = _("Form %(number)s: a text with its link is on its way.") % {"number": form_record.number}
            else:
                done = _(
                    "Form %(number)s is queued for mailing to the address on file of %(receipt)s; it goes out "
                    "with the next mailing batch."
                ) % {"number": form_record.number, "receipt": mask_receipt_number(data["receipt_number"])}
            if not request.htmx:
                messages.success(request, done)
                return redirect(reverse("console-lookup-forms") + f"?q={form_record.number}")
            return _answer(
                request,
                "contactcenter/lookup_forms.html",
                "contactcenter/_lookup_forms_results.html",
                {"form": FormSearchForm(auto_id="lookup-form-%s"), "found": [form_record], "ordered": done},
            )
    return _answer(
        request,
        "contactcenter/lookup_form_order.html",
        "contactcenter/_lookup_form_order.html",
        context,
        status=400 if order_form.is_bound else 200,
    )


@roles_required(*LOOKUP_ROLES)
def processing_times_lookup(request: HttpRequest) -> HttpResponse:
    """A form's current processing times by category and office (or the office nearest a ZIP code, as
    the IVR picks it), or one case's verdict: outside normal processing time or not."""
    asks_case = "receipt_number" in request.GET
    form = ProcessingTimeForm(None if asks_case else request.GET or None, auto_id="lookup-ptime-%s")
    case_form = CaseProcessingForm(request.GET if asks_case else None, auto_id="lookup-case-%s")
    context: dict = {"form": form, "case_form": case_form, "rows": None, "case": None, "verdict": None}
    bound = form if form.is_bound else case_form if case_form.is_bound else None
    context["bound"] = bound
    if form.is_valid():
        data = form.cleaned_data
        office = data["office"]
        if office is None and data["zip_code"]:
            office = selectors.processing_time_nearest_office(
                form=data["form"], category=data["category"] or None, zip_code=data["zip_code"]
            )
            context["nearest_office"] = office
        context["rows"] = selectors.processing_times_for_form(
            form=data["form"], category=data["category"] or None, office=office
        )
        context["asked_form"] = data["form"]
    elif case_form.is_valid():
        receipt = case_form.cleaned_data["receipt_number"]
        case = selectors.case_get(receipt_number=receipt)
        record_view(
            request,
            target_type="receipt_number",
            target_id=receipt,
            summary=f"Looked up the processing time of {mask_receipt_number(receipt)}",
            detail={"found": case is not None},
        )
        if case is None:
            case_form.add_error("receipt_number", _("No case is on file for this receipt number."))
        else:
            context["case"] = case
            context["verdict"] = selectors.case_processing_verdict(case=case)
    return _answer(
        request,
        "contactcenter/lookup_processing_times.html",
        "contactcenter/_lookup_ptime_results.html",
        context,
        status=400 if bound is not None and bound.errors else 200,
    )


@roles_required(*LOOKUP_ROLES)
def visa_bulletin_lookup(request: HttpRequest) -> HttpResponse:
    """The latest Visa Bulletin's final action date and date for filing for a preference category, in one
    chargeability column or all of them: the cells the IVR's priority-date menu reads."""
    form = VisaBulletinForm(request.GET or None, auto_id="lookup-vb-%s")
    rows = None
    if form.is_valid():
        chosen = form.cleaned_data["chargeability"]
        areas = [chosen] if chosen else list(Chargeability.values)
        labels = dict(Chargeability.choices)
        rows = [
            {
                "area": labels[area],
                "final": _cell(cells.get(VisaChart.FINAL_ACTION)),
                "filing": _cell(cells.get(VisaChart.DATES_FOR_FILING)),
                "month": next((entry.bulletin_month for entry in cells.values()), None),
            }
            for area, cells in selectors.visa_bulletin_rows(
                category=form.cleaned_data["category"], chargeabilities=areas
            )
        ]
    return _answer(
        request,
        "contactcenter/lookup_visa_bulletin.html",
        "contactcenter/_lookup_bulletin_results.html",
        {"form": form, "rows": rows},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
