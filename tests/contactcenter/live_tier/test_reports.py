"""The supervisors' queue report: figures by day, queue and language, on the page and as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import BenefitCase
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _ivr_contact, _signed_in


def test_queue_report_shows_and_exports_figures_by_day_queue_and_language(reference, make_staff):
    supervisor = make_staff(Role.SUPERVISOR)
    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    answered = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number)
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=answered.pk)
    services.contact_complete(context=AuditContext(actor=csr), user=csr, contact_id=answered.pk)
    lost = _ivr_contact(receipt_number=BenefitCase.objects.first().receipt_number, call_sid="CA" + "2" * 32)
    # Hung up after 30 s: past the 5 s of a short abandon, so counted in the abandonment rate.
    services.contact_abandon(
        context=AuditContext.system(), call_sid=lost.call_sid, ended_at=lost.enqueued_at + timedelta(seconds=30)
    )
    client = _signed_in(supervisor)
    today = timezone.localdate()

    page = client.get("/reports/queues/", {"start": today.isoformat(), "end": today.isoformat()}).content.decode()
    assert "tier1-en" in page and "50.0%" in page

    response = client.get("/reports/queues/", {"start": today.isoformat(), "end": today.isoformat(), "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert [(r["queue"], r["language"], r["contacts"], r["answered"], r["abandoned"]) for r in rows] == [
        ("tier1-en", "en", "2", "1", "1")
    ]
    assert rows[0]["service_level_percent"] == "50.0" and rows[0]["abandonment_percent"] == "50.0"
    bad = client.get("/reports/queues/", {"start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()})
    assert bad.status_code == 400 and "The end date is before the start date." in bad.content.decode()


def test_the_queue_report_defaults_to_the_last_seven_days_and_shows_only_the_error_when_refused(reference, make_staff):
    from django.utils import translation

    client = _signed_in(make_staff(Role.SUPERVISOR))
    today = timezone.localdate()
    week_ago = (today - timedelta(days=6)).isoformat()

    for language in ("en", "es"):
        with translation.override(language):
            client.cookies["django_language"] = language
            page = client.get("/reports/queues/").content.decode()
        assert re.search(rf'<input[^>]*name="start"[^>]*value="{week_ago}"', page)
        assert re.search(rf'<input[^>]*name="end"[^>]*value="{today.isoformat()}"', page)
    client.cookies["django_language"] = "en"
    filtered = client.get("/reports/queues/", {"queue_name": "tier1-en"})
    assert filtered.status_code == 200
    assert re.search(rf'<input[^>]*name="start"[^>]*value="{week_ago}"', filtered.content.decode())

    bad = client.get("/reports/queues/", {"start": today.isoformat(), "end": week_ago})
    page = bad.content.decode()
    assert bad.status_code == 400 and "The end date is before the start date." in page
    assert "No live contacts" not in page and "<table" not in page
