"""Reference data importers: row-level validation with line numbers, idempotent upserts, dry runs."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    CaseStatusEvent,
    FieldOffice,
    Form,
    ProcessingTime,
    VisaBulletinEntry,
    ZipCentroid,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"
CONTEXT = AuditContext.system()


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load(kind: str, name: str) -> services.ImportReport:
    with (DATA / name).open(encoding="utf-8") as handle:
        report = services.reference_rows_import(context=CONTEXT, kind=kind, rows=list(csv.DictReader(handle)))
    assert report.ok, report.errors
    return report


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_field_and_good_rows_still_land(tmp_path):
    path = tmp_path / "forms.csv"
    path.write_text(
        "number,title_en,title_es,fee,edition\n"
        "i485,Application to Register Permanent Residence or Adjust Status,Solicitud de Registro,"
        '"$1,440.00",2025-01-20\n'
        "X-,Bad,Malo,abc,2025-13-01\n"
        "N-400,Application for Naturalization,Solicitud de Naturalización,760,01/20/2025\n"
        "I-90,,Solicitud para Reemplazar la Tarjeta,-5,2024-04-01\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="2 row"):
        run("import_reference", "forms", str(path))

    assert sorted(Form.objects.values_list("number", flat=True)) == ["I-485", "N-400"]
    i485 = Form.objects.get(number="I-485")
    assert i485.fee == Decimal("1440.00")
    assert i485.url == "https://www.uscis.gov/i-485"
    assert Form.objects.get(number="N-400").edition == date(2025, 1, 20)

    report = services.reference_rows_import(
        context=CONTEXT,
        kind="forms",
        rows=[
            (3, {"number": "X-", "title_en": "Bad", "title_es": "Malo", "fee": "abc", "edition": "2025-13-01"}),
            (5, {"number": "I-90", "title_en": "", "title_es": "x", "fee": "-5", "edition": "2024-04-01"}),
        ],
    )
    assert {(e.line, e.field) for e in report.errors} == {
        (3, "number"),
        (3, "fee"),
        (3, "edition"),
        (5, "title_en"),
    }
    assert report.failed == 2
    # -5 passes parsing, so full_clean's MinValueValidator only speaks once the required title is there.
    report = services.reference_rows_import(
        context=CONTEXT,
        kind="forms",
        rows=[{"number": "I-90", "title_en": "Replace", "title_es": "x", "fee": "-5", "edition": "2024-04-01"}],
    )
    assert [(e.line, e.field) for e in report.errors] == [(2, "fee")]


@pytest.mark.django_db
def test_command_prints_file_line_field_and_message(tmp_path):
    load("forms", "forms.csv")
    load("offices", "offices.csv")
    path = tmp_path / "pt.csv"
    path.write_text(
        "form,category,category_es,office,months,inquiry_receipt_date,published_on\n"
        "N-400,Application for naturalization,Solicitud de naturalización,LOS,6.5,2026-04-17,2026-11-01\n"
        "N-999,Application for naturalization,Solicitud de naturalización,LOS,6.5,2026-04-17,2026-11-01\n"
        "N-400,Application for naturalization,Solicitud de naturalización,NOPE,6.5,2026-04-17,2026-11-01\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_reference", "processing_times", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "pt.csv:3: form: Unknown form 'N-999'." in lines
    assert "pt.csv:4: office: Unknown office code 'NOPE'." in lines
    assert ProcessingTime.objects.count() == 1


@pytest.mark.django_db
def test_missing_columns_fail_the_whole_file(tmp_path):
    path = tmp_path / "offices.csv"
    path.write_text("code,name\nLOS,Los Angeles Field Office\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_reference", "offices", str(path), stdout=out, stderr=err)
    assert "offices.csv:1: kind: This column is missing." in err.getvalue()
    assert FieldOffice.objects.count() == 0


@pytest.mark.django_db
def test_reimport_is_idempotent_and_updates_changed_rows(tmp_path):
    first = load("offices", "offices.csv")
    assert (first.created, first.updated) == (78, 0)
    assert AuditEvent.objects.filter(target_type="contactcenter.fieldoffice").count() == 1

    again = load("offices", "offices.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 78)
    assert FieldOffice.objects.count() == 78

    text = (
        (DATA / "offices.csv").read_text(encoding="utf-8").replace("300 N Los Angeles St", "300 North Los Angeles St")
    )
    changed = tmp_path / "offices.csv"
    changed.write_text(text, encoding="utf-8")
    out, _ = run("import_reference", "offices", str(changed))
    assert "0 created, 1 updated, 77 unchanged, 0 failed" in out
    los = FieldOffice.objects.get(code="LOS")
    assert los.address_line == "300 North Los Angeles St"
    assert los.zip_prefixes[:2] == ["900", "901"]
    assert "interviews" in los.services
    assert los.phone == "(800) 375-5283"


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    out, _ = run("import_reference", "offices", str(DATA / "offices.csv"), "--dry-run")
    assert "Dry run: would have offices: 78 rows read, 78 created" in out
    assert FieldOffice.objects.count() == 0
    assert not AuditEvent.objects.filter(target_type="contactcenter.fieldoffice").exists()


@pytest.mark.django_db
def test_cases_normalise_identifiers_and_accumulate_history():
    load("forms", "forms.csv")
    load("offices", "offices.csv")
    row = {
        "receipt_number": "eac-219-000-0001",
        "form": "i485",
        "category": "Based on grant of asylum more than 1 year ago",
        "office": "vsc",
        "received_on": "2021-02-16",
        "applicant_name": "Ahmad Karimi",
        "date_of_birth": "04/12/1986",
        "a_number": "A-12345678",
        "mailing_address_line": "2410 N Fairfax Dr Apt 304",
        "mailing_city": "Arlington",
        "mailing_state": "va",
        "mailing_zip": "22201-1234",
        "history": "case-was-received:2021-02-16;biometrics-appointment-was-scheduled:2021-03-10",
    }
    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=[row])
    assert report.ok and report.created == 1
    case = BenefitCase.objects.select_related("form", "office", "status").get()
    assert case.receipt_number == "EAC2190000001"
    assert case.a_number == "A012345678"
    assert (case.mailing_state, case.mailing_zip) == ("VA", "22201")
    assert (case.form.number, case.office.code) == ("I-485", "VSC")
    # No status column: the case stands at its latest status.
    assert (case.status.code, case.status_on) == ("biometrics-appointment-was-scheduled", date(2021, 3, 10))
    assert CaseStatusEvent.objects.filter(case=case).count() == 2

    assert services.reference_rows_import(context=CONTEXT, kind="cases", rows=[row]).unchanged == 1
    assert CaseStatusEvent.objects.filter(case=case).count() == 2

    row["history"] += ";case-is-being-actively-reviewed-by-uscis:2026-09-22"
    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=[row])
    assert report.updated == 1
    case.refresh_from_db()
    assert case.status.code == "case-is-being-actively-reviewed-by-uscis"
    newest = CaseStatusEvent.objects.filter(case=case).values_list("status__code", flat=True).first()
    assert newest == "case-is-being-actively-reviewed-by-uscis"

    bad = dict(row, receipt_number="ABC1234567890", a_number="A12", mailing_zip="9001x", history="nope:2021-01-01")
    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=[bad])
    assert {e.field for e in report.errors} == {"receipt_number", "a_number", "mailing_zip", "history"}

    early = dict(row, receipt_number="EAC2190000099", history="case-was-received:2020-01-01")
    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=[early])
    assert [(e.field, e.message) for e in report.errors] == [
        ("history", "A status in the history is dated before the case was received.")
    ]


@pytest.mark.django_db
def test_visa_bulletin_cells_are_a_date_current_or_unavailable():
    rows = [
        {
            "bulletin_month": "2026-12",
            "chart": "final_action",
            "category": "EB4",
            "chargeability": "INDIA",
            "cell": "U",
        },
        {"bulletin_month": "2026-12", "chart": "FAD", "category": "eb1", "chargeability": "all", "cell": "C"},
        {"bulletin_month": "2026-12", "chart": "dff", "category": "F4", "chargeability": "MEXICO", "cell": "01MAY01"},
        {
            "bulletin_month": "2026-12-01",
            "chart": "final_action",
            "category": "F4",
            "chargeability": "MEXICO",
            "cell": "2001-05-22",
        },
        {"bulletin_month": "2026-12", "chart": "final_action", "category": "F5", "chargeability": "ALL", "cell": "X"},
    ]
    report = services.reference_rows_import(context=CONTEXT, kind="visa_bulletin", rows=rows)
    assert report.created == 4
    assert [(e.line, e.field) for e in report.errors] == [(6, "cell"), (6, "category")]
    cells = {(e.chart, e.category): (e.availability, e.cutoff, e.cell) for e in VisaBulletinEntry.objects.all()}
    assert cells[("final_action", "EB4")] == ("U", None, "U")
    assert cells[("final_action", "EB1")] == ("C", None, "C")
    assert cells[("dates_for_filing", "F4")] == ("D", date(2001, 5, 1), "01MAY01")
    assert cells[("final_action", "F4")] == ("D", date(2001, 5, 22), "22MAY01")


@pytest.mark.django_db
def test_shipped_files_import_cleanly_with_both_charts_for_three_months():
    for kind, name in [("forms", "forms.csv"), ("offices", "offices.csv"), ("visa_bulletin", "visa_bulletin.csv")]:
        load(kind, name)
    load("processing_times", "processing_times.csv")
    load("closures", "closures.csv")
    assert Form.objects.count() == 10
    assert FieldOffice.objects.filter(kind="field").count() >= 40
    assert set(FieldOffice.objects.exclude(kind="field").values_list("code", flat=True)) == {
        "VSC",
        "CSC",
        "NSC",
        "TSC",
        "PSC",
        "NBC",
    }
    months = set(VisaBulletinEntry.objects.values_list("bulletin_month", flat=True))
    assert months == {date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)}
    assert VisaBulletinEntry.objects.count() == 3 * 2 * 10 * 5
    assert VisaBulletinEntry.objects.filter(availability="C").exists()
    assert VisaBulletinEntry.objects.filter(availability="U").exists()
    assert set(ProcessingTime.objects.values_list("form__number", flat=True)) == set(
        Form.objects.values_list("number", flat=True)
    )


@pytest.mark.django_db
def test_zip_centroids_load_skips_unlocated_zips_and_is_idempotent():
    rows = [
        {
            "zip_code": "90012",
            "city": "Los Angeles",
            "state": "CA",
            "lat": "34.0614",
            "long": "-118.2385",
            "timezone": "America/Los_Angeles",
        },
        {"zip_code": "09001", "city": "APO", "state": "AE", "lat": "0", "long": "0", "timezone": ""},
        {"zip_code": "1234", "city": "Somewhere", "state": "MA", "lat": "42.1", "long": "-71.1", "timezone": ""},
        {"zip_code": "abcde", "city": "Nowhere", "state": "XX", "lat": "91", "long": "0", "timezone": ""},
    ]
    report = services.zip_centroids_load(context=CONTEXT, rows=rows)
    assert (report.created, report.skipped, report.failed) == (2, 1, 1)
    assert {e.field for e in report.errors} == {"zip_code", "lat"}
    assert set(ZipCentroid.objects.values_list("zip_code", flat=True)) == {"90012", "01234"}
    again = services.zip_centroids_load(context=CONTEXT, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_create_only_leaves_rows_on_file_as_staff_changed_them():
    load("forms", "forms.csv")
    load("offices", "offices.csv")
    with (DATA / "demo_cases.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert services.reference_rows_import(context=CONTEXT, kind="cases", rows=rows, create_only=True).created == 14
    BenefitCase.objects.filter(receipt_number="EAC2190000001").update(mailing_address_line="77 New Address St")
    events = CaseStatusEvent.objects.count()

    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=rows, create_only=True)
    assert (report.created, report.updated, report.skipped) == (0, 0, 14)
    assert BenefitCase.objects.get(receipt_number="EAC2190000001").mailing_address_line == "77 New Address St"
    assert CaseStatusEvent.objects.count() == events

    report = services.reference_rows_import(context=CONTEXT, kind="cases", rows=rows)
    assert (report.updated, report.unchanged) == (1, 13)
    assert BenefitCase.objects.get(receipt_number="EAC2190000001").mailing_address_line == "2410 N Fairfax Dr Apt 304"
