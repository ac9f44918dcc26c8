from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from ivr import reference as reference_cache
from ivr.simulator import SimulatedCall
from tests.reference_data import seed_reference

EASTERN = ZoneInfo("America/New_York")
# A Wednesday, no federal holiday.
WEEKDAY_7PM_EASTERN = datetime(2026, 12, 2, 19, 0, tzinfo=EASTERN)
WEEKDAY_9PM_EASTERN = datetime(2026, 12, 2, 21, 0, tzinfo=EASTERN)
SATURDAY_NOON_EASTERN = datetime(2026, 12, 5, 12, 0, tzinfo=EASTERN)


@pytest.fixture
def reference(db):
    """The demo reference data the IVR reads: forms, offices, surgeons, processing times, bulletin, cases."""

    seed_reference(cases=60, surgeons=80)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    # Each test's reference rows are rolled back after it: no process may keep them.
    reference_cache.clear_local()


@pytest.fixture
def caller(db):
    def dial(from_number="+12135550142", **kwargs):
        return SimulatedCall(from_number=from_number, **kwargs)

    return dial


@pytest.fixture
def reference_once(django_db_blocker, db):
    """Reference data for property tests (hypothesis re-runs the test body, not the fixture)."""

    seed_reference(cases=20, surgeons=20)
