"""How the console's templates write the caller's time, waits and IVR steps."""

from __future__ import annotations

import pytest


def test_a_spanish_console_shows_the_callers_time_on_a_24_hour_clock_with_the_zone_named():
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load i18n tz %}{{ at|timezone:zone|time }} "
        "({% blocktranslate with zone=label %}{{ zone }} time{% endblocktranslate %})"
    )
    at = datetime(2026, 11, 30, 18, 5, tzinfo=UTC)
    with translation.override("es"):
        shown = template.render(Context({"at": at, "zone": "America/Phoenix", "label": "de Arizona"}))
    assert shown == "11:05 (hora de Arizona)"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0, "0 s"), (45, "45 s"), (240, "4 min"), (245, "4 min 5 s"), (4272, "1 h 11 min")],
)
def test_waits_are_shown_in_hours_minutes_and_seconds(seconds, shown):
    from contactcenter.templatetags.durations import wait_time

    assert wait_time(seconds) == shown


def test_an_outreach_callback_path_reads_as_words():
    from contactcenter.templatetags.ivr_labels import ivr_step

    assert ivr_step("outreach-referral") == "Referred by outreach staff (callback)"
