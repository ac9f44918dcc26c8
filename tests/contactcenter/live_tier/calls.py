"""A call on the live tier: a caller the IVR hands over, an agent signed in to take it, and the cases
they talk about."""

from __future__ import annotations

from django.test import Client

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import BenefitCase, Channel, Outcome, WaitingContact


def _outside_normal_case() -> BenefitCase:
    for case in BenefitCase.objects.select_related("status", "form", "office").order_by("received_on"):
        if selectors.case_outside_normal_processing(case=case):
            return case
    raise AssertionError("the demo data has no case outside normal processing time")


def _within_normal_case() -> BenefitCase:
    for case in BenefitCase.objects.select_related("status", "form", "office").order_by("-received_on"):
        if selectors.case_outside_normal_processing(case=case) is False and not case.status.terminal:
            return case
    raise AssertionError("the demo data has no case within normal processing time")


def _ivr_contact(
    *,
    receipt_number: str,
    language: str = "en",
    call_sid: str = "CA" + "1" * 32,
    time_zone: str = "America/Los_Angeles",
) -> WaitingContact:
    context = AuditContext.system(channel="ivr")
    ivr = services.interaction_record(
        context=context,
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="ivr",
        source_model="call",
        source_id=call_sid,
        language=language,
        outcome=Outcome.TRANSFERRED,
        receipt_numbers=[receipt_number],
        contact_phone="+12135550142",
    )
    return services.contact_enqueue(
        context=context,
        phone="+12135550142",
        language=language,
        caller_time_zone=time_zone,
        call_sid=call_sid,
        receipt_numbers=[receipt_number],
        ivr_path=["language", "main", "case_status", "representative"],
        interaction=ivr,
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict | None = None):
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200, response.content[:500]
    return response


def _address_change(case, **changes) -> dict:
    return {
        "kind": "address_change",
        "receipt_number": case.receipt_number,
        "date_of_birth": case.date_of_birth.isoformat(),
        "requester_role": "applicant",
        "contact_phone": "+12135550142",
        "new_address_line": "1200 Main St Apt 4",
        "new_city": "Los Angeles",
        "new_state": "CA",
        "new_zip": "90012",
        **changes,
    }
