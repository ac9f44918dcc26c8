import pytest
from django.test import Client, override_settings

from ivr.simulator import SimulatedCall, sign

PARAMS = {"CallSid": "CA" + "1" * 32, "From": "+12135550142", "To": "+18003755283"}


def post(path, params, signature=None, host="127.0.0.1", **extra):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return Client().post(path, params, HTTP_HOST=host, headers=headers, **extra)


@pytest.mark.parametrize(
    "path", ["/ivr/voice/", "/ivr/step/?s=1", "/ivr/status/", "/ivr/fallback/", "/ivr/queue/wait/"]
)
def test_missing_and_forged_signatures_are_refused(db, path):
    assert post(path, PARAMS).status_code == 403
    assert post(path, PARAMS, signature="Zm9yZ2Vk").status_code == 403
    tampered = {**PARAMS, "From": "+12025550100"}
    assert post(path, tampered, signature=sign("https://ncsc.test" + path, PARAMS)).status_code == 403


def test_a_signature_for_another_url_is_refused(db):
    signature = sign("https://ncsc.test/ivr/status/", PARAMS)
    assert post("/ivr/voice/", PARAMS, signature=signature).status_code == 403


def test_get_is_refused(db):
    assert Client().get("/ivr/voice/", PARAMS, HTTP_HOST="127.0.0.1").status_code == 403


def test_signed_request_is_answered_with_twiml(db):
    response = post("/ivr/voice/", PARAMS, signature=sign("https://ncsc.test/ivr/voice/", PARAMS))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Gather')


@override_settings(PUBLIC_BASE_URL="", SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_without_public_base_url_the_proxy_scheme_is_honoured(db):
    signature = sign("https://127.0.0.1/ivr/voice/", PARAMS)
    assert post("/ivr/voice/", PARAMS, signature=signature).status_code == 403
    assert post("/ivr/voice/", PARAMS, signature=signature, HTTP_X_FORWARDED_PROTO="https").status_code == 200


@override_settings(TWILIO_AUTH_TOKEN="")
def test_no_auth_token_configured_refuses_everything(db):
    call = SimulatedCall(from_number="+12135550142", token="anything")
    assert call.start().status == 403


@pytest.mark.parametrize(
    ("signed_url", "status"),
    [
        ("https://ncsc.test/ivr/voice/", 200),
        ("https://ncsc.test:443/ivr/voice/", 200),
        ("https://ncsc.test:8443/ivr/voice/", 403),
        ("http://ncsc.test/ivr/voice/", 403),
    ],
)
def test_signed_with_or_without_the_default_port_as_twilio_may(db, signed_url, status):
    assert post("/ivr/voice/", PARAMS, signature=sign(signed_url, PARAMS)).status_code == status


def test_a_webhook_with_more_fields_than_django_allows_is_a_400_not_an_error(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    params = {**PARAMS, **{f"Extra{n}": "x" for n in range(30)}}
    body = "&".join(f"{key}={value}" for key, value in params.items())
    response = Client().post(
        "/ivr/voice/",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST="127.0.0.1",
        headers={"X-Twilio-Signature": sign("https://ncsc.test/ivr/voice/", params)},
    )
    assert response.status_code == 400
