"""API tokens on django-rest-knox: digests at rest, expiry, minted only by their holder (or an
operator's command), revocable, read-only in the admin; and the API's rate limits."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditAction, AuditEvent
from contactcenter.staff.roles import Role


def _token_for(user) -> str:
    return services.api_token_create(user=user, context=AuditContext.system())


def _get_me(token: str):
    return Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_is_stored_as_a_digest_only_and_its_creation_audited(make_staff):
    user = make_staff(Role.ISO)
    token = _token_for(user)
    row = AuthToken.objects.get(user=user)
    assert token not in (row.digest, row.token_key) and len(token) >= 64
    expected = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert row.expiry == pytest.approx(expected, abs=timedelta(minutes=1))
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="knox.authtoken")
    assert event.target_id == row.digest[:16] and user.username in event.summary
    assert token not in event.summary + str(event.detail)


def test_an_expired_token_is_refused_with_401(make_staff):
    user = make_staff(Role.ISO)
    token = _token_for(user)
    assert _get_me(token).status_code == 200
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert _get_me(token).status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_staff_mint_their_own_token_from_a_session_and_it_acts_as_them(client_as):
    client = client_as(Role.CSR)
    response = client.post("/api/auth/token/")
    assert response.status_code == 201
    body = response.json()
    me = _get_me(body["token"])
    assert me.status_code == 200 and me.json()["username"] == client.user.username
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="knox.authtoken")
    assert event.actor == client.user and event.channel == "api"


def test_a_token_cannot_mint_another_token(make_staff):
    token = _token_for(make_staff(Role.CSR))
    response = Client().post("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code in (401, 403)
    assert AuthToken.objects.count() == 1


def test_a_holder_revokes_the_token_they_present_and_a_session_revokes_all(client_as):
    client = client_as(Role.CSR)
    first, second, third = (_token_for(client.user) for _ in range(3))
    response = Client().delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert _get_me(first).status_code == 401
    assert _get_me(second).status_code == 200
    assert client.delete("/api/auth/token/").json() == {"revoked": 2}
    assert _get_me(second).status_code == 401 and _get_me(third).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, target_type="knox.authtoken").count() == 2


def test_the_operator_command_mints_and_revokes_through_the_service(make_staff):
    user = make_staff(Role.SUPERVISOR)
    out = StringIO()
    call_command("api_token", user.username, stdout=out)
    token = out.getvalue().strip()
    assert _get_me(token).status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.CREATE, target_type="knox.authtoken").channel == "command"
    call_command("api_token", user.username, "--revoke", stdout=StringIO())
    assert _get_me(token).status_code == 401


def test_the_admin_neither_creates_nor_shows_tokens_and_revokes_with_an_audit_row(client_as, make_staff):
    holder = make_staff(Role.CSR)
    token = _token_for(holder)
    digest = AuthToken.objects.get(user=holder).digest
    admin = client_as(Role.ADMINISTRATOR)
    assert admin.get("/admin/knox/authtoken/add/").status_code == 403
    listing = admin.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert holder.username in page and token[:15] not in page
    detail = admin.get(f"/admin/knox/authtoken/{digest}/change/").content.decode()
    assert token[:15] not in detail and 'name="_save"' not in detail
    assert admin.post(f"/admin/knox/authtoken/{digest}/change/", {"user": admin.user.pk}).status_code == 403
    assert admin.post(f"/admin/knox/authtoken/{digest}/delete/", {"post": "yes"}).status_code == 302
    assert _get_me(token).status_code == 401
    revoked = AuditEvent.objects.get(action=AuditAction.DELETE, target_type="knox.authtoken")
    assert revoked.actor == admin.user and revoked.channel == "admin"


def _rates(**overrides):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **overrides},
        }
    )


def test_a_user_over_the_api_rate_gets_429(make_staff):
    token = _token_for(make_staff(Role.CSR))
    with _rates(user="3/min"):
        assert [_get_me(token).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert _get_me(token).status_code == 200  # the configured rate is back


def test_writes_have_a_stricter_rate_than_reads(make_staff):
    token = _token_for(make_staff(Role.CSR))
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    with _rates(write="2/min"):
        codes = [
            client.post("/api/agent/state/", {"state": "break"}, content_type="application/json").status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert client.get("/api/agent/state/").status_code == 200


def test_minting_tokens_has_its_own_rate(client_as):
    client = client_as(Role.CSR)
    with _rates(**{"api-token": "2/hour"}):
        assert [client.post("/api/auth/token/").status_code for _ in range(3)] == [201, 201, 429]
