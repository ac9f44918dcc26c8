"""Case-status updates asked for on the console's case page: an agent with the person on the line
subscribes their phone or e-mail through the same service the IVR and the public page use."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import SubscriptionSource
from contactcenter.reference.identifiers import InvalidIdentifier, mask_receipt_number, normalize_receipt_number
from contactcenter.staff.roles import Role, roles_required
from contactcenter.subscriptions.forms import ConsoleSubscribeForm

SUBSCRIBE_ROLES = (Role.CSR, Role.ISO, Role.SUPERVISOR)


@roles_required(*SUBSCRIBE_ROLES)
@require_POST
def case_status_subscribe(request: HttpRequest, receipt_number: str) -> HttpResponse:
    try:
        receipt = normalize_receipt_number(receipt_number)
    except InvalidIdentifier:
        return redirect("agent-console")
    form = ConsoleSubscribeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("case-history", receipt_number=receipt)
    try:
        services.status_subscription_create(
            context=AuditContext.from_request(request),
            receipt_number=receipt,
            channel=form.cleaned_data["channel"],
            to=form.address,
            language=form.cleaned_data["language"],
            source=SubscriptionSource.CONSOLE,
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Case-status updates for %(receipt)s will go to the caller.") % {"receipt": mask_receipt_number(receipt)},
        )
    return redirect("case-history", receipt_number=receipt)
