"""Supervisors' mailing batches: the day's mail form orders as address labels (PDF) and the print
vendor's file (CSV), and the confirmation that they were printed and mailed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.exports import csv_response
from contactcenter.models import AuditAction
from contactcenter.staff.roles import Role, roles_required


@roles_required(Role.SUPERVISOR)
def mailing_batches(request: HttpRequest) -> HttpResponse:
    batches = list(selectors.mailing_batches_list()[:60])
    rows = [
        {"batch": batch, "actions": selectors.mailing_batch_allowed_actions(batch=batch, user=request.user)}
        for batch in batches
    ]
    return render(
        request,
        "contactcenter/supervisor_mailing_batches.html",
        {"rows": rows, "queued": selectors.form_orders_queued_count()},
    )


@roles_required(Role.SUPERVISOR)
@require_POST
def mailing_batch_make(request: HttpRequest) -> HttpResponse:
    try:
        batch = services.mailing_batch_create(context=AuditContext.from_request(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if batch is None:
            messages.info(request, _("No form orders are queued for mailing."))
        else:
            messages.success(
                request,
                _("Mailing batch %(id)s is made: print its labels and send its file to the print vendor.")
                % {"id": batch.pk},
            )
    return redirect("supervisor-mailing-batches")


@roles_required(Role.SUPERVISOR)
@require_POST
def mailing_batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch = services.mailing_batch_confirm(
            context=AuditContext.from_request(request), user=request.user, batch_id=batch_id
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Mailing batch %(id)s is confirmed: its forms are mailed.") % {"id": batch.pk})
    return redirect("supervisor-mailing-batches")


def _batch_or_404(batch_id: int):
    batch = selectors.mailing_batch_get(batch_id=batch_id)
    if batch is None:
        raise Http404(batch_id)
    return batch, list(selectors.mailing_batch_items(batch=batch))


def _record_export(request: HttpRequest, batch, items, what: str) -> None:
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="contactcenter.mailingbatch",
        target_id=batch.pk,
        summary=f"Downloaded the {what} of mailing batch {batch.pk}: {len(items)} names and addresses",
        detail={"order_ids": [item.order_id for item in items]},
    )


@roles_required(Role.SUPERVISOR)
def mailing_batch_labels(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch, items = _batch_or_404(batch_id)
    _record_export(request, batch, items, "address labels")
    response = HttpResponse(services.mailing_labels_pdf(batch=batch, items=items), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="mailing-batch-{batch.pk}-labels.pdf"'
    return response


@roles_required(Role.SUPERVISOR)
def mailing_batch_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch, items = _batch_or_404(batch_id)
    _record_export(request, batch, items, "print vendor file")
    response, writer = csv_response(f"mailing-batch-{batch.pk}-orders.csv")
    writer.writerow(services.VENDOR_CSV_HEADER)
    writer.writerows(services.mailing_vendor_rows(items=items))
    return response
