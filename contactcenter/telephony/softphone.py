"""Access tokens for the agents' softphone (the Twilio Voice JavaScript SDK in the console).

With `TELEPHONY_BACKEND=twilio` a token is a Twilio AccessToken (a JWT signed with the API key
secret) granting the agent's identity incoming calls and outgoing calls through the TwiML App. With
`local` it is a Django-signed token for the local device (static/js/local-voice-device.js): the same
console code runs without an account, and nothing could mistake it for a Twilio token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from contactcenter.telephony.gateway import agent_identity

LOCAL_TOKEN_SALT = "contactcenter.telephony.softphone.local-device-token"  # noqa: S105 (a signing namespace, not a secret)
LOCAL_TOKEN_PREFIX = "local-device."  # noqa: S105 (marks the token kind)


@dataclass(frozen=True)
class VoiceToken:
    token: str
    identity: str
    expires_at: datetime


def voice_device_script() -> str:
    """The script that defines `Twilio.Device` for a softphone (the agents' console, the supervisors'
    wallboard): the vendored SDK with a Twilio account, the account-free local device otherwise, and
    the tests' recording double in tests."""
    if settings.VOICE_DEVICE_DOUBLE:
        return "e2e/twilio-device-double.js"
    if settings.TELEPHONY_BACKEND == "twilio":
        return "vendor/twilio-voice/twilio.min.js"
    return "js/local-voice-device.js"


def voice_token_ttl() -> int:
    """Seconds a token lives: the setting, never more than an hour."""
    return max(60, min(int(settings.TWILIO_VOICE_TOKEN_TTL_SECONDS), 3600))


def voice_token_for(*, user, now: datetime | None = None) -> VoiceToken:
    now = now or timezone.now()
    identity = agent_identity(user)
    ttl = voice_token_ttl()
    expires_at = (now + timedelta(seconds=ttl)).replace(microsecond=0)
    if settings.TELEPHONY_BACKEND == "twilio":
        from twilio.jwt.access_token import AccessToken
        from twilio.jwt.access_token.grants import VoiceGrant

        token = AccessToken(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_API_KEY_SID,
            settings.TWILIO_API_KEY_SECRET,
            identity=identity,
            ttl=ttl,
            nbf=int(now.timestamp()),
            valid_until=int(expires_at.timestamp()),
        )
        token.add_grant(VoiceGrant(outgoing_application_sid=settings.TWILIO_TWIML_APP_SID, incoming_allow=True))
        return VoiceToken(token=token.to_jwt(), identity=identity, expires_at=expires_at)
    payload = {"identity": identity, "exp": int(expires_at.timestamp()), "backend": "local"}
    return VoiceToken(
        token=LOCAL_TOKEN_PREFIX + signing.dumps(payload, salt=LOCAL_TOKEN_SALT),
        identity=identity,
        expires_at=expires_at,
    )


def local_token_identity(token: str, *, now: datetime | None = None) -> str | None:
    """The identity a local-device token carries, or None if it is not ours or has expired."""
    if not token.startswith(LOCAL_TOKEN_PREFIX):
        return None
    try:
        payload = signing.loads(token.removeprefix(LOCAL_TOKEN_PREFIX), salt=LOCAL_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if payload.get("exp", 0) <= (now or timezone.now()).timestamp():
        return None
    return payload.get("identity")
