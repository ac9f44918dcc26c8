"""Reference selectors: cases, forms, nearest offices and civil surgeons, processing times, the bulletin."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import zipcodes

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, BenefitCase, FieldOffice, Form
from contactcenter.staff.roles import Role

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"
CONTEXT = AuditContext.system()
ZIPS = ["90012", "91406", "92701", "94111", "99546", "96910", "05478", "20001"]


def _import(kind: str, rows) -> None:
    report = services.reference_rows_import(context=CONTEXT, kind=kind, rows=rows)
    assert report.ok, report.errors


@pytest.fixture
def reference(db):
    for kind, name in [("forms", "forms.csv"), ("offices", "offices.csv"), ("closures", "closures.csv")]:
        with (DATA / name).open(encoding="utf-8") as handle:
            _import(kind, list(csv.DictReader(handle)))
    services.zip_centroids_load(context=CONTEXT, rows=[z for z in zipcodes.list_all() if z["zip_code"] in ZIPS])


def _pt(form: str, office: str, months: str, inquiry: str, published: str, category: str = "Default") -> dict:
    return {
        "form": form,
        "category": category,
        "category_es": f"{category} (es)",
        "office": office,
        "months": months,
        "inquiry_receipt_date": inquiry,
        "published_on": published,
    }


def _case(receipt: str, form: str, office: str, received: str, status: str, category: str = "Default") -> dict:
    return {
        "receipt_number": receipt,
        "form": form,
        "category": category,
        "office": office,
        "received_on": received,
        "status": status,
        "status_on": "2026-10-01",
        "applicant_name": "María Elena Castillo Ruiz",
        "date_of_birth": "1992-11-03",
        "a_number": "A98765432",
        "mailing_address_line": "1457 W Olympic Blvd Apt 3",
        "mailing_city": "Los Angeles",
        "mailing_state": "CA",
        "mailing_zip": "90015",
    }


def test_offices_nearest_zip_90012_starts_with_los_angeles(reference):
    nearest = selectors.offices_nearest(zip_code="90012")
    assert [office.name for office, _ in nearest] == [
        "Los Angeles Field Office",
        "Los Angeles County Field Office",
        "Santa Ana Field Office",
    ]
    miles = [distance for _, distance in nearest]
    assert miles == sorted(miles)
    assert miles[0] < 1 and 10 < miles[1] < 25 and 25 < miles[2] < 40

    centers = selectors.offices_nearest(zip_code="90012-1234", limit=2, kind="service_center")
    assert [office.code for office, _ in centers] == ["CSC", "TSC"]
    assert len(selectors.offices_nearest(zip_code="90012", limit=100, kind=None)) == FieldOffice.objects.count()


def test_offices_nearest_across_the_antimeridian_and_far_away(reference):
    # Adak, Alaska (longitude -176.6) and Guam (+144.8) sit on either side of the 180th meridian.
    assert selectors.offices_nearest(zip_code="99546", limit=1)[0][0].code == "ANC"
    guam = selectors.offices_nearest(zip_code="96910", limit=2)
    assert [office.code for office, _ in guam] == ["AGA", "HHW"]
    assert guam[1][1] > 3000


def test_unknown_or_malformed_zip_gives_an_empty_list(reference):
    assert selectors.offices_nearest(zip_code="00000") == []
    assert selectors.offices_nearest(zip_code="abc") == []
    assert selectors.civil_surgeons_nearest(zip_code="99999") == []


def test_civil_surgeons_nearest_sorted_by_distance(reference):
    surgeons = [
        ("Rosa Delgado, MD", "Pasadena", "34.1478", "-118.1445"),
        ("John Carter, DO", "Downtown Los Angeles", "34.0537", "-118.2428"),
        ("Minh Tran, MD", "Santa Ana", "33.7455", "-117.8677"),
        ("Olena Kovalenko, MD", "San Francisco", "37.7749", "-122.4194"),
    ]
    _import(
        "civil_surgeons",
        [
            {
                "name": name,
                "practice": f"{city} Immigration Medical Exams",
                "address_line": "100 Main St Suite 2",
                "city": city,
                "state": "CA",
                "zip_code": "90012",
                "latitude": lat,
                "longitude": lon,
                "phone": "213-555-0101",
                "languages": "en;ES",
            }
            for name, city, lat, lon in surgeons
        ],
    )
    nearest = selectors.civil_surgeons_nearest(zip_code="90012", limit=3)
    assert [surgeon.name for surgeon, _ in nearest] == ["John Carter, DO", "Rosa Delgado, MD", "Minh Tran, MD"]
    assert [round(miles) for _, miles in nearest] == [1, 8, 30]
    assert nearest[0][0].languages == ["en", "es"]
    assert nearest[0][0].phone == "(213) 555-0101"


def test_civil_surgeon_location_comes_from_the_zip_when_not_given(reference):
    row = {
        "name": "Ana Ruiz, MD",
        "practice": "Ruiz Family Medicine",
        "address_line": "1 Plaza",
        "city": "Van Nuys",
        "state": "CA",
        "zip_code": "91406",
        "phone": "(818) 555-0100",
    }
    _import("civil_surgeons", [row])
    surgeon = selectors.civil_surgeons_nearest(zip_code="91406", limit=1)[0][0]
    assert (surgeon.latitude, surgeon.longitude) == pytest.approx((34.2006, -118.4868))
    assert surgeon.languages == ["en"]
    report = services.reference_rows_import(
        context=CONTEXT, kind="civil_surgeons", rows=[dict(row, name="B", zip_code="99999")]
    )
    assert [e.field for e in report.errors] == ["zip_code"]


def test_case_outside_normal_processing_true_false_none(reference):
    _import(
        "processing_times",
        [
            _pt("I-485", "VSC", "31.0", "2024-03-01", "2026-10-01"),
            _pt("I-485", "VSC", "31.5", "2024-03-17", "2026-11-01"),
            _pt("N-400", "LOS", "6.5", "2026-04-17", "2026-11-01"),
        ],
    )
    _import(
        "cases",
        [
            _case("EAC2190000001", "I-485", "VSC", "2021-02-16", "case-is-being-actively-reviewed-by-uscis"),
            _case("EAC2490000002", "I-485", "VSC", "2024-03-17", "case-is-being-actively-reviewed-by-uscis"),
            _case("EAC2190000003", "I-485", "VSC", "2021-02-16", "case-was-approved"),
            _case("IOE0912345678", "N-400", "LOS", "2026-07-20", "interview-was-scheduled"),
            _case("MSC2690000006", "I-90", "NBC", "2026-05-04", "new-card-is-being-produced"),
        ],
    )
    outside = selectors.case_get(receipt_number="EAC2190000001")
    assert selectors.case_outside_normal_processing(case=outside) is True
    # Received on the inquiry date itself: not before it.
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="EAC2490000002")) is False
    # Decided cases are never outside normal processing time.
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="EAC2190000003")) is False
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="IOE0912345678")) is False
    # Nothing published for the I-90.
    assert selectors.case_outside_normal_processing(case=selectors.case_get(receipt_number="MSC2690000006")) is None
    # Before either publication nothing was published; between them, October's figure applies.
    assert selectors.case_outside_normal_processing(case=outside, today=date(2026, 9, 30)) is None
    assert selectors.processing_time_for_case(case=outside, as_of=date(2026, 10, 15)).months == 31
    assert selectors.processing_time_for_case(case=outside).inquiry_receipt_date == date(2024, 3, 17)


def test_processing_time_current_prefers_the_national_figure_then_office_name(reference):
    _import(
        "processing_times",
        [
            _pt("I-765", "LOS", "9.0", "2026-02-01", "2026-11-01", "All other applications"),
            _pt("I-765", "CSC", "4.0", "2026-06-01", "2026-10-01", "All other applications"),
            _pt("I-765", "CSC", "3.0", "2026-08-01", "2026-11-01", "All other applications"),
            _pt("N-400", "SFR", "12.0", "2025-11-01", "2026-11-01", "Application for naturalization"),
            _pt("N-400", "LOS", "6.5", "2026-04-17", "2026-11-01", "Application for naturalization"),
            _pt("N-400", "LOS", "7.0", "2026-03-01", "2026-10-01", "Application for naturalization"),
        ],
    )
    i765, n400 = Form.objects.get(number="I-765"), Form.objects.get(number="N-400")
    current = selectors.processing_time_current(form=i765, category="All other applications")
    assert (current.office.code, current.months, current.published_on) == ("CSC", 3, date(2026, 11, 1))
    # Two field offices: the first by name, not the one with the most months.
    assert selectors.processing_time_current(form=n400).office.code == "LOS"
    los = FieldOffice.objects.get(code="LOS")
    assert selectors.processing_time_current(form=i765, office=los).months == 9
    assert selectors.processing_time_current(form=i765, category="Unknown") is None
    categories = selectors.processing_time_categories(form=n400)
    assert [(c.category, c.label_for("es")) for c in categories] == [
        ("Application for naturalization", "Application for naturalization (es)")
    ]


def test_case_lookups_normalise_and_select_related(reference, django_assert_num_queries):
    _import(
        "cases",
        [
            _case("SRC2290000004", "I-485", "TSC", "2022-03-14", "case-was-received"),
            _case("SRC2290000005", "I-765", "TSC", "2022-03-15", "case-was-received"),
        ],
    )
    with django_assert_num_queries(1):
        case = selectors.case_get(receipt_number="src 229-000-0004")
        assert (case.form.number, case.office.code, case.status.code) == ("I-485", "TSC", "case-was-received")
    assert selectors.case_get(receipt_number="SRC22900") is None
    assert selectors.case_get(receipt_number="SRC2290000099") is None
    history = list(selectors.case_history(case=case))
    assert [(event.status.code, event.occurred_on) for event in history] == [("case-was-received", date(2026, 10, 1))]
    assert [c.receipt_number for c in selectors.cases_for_a_number(a_number="98765432")] == [
        "SRC2290000005",
        "SRC2290000004",
    ]
    assert list(selectors.cases_for_a_number(a_number="123")) == []


def test_form_get_by_digits(reference):
    assert selectors.form_get_by_digits(digits="485").number == "I-485"
    assert selectors.form_get_by_digits(digits="400").number == "N-400"
    assert selectors.form_get_by_digits(digits="90").number == "I-90"
    assert selectors.form_get_by_digits(digits="090").number == "I-90"
    assert selectors.form_get_by_digits(digits="12") is None
    assert selectors.form_get_by_digits(digits="") is None
    assert len(selectors.form_list()) == 10


def test_visa_bulletin_current_is_the_latest_month_by_chart(reference):
    rows = [
        {"bulletin_month": month, "chart": chart, "category": "EB2", "chargeability": "INDIA", "cell": cell}
        for month, chart, cell in [
            ("2026-11", "final_action", "2013-01-01"),
            ("2026-11", "dates_for_filing", "2013-07-01"),
            ("2026-12", "final_action", "U"),
            ("2026-12", "dates_for_filing", "2013-07-15"),
        ]
    ] + [{"bulletin_month": "2026-12", "chart": "final_action", "category": "EB1", "chargeability": "ALL", "cell": "C"}]
    _import("visa_bulletin", rows)
    cells = selectors.visa_bulletin_current(category="eb2", chargeability="India")
    assert {chart: entry.cell for chart, entry in cells.items()} == {
        "final_action": "U",
        "dates_for_filing": "15JUL13",
    }
    assert cells["dates_for_filing"].cutoff == date(2013, 7, 15)
    assert selectors.visa_bulletin_current(category="EB1", chargeability="ALL")["final_action"].availability == "C"
    assert selectors.visa_bulletin_current(category="F1", chargeability="MEXICO") == {}


def test_office_closures_upcoming(reference):
    houston = FieldOffice.objects.get(code="HOU")
    los = FieldOffice.objects.get(code="LOS")
    assert list(selectors.office_closures_upcoming(office=houston, today=date(2026, 11, 28))) == []
    closures = selectors.office_closures_upcoming(office=los, today=date(2026, 12, 8))
    assert [(c.starts_on, c.reason_es) for c in closures] == [
        (date(2026, 12, 7), "Cerrada por mantenimiento programado del edificio")
    ]


def test_benefit_case_admin_view_is_audited(reference, client_as):
    _import("cases", [_case("WAC2190000002", "I-765", "CSC", "2021-06-08", "card-was-mailed-to-me")])
    case = BenefitCase.objects.get()
    client = client_as(Role.ADMINISTRATOR)
    response = client.get(f"/admin/contactcenter/benefitcase/{case.pk}/change/")
    assert response.status_code == 200
    assert b"WAC2190000002" in response.content
    event = AuditEvent.objects.get(target_type="contactcenter.benefitcase", action="view")
    assert (event.action, event.channel, event.target_id, event.actor) == ("view", "admin", str(case.pk), client.user)
