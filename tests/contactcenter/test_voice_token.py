"""The softphone's access token (GET /api/agent/voice-token/) and the console's device-problem report."""

from __future__ import annotations

from datetime import UTC, datetime

import jwt
import pytest
from django.core.cache import cache
from django.test import Client

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AgentState, AgentStateChange, AuditEvent, WaitingContact
from contactcenter.staff.roles import Role
from contactcenter.telephony.softphone import local_token_identity

URL = "/api/agent/voice-token/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def twilio_backend(settings):
    settings.TELEPHONY_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "a" * 32
    settings.TWILIO_API_KEY_SID = "SK" + "b" * 32
    settings.TWILIO_API_KEY_SECRET = "the-api-key-secret-for-this-test"
    settings.TWILIO_TWIML_APP_SID = "AP" + "c" * 32
    return settings


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO])
def test_an_agent_gets_a_twilio_access_token_for_their_own_identity(role, make_staff, twilio_backend):
    agent = make_staff(role)
    before = int(datetime.now(UTC).timestamp())
    response = _signed_in(agent).get(URL)
    after = int(datetime.now(UTC).timestamp())

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["identity"] == f"agent-{agent.pk}" == services.agent_identity(agent)
    claims = jwt.decode(
        body["token"],
        "the-api-key-secret-for-this-test",
        algorithms=["HS256"],
        options={"verify_aud": False},
    )
    header = jwt.get_unverified_header(body["token"])
    assert header["cty"] == "twilio-fpa;v=1"
    assert claims["iss"] == "SK" + "b" * 32 and claims["sub"] == "AC" + "a" * 32
    assert claims["grants"] == {
        "identity": f"agent-{agent.pk}",
        "voice": {"incoming": {"allow": True}, "outgoing": {"application_sid": "AP" + "c" * 32}},
    }
    assert before - 1 <= claims["nbf"] <= after
    assert claims["exp"] - claims["nbf"] <= 3600
    assert claims["exp"] == int(datetime.fromisoformat(body["expires_at"]).timestamp())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(body["token"], "another-secret-of-the-same-length-as-ours", algorithms=["HS256"])


def test_the_token_lives_at_most_an_hour_whatever_the_setting(make_staff, twilio_backend):
    agent = make_staff(Role.CSR)
    twilio_backend.TWILIO_VOICE_TOKEN_TTL_SECONDS = 86_400
    body = _signed_in(agent).get(URL).json()
    claims = jwt.decode(body["token"], "the-api-key-secret-for-this-test", algorithms=["HS256"])
    assert claims["exp"] - claims["nbf"] == 3600

    twilio_backend.TWILIO_VOICE_TOKEN_TTL_SECONDS = 900
    body = _signed_in(agent).get(URL).json()
    claims = jwt.decode(body["token"], "the-api-key-secret-for-this-test", algorithms=["HS256"])
    assert claims["exp"] - claims["nbf"] == 900


def test_the_call_is_dialled_to_the_identity_the_token_carries(make_staff, twilio_backend, settings):
    """The caller is put through to the identity the browser registers: the call control names it, and
    the caller waits in the contact's conference, which that identity's line joins (test_conference)."""
    from contactcenter.models import CallControl
    from contactcenter.telephony import gateway as telephony
    from contactcenter.telephony.gateway import control_twiml

    settings.TIER1_ALWAYS_OPEN = True
    agent = make_staff(Role.CSR)
    client = _signed_in(agent)
    identity = client.get(URL).json()["identity"]
    services.agent_state_set(context=AuditContext.system(), user=agent, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "2" * 32,
    )
    services.route_next(queue_name="tier1-en")
    services.contact_answer(context=AuditContext.system(), user=agent, contact_id=contact.pk)
    control = CallControl.objects.get(contact=contact, action="connect_agent")
    contact.refresh_from_db()
    assert control.target == identity
    assert f">{telephony.conference_name(contact)}</Conference>" in control_twiml(control)
    # ... and the browser registered as that identity is rung to join it.
    assert CallControl.objects.get(contact=contact, action="dial_agent").target == f"client:{identity}"


def test_with_the_local_backend_the_token_is_a_signed_local_device_token(make_staff, settings):
    settings.TELEPHONY_BACKEND = "local"
    agent = make_staff(Role.ISO)
    body = _signed_in(agent).get(URL).json()
    assert body["token"].startswith("local-device.")
    assert body["identity"] == f"agent-{agent.pk}"
    assert local_token_identity(body["token"]) == f"agent-{agent.pk}"
    assert local_token_identity(body["token"][:-2] + "xx") is None  # tampered
    with pytest.raises(jwt.DecodeError):
        jwt.decode(body["token"], options={"verify_signature": False})  # not a Twilio token
    expires = datetime.fromisoformat(body["expires_at"])
    assert local_token_identity(body["token"], now=expires) is None


@pytest.mark.parametrize(
    "role", [Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.TSA_LIAISON, Role.CRO, Role.ADMINISTRATOR]
)
def test_only_agents_and_supervisors_get_a_token(role, make_staff, twilio_backend):
    assert _signed_in(make_staff(role)).get(URL).status_code == 403


def test_anonymous_gets_no_token(db):
    assert Client().get(URL).status_code in (401, 403)


def test_tokens_are_rate_limited(make_staff, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "voice-token": "3/hour"},
    }
    client = _signed_in(make_staff(Role.CSR))
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]


def _offered(agent) -> WaitingContact:
    services.agent_state_set(context=AuditContext.system(), user=agent, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(channel="ivr"),
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "3" * 32,
    )
    assert services.route_next(queue_name="tier1-en").agent_id == agent.pk
    return contact


def test_a_device_problem_makes_an_available_agent_not_ready_with_the_reason(make_staff):
    agent = make_staff(Role.CSR)
    client = _signed_in(agent)
    client.post("/console/state/", {"state": "available"})

    response = client.post("/console/device-problem/", {"detail": "device error 31005"})

    assert response.json() == {"state": "not_ready", "reason": "device problem"}
    state = AgentState.objects.get(user=agent)
    assert (state.state, state.reason_code) == ("not_ready", "device_problem")  # the center's reason code
    change = AgentStateChange.objects.filter(agent=agent).latest("at")
    assert (change.from_state, change.to_state, change.reason, change.reason_code) == (
        "available",
        "not_ready",
        "device problem: device error 31005",
        "device_problem",
    )
    summary = "Agent available → not_ready [device_problem]: device problem: device error 31005"
    assert AuditEvent.objects.filter(summary=summary).exists()


def test_a_device_problem_during_an_offer_puts_the_caller_back_in_line(make_staff, settings):
    settings.TIER1_ALWAYS_OPEN = True
    agent = make_staff(Role.CSR)
    contact = _offered(agent)

    _signed_in(agent).post("/console/device-problem/")

    contact.refresh_from_db()
    assert (contact.status, contact.offered_to_id) == ("waiting", None)
    assert AgentState.objects.get(user=agent).state == "not_ready"


@pytest.mark.parametrize("state", ["break", "offline"])
def test_a_device_problem_leaves_an_agent_who_takes_no_calls_as_they_are(state, make_staff):
    agent = make_staff(Role.ISO)
    client = _signed_in(agent)
    client.post("/console/state/", {"state": state})
    expected = "offline" if state == "offline" else "break"
    assert client.post("/console/device-problem/").json()["state"] == expected
    assert AgentState.objects.get(user=agent).state == expected


def test_device_problem_needs_a_post_with_csrf_from_an_agent(make_staff):
    agent = make_staff(Role.CSR)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    assert strict.post("/console/device-problem/").status_code == 403
    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    assert supervisor.post("/console/device-problem/").status_code == 403
    assert _signed_in(agent).get("/console/device-problem/").status_code == 405


def test_the_console_carries_the_softphone_words_in_the_agents_language(make_staff):
    client = _signed_in(make_staff(Role.CSR))
    english = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get("/console/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'data-token-url="/api/agent/voice-token/"' in english
    assert "so you were set to Not ready (device problem)" in english
    assert "así que quedó como No disponible (problema del dispositivo)" in spanish
    assert "Su teléfono" in spanish
    # Tests load the recording double, never the SDK; with a Twilio account the console loads the vendored SDK.
    assert "/static/e2e/twilio-device-double.js" in english and "twilio.min.js" not in english


def test_the_console_loads_the_vendored_sdk_with_twilio_and_the_local_device_without(make_staff, settings):
    client = _signed_in(make_staff(Role.CSR))
    settings.VOICE_DEVICE_DOUBLE = False
    settings.TELEPHONY_BACKEND = "twilio"
    assert "/static/vendor/twilio-voice/twilio.min.js" in client.get("/console/").content.decode()
    settings.TELEPHONY_BACKEND = "local"
    assert "/static/js/local-voice-device.js" in client.get("/console/").content.decode()


def test_production_with_twilio_refuses_to_start_without_the_softphone_keys():
    import subprocess
    import sys

    from tests.contactcenter.test_operations import ROOT, _production_env

    env = _production_env(
        TELEPHONY_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC" + "a" * 32, TWILIO_AUTH_TOKEN="an-auth-token"
    )
    for name in ("TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_TWIML_APP_SID"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, TWILIO_TWIML_APP_SID" in result.stderr
