"""The live tier keeps office hours and reads a seeded reference world (offices, forms, cases)."""

from __future__ import annotations

import pytest

from tests.reference_data import seed_reference


@pytest.fixture(autouse=True)
def _a_weekday_morning(at_time):
    """Tier 1 and Tier 2 keep office hours: these conversations happen on a Monday at 10 a.m. Pacific."""
    from datetime import UTC, datetime

    with at_time(datetime(2026, 11, 30, 18, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def reference(db):

    seed_reference(cases=60, surgeons=20)
