"""`manage.py twilio_configure` against the fake Twilio API: the exact REST requests that point the
number at our webhooks and make the agents' TwiML App, a dry run that calls nothing, a second run
that changes nothing, and an operator's mistakes said in one line, never a traceback."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.fake_twilio import Recorded

ACCOUNT = "AC00000000000000000000000000000000"
API = f"/2010-04-01/Accounts/{ACCOUNT}"
NUMBER = "+18003755283"
BASE = "https://ncsc.test"
NUMBER_PARAMS = {
    "VoiceUrl": f"{BASE}/ivr/voice/",
    "VoiceMethod": "POST",
    "StatusCallback": f"{BASE}/ivr/status/",
    "StatusCallbackMethod": "POST",
    "VoiceFallbackUrl": f"{BASE}/ivr/fallback/",
    "VoiceFallbackMethod": "POST",
    "VoiceApplicationSid": "",
    "SmsUrl": f"{BASE}/ivr/sms/",
    "SmsMethod": "POST",
}


@pytest.fixture
def account(fake_twilio, settings):
    settings.TWILIO_TWIML_APP_SID = ""
    fake_twilio.number_add("+12025550100", voice_url="https://elsewhere.example/voice")
    fake_twilio.number_add(NUMBER, voice_url="https://demo.twilio.com/welcome/voice/", voice_method="POST")
    return fake_twilio


def _run(*args: str) -> str:
    out = StringIO()
    call_command("twilio_configure", *args, stdout=out)
    return out.getvalue()


def test_the_first_run_sets_the_numbers_webhooks_and_creates_the_twiml_app(account):
    out = _run()
    number_sid, app_sid = "PN" + "0" * 31 + "2", "AP" + "0" * 31 + "1"
    lookup = Recorded("GET", f"{API}/IncomingPhoneNumbers.json", {"PhoneNumber": NUMBER, "PageSize": "2"})
    assert account.requests == [
        lookup,
        # Only what differs: the method was POST already, and no TwiML App takes the number's calls.
        Recorded(
            "POST",
            f"{API}/IncomingPhoneNumbers/{number_sid}.json",
            {k: v for k, v in NUMBER_PARAMS.items() if k not in ("VoiceMethod", "VoiceApplicationSid")},
        ),
        Recorded("GET", f"{API}/Applications.json", {"FriendlyName": "NCSC Contact Center agents", "PageSize": "2"}),
        Recorded(
            "POST",
            f"{API}/Applications.json",
            {
                "FriendlyName": "NCSC Contact Center agents",
                "VoiceUrl": f"{BASE}/ivr/agent/voice/",
                "VoiceMethod": "POST",
            },
        ),
    ]
    assert f"TWILIO_TWIML_APP_SID={app_sid}" in out
    assert "Put that line in the environment" in out
    assert account.numbers[0]["voice_url"] == "https://elsewhere.example/voice"  # another number: untouched

    # Run again (with the SID now in the environment or not): nothing to change, and it says so.
    account.clear()
    out = _run()
    assert "Nothing to change" in out and f"TWILIO_TWIML_APP_SID={app_sid}" in out
    assert all(request.method == "GET" for request in account.requests)


def test_a_number_answered_by_a_twiml_app_is_taken_back_to_the_ivr(account):
    sid = account.number_add("+18005550123", voice_application_sid="AP" + "7" * 32, voice_method="GET")
    _run("--number", "(800) 555-0123")
    update = account.requests[1]
    assert (update.method, update.path, update.params) == (
        "POST",
        f"{API}/IncomingPhoneNumbers/{sid}.json",
        NUMBER_PARAMS,
    )


def test_an_existing_app_named_in_the_environment_is_updated_not_duplicated(account, settings):
    app_sid = account.application_add("Old softphone app", voice_url="https://old.example/agent", voice_method="GET")
    settings.TWILIO_TWIML_APP_SID = app_sid
    out = _run()
    assert account.requests[2:] == [
        Recorded("GET", f"{API}/Applications/{app_sid}.json", {}),
        Recorded(
            "POST",
            f"{API}/Applications/{app_sid}.json",
            {"VoiceUrl": f"{BASE}/ivr/agent/voice/", "VoiceMethod": "POST"},
        ),
    ]
    assert len(account.applications) == 1
    assert f"TWILIO_TWIML_APP_SID={app_sid}" in out and "Put that line" not in out


def test_a_dry_run_prints_the_plan_and_calls_nothing(account):
    out = _run("--dry-run")
    assert account.requests == []
    assert "Dry run: nothing is sent to Twilio." in out
    assert f"Would look up {NUMBER} on account {ACCOUNT}" in out
    assert f"voice_url = {BASE}/ivr/voice/" in out
    assert f"status_callback = {BASE}/ivr/status/" in out
    assert f"voice_fallback_url = {BASE}/ivr/fallback/" in out
    assert "TwiML App named 'NCSC Contact Center agents', and create it if there is none" in out
    assert f"voice_url = {BASE}/ivr/agent/voice/" in out
    assert "A real run would stop here" not in out


def test_a_number_not_on_the_account_is_said_plainly(account, settings):
    settings.TWILIO_PHONE_NUMBER = "+18005550199"
    with pytest.raises(CommandError, match=r"^\+18005550199 is not a number of account AC0+: buy or port it"):
        _run()
    assert [request.method for request in account.requests] == ["GET"]


def test_refused_credentials_are_said_plainly(account):
    account.fail_next(1, status=401)
    with pytest.raises(CommandError, match=r"^Twilio refused the credentials: check TWILIO_ACCOUNT_SID and"):
        _run()


def test_an_app_sid_not_on_the_account_is_said_plainly(account, settings):
    settings.TWILIO_TWIML_APP_SID = "AP" + "9" * 32
    with pytest.raises(CommandError, match=r"^TWILIO_TWIML_APP_SID=AP9+ is not a TwiML App of account"):
        _run()


def test_twilio_unreachable_is_said_plainly(account, settings):
    account.fail_next(1, status=503)
    with pytest.raises(CommandError, match=r"^Twilio refused to look up"):
        _run()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("PUBLIC_BASE_URL", "http://127.0.0.1:8000", "PUBLIC_BASE_URL is 'http://127.0.0.1:8000': set it to the https"),
        ("TWILIO_AUTH_TOKEN", "", "Set TWILIO_AUTH_TOKEN in the environment first."),
        ("TWILIO_PHONE_NUMBER", "", "Set TWILIO_PHONE_NUMBER"),
        ("TWILIO_PHONE_NUMBER", "call-us", "'call-us' is not a phone number"),
    ],
)
def test_settings_a_real_run_needs_are_checked_before_any_request(account, settings, setting, value, message):
    setattr(settings, setting, value)
    with pytest.raises(CommandError) as raised:
        _run()
    assert str(raised.value).startswith(message)
    assert account.requests == []


def test_a_dry_run_warns_of_what_would_stop_a_real_run(account, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    out = _run("--dry-run")
    assert "A real run would stop here: PUBLIC_BASE_URL" in out and account.requests == []
