"""Not-found case lookups are limited across all callers too (a caller ID is easy to spoof): over
the limit the IVR answers no lookup, offers a representative, and raises one alert per window."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from contactcenter.models import AuditEvent, WaitingContact
from contactcenter.staff.roles import Role
from ivr.models import LookupAlert
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

FOUND = "3222190000001"  # EAC2190000001, keyed
UNKNOWN = "3229999999999"  # EAC9999999999: no such case
NOT_FOUND = "We could not find a case with receipt number"
PAUSED = "We cannot give case status information by phone at this time."


@pytest.fixture
def limits(settings):
    settings.IVR_CASE_LOOKUPS_PER_HOUR = 100  # the per-number limit is not what is under test
    settings.IVR_NOT_FOUND_LOOKUPS_PER_HOUR = 2


def look_up(caller, from_number, keys, language="1"):
    call = caller(from_number)
    call.start()
    call.press(language)
    call.press("1")  # case status
    call.press(keys)
    return call, call.press("1")  # "that is right"


def test_over_the_limit_across_callers_the_ivr_stops_answering_and_alerts_once(
    reference, caller, at_time, limits, caplog
):
    caplog.set_level(logging.ERROR)
    with at_time(WEEKDAY_7PM_EASTERN):
        # Each from another (spoofed) number: the per-number limit never trips.
        for n in (1, 2):
            _, reply = look_up(caller, f"+1213555010{n}", UNKNOWN)
            assert NOT_FOUND in reply.text
        assert not LookupAlert.objects.exists()
        _, third = look_up(caller, "+12135550103", UNKNOWN)
        # A case that exists is not told either, once the lookups are paused.
        _, found = look_up(caller, "+12135550104", FOUND)
        _, fifth = look_up(caller, "+12135550105", UNKNOWN)
    for reply in (third, found, fifth):
        assert PAUSED in reply.text and "A representative, 0." in reply.text
        assert NOT_FOUND not in reply.text and "Another receipt number, 1." not in reply.text
        assert reply.gather is not None  # the main menu, listening: 0 reaches a representative
    alert = LookupAlert.objects.get()
    assert (alert.not_found_count, alert.limit) == (3, 2)
    assert alert.window_ends_at - alert.raised_at == timedelta(hours=1)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "IVR case lookups paused" in r.getMessage()]
    assert len(errors) == 1
    assert "3 not-found lookups this hour across all callers (limit 2)" in errors[0].getMessage()
    assert AuditEvent.objects.filter(target_type="ivr.lookupalert", target_id=str(alert.pk)).count() == 1


def test_a_paused_spanish_caller_hears_it_in_spanish_and_reaches_a_representative(reference, caller, at_time, limits):
    with at_time(WEEKDAY_7PM_EASTERN):
        for n in (1, 2, 3):
            look_up(caller, f"+1213555011{n}", UNKNOWN)
        call, reply = look_up(caller, "+12135550142", FOUND, language="2")
        assert "En este momento no podemos dar información sobre el estado de casos" in reply.text
        assert "Formulario I-" not in reply.text
        to_agent = call.press("0")
    assert to_agent.enqueue is not None and to_agent.enqueue["name"] == "tier1-es"
    assert WaitingContact.objects.filter(call_sid=call.call_sid).exists()


def test_the_wallboard_shows_the_alert_while_lookups_are_paused(reference, caller, at_time, limits, client_as):
    with at_time(WEEKDAY_7PM_EASTERN):
        for n in (1, 2, 3):
            look_up(caller, f"+1213555012{n}", UNKNOWN)
        client = client_as(Role.SUPERVISOR)
        for url in ("/wallboard/", "/wallboard/live/"):
            page = client.get(url).content.decode()
            assert 'data-alert="ivr-lookups-' in page, url
            assert "IVR case-status lookups paused until 20:00" in page
            assert "3 receipt numbers not found within the hour across all callers (limit 2)" in page
    with at_time(WEEKDAY_7PM_EASTERN + timedelta(hours=1, minutes=1)):
        client = client_as(Role.SUPERVISOR)
        assert "data-alert=" not in client.get("/wallboard/live/").content.decode()


def test_under_the_limit_nothing_changes(reference, caller, at_time, limits):
    with at_time(WEEKDAY_7PM_EASTERN):
        _, reply = look_up(caller, "+12135550131", FOUND)
    assert "Another receipt number, 1." in reply.text
    assert not LookupAlert.objects.exists()
