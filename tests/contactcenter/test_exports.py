"""Every CSV export starts with the UTF-8 byte-order mark and defuses spreadsheet formulas, through the one
response and writer in contactcenter.common.exports."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date
from types import SimpleNamespace

import pytest

from contactcenter.common.exports import spreadsheet_safe
from contactcenter.staff.roles import Role
from tests.conftest import ROOT
from tests.outreach.factories import ContactFactory, OrganisationFactory

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "  =1+1"]


@pytest.mark.parametrize("cell", ATTACKS)
def test_formula_cells_are_defused(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("value, expected", [("Maria", "Maria"), ("a=b", "a=b"), (None, ""), (-3.5, -3.5), (0, 0)])
def test_other_cells_and_numbers_are_kept(value, expected):
    assert spreadsheet_safe(value) == expected


def test_no_csv_writer_outside_the_guarded_one():
    writers = [
        str(path.relative_to(ROOT))
        for app in ("contactcenter", "ivr", "casework", "outreach")
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert writers == ["contactcenter/common/exports.py"]


def test_no_csv_response_outside_the_guarded_one():
    made = [
        str(path.relative_to(ROOT))
        for app in ("contactcenter", "ivr", "casework", "outreach")
        for path in (ROOT / app).rglob("*.py")
        if "text/csv" in path.read_text()
    ]
    assert made == ["contactcenter/common/exports.py"]


def _rows(response) -> list[list[str]]:
    """The export's rows, once its first bytes are the byte-order mark Excel needs to read UTF-8."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _cells(response) -> list[str]:
    return [cell for row in _rows(response) for cell in row]


def _assert_defused(cells):
    for attack in ATTACKS:
        assert "'" + attack in cells, attack
        assert attack not in cells, attack


def test_queue_report_csv_is_guarded(client_as, monkeypatch):
    from contactcenter import selectors

    rows = [
        {"day": date(2026, 12, 1), "queue_name": attack, "language": "en", "contacts": 1, "answered": 1,
         "within": 1, "abandoned": 0, "service_level_percent": 100.0, "abandonment_percent": 0.0,
         "asa": 3, "aht": 60, "wrap": 10}
        for attack in ATTACKS
    ]  # fmt: skip
    monkeypatch.setattr(selectors, "queue_history", lambda **kwargs: rows)
    response = client_as(Role.SUPERVISOR).get("/reports/queues/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    _assert_defused(_cells(response))


def test_casework_report_csv_is_guarded(client_as, monkeypatch):
    from casework import selectors

    figures = SimpleNamespace(
        volume=[{"month": date(2026, 10, 1), "source": attack, "count": 1} for attack in ATTACKS],
        on_time_percent=None,
        median_days=None,
        ageing=[{"label": "0–5", "count": 2}],
    )
    monkeypatch.setattr(selectors, "casework_report", lambda **kwargs: figures)
    response = client_as(Role.CAO_SUPERVISOR).get("/casework/reports/", {"format": "csv"})
    cells = _cells(response)
    _assert_defused(cells)
    assert "0–5" in cells


def test_outreach_segment_csv_is_guarded(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    organisation = OrganisationFactory(kind="faith", name='=IMPORTXML("http://x","//a")', region="Central")
    for attack in ATTACKS:
        contact = ContactFactory(first_name=attack, last_name="Doe", consent_email=True)
        contact.memberships.create(organisation=organisation)
    response = client.get("/outreach/segments.csv?kind=faith")
    cells = _cells(response)
    assert '\'=IMPORTXML("http://x","//a")' in cells
    names = [row[5] for row in _rows(response)][1:]
    assert len(names) == len(ATTACKS) and all(name.startswith("'") for name in names), names


def test_a_spanish_name_reaches_the_export_whole(client_as):
    organisation = OrganisationFactory(kind="faith", name="Iglesia de San José", region="Central")
    ContactFactory(first_name="María José", last_name="Peña Núñez").memberships.create(organisation=organisation)
    response = client_as(Role.OUTREACH_STAFF).get("/outreach/segments.csv?kind=faith")
    assert response.content.startswith(codecs.BOM_UTF8 + b"organisation,")
    cells = _cells(response)
    assert "Iglesia de San José" in cells and "María José Peña Núñez" in cells
