"""Object-level access: every page and endpoint, asked for records the role must not see, refuses
(403/404) and leaks nothing in lists.

The rules the project has (DESIGN.md, "Security rules"): DHS TRIP records never leave CAO and TSA; a
TSA liaison sees DHS TRIP items and nothing else of casework; an agent acts only on the live
contact offered to or connected with them; a sensitive inquiry is seen only by the analysts it names
and CAO supervisors. (Service requests and outreach contacts are shared by the roles that work them.)
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework.models import Inquiry, InquiryActivity, Response
from contactcenter.common.urlwalk import iter_routes
from contactcenter.models import ContactStatus, WaitingContact
from contactcenter.staff.roles import PUBLIC, Role
from tests.pii_world import SENSITIVE_MARKERS, TRIP_MARKERS, build_world

ROUTES = [route for route in iter_routes() if not route.pattern.startswith(("static/", "admin/"))]
OUTSIDE_TRIP = [Role.CSR, Role.ISO, Role.SUPERVISOR, Role.OUTREACH_STAFF, Role.CRO, Role.ADMINISTRATOR]


@pytest.fixture
def world(make_staff, seeded_cases):
    return build_world(make_staff, seeded_cases)


def _urls(route, values: dict[str, list]) -> list[str]:
    """The route's URL once for each value its one parameter can take (the TRIP records' ids...)."""
    pattern = route.pattern.replace("^", "").replace("$", "").replace("\\Z", "")
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", pattern)
    names = [a or b for a, b in names]
    if not names:
        return ["/" + pattern]
    if len(names) > 1:  # an attachment of an inquiry: the parent's id with each attachment's
        combos = values.get("+".join(names), [])
    else:
        combos = [(value,) for value in values.get(names[0], values["pk"])]
    urls = []
    for combo in combos:
        parts = re.split(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)", pattern)
        filled = "".join(part + (str(combo[i]) if i < len(combo) else "") for i, part in enumerate(parts))
        urls.append("/" + filled)
    return urls


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# The interaction ledger (case history, /api/interactions/) is scoped by role under finding 4 of
# issue 14, on another branch: walked apart, so this branch's own walk stays strict.
LEDGER = {"case-history", "interaction-list", "interaction-detail", "interaction-by-receipt"}


def test_trip_records_never_reach_a_role_outside_cao_and_tsa(world):
    """Every page and endpoint each other role may open, asked for every TRIP record by its id (and
    for the case the traveller named), lists and searches included: no TRIP word in any answer."""
    _assert_no_trip_leak(world, [route for route in ROUTES if route.name not in LEDGER])


@pytest.mark.parametrize(
    "names",
    [("case-history",), ("interaction-list", "interaction-detail", "interaction-by-receipt")],
    ids=["case-history-page", "interactions-api"],
)
def test_trip_entries_of_the_ledger_never_reach_a_role_outside_cao_and_tsa(world, names):
    _assert_no_trip_leak(world, [route for route in ROUTES if route.name in names])


def _assert_no_trip_leak(world, routes):
    trip_ids = [world.trip_inquiry.pk, world.trip.pk, world.trip_response.pk, world.trip_inquiry.interaction_id]
    values = {
        "pk": trip_ids,
        "receipt_number": [world.case.receipt_number],
        "pk+attachment_pk": [(world.trip_inquiry.pk, 1)],
    }
    queries = ["", "?channel=written", "?q=Quartermaine"]
    leaks = []
    for role in OUTSIDE_TRIP:
        client = _client(world.users[role])
        for route in routes:
            if route.allowed_roles is not PUBLIC and role not in route.allowed_roles:
                continue  # refused by role: the role × URL matrix walks those
            if getattr(route.callback, "twilio_webhook", False):
                continue
            for url in _urls(route, values):
                for query in queries if "<" not in route.pattern and "(?P" not in route.pattern else [""]:
                    response = client.get(
                        url + query, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "*/*"
                    )
                    body = _body(response)
                    found = [marker for marker in TRIP_MARKERS if marker in body]
                    if found:
                        leaks.append(f"{role.value} GET {url}{query} -> {response.status_code} shows {found}")
    assert not leaks, "\n".join(leaks)


def test_a_tsa_liaison_can_neither_read_nor_change_other_casework(world):
    """Other casework (here an Ombudsman inquiry, its attachment and responses) through every casework
    page and endpoint: reads 403/404 and absent from lists, writes 403/404 and nothing changed."""
    client = _client(world.users[Role.TSA_LIAISON])
    inquiry, response, letter = world.inquiry, world.response, world.letter
    secret = [inquiry.reference, inquiry.subject, "Ombudsman Case Assistance"]
    inquiry_values = {
        "pk": [inquiry.pk],
        "pk+attachment_pk": [(inquiry.pk, world.attachment.pk)],
        "pk+action": [(inquiry.pk, action) for action in ("triage", "assign", "note", "hold", "close", "reopen")],
        "receipt_number": [world.case.receipt_number],
    }
    response_values = {"pk": [response.pk, letter.pk]}
    before = (
        Inquiry.objects.filter(pk=inquiry.pk).values("status", "assignee", "source", "priority").get(),
        InquiryActivity.objects.filter(inquiry=inquiry).count(),
        list(Response.objects.filter(inquiry=inquiry).values_list("pk", "status", "body")),
    )
    wrong = []
    casework_routes = [r for r in ROUTES if r.pattern.startswith(("casework/", "api/casework/", "cases/"))]
    for route in casework_routes:
        values = response_values if "responses/" in route.pattern else inquiry_values
        if "trip/" in route.pattern:
            continue  # TRIP pages are the liaison's own
        for url in _urls(route, values):
            accept = "application/json" if url.startswith("/api/") else "text/html"
            got = client.get(url, HTTP_ACCEPT=accept)
            body = _body(got)
            shown = [word for word in secret if word in body]
            if shown:
                wrong.append(f"GET {url} -> {got.status_code} shows {shown}")
            if "<" in route.pattern or "(?P" in route.pattern:
                if route.allowed_roles is PUBLIC:
                    continue
                if got.status_code not in (403, 404, 405):
                    wrong.append(f"GET {url} -> {got.status_code}")
                posted = client.post(
                    url,
                    {"assignee": world.users[Role.TSA_LIAISON].pk, "text": "x", "reason": "x", "source": "public"},
                    HTTP_ACCEPT=accept,
                )
                if posted.status_code not in (403, 404, 405):
                    wrong.append(f"POST {url} -> {posted.status_code}")
    after = (
        Inquiry.objects.filter(pk=inquiry.pk).values("status", "assignee", "source", "priority").get(),
        InquiryActivity.objects.filter(inquiry=inquiry).count(),
        list(Response.objects.filter(inquiry=inquiry).values_list("pk", "status", "body")),
    )
    assert not wrong, "\n".join(wrong)
    assert after == before
    # The liaison's own lists hold the TRIP items only.
    inquiries = client.get("/api/casework/inquiries/").json()["results"]
    responses = client.get("/api/casework/responses/").json()["results"]
    assert [row["id"] for row in inquiries] == [world.trip_inquiry.pk]
    assert [row["id"] for row in responses] == [world.trip_response.pk]


def test_a_sensitive_inquiry_never_reaches_an_analyst_it_does_not_name(world, make_staff):
    """Every page and endpoint a CAO analyst may open, asked for the sensitive inquiry, its response
    and its case (lists, searches, the case view and the ledger included): not one of its words, and
    404 on its own pages; the analyst it names (its assignee) opens it."""
    inquiry, response = world.sensitive_inquiry, world.sensitive_response
    client = _client(make_staff(Role.CAO_ANALYST))
    values = {
        "pk": [inquiry.pk, response.pk, inquiry.interaction_id],
        "receipt_number": [world.case.receipt_number],
        "pk+action": [(inquiry.pk, action) for action in ("note", "hold", "close", "sensitive")],
        "pk+attachment_pk": [(inquiry.pk, 1)],
    }
    wrong = []
    for route in ROUTES:
        if route.allowed_roles is not PUBLIC and Role.CAO_ANALYST not in route.allowed_roles:
            continue
        if getattr(route.callback, "twilio_webhook", False):
            continue
        for url in _urls(route, values):
            queries = ["", "?q=Pemberton", f"?q={inquiry.reference}"] if "<" not in route.pattern else [""]
            for query in queries:
                accept = "application/json" if url.startswith("/api/") else "text/html"
                got = client.get(url + query, HTTP_ACCEPT=accept)
                shown = [marker for marker in SENSITIVE_MARKERS if marker in _body(got)]
                if shown:
                    wrong.append(f"GET {url}{query} -> {got.status_code} shows {shown}")
    assert not wrong, "\n".join(wrong)
    for url in (f"/casework/inquiries/{inquiry.pk}/", f"/api/casework/inquiries/{inquiry.pk}/"):
        assert client.get(url).status_code == 404
        assert _client(world.users[Role.CAO_ANALYST]).get(url).status_code == 200
    assert client.get(f"/casework/responses/{response.pk}/").status_code == 404


def test_an_agent_cannot_act_on_or_see_another_agents_live_contact(world, make_staff):
    other = make_staff(Role.CSR)
    contact = world.waiting_contact
    WaitingContact.objects.filter(pk=contact.pk).update(
        status=ContactStatus.CONNECTED, offered_to=other, receipt_numbers=[world.case.receipt_number]
    )
    before = WaitingContact.objects.filter(pk=contact.pk).values().get()
    client = _client(world.users[Role.CSR])
    for action, data in [
        ("accept", {}),
        ("decline", {}),
        ("receipt", {"receipt_number": world.case.receipt_number}),
        ("end", {}),
        ("escalate", {"reason": "complex", "tried": "x", "summary": "x", "language": "en"}),
        ("wrap-up", {"disposition": "information", "notes": "x"}),
    ]:
        response = client.post(f"/console/contacts/{contact.pk}/{action}/", data)
        assert response.status_code in (302, 400, 403, 404), action
    after = WaitingContact.objects.filter(pk=contact.pk).values().get()
    assert after == before
    page = client.get("/console/").content.decode()
    assert contact.phone not in page and world.case.applicant_name not in page
