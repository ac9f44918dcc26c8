"""Service requests on the agent console: taken by a CSR, refused next to their fields with what was
typed kept, posted once, and expedites decided by an ISO."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent, BenefitCase, ServiceRequest, ServiceRequestStatus
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import (
    _address_change,
    _ivr_contact,
    _outside_normal_case,
    _post,
    _signed_in,
    _within_normal_case,
)


def test_console_keeps_what_the_csr_typed_when_a_service_request_is_refused(reference, client_as):
    client = client_as(Role.CSR)
    case = _within_normal_case()
    response = client.post(
        "/console/service-requests/",
        {
            "kind": "outside_normal",
            "receipt_number": case.receipt_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_email": "caller@example.com",
            "details": "Waiting a long time",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "within normal processing time" in page
    assert 'value="caller@example.com"' in page and "Waiting a long time" in page

    refused_by_the_service = {
        "kind": "outside_normal",
        "receipt_number": "EAC12",
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
    }
    response = client.post("/console/service-requests/", refused_by_the_service)
    page = response.content.decode()
    # Each refused field names its error for screen readers, and the error carries that id.
    field = re.search(r'<input[^>]*name="receipt_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    error_id = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()[-1]
    assert error_id == "id_receipt_number_error" and f'id="{error_id}"' in page


def test_tier1_relays_an_expedite_that_only_tier2_decides(reference, make_staff):
    case = _within_normal_case()
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="expedite",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="representative",
        requester_name="Ana Ortiz, Esq.",
        contact_email="ana@example.com",
        expedite_criterion="humanitarian",
        details="Medical emergency abroad.",
    )
    assert request.status == ServiceRequestStatus.PENDING_REVIEW
    assert request.due_on == business_days_after(timezone.localdate(), 7)

    assert _signed_in(csr).post(f"/console/service-requests/{request.pk}/review/", {}).status_code == 403
    iso_client = _signed_in(iso)
    assert request.reference in iso_client.get("/console/").content.decode()
    page = _post(
        iso_client,
        f"/console/service-requests/{request.pk}/review/",
        {"decision": "approve", "note": "Documented medical emergency."},
    ).content.decode()
    assert "Decision recorded" in page
    request.refresh_from_db()
    assert (request.status, request.reviewed_by, request.review_note) == (
        ServiceRequestStatus.APPROVED,
        iso,
        "Documented medical emergency.",
    )
    page = _post(
        iso_client, f"/console/service-requests/{request.pk}/review/", {"decision": "deny", "note": "Again"}
    ).content.decode()
    assert "is not awaiting review" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_zip", "9001", "A ZIP code is 5 digits, for example 90012."),
        ("new_state", "ZZ", "Give the 2-letter code of a US state or territory, for example CA, NY or PR."),
    ],
)
def test_an_address_change_with_a_bad_zip_or_state_is_refused_next_to_the_field_on_the_console(
    reference, make_staff, field, value, message
):
    case = BenefitCase.objects.filter(status__terminal=False).first()
    before = (case.mailing_address_line, case.mailing_state, case.mailing_zip)
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")

    response = client.post(
        "/console/service-requests/", {"contact_id": contact.pk, **_address_change(case, **{field: value})}
    )

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'<span class="usa-error-message" id="id_{field}_error"[^>]*>([^<]*)</span>', page)
    assert error is not None and html.unescape(error.group(1)) == message
    assert re.search(rf'<input[^>]*name="{field}"[^>]*value="{value}"', page)
    assert ServiceRequest.objects.count() == 0
    case.refresh_from_db()
    assert (case.mailing_address_line, case.mailing_state, case.mailing_zip) == before


def test_an_address_change_without_the_address_is_refused_on_each_field_without_raw_field_names(reference, make_staff):
    case = BenefitCase.objects.filter(status__terminal=False).first()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    empty = dict.fromkeys(("new_address_line", "new_city", "new_state", "new_zip"), "")

    response = client.post("/console/service-requests/", {"contact_id": contact.pk, **_address_change(case, **empty)})

    assert response.status_code == 400
    page = response.content.decode()
    for name in empty:
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field and f'aria-describedby="id_{name}_error"' in field
        error = re.search(rf'<span class="usa-error-message" id="id_{name}_error"[^>]*>([^<]*)</span>', page)
        assert error is not None and error.group(1) == "An address change needs the new address."
    assert "new_address_line:" not in page and "new_city:" not in page
    assert ServiceRequest.objects.count() == 0

    data = {**_address_change(case, **empty), "date_of_birth": case.date_of_birth}
    with pytest.raises(ApplicationError) as refused:
        services.service_request_create(context=AuditContext(actor=csr), user=csr, **data)
    assert refused.value.message == "An address change needs the new address."
    assert sorted(refused.value.fields) == sorted(empty)


def test_an_iso_decision_without_a_reason_is_refused_next_to_that_requests_reason_field(reference, make_staff):
    case = _within_normal_case()
    csr, iso = make_staff(Role.CSR), make_staff(Role.ISO)
    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="expedite",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_phone="+12135550142",
        expedite_criterion="humanitarian",
    )

    response = _signed_in(iso).post(
        f"/console/service-requests/{request.pk}/review/", {"decision": "approve", "note": "  "}
    )

    assert response.status_code == 400
    page = response.content.decode()
    field = re.search(rf'<textarea[^>]*id="note-{request.pk}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and f'aria-describedby="note-{request.pk}-error"' in field
    error = re.search(rf'<span class="usa-error-message" id="note-{request.pk}-error"[^>]*>([^<]*)</span>', page)
    assert error is not None and error.group(1) == "Give the reason for the decision."
    request.refresh_from_db()
    assert request.status == ServiceRequestStatus.PENDING_REVIEW


def test_the_same_service_request_form_posted_twice_takes_one_request(reference, make_staff):
    case = _outside_normal_case()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")
    page = client.get("/console/service-requests/", HTTP_X_SIDE_PANEL="1").content.decode()  # the side panel
    form = re.search(r'<form[^>]*action="/console/service-requests/"[^>]*>', page).group(0)
    assert "data-submit-once" in form
    token = re.search(r'<input type="hidden" name="submission_token" value="([0-9a-f]{32})"', page).group(1)
    data = {
        "contact_id": contact.pk,
        "kind": "outside_normal",
        "receipt_number": case.receipt_number,
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
        "contact_phone": "+12135550142",
        "submission_token": token,
    }

    first = _post(client, "/console/service-requests/", data).content.decode()
    second = _post(client, "/console/service-requests/", data).content.decode()

    request = ServiceRequest.objects.get()
    assert f"{request.reference} taken" in first
    assert f"{request.reference} was already taken." in second and f"{request.reference} taken" not in second
    assert request.submission_token == token
    assert AuditEvent.objects.filter(target_type="contactcenter.servicerequest", action="create").count() == 1
    again = client.get("/console/service-requests/", HTTP_X_SIDE_PANEL="1").content.decode()
    fresh = re.search(r'name="submission_token" value="([0-9a-f]{32})"', again).group(1)
    assert fresh != token  # the next form is a new request
