"""`make lint` fails on a template that tests a workflow's state by hand (scripts/lint_templates.py):
pages ask the workflow for the actions it allows instead."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "lint_templates.py"


def _checker():
    spec = importlib.util.spec_from_file_location("lint_templates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    "tag",
    [
        '{% if inquiry.status == "on_hold" %}',
        '{% elif response.status == "in_review" and is_supervisor %}',
        '{% if item.status == "new" or item.status == "under_review" %}',
        '{% if referral.status != "closed" %}',
        '{% if agent_state == "available" %} disabled{% endif %}',
        '{% if consult.state in "offered connected" %}',
        '{% if "x" in control.status %}',
        '{% if r.status not in "registered" %}',
        '{% if recording.status|lower == "completed" %}',
        '{% if a and b.callback_status=="waiting" %}',
        "{% if value == status %} selected{% endif %}",
    ],
)
def test_a_state_compared_by_hand_is_found(tag):
    assert list(_checker().problems_in(f"<p>\n{tag}</p>")), tag
    assert next(_checker().problems_in(f"<p>\n{tag}</p>"))[0] == 2


@pytest.mark.parametrize(
    "tag",
    [
        '{% if "hold" in actions %}',
        '{% elif "approve" in actions or "return" in actions %}',
        '{% if "available" not in agent_actions %}',
        "{% if state.profile %}",
        "{% if not state.wrap_up %}",
        "{% if status %}",
        "{% if reason.code == state.agent.reason_code %}",
        "{% if response.delivery_failed %}",
        '{% if LANGUAGE_CODE == "es" %}',
        '{% if contact.kind == "callback" %}',
        '{% if label == "status" %}',
    ],
)
def test_what_is_not_a_state_comparison_passes(tag):
    assert not list(_checker().problems_in(tag)), tag


def test_the_repository_templates_pass():
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_template_fails_the_check_naming_file_and_line(tmp_path):
    (tmp_path / "templates" / "core").mkdir(parents=True)
    (tmp_path / "templates" / "core" / "fine.html").write_text('{% if "close" in actions %}x{% endif %}\n')
    (tmp_path / "app" / "templates" / "app").mkdir(parents=True)
    (tmp_path / "app" / "templates" / "app" / "page.html").write_text(
        '<h1>Page</h1>\n\n{% if inquiry.status != "closed" %}<button>Close</button>{% endif %}\n'
    )
    result = _run(tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith('app/templates/app/page.html:3: tests a state by hand (inquiry.status != "closed")')
    assert "fine.html" not in result.stdout


@pytest.mark.parametrize(
    ("markup", "what"),
    [
        ("<script>\n  start();\n</script>", "<script> without src"),
        ('<script src="/static/x.js">go()</script>', "script body"),
        ("<style>p { color: red }</style>", "<style>"),
        ('<p style="color: red">x</p>', "style attribute on <p>"),
        ('<button onclick="go()">Go</button>', "onclick= on <button>"),
        ('<a href="javascript:go()">Go</a>', "javascript: URL on <a>"),
        ('<form hx-post="/x" hx-on::after-request="go()"></form>', "hx-on::after-request= on <form>"),
        ("<div hx-vals='js:{n: count()}'></div>", "hx-vals= script on <div>"),
        ('<p {% if a %}style="display:none"{% endif %}>x</p>', "style attribute on <p>"),
    ],
)
def test_inline_code_in_a_template_fails_the_check_naming_file_and_line(tmp_path, markup, what):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        "{% load static %}\n<script src=\"{% static 'a.js' %}\"></script>\n" + markup + "\n"
    )
    result = _run(tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"templates/page.html:3: inline code ({what})"), result.stdout


def test_htmx_without_its_indicator_style_turned_off_fails_the_check(tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "base.html"
    script = "<script src=\"{% static 'vendor/htmx/htmx.min.js' %}\" defer></script>\n"
    page.write_text("<head>\n" + script + "</head>\n")
    result = _run(tmp_path)
    assert result.returncode == 1 and "includeIndicatorStyles off" in result.stdout
    page.write_text('<head>\n<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>\n' + script)
    assert _run(tmp_path).returncode == 0


def test_plain_text_templates_are_not_read_as_html(tmp_path):
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "note.txt").write_text("Use <style> and onclick= freely: this is text.\n")
    assert _run(tmp_path).returncode == 0
