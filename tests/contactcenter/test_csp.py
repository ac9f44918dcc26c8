"""The strict Content-Security-Policy: every HTML page carries it (each role's walk of every URL,
tests/contactcenter/test_role_matrix.py, checks each page it is admitted to), and no page or template
carries an inline script, style or event handler that it would refuse, htmx's own (hx-on, hx-vals "js:")
included (the browser tests see it applied)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.conf import settings

from contactcenter.staff.roles import Role

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]


def _linter():
    """scripts/lint_templates.py (make lint): its finder is the one these tests use on pages."""
    spec = importlib.util.spec_from_file_location("lint_templates", ROOT / "scripts" / "lint_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LINT = _linter()


def inline_content(html: str) -> list[str]:
    return [what for _line, what in LINT.inline_code(html)]


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_policy(response, url):
    header = response.get("Content-Security-Policy", "")
    policy = directives(header)
    assert policy.get("default-src") == ["'self'"], (url, header)
    assert policy.get("script-src") == ["'self'"], (url, header)
    assert policy.get("style-src") == ["'self'"], (url, header)
    assert policy.get("object-src") == ["'none'"], (url, header)
    assert policy.get("frame-ancestors") == ["'none'"], (url, header)
    assert policy.get("base-uri") == ["'self'"] and policy.get("form-action") == ["'self'"], (url, header)
    assert "unsafe" not in header, (url, header)


def test_finder_sees_what_the_policy_refuses():
    html = (
        '<script>alert(1)</script><script src="/static/x.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()">a</p><a href="javascript:void(0)">b</a>'
    )
    assert inline_content(html) == [
        "<script> without src",
        "script body",
        "<style>",
        "style attribute on <p>",
        "onclick= on <p>",
        "javascript: URL on <a>",
    ]
    assert inline_content('<script src="/static/x.js" defer></script><p class="x">ok</p>') == []
    htmx = '<script src="/static/vendor/htmx/htmx.min.js" defer></script>'
    assert inline_content(htmx) == [
        'htmx loaded without <meta name="htmx-config"> turning includeIndicatorStyles off: a <style>'
    ]
    assert inline_content('<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' + htmx) == []
    assert inline_content(
        '<button hx-on:click="x()">a</button><form data-hx-on--after-request="y()"></form>'
        "<div hx-vals='js:{a: f()}'></div><div hx-vars=\"a:f()\"></div><div hx-vals='{\"a\": 1}'></div>"
    ) == [
        "hx-on:click= on <button>",
        "data-hx-on--after-request= on <form>",
        "hx-vals= script on <div>",
        "hx-vars= script on <div>",
    ]


def test_no_template_carries_inline_script_or_style():
    wrong = []
    for path in LINT.template_files(ROOT):
        if path.suffix == ".html":
            wrong += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in LINT.inline_code(path.read_text())]
    assert wrong == []


def test_every_template_folder_is_scanned():
    scanned = {path.relative_to(ROOT).parts[0] for path in LINT.template_files(ROOT)}
    assert scanned == {folder.relative_to(ROOT).parts[0] for folder in TEMPLATE_DIRS}
    assert (ROOT / "templates" / "drf_spectacular" / "swagger_ui.html") in set(LINT.template_files(ROOT))


def test_refusal_and_sign_in_pages_carry_the_policy(client, make_staff):
    assert_strict_policy(client.get("/accounts/login/"), "/accounts/login/")
    client.force_login(make_staff(Role.CSR))
    refused = client.get("/wallboard/")
    assert refused.status_code == 403
    assert_strict_policy(refused, "/wallboard/")
    assert inline_content(refused.content.decode()) == []


def test_api_docs_load_their_script_from_a_url(client, make_staff):
    client.force_login(make_staff(Role.CSR))
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict_policy(page, "/api/docs/")
    html = page.content.decode()
    assert inline_content(html) == []
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
