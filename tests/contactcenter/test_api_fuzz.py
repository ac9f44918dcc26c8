"""Schemathesis over /api/schema/ with a token of each of four roles: no server error and no
response the schema does not describe (status code, content type, body, headers).

Every operation is fuzzed, writes included: they run in the test database (flushed after the
test), and background tasks they would enqueue are dropped, so nothing leaves this process.
"""

from __future__ import annotations

import contextlib
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contactcenter.audit.context import AuditContext
from contactcenter.services import api_token_create
from contactcenter.staff.roles import Role

# Sequences reset: the rows below get small ids, which the generated path parameters often hit.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, reset_sequences=True)]

FUZZ_ROLES = (Role.CSR, Role.CAO_ANALYST, Role.OUTREACH_STAFF, Role.SUPERVISOR)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Examples per operation and generation mode, each sent with the four roles' tokens.
# API_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))
ONLY = os.environ.get("API_FUZZ_ONLY", "")  # e.g. "/api/topics/": fuzz only the operations naming it


@pytest.fixture
def api_token(make_staff):
    """The one place this module mints API tokens: `api_token(role)` returns the Authorization
    header value of a new staff member with that role."""

    staff: dict[Role, object] = {}

    def mint(role: Role) -> str:
        if role not in staff:
            staff[role] = make_staff(role, username=f"fuzz-{role.value}")
        return f"Token {api_token_create(user=staff[role], context=AuditContext.system())}"

    return mint


@pytest.fixture(autouse=True)
def _rates_above_the_fuzzers(settings):
    """Thousands of requests a minute from four users: the rate limits (their own tests prove them)
    would answer 429 to most of them, and a 429 proves nothing about the operation."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("user", "anon", "write", "api-token"), "1000000/min"),
    }


@pytest.fixture
def ledger_with_nulls(make_staff, no_background_tasks):
    """Rows whose nullable fields are null (no parent topic, no assignee, no reviewer, no owner, no
    end time), so that the schema's promises about them are tested against real answers."""
    from casework.services import inquiry_assign, inquiry_triage, response_draft
    from contactcenter.audit.context import AuditContext
    from contactcenter.services import interaction_record
    from outreach.services import feedback_record
    from tests.casework.factories import make_inquiry
    from tests.outreach.factories import ContactFactory, EngagementFactory, OrganisationFactory

    interaction_record(
        context=AuditContext.system(),
        channel="ivr",
        topic_code="case-status",
        source_app="fuzz",
        source_model="call",
        source_id=1,
        receipt_numbers=["EAC2190000001"],
    )
    analyst = make_staff(Role.CAO_ANALYST)
    make_inquiry()  # unassigned
    as_analyst = AuditContext(actor=analyst)
    drafted = make_inquiry(subject="Expedite for WAC2190000002", body="Medical emergency, case WAC2190000002.")
    drafted = inquiry_triage(context=as_analyst, inquiry=drafted, source=drafted.source, priority=3)
    drafted = inquiry_assign(context=as_analyst, inquiry=drafted, assignee=analyst)
    response_draft(context=as_analyst, inquiry=drafted, subject="Your inquiry", body="Draft")  # not reviewed
    EngagementFactory()
    partner = OrganisationFactory()  # no owner
    ContactFactory()
    feedback_record(
        context=AuditContext.system(),
        recorded_by=make_staff(Role.OUTREACH_STAFF),
        source="partner",
        organisation_id=partner.pk,
        topic_code="case-status",
        summary="Wait times",
    )


@pytest.fixture
def no_background_tasks(monkeypatch):
    from celery.app.task import Task

    monkeypatch.setattr(Task, "apply_async", lambda self, *args, **kwargs: None)


def _fuzz(operation, tokens: dict[Role, str], mode: GenerationMode, failures: dict) -> None:
    """Each generated request is sent once per role; the first failure of each (role, operation,
    mode) is kept."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for role, token in tokens.items():
            key = f"{role.value} {operation.label} [{mode.value}]"
            if key in failures:
                continue
            headers = {"Authorization": token}
            try:
                case.validate_response(case.call(headers=headers), checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as failure:  # collected, reported together
                failures[key] = str(failure)

    with contextlib.suppress(Unsatisfiable):  # negative mode, where no input can be invalid
        run()


# The operations in four shares, so that parallel test workers split the hunt between them.
SHARES = 4


@pytest.mark.parametrize("share", range(SHARES))
def test_every_operation_for_four_roles_answers_as_the_schema_says(
    share, api_token, ledger_with_nulls, no_background_tasks
):
    tokens = {role: api_token(role) for role in FUZZ_ROLES}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Authorization": tokens[Role.CSR]}
    )
    failures: dict[str, str] = {}
    operations = 0
    for number, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        if (ONLY and ONLY not in operation.label) or number % SHARES != share:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # Fresh tokens: DELETE /api/auth/token/ rightly revokes the one it is sent with.
            tokens = {role: api_token(role) for role in FUZZ_ROLES}
            _fuzz(operation, tokens, mode, failures)
    assert operations >= (0 if ONLY else 40 // SHARES)
    assert not failures, "\n\n".join(f"{key}: {failure}" for key, failure in sorted(failures.items()))
