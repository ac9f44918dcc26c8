from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from contactcenter.models import AuditAction, AuditEvent
from contactcenter.staff.roles import Role
from tests.factories import PASSWORD

LANDING = {
    Role.CSR: "/console/",
    Role.ISO: "/console/",
    Role.SUPERVISOR: "/wallboard/",
    Role.CAO_ANALYST: "/casework/",
    Role.CAO_SUPERVISOR: "/casework/",
    Role.TSA_LIAISON: "/casework/trip/",
    Role.OUTREACH_STAFF: "/outreach/",
    Role.CRO: "/outreach/",
    Role.OFFICE_STAFF: "/office/",
    Role.ADMINISTRATOR: "/admin/",
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_and_lands_on_its_console(role, make_staff):
    user = make_staff(role)
    client = Client(enforce_csrf_checks=False)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == LANDING[role]
    assert client.get(LANDING[role]).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN, actor=user)
    assert event.ip_address == "127.0.0.1"
    assert event.channel == "web"


def test_passwords_are_hashed_with_argon2(make_staff):
    user = make_staff(Role.CSR)
    assert user.password.startswith("argon2$")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_form_needs_a_csrf_token(make_staff):
    user = make_staff(Role.CSR)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


def test_wrong_password_is_refused_and_audited(make_staff):
    user = make_staff(Role.CSR)
    response = Client().post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert user.username in failed.summary


def test_repeated_failures_lock_the_account_at_that_address_even_with_the_right_password(make_staff):
    user = make_staff(Role.CSR)
    client = Client(REMOTE_ADDR="198.51.100.10")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client_as):
    client = client_as(Role.CSR)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/console/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1


def test_session_cookie_is_hardened(make_staff):
    user = make_staff(Role.CSR)
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_user_with_several_consoles_sees_a_choice(make_staff):
    user = make_staff(Role.CSR, Role.SUPERVISOR)
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"] == "/console/"
    page = client.get("/?choose=1").content.decode()
    assert 'href="/console/"' in page and 'href="/wallboard/"' in page and 'href="/ivr/simulator/"' in page


def test_user_without_a_role_is_told_so(make_staff):
    client = Client()
    client.force_login(make_staff())
    assert "No role assigned" in client.get("/").content.decode()


def test_refusal_page_never_shows_the_data(client_as):
    from contactcenter import services
    from contactcenter.audit.context import AuditContext

    services.interaction_record(
        context=AuditContext.system(),
        channel="tier1",
        topic_code="address-change",
        source_app="test",
        source_model="conversation",
        source_id="1",
        receipt_numbers=["EAC2190000001"],
        summary="Moved to 12 Harbor Road",
    )
    client = client_as(Role.OUTREACH_STAFF)
    response = client.get("/cases/EAC2190000001/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Harbor" not in body and "Change of address" not in body
    assert "Access denied" in body


def _forwarded_request(forwarded: str, remote: str = "10.0.0.5"):
    from django.test import RequestFactory

    return RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_proxy_is_the_hop_the_proxy_added_not_a_forged_first_hop():
    from contactcenter.audit.context import client_ip

    assert client_ip(_forwarded_request("6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_forwarded_request("203.0.113.7")) == "203.0.113.7"
    assert client_ip(_forwarded_request("")) == "10.0.0.5"
    assert client_ip(_forwarded_request("6.6.6.6, not-an-address")) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_client_ip_behind_two_proxies_is_the_second_hop_from_the_right():
    from contactcenter.audit.context import client_ip

    assert client_ip(_forwarded_request("6.6.6.6, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=0, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_client_ip_with_no_proxy_ignores_x_forwarded_for():
    from contactcenter.audit.context import client_ip

    assert client_ip(_forwarded_request("6.6.6.6")) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_first_hop_neither_escapes_the_address_lockout_nor_forges_the_audit_ip(make_staff):
    client = Client()
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"nobody-{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        )
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip_address="203.0.113.7")
    assert failures.filter(summary__startswith="Failed sign-in").count() == settings.LOGIN_FAILURE_LIMIT
    assert failures.filter(detail__locked_out="True").count() == 1
    user = make_staff(Role.CSR)
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_failures_from_one_address_do_not_lock_the_user_out_from_another(make_staff):
    user = make_staff(Role.CSR)
    attacker = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": user.username, "password": "wrong"})
    refused = attacker.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert "Too many failed sign-in attempts" in refused.content.decode()

    owner = Client(REMOTE_ADDR="203.0.113.30")
    response = owner.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


def test_one_address_spraying_many_usernames_is_locked_out(make_staff):
    user = make_staff(Role.CSR)
    client = Client(REMOTE_ADDR="198.51.100.21")
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"someone-{n}", "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_account_tried_from_many_addresses_is_locked_out_at_its_own_limit(make_staff):
    """Per account, whatever the address: a botnet gets LOGIN_ACCOUNT_FAILURE_LIMIT guesses in all,
    though no single address reaches LOGIN_FAILURE_LIMIT."""
    user = make_staff(Role.CSR)
    other = make_staff(Role.CSR)
    assert settings.LOGIN_FAILURE_LIMIT < settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1):
        # Any case of the name counts against the one account.
        name = user.username.upper() if n % 2 else user.username
        Client(REMOTE_ADDR=f"198.51.{n // 200}.{n % 200 + 1}").post(
            reverse("login"), {"username": name, "password": "wrong"}
        )
    almost = Client(REMOTE_ADDR="203.0.113.40")
    assert almost.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    almost.post(reverse("logout"))

    Client(REMOTE_ADDR="198.51.100.250").post(reverse("login"), {"username": user.username, "password": "wrong"})
    owner = Client(REMOTE_ADDR="203.0.113.41")
    refused = owner.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in owner.session
    # Only that account: a colleague signs in from the same address.
    assert owner.post(reverse("login"), {"username": other.username, "password": PASSWORD}).status_code == 302
    locked = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__locked_out="True")
    assert locked.exists() and all(user.username in event.summary for event in locked)


def test_the_lockout_ends_after_the_window(make_staff):
    import time_machine
    from django.utils import timezone

    user = make_staff(Role.CSR)
    client = Client(REMOTE_ADDR="198.51.100.60")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": user.username, "password": "wrong"})
        assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 429
    with time_machine.travel(start + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1), tick=False):
        assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_lockout_page_is_in_spanish_for_a_spanish_page(make_staff):
    user = make_staff(Role.CSR)
    client = Client(REMOTE_ADDR="198.51.100.61", HTTP_ACCEPT_LANGUAGE="es")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'lang="es"' in body
    assert "Demasiados intentos fallidos de inicio de sesión. Espere 15 minutos" in body
