"""`seed_reference`: the shipped files, ZIP centroids, and deterministic synthetic surgeons and cases."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from contactcenter import selectors
from contactcenter.models import BenefitCase, CaseStatusEvent, CivilSurgeon, StatusHeadline, ZipCentroid
from contactcenter.reference.identifiers import RECEIPT_PREFIXES

DEMO_RECEIPTS = {"EAC2190000001", "WAC2190000002", "IOE0912345678", "LIN2190000003"}


@pytest.mark.django_db
def test_seed_reference_small_run_covers_every_prefix_and_headline_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_reference", "--cases", "200", "--surgeons", "60", stdout=out)
    assert BenefitCase.objects.count() == 14 + 200
    assert CivilSurgeon.objects.count() == 60
    assert ZipCentroid.objects.count() > 41000
    assert set(BenefitCase.objects.values_list("receipt_number", flat=True)) >= DEMO_RECEIPTS

    generated = BenefitCase.objects.exclude(receipt_number__in=_demo_receipts()).select_related("status")
    assert {case.receipt_number[:3] for case in generated} == set(RECEIPT_PREFIXES)
    assert {case.status.code for case in generated} == set(StatusHeadline.objects.values_list("code", flat=True))
    for case in generated:
        # Legacy layout: prefix, fiscal year of receipt, workday, sequence.
        assert re.fullmatch(r"[A-Z]{3}\d{10}", case.receipt_number)
        fiscal_year = case.received_on.year + (1 if case.received_on.month >= 10 else 0)
        assert case.receipt_number[3:5] == f"{fiscal_year % 100:02d}"
        assert 1 <= int(case.receipt_number[5:8]) <= 262
        assert case.status_on >= case.received_on
        assert case.a_number == "" or re.fullmatch(r"A\d{9}", case.a_number)
    # Every case's history starts with its receipt and ends at its current status.
    with_history = set(CaseStatusEvent.objects.values_list("case_id", flat=True))
    assert with_history == set(BenefitCase.objects.values_list("id", flat=True))
    case = generated.order_by("receipt_number").last()
    events = list(selectors.case_history(case=case))
    assert (events[0].status_id, events[0].occurred_on) == (case.status_id, case.status_on)
    assert events[-1].status.code == "case-was-received"
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="EAC2190000001")) is True
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="IOE0912345678")) is False
    surgeon = CivilSurgeon.objects.first()
    assert surgeon.languages[0] == "en" and re.fullmatch(r"\(\d{3}\) 555-01\d{2}", surgeon.phone)

    events_before = CaseStatusEvent.objects.count()
    again = io.StringIO()
    call_command("seed_reference", "--cases", "200", "--surgeons", "60", stdout=again)
    assert "cases: 200 rows read, 0 created, 0 updated, 0 unchanged, 0 failed, 200 skipped" in again.getvalue()
    assert "civil_surgeons: 60 rows read, 0 created, 0 updated, 0 unchanged, 0 failed, 60 skipped" in again.getvalue()
    assert BenefitCase.objects.count() == 214
    assert CaseStatusEvent.objects.count() == events_before


def _demo_receipts() -> set[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "reference" / "demo_cases.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["receipt_number"] for row in csv.DictReader(handle)}
