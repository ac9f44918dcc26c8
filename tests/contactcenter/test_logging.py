"""What the logs carry: a refusal as one line, and query strings without what people typed."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils.log import configure_logging
from gunicorn.config import Config

from contactcenter.common.access_log import RedactingAccessLogger, redact_query, redact_uri
from contactcenter.staff.roles import Role
from tests.conftest import ROOT


@contextmanager
def console_logging():
    """The project's LOGGING (after Django's defaults, as at start-up), INFO and up on the console.
    Entered in the test's body, so that the console handler writes to capsys's stream."""
    configure_logging(settings.LOGGING_CONFIG, {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}})
    try:
        yield
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def test_a_refused_request_is_one_log_line_without_a_traceback(make_staff, capsys):
    client = Client(raise_request_exception=False)
    client.force_login(make_staff(Role.CSR, username="refused-csr"))
    with console_logging():
        assert client.get("/wallboard/").status_code == 403
    err = capsys.readouterr().err
    assert "Traceback" not in err and "PermissionDenied" not in err, err
    lines = [line for line in err.splitlines() if "/wallboard/" in line]
    assert len(lines) == 1, err
    assert "WARNING" in lines[0] and "access denied to /wallboard/ for refused-csr" in lines[0]


def test_an_api_refusal_is_one_line_too(make_staff, capsys):
    client = Client(raise_request_exception=False)
    client.force_login(make_staff(Role.OUTREACH_STAFF))
    with console_logging():
        assert client.get("/api/service-requests/").status_code == 403
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert len([line for line in err.splitlines() if "/api/service-requests/" in line]) == 1, err


def test_a_server_error_keeps_its_traceback(capsys):
    with console_logging():
        logging.getLogger("django.request").error(
            "Internal Server Error: /x/", exc_info=(ValueError, ValueError("boom"), None), extra={"status_code": 500}
        )
    assert "ValueError: boom" in capsys.readouterr().err


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=Maria+Lopez&page=2", "q=[redacted]&page=2"),
        ("search=maria.lopez%40example.com&page_size=50&format=json", "search=[redacted]&page_size=50&format=json"),
        ("name=Jos%C3%A9&email=a%40b.c&status=open&sort=due", "name=[redacted]&email=[redacted]&status=open&sort=due"),
        ("page=Maria%20Lopez", "page=[redacted]"),  # an allowed name with typed text in it
        ("maria%40example.com=1&s=3", "[redacted]&s=3"),  # typed text as a parameter name
        ("seen", "seen"),
    ],
)
def test_query_values_outside_the_allow_list_are_redacted(query, expected):
    assert redact_query(query) == expected
    assert redact_uri(f"/casework/?{query}") == f"/casework/?{expected}"


def _gunicorn_access_line(capsys, environ_extra, headers=()):
    """One request through gunicorn's own access-log path, configured by the project's gunicorn.conf.py."""
    cfg = Config()
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    for name in ("accesslog", "access_log_format", "logconfig_dict", "logger_class"):
        cfg.set(name, namespace[name])
    assert cfg.logger_class is RedactingAccessLogger
    capsys.readouterr()
    log = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        **environ_extra,
    }
    response = SimpleNamespace(
        status="200 OK", sent=512, headers=[("X-Request-ID", "3fa2a123456789bc0de1f2a3b4c5d6e7")]
    )
    request = SimpleNamespace(headers=list(headers))
    log.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logging.getLogger("gunicorn.access").handlers:
        handler.flush()
    return capsys.readouterr().out


def test_gunicorn_access_log_redacts_what_was_typed_into_a_search(capsys):
    uri = "/casework/?q=Maria+Lopez+maria.lopez%40example.com&status=open&page=2"
    line = _gunicorn_access_line(
        capsys, {"RAW_URI": uri, "PATH_INFO": "/casework/", "QUERY_STRING": uri.partition("?")[2]}
    )
    assert '"GET /casework/?q=[redacted]&status=open&page=2 HTTP/1.1" 200 512' in line, line
    assert "Maria" not in line and "maria" not in line and "example.com" not in line
    # The request id beside it is whole (the mask no longer reads 'a123456789' inside it as an A-number).
    assert '"3fa2a123456789bc0de1f2a3b4c5d6e7"' in line


def test_gunicorn_access_log_still_masks_case_numbers_in_paths(capsys):
    uri = "/cases/EAC2190000001/?a=A012345678"
    line = _gunicorn_access_line(
        capsys, {"RAW_URI": uri, "PATH_INFO": "/cases/EAC2190000001/", "QUERY_STRING": "a=A012345678"}
    )
    assert "/cases/EAC******0001/?a=[redacted]" in line, line
    assert "2190000001" not in line and "012345678" not in line


def test_the_request_lines_of_any_log_record_are_redacted(capsys):
    with console_logging():
        logging.getLogger("django.server").info('"GET /outreach/contacts/?q=Maria+Lopez&page=3 HTTP/1.1" 200 1234')
    err = capsys.readouterr().err
    assert "/outreach/contacts/?q=[redacted]&page=3" in err and "Maria" not in err


def test_gunicorn_reads_the_redacting_logger_class():
    assert (
        'logger_class = "contactcenter.common.access_log.RedactingAccessLogger"'
        in (ROOT / "gunicorn.conf.py").read_text()
    )
    assert sys.modules.get("contactcenter.common.access_log") is not None
