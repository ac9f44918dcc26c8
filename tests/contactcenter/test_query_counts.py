"""Issue 19: every heavy page runs a bounded number of queries, the same with ten times the data.

Each page is rendered as the person who uses it with N rows of what it shows, then again after
adding 9×N more: the number of queries must be the same both times (no query per row) and under
the page's bound."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    AgentState,
    AgentStatus,
    BenefitCase,
    Channel,
    ContactStatus,
    IdentifierKind,
    Interaction,
    InteractionIdentifier,
    Outcome,
    Topic,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

N = 20
# A weekday morning in the center's hours: the consoles' queues are open.
MOMENT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _a_weekday_morning(at_time):
    with at_time(MOMENT):
        yield


def _queries(client: Client, url: str) -> list[str]:
    """The queries one GET runs, with nothing cached from an earlier render (the wallboard's shared
    figures, the queue hours), each cut to its first words."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [re.sub(r"'[^']*'|\b\d+\b|_x\d+|_sync_\d+", "?", query["sql"])[:200] for query in queries.captured_queries]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts(client: Client, bounds: dict[str, int], grow) -> dict[str, tuple[int, int]]:
    """Each page's queries with N rows and with 10×N; each the same both times, within its bound."""
    urls = list(bounds)
    for url in urls:  # the session's first request writes its idle clock: not what is measured
        _queries(client, url)
    grow(N)
    small = {url: _queries(client, url) for url in urls}
    grow(9 * N)
    large = {url: _queries(client, url) for url in urls}
    counts = {url: (len(small[url]), len(large[url])) for url in urls}
    for url, (before, after) in counts.items():
        grown = Counter(large[url]) - Counter(small[url])
        assert before == after, f"{url}: {before} queries with {N} rows, {after} with {10 * N}; more: {grown}"
        assert after <= bounds[url], f"{url}: {after} queries, bound {bounds[url]}"
    return counts


def _receipt_history(receipt: str, count: int, handled_by=None) -> None:
    """count contacts about a receipt number across channels, the live ones with their parent call."""
    topic = Topic.objects.get(code="case-status")
    now = timezone.now()
    calls = Interaction.objects.bulk_create(
        Interaction(
            channel=Channel.IVR,
            topic=topic,
            occurred_at=now - timedelta(hours=n + 1),
            outcome=Outcome.TRANSFERRED,
            summary=f"call {n}",
            source_app="test",
            source_model="call",
            source_id=f"{receipt}-{Interaction.objects.count()}-{n}",
        )
        for n in range(count // 2)
    )
    others = Interaction.objects.bulk_create(
        Interaction(
            channel=Channel.WRITTEN if n % 3 == 0 else Channel.TIER1,
            topic=topic,
            occurred_at=call.occurred_at + timedelta(minutes=5),
            outcome=Outcome.RESOLVED,
            parent=None if n % 3 == 0 else call,
            handled_by=handled_by,
            summary=f"talk {n}",
            source_app="test",
            source_model="talk",
            source_id=f"{call.source_id}-t",
        )
        for n, call in enumerate(calls)
    )
    InteractionIdentifier.objects.bulk_create(
        InteractionIdentifier(interaction=row, kind=IdentifierKind.RECEIPT_NUMBER, value=receipt)
        for row in calls + others
    )


# --- supervisors: the wallboard and the queue report ----------------------------------------------
def _live_tier(count: int) -> None:
    """count more ledger contacts (with their finished queue contacts), agents signed on and
    callers waiting now."""
    call_command("seed_ledger", interactions=count * 5, days=7, seed=count, stdout=StringIO(), stderr=StringIO())
    from django.contrib.auth import get_user_model

    first = get_user_model().objects.count()
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"agent{n}", first_name="Agent", last_name=str(n))
        for n in range(first, first + count)
    )
    AgentState.objects.bulk_create(
        AgentState(
            user=user,
            state=[AgentStatus.AVAILABLE, AgentStatus.ON_CALL, AgentStatus.WRAP_UP][n % 3],
            tier=1,
            home_queue=["tier1-en", "tier1-es"][n % 2],
            languages=",en,es,",
        )
        for n, user in enumerate(users)
    )
    WaitingContact.objects.bulk_create(
        WaitingContact(
            queue_name=["tier1-en", "tier1-es", "tier2-en"][n % 3],
            language=["en", "es", "en"][n % 3],
            tier=2 if n % 3 == 2 else 1,
            status=ContactStatus.WAITING,
            enqueued_at=timezone.now() - timedelta(seconds=30 * n),
            phone="+12135550142",
            caller_time_zone="America/Los_Angeles",
        )
        for n in range(count)
    )


def test_the_wallboard_and_the_queue_report_run_the_same_queries_whatever_the_volume(make_staff):
    client = _signed_in(make_staff(Role.SUPERVISOR))
    # The wallboard's figures are each their own section (one cut by the timeout leaves the rest).
    # The live monitor adds three, each on a partial index: the calls agents are on (the one-contact-
    # per-agent index), the supervisors in them, and the viewer's own (one open session each); the
    # full page one more, the not-ready reasons of its force-state form.
    bounds = {"/wallboard/": 50, "/wallboard/live/": 46, "/reports/queues/": 12, "/reports/queues/?format=csv": 12}
    _counts(client, bounds, _live_tier)
    assert Interaction.objects.count() == 10 * N * 5
    assert WaitingContact.objects.filter(status=ContactStatus.COMPLETED).count() > 10 * N


# --- agents: the console and its polled part --------------------------------------------------------
@pytest.fixture
def reference(db):
    seed_reference(cases=60, surgeons=20)


def test_the_agent_console_runs_the_same_queries_whatever_the_callers_history(reference, make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    case = BenefitCase.objects.order_by("receipt_number").first()
    context = AuditContext.system(channel="ivr")
    services.agent_state_set(context=AuditContext.system(), user=csr, state=AgentStatus.AVAILABLE)
    ivr = services.interaction_record(
        context=context,
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="ivr",
        source_model="call",
        source_id="CA" + "1" * 32,
        outcome=Outcome.TRANSFERRED,
        receipt_numbers=[case.receipt_number],
    )
    contact = services.contact_enqueue(
        context=context,
        phone="+12135550142",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "1" * 32,
        receipt_numbers=[case.receipt_number],
        ivr_path=["language", "main", "case_status", "representative"],
        interaction=ivr,
    )
    assert services.route_next(queue_name="tier1-en").agent_id == csr.pk
    services.contact_answer(context=AuditContext.system(), user=csr, contact_id=contact.pk)

    def grow(count: int) -> None:
        _receipt_history(case.receipt_number, 2 * count, handled_by=csr)

    # The full page's 3 more than its polled part's own are the look-ups' choices (forms, processing-time
    # categories, offices): reference data, the same whatever the history. One query of both reads the IVR
    # calls' steps for the timeline of the caller's cases.
    _counts(client, {"/console/": 32, "/console/work/": 25}, grow)
    assert "On the line" in client.get("/console/").content.decode()


def test_a_cases_contact_history_runs_the_same_queries_with_ten_times_the_contacts(reference, make_staff):
    case = BenefitCase.objects.order_by("receipt_number").first()
    client = _signed_in(make_staff(Role.CAO_ANALYST))
    url = f"/cases/{case.receipt_number}/"
    # 4 of them the timeline's own: the conversations' dispositions, the service requests, the escalations,
    # the case-status updates sent; 1 more the case's subscribers to those updates.
    _counts(client, {url: 21}, lambda count: _receipt_history(case.receipt_number, 2 * count))
    assert f"{20 * N} contacts on record." in client.get(url).content.decode()


# --- CAO casework: the queue and its search ---------------------------------------------------------
def test_the_casework_queue_and_search_run_the_same_queries_with_ten_times_the_inquiries(make_staff):
    from casework import services as casework_services

    analyst = make_staff(Role.CAO_SUPERVISOR)
    make_staff(Role.CAO_ANALYST)
    client = _signed_in(analyst)
    made = []

    def grow(count: int) -> None:
        for n in range(len(made), len(made) + count):
            made.append(
                casework_services.inquiry_create(
                    context=AuditContext.system(),
                    channel="email",
                    source="congressional",
                    subject=f"Case pending past normal processing time ({n})",
                    body=f"We write about receipt number EAC{2190000000 + n:010d}, pending for a year.",
                    correspondent_name="Caseworker",
                    correspondent_organisation="Office of Rep. Smith",
                    correspondent_email="casework@mail.house.gov",
                    received_at=timezone.now() - timedelta(days=n % 30),
                    message_id=f"<count-{n}@example.gov>",
                )
            )

    # Was a query per inquiry (its source's SLA target) before the queue read the targets once.
    bounds = {"/casework/": 13, "/casework/?q=pending": 13, "/casework/?unassigned=on&sla=overdue": 13}
    _counts(client, bounds, grow)
    page = client.get("/casework/?q=pending").content.decode()
    assert "Case pending past normal processing time (199)" in page


# --- outreach: the console and the dashboards -------------------------------------------------------
def test_the_outreach_console_and_dashboards_run_the_same_queries_with_ten_times_the_partners(make_staff):
    from outreach import services as outreach_services

    cro = make_staff(Role.CRO)
    client = _signed_in(cro)
    context = AuditContext.system()
    made = [0]

    def grow(count: int) -> None:
        start = made[0]
        for n in range(start, start + count):
            organisation = outreach_services.organisation_create(
                context=context,
                name=f"Partner {n}",
                kind=["community", "faith", "esl_civics"][n % 3],
                level="district",
                region="West",
                district=["Phoenix", "Tucson"][n % 2],
                languages=["en", "es"],
                owner=cro,
            )
            starts = timezone.localtime(
                timezone.now() + timedelta(days=1 + n % 60, hours=n % 5), ZoneInfo("America/Phoenix")
            )
            outreach_services.engagement_create(
                context=context,
                organiser=cro,
                title=f"Listening session {n}",
                kind="listening_session",
                topic_code="naturalization",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                time_zone="America/Phoenix",
                capacity=60,
                registration_closes_at=starts - timedelta(hours=3),
                venue="Library",
                region="West",
                district=["Phoenix", "Tucson"][n % 2],
                partner_ids=[organisation.pk],
            )
            outreach_services.partner_interaction_log(
                context=context,
                cro=cro,
                organisation_id=organisation.pk,
                kind="call",
                summary="Planning call",
                follow_up="Send the flyer",
                follow_up_due=timezone.localdate() + timedelta(days=n % 5),
            )
        made[0] += count

    _counts(client, {"/outreach/": 12, "/outreach/dashboards/": 10}, grow)
