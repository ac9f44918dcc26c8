"""The call simulator is for TELEPHONY_BACKEND=local only, and its calls obey the case-lookup limits."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from contactcenter.staff.roles import Role
from ivr.models import Call
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_simulator_page_is_not_there_with_a_real_telephony_backend(client_as, settings, method):
    settings.TELEPHONY_BACKEND = "twilio"
    client = client_as(Role.SUPERVISOR)
    response = getattr(client, method)("/ivr/simulator/", {"action": "start", "from_number": "+12135550142"})
    assert response.status_code == 404
    assert not Call.objects.exists()


def test_the_simulator_page_still_refuses_roles_it_never_admitted(client_as, settings):
    settings.TELEPHONY_BACKEND = "twilio"
    assert client_as(Role.CAO_ANALYST).get("/ivr/simulator/").status_code == 403
    assert client_as(Role.CAO_ANALYST).get("/ivr/simulator/line/").status_code == 403


def test_the_simulators_line_and_its_hang_up_sweep_are_off_with_a_real_telephony_backend(client_as, settings):
    from ivr.simulator import lines_hang_up

    settings.TELEPHONY_BACKEND = "twilio"
    assert client_as(Role.SUPERVISOR).get("/ivr/simulator/line/").status_code == 404
    assert lines_hang_up() == []


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:9"])
def test_simulate_call_refuses_with_a_real_telephony_backend(db, settings, base_url):
    settings.TELEPHONY_BACKEND = "twilio"
    with pytest.raises(CommandError, match="TELEPHONY_BACKEND=local"):
        call_command("simulate_call", from_number="+12135550142", press="1", base_url=base_url)
    assert not Call.objects.exists()


def _look_up(client, from_number):
    client.post("/ivr/simulator/", {"action": "start", "from_number": from_number, "as_if_at": ""})
    for keys in ("1", "1", "3222190000001", "1"):  # English, case status, a receipt number, confirmed
        page = client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""})
    return page.content.decode()


def test_a_simulator_user_changing_numbers_gets_no_fresh_lookups(reference, client_as, settings, at_time):
    settings.IVR_CASE_LOOKUPS_PER_HOUR = 2
    with at_time(WEEKDAY_7PM_EASTERN):
        client = client_as(Role.CSR)
        assert "Another receipt number, 1." in _look_up(client, "+12135550101")
        assert "Another receipt number, 1." in _look_up(client, "+12135550102")
        # A third number: a real caller from it would be answered; this user has had their two.
        third = _look_up(client, "+12135550103")
    assert "Another receipt number, 1." not in third
    assert "For your security, we cannot give more case status information" in third


def test_a_simulated_call_from_a_limited_number_is_limited_too(reference, client_as, caller, settings, at_time):
    settings.IVR_CASE_LOOKUPS_PER_HOUR = 1
    with at_time(WEEKDAY_7PM_EASTERN):
        real = caller("+12135550104")
        real.start()
        for keys in ("1", "1", "3222190000001"):
            real.press(keys)
        assert "Another receipt number, 1." in real.press("1").text
        page = _look_up(client_as(Role.SUPERVISOR), "+12135550104")
    assert "For your security, we cannot give more case status information" in page
