"""The 30-minute idle sign-out: polls (console, wallboard, the page's own check) are not activity,
a real request is, and the page carries what it needs to warn before the end."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from contactcenter.models import AuditAction, AuditEvent
from contactcenter.staff.roles import Role

POLL = {"HTTP_X_POLL": "1", "HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "https://ncsc.test/console/"}


@pytest.fixture
def agent(make_staff):
    user = make_staff(Role.CSR)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# A session cookie that outlives the idle limit: the idle rule alone must end the session.
@override_settings(SESSION_COOKIE_AGE=4 * 3600)
def test_polling_every_minute_for_31_minutes_signs_the_user_out(agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert agent.get("/console/").status_code == 200
        codes = []
        for _ in range(31):
            clock.shift(timedelta(minutes=1))
            codes.append(agent.get("/console/work/", **POLL).status_code)
    assert codes[:29] == [200] * 29
    assert codes[29] == 401  # minute 30: the idle limit, however many polls came in between
    assert not _signed_in(agent)
    logout = AuditEvent.objects.get(action=AuditAction.LOGOUT, actor=agent.user)
    assert "after 30 idle minutes" in logout.summary


@override_settings(SESSION_COOKIE_AGE=4 * 3600)
def test_a_timed_out_poll_sends_htmx_to_the_sign_in_page():
    response = Client().get("/wallboard/live/", **POLL)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fconsole%2F"


@override_settings(SESSION_COOKIE_AGE=4 * 3600)
def test_a_real_request_restarts_the_idle_time_and_polls_report_what_is_left(agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        agent.get("/console/")
        clock.shift(timedelta(minutes=20))
        poll = agent.get("/console/work/", **POLL)
        assert poll["X-Session-Idle-Remaining"] == str(10 * 60)
        clock.shift(timedelta(minutes=9))
        click = agent.get("/cases/EAC2190000001/")  # the agent does something
        assert click["X-Session-Idle-Remaining"] == str(settings.SESSION_IDLE_SECONDS)
        clock.shift(timedelta(minutes=29))
        assert agent.get("/console/work/", **POLL).status_code == 200
        assert _signed_in(agent)
        clock.shift(timedelta(minutes=1))
        assert agent.get("/console/work/", **POLL).status_code == 401
    assert not _signed_in(agent)


def test_the_stay_signed_in_request_is_activity_and_the_check_is_not(agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        agent.get("/console/")
        clock.shift(timedelta(minutes=28))
        assert agent.get("/accounts/session/", HTTP_X_POLL="1").json() == {"remaining": 120}
        assert agent.get("/accounts/session/").json() == {"remaining": settings.SESSION_IDLE_SECONDS}
        clock.shift(timedelta(minutes=28))
        assert agent.get("/accounts/session/", HTTP_X_POLL="1").json() == {"remaining": 120}


@override_settings(SESSION_COOKIE_AGE=4 * 3600)
def test_a_page_request_after_the_idle_limit_goes_to_sign_in_and_says_why_in_spanish(agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        agent.get("/console/")
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS))
        response = agent.get("/console/", HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/console/")
    assert "Se cerró su sesión tras 30 minutos sin actividad." in response.content.decode()


def test_signed_in_pages_carry_the_warning_and_the_polls_are_marked(make_staff):
    client = Client()
    client.force_login(make_staff(Role.CSR, Role.SUPERVISOR))
    client.post("/console/state/", {"state": "available"})
    page = client.get("/console/").content.decode()
    assert 'id="session-idle"' in page and "hidden" in page
    assert f'data-remaining="{settings.SESSION_IDLE_SECONDS}"' in page
    assert f'data-warning="{settings.SESSION_IDLE_WARNING_SECONDS}"' in page
    assert "/static/js/session-idle.js" in page and "Stay signed in" in page
    assert """hx-trigger="every 500ms" hx-swap="outerHTML" hx-headers='{"X-Poll": "1"}'""" in page
    wallboard = client.get("/wallboard/").content.decode()
    assert """hx-trigger="every 5s" hx-swap="outerHTML" hx-headers='{"X-Poll": "1"}'""" in wallboard
    assert 'id="session-idle"' not in Client().get("/accounts/login/").content.decode()


def test_the_warning_is_in_spanish_on_a_spanish_page(agent):
    page = agent.get("/console/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Su sesión está por terminar" in page and "Seguir conectado" in page
