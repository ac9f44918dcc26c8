"""The service-request form shows each request type's own fields (contactcenter/live/models.py
SERVICE_REQUEST_TYPE_FIELDS): the page marks them for the script, and the form and the service
ignore what another type uses, so the form shown whole (no JavaScript) takes the same request."""

from __future__ import annotations

import re

import pytest

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import ServiceRequest, service_request_fields_ignored
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _outside_normal_case, _post, _signed_in, _within_normal_case


def test_the_form_marks_each_type_specific_field_with_the_types_that_use_it(reference, make_staff):
    page = _signed_in(make_staff(Role.CSR)).get("/console/service-requests/").content.decode()

    marked = r'data-sr-for-kinds="([^"]+)">\s*<div class="usa-form-group[^"]*">\s*<label[^>]*for="id_(\w+)"'
    assert re.findall(marked, page) == [
        ("expedite", "expedite_criterion"),
        ("address_change", "new_address_line"),
        ("address_change", "new_city"),
        ("address_change", "new_state"),
        ("address_change", "new_zip"),
        ("address_change", "moved_on"),
        ("address_change", "written_request_id"),
    ]
    # The common fields carry no mark: every type shows them.
    assert not re.search(r'data-sr-for-kinds="[^"]*">\s*<div[^>]*>\s*<label[^>]*for="id_receipt_number"', page)
    assert re.search(r'<select name="kind"[^>]*data-sr-kind', page)
    assert "js/service-request-fields.js" in page


def test_fields_of_another_type_are_ignored_by_the_form_and_the_service(reference, make_staff):
    case = _outside_normal_case()
    csr = make_staff(Role.CSR)
    # An outside-normal request with an (invalid) address and an expedite criterion typed in a form shown whole.
    page = _post(
        _signed_in(csr),
        "/console/service-requests/",
        {
            "kind": "outside_normal",
            "receipt_number": case.receipt_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
            "expedite_criterion": "humanitarian",
            "new_address_line": "1 Elsewhere Rd",
            "new_state": "ZZ",
            "new_zip": "123",
        },
    ).content.decode()

    request = ServiceRequest.objects.get()
    assert f"{request.reference} taken" in page
    assert (request.kind, request.expedite_criterion, request.new_address_line, request.new_state, request.new_zip) == (
        "outside_normal",
        "",
        "",
        "",
        "",
    )

    # The service keeps the same rule for every caller of it (the API included).
    expedite = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="expedite",
        receipt_number=_within_normal_case().receipt_number,
        date_of_birth=_within_normal_case().date_of_birth,
        requester_role="applicant",
        contact_email="caller@example.com",
        expedite_criterion="financial_loss",
        new_address_line="1 Elsewhere Rd",
        new_city="Nowhere",
    )
    assert (expedite.expedite_criterion, expedite.new_address_line, expedite.new_city) == ("financial_loss", "", "")


def test_a_type_is_still_refused_without_its_own_fields(reference, make_staff):
    csr = make_staff(Role.CSR)
    case = _within_normal_case()
    with pytest.raises(ApplicationError) as refused:
        services.service_request_create(
            context=AuditContext(actor=csr),
            user=csr,
            kind="expedite",
            receipt_number=case.receipt_number,
            date_of_birth=case.date_of_birth,
            requester_role="applicant",
            contact_email="caller@example.com",
            new_address_line="1 Elsewhere Rd",
        )
    assert "expedite_criterion" in refused.value.fields
    assert ServiceRequest.objects.count() == 0


def test_the_rule_names_each_type_s_fields_once():
    assert "expedite_criterion" not in service_request_fields_ignored("expedite")
    assert "new_zip" in service_request_fields_ignored("expedite")
    assert "new_zip" not in service_request_fields_ignored("address_change")
    assert service_request_fields_ignored("typographic_error") >= {"expedite_criterion", "new_zip", "moved_on"}
