"""Every URL of the project, requested by every role: refused with 403 unless the view admits it."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client

from contactcenter.admin import RecordOnlyAdminMixin
from contactcenter.common.urlwalk import iter_routes
from contactcenter.staff.roles import PUBLIC, Role
from tests.contactcenter.test_csp import assert_strict_policy, inline_content

SAMPLE_VALUES = {
    "int": "1",
    "str": "EAC2190000001",
    "slug": "case-status",
    "path": "1",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
# Twilio webhooks answer only signed POSTs, which their own tests walk; here we only need to know
# that they are public (the signature is their lock, not a role).
SKIP_PATTERNS = (r"^static/",)
# The admin's autocomplete answers 403 to anyone, administrators included, unless it is asked
# about a field configured for autocompletion; the matrix cannot tell that 403 from a role refusal.
# The audit log is append-only for everyone: its add and delete pages refuse administrators too.
# A CAO response is written only through the console's review workflow and is never deleted: its
# admin add and delete pages refuse.
# API tokens are minted by their holder only, and django-axes' sign-in records are written by axes:
# their add pages refuse too.
# Every record the admin only reads (the audit log, IVR lookup alerts, survey answers, service requests,
# caller verifications, the live tier's records, rollups...) refuses its add and delete pages.
REFUSES_WITHOUT_PARAMETERS = {
    "admin:knox_authtoken_add",
    "admin:axes_accessattempt_add",
    "admin:axes_accesslog_add",
    "admin:axes_accessfailurelog_add",
    "admin:ivr_lookupalert_add",
    "admin:autocomplete",
    "admin:casework_response_add",
    "admin:casework_response_delete",
} | {
    # Every record the admin only reads (contactcenter.admin.RecordOnlyAdminMixin).
    f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, RecordOnlyAdminMixin)
    for page in ("add", "delete")
}


def concrete_url(route) -> str | None:
    """Turn `cases/<str:receipt_number>/` or a regex into a URL that resolves to the same view."""
    pattern = route.pattern
    pattern = re.sub(r"(?<!\?P)<(?:(\w+):)?(\w+)>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "1"), pattern)
    if "(?P<" in pattern or pattern.startswith("^") or "\\" in pattern or "$" in pattern:
        pattern = re.sub(r"\(\?P<app_label>[^)]*\)", "contactcenter", pattern)
        pattern = re.sub(r"\(\?P<format>[^)]*\)", "json", pattern)
        pattern = re.sub(r"\(\?P<url>\.\*\)", "nowhere/", pattern)
        pattern = re.sub(r"\(\?P<receipt_number>[^)]*\)", "EAC2190000001", pattern)
        pattern = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern)
        pattern = pattern.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
        pattern = pattern.replace("\\Z", "")
    if re.search(r"[()\[\]*+?\\]", pattern):
        return None
    return "/" + pattern


ROUTES = [route for route in iter_routes() if not any(re.match(p, route.pattern) for p in SKIP_PATTERNS)]


def test_every_route_declares_roles():
    undeclared = [route.pattern for route in ROUTES if route.allowed_roles is None]
    assert undeclared == []
    call_command("check", fail_level="ERROR")


def test_matrix_covers_every_route():
    unconcrete = [route.pattern for route in ROUTES if concrete_url(route) is None]
    assert unconcrete == []
    assert len(ROUTES) > 40  # the admin alone has dozens; a short list means the walk broke


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_role_by_url_matrix(role, make_staff):
    """Each page admitted is also held to the Content-Security-Policy (one walk serves both)."""
    user = make_staff(role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    wrong = []
    pages = 0
    for route in ROUTES:
        url = concrete_url(route)
        if getattr(route.callback, "twilio_webhook", False):
            # Signed-only: no role opens a Twilio webhook; tests/ivr walks them with signatures.
            assert route.allowed_roles is PUBLIC
            assert client.post(url).status_code == 403, url
            continue
        response = client.get(url, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html")
        admitted = route.allowed_roles is PUBLIC or role in route.allowed_roles
        if admitted and response.status_code == 403 and route.name not in REFUSES_WITHOUT_PARAMETERS:
            wrong.append(f"{url} refused {role.value} although it admits it")
        if not admitted and response.status_code != 403:
            wrong.append(f"{url} answered {response.status_code} to {role.value}, which it does not admit")
        if response.status_code >= 500:
            wrong.append(f"{url} failed with {response.status_code} for {role.value}")
        if response.status_code < 300 and response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            assert_strict_policy(response, url)
            wrong += [f"{url}: {what}" for what in inline_content(response.content.decode())]
        # A refusal never carries the data: the body is the generic refusal page or JSON message.
        if response.status_code == 403:
            if response.get("Content-Type", "").startswith("application/json"):
                assert set(response.json()) == {"detail"}, url
            else:
                assert b"Access denied" in response.content, url
    assert pages >= 3
    assert wrong == []


def test_anonymous_is_sent_to_login_or_refused(db):
    client = Client(raise_request_exception=False)
    wrong = []
    for route in ROUTES:
        if route.allowed_roles is PUBLIC:
            continue
        url = concrete_url(route)
        response = client.get(url)
        if url.startswith("/api/"):
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        if not ok:
            wrong.append(f"{url} answered {response.status_code} to an anonymous visitor")
    assert wrong == []


def test_user_without_role_is_refused_everywhere(make_staff):
    client = Client(raise_request_exception=False)
    client.force_login(make_staff())
    opened = [
        concrete_url(route)
        for route in ROUTES
        if route.allowed_roles is not PUBLIC and client.get(concrete_url(route)).status_code != 403
    ]
    assert opened == []
