"""The webhooks read what Twilio really posts: some 25 form parameters, and our own `?s=` step."""

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from ivr.models import Call, CallEvent
from ivr.simulator import sign

CALL_SID = "CA" + "7" * 32
# A real inbound call's parameters (the caller's and the number's places as Twilio geolocates them).
TWILIO_PARAMS = {
    "AccountSid": "AC" + "0" * 32,
    "ApiVersion": "2010-04-01",
    "CallSid": CALL_SID,
    "CallStatus": "ringing",
    "CallToken": "%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9%22%7D",
    "Called": "+18003755283",
    "CalledCity": "",
    "CalledCountry": "US",
    "CalledState": "",
    "CalledZip": "",
    "Caller": "+12135550142",
    "CallerCity": "SAN JOSÉ",
    "CallerCountry": "US",
    "CallerState": "CA",
    "CallerZip": "90012",
    "Direction": "inbound",
    "From": "+12135550142",
    "FromCity": "SAN JOSÉ",
    "FromCountry": "US",
    "FromState": "CA",
    "FromZip": "90012",
    "StirVerstat": "TN-Validation-Passed-A",
    "To": "+18003755283",
    "ToCity": "",
    "ToCountry": "US",
    "ToState": "",
    "ToZip": "",
}


def post(path, params, signature):
    return Client().post(path, params, HTTP_HOST="127.0.0.1", headers={"X-Twilio-Signature": signature})


def twilio_signature(url, params):
    """Signed as Twilio signs, by twilio's own validator over a plain dict (not our code path)."""
    return RequestValidator("test-twilio-auth-token").compute_signature(url, dict(params))


def test_a_full_twilio_parameter_set_is_verified_and_any_tampered_value_refused(db, settings):
    settings.TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
    url = "https://ncsc.test/ivr/voice/"
    signature = twilio_signature(url, TWILIO_PARAMS)
    assert signature == sign(url, TWILIO_PARAMS, "test-twilio-auth-token")

    assert post("/ivr/voice/", {**TWILIO_PARAMS, "CallerCity": "SAN JOSE"}, signature).status_code == 403
    assert post("/ivr/voice/", {**TWILIO_PARAMS, "FromZip": ""}, signature).status_code == 403
    assert not Call.objects.exists()

    response = post("/ivr/voice/", TWILIO_PARAMS, signature)
    assert response.status_code == 200
    assert Call.objects.get().from_number == "+12135550142"


@pytest.mark.parametrize(
    ("query", "answered_as"),
    [
        ("s=1", "language chosen"),  # the step we asked for
        ("s=1&utm=x", "language chosen"),  # extra query parameters (signed with the URL) do not hide it
        ("s=%C2%B2", "started over"),  # "²" is a digit to Python's str.isdigit, not a step number
        ("s=", "started over"),
        ("", "started over"),
    ],
)
def test_the_step_number_is_read_from_the_action_url(db, settings, query, answered_as):
    settings.TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
    start = "https://ncsc.test/ivr/voice/"
    assert post("/ivr/voice/", TWILIO_PARAMS, twilio_signature(start, TWILIO_PARAMS)).status_code == 200

    path = "/ivr/step/" + (f"?{query}" if query else "")
    params = {**TWILIO_PARAMS, "CallStatus": "in-progress", "Digits": "1"}
    response = post(path, params, twilio_signature("https://ncsc.test" + path, params))

    assert response.status_code == 200
    body = response.content.decode()
    events = list(CallEvent.objects.filter(call__call_sid=CALL_SID).values_list("step", "node"))
    if answered_as == "language chosen":
        assert events == [(0, "start"), (1, "language")]
        assert Call.objects.get(call_sid=CALL_SID).language == "en"
        assert "?s=2" in body
    else:  # an unusable step number: the caller hears the first question again, nothing is recorded twice
        assert events == [(0, "start")]
        assert "?s=1" in body and "para español" in body.lower()
