"""Shared by the case-status update tests: an import row that moves a case, and the signed text
Twilio posts when someone replies to us."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import BenefitCase, StatusHeadline
from ivr.simulator import in_process_transport, sign


def case_row(case: BenefitCase, status: StatusHeadline, status_on: date) -> dict[str, str]:
    """The case as the import file gives it, at a new status."""
    return {
        "receipt_number": case.receipt_number,
        "form": case.form.number,
        "office": case.office.code,
        "category": case.category,
        "received_on": case.received_on.isoformat(),
        "status": status.code,
        "status_on": status_on.isoformat(),
        "applicant_name": case.applicant_name,
        "date_of_birth": case.date_of_birth.isoformat(),
        "a_number": case.a_number,
        "mailing_address_line": case.mailing_address_line,
        "mailing_city": case.mailing_city,
        "mailing_state": case.mailing_state,
        "mailing_zip": case.mailing_zip,
    }


def import_status(case: BenefitCase, status: StatusHeadline, status_on: date):
    report = services.reference_rows_import(
        context=AuditContext.system(), kind="cases", rows=[case_row(case, status, status_on)]
    )
    assert report.ok and report.updated == 1, report.errors
    return report


def text_in(body: str, *, from_number: str, sid: str, **extra: str) -> tuple[int, str]:
    """A signed inbound text, as Twilio posts it to the messaging webhook."""
    params = {
        "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
        "MessageSid": sid,
        "From": from_number,
        "To": "+18003755283",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    signature = sign(settings.PUBLIC_BASE_URL.rstrip("/") + "/ivr/sms/", params, None)
    return in_process_transport()("/ivr/sms/", params, {"X-Twilio-Signature": signature})
