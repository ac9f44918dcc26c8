"""The core builds Twilio's callback URLs from the names the IVR hands in at start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from contactcenter.telephony import gateway as telephony

BASE = "https://ncsc.example.gov"


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("voice", "/ivr/voice/"),
        ("status", "/ivr/status/"),
        ("fallback", "/ivr/fallback/"),
        ("sms", "/ivr/sms/"),
        ("queue_wait", "/ivr/queue/wait/"),
        ("queue_done", "/ivr/queue/done/"),
        ("conference_status", "/ivr/conference/status/"),
        ("conference_hold", "/ivr/conference/hold/"),
        ("recording_status", "/ivr/recording/status/"),
        ("agent_voice", "/ivr/agent/voice/"),
    ],
)
def test_every_webhook_is_registered_at_its_public_url(settings, key, path):
    settings.PUBLIC_BASE_URL = BASE + "/"
    assert telephony.webhook_url(key) == BASE + path
    assert telephony.webhook_url(key, contact="7") == f"{BASE}{path}?contact=7"


def test_all_webhooks_the_core_builds_are_registered():
    assert set(telephony._webhook_url_names) == telephony.WEBHOOKS


def test_a_webhook_nobody_registered_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(telephony, "_webhook_url_names", {})
    with pytest.raises(ImproperlyConfigured, match="'queue_wait' webhook"):
        telephony.webhook_url("queue_wait")


def test_only_the_webhooks_the_core_builds_can_be_registered():
    with pytest.raises(ValueError, match="queue_hold"):
        telephony.webhooks_register(queue_hold="somewhere")
