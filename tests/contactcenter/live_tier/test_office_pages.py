"""The office's pages: its queue (filters, due badges, only its own offices' requests), a request's
page and its buttons, and the receipt number's history showing the request from call to end."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, BenefitCase, FieldOffice, OfficeMembership, ServiceRequest
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.test_office_work import _request


def _html(response) -> str:
    return response.content.decode()


def _rows(response) -> list[str]:
    return re.findall(r'<tr data-service-request="([^"]+)"', _html(response))


def _badges(response) -> dict[str, str | None]:
    chunks = _html(response).split("<tr data-service-request=")[1:]
    found = {}
    for chunk in chunks:
        badge = re.search(r'data-due-badge="(\w+)"', chunk.split("</tr>")[0])
        found[chunk.split('"')[1]] = badge.group(1) if badge else None
    return found


def _actions(response) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', _html(response)))


def _history(response) -> list[str]:
    return re.findall(r'<li data-event="(\w+)"', _html(response))


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", _html(response))).split())


@pytest.fixture
def office(reference):
    return BenefitCase.objects.order_by("pk").first().office


@pytest.fixture
def worker_client(client, make_staff, office):
    user = make_staff(Role.OFFICE_STAFF)
    OfficeMembership.objects.create(user=user, office=office)
    client.force_login(user)
    client.user = user
    return client


def test_the_queue_is_the_office_staffs_only(client_as):
    for role in (Role.CSR, Role.ISO, Role.SUPERVISOR, Role.CAO_ANALYST):
        assert client_as(role).get("/office/").status_code == 403
    assert client_as(Role.OFFICE_STAFF).get("/office/").status_code == 200


def test_the_queue_lists_its_offices_requests_earliest_due_first_with_badges_and_filters(
    worker_client, make_staff, office
):
    csr = make_staff(Role.CSR)
    today = timezone.localdate()
    late = _request(csr)
    soon = _request(csr, kind="typographic_error")
    later = _request(csr, kind="accommodation")
    ServiceRequest.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=1))
    ServiceRequest.objects.filter(pk=soon.pk).update(due_on=business_days_after(today, 1))
    elsewhere = _request(csr, kind="notice_not_received")
    ServiceRequest.objects.filter(pk=elsewhere.pk).update(office=FieldOffice.objects.exclude(pk=office.pk).first())

    page = worker_client.get("/office/")
    assert page.status_code == 200
    assert _rows(page) == [late.reference, soon.reference, later.reference]
    assert _badges(page) == {late.reference: "overdue", soon.reference: "soon", later.reference: None}
    listed = AuditEvent.objects.filter(target_type="contactcenter.servicerequest_list").latest("occurred_at")
    assert listed.summary.startswith("Listed 3 of 3")

    assert _rows(worker_client.get("/office/?due=overdue")) == [late.reference]
    assert _rows(worker_client.get("/office/?due=soon")) == [soon.reference]
    assert _rows(worker_client.get("/office/?kind=typographic_error")) == [soon.reference]
    assert _rows(worker_client.get(f"/office/?due_before={today.isoformat()}")) == [late.reference]
    assert _rows(worker_client.get("/office/?status=resolved")) == []
    assert worker_client.get("/office/?due=someday").status_code == 400


def test_the_request_page_offers_the_allowed_steps_and_takes_them(worker_client, make_staff, office):
    csr = make_staff(Role.CSR)
    request = _request(csr)
    url = f"/office/requests/{request.pk}/"

    page = worker_client.get(url)
    assert _actions(page) == {"claim", "note", "reroute"}
    assert _history(page) == ["created", "notice"]
    assert AuditEvent.objects.filter(target_type="contactcenter.servicerequest", action="view").exists()

    assert worker_client.post(f"{url}claim/").status_code == 302
    assert _actions(worker_client.get(url)) == {"ask", "resolve", "note", "reroute"}

    refused = worker_client.post(f"{url}resolve/", {"resolution": ""})
    assert refused.status_code == 400
    assert "Say how the request was resolved." in refused.content.decode()
    done = worker_client.post(f"{url}resolve/", {"resolution": "The card was mailed again."}, follow=True)
    assert done.status_code == 200
    request.refresh_from_db()
    assert request.resolution == "The card was mailed again."
    assert _history(done)[-1] == "resolved"
    assert _actions(done) == {"note"}


def test_another_offices_request_is_not_found(worker_client, make_staff, office):
    csr = make_staff(Role.CSR)
    request = _request(csr)
    ServiceRequest.objects.filter(pk=request.pk).update(office=FieldOffice.objects.exclude(pk=office.pk).first())
    assert worker_client.get(f"/office/requests/{request.pk}/").status_code == 404
    assert worker_client.post(f"/office/requests/{request.pk}/claim/").status_code == 404


def test_the_receipt_numbers_history_shows_the_request_from_call_to_resolution(client_as, make_staff, office):
    csr = make_staff(Role.CSR)
    worker = make_staff(Role.OFFICE_STAFF)
    OfficeMembership.objects.create(user=worker, office=office)
    request = _request(csr)
    context = AuditContext(actor=worker)
    services.service_request_claim(context=context, user=worker, request_id=request.pk)
    services.service_request_ask(context=context, user=worker, request_id=request.pk, question="Which card?")
    services.service_request_reply_record(context=context, user=worker, request_id=request.pk, reply="The EAD.")
    services.service_request_resolve(context=context, user=worker, request_id=request.pk, resolution="Mailed.")

    page = client_as(Role.CSR).get(f"/cases/{request.receipt_number}/")
    text = _text(page)
    for summary in (
        "reference number sent to the requester",
        "information asked of the requester",
        "the requester's reply recorded",
        "resolved; the requester told",
    ):
        assert f"{request.reference}: {summary}" in text
    assert text.count("Service center / field office") >= 4


def test_the_queue_and_a_request_page_run_the_same_queries_whatever_their_size(worker_client, make_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    csr = make_staff(Role.CSR)
    request = _request(csr)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert worker_client.get(url).status_code == 200
        return len(captured)

    queue_small, page_small = queries("/office/"), queries(f"/office/requests/{request.pk}/")
    for kind in ("typographic_error", "accommodation", "notice_not_received", "document_not_received"):
        _request(csr, kind=kind)
    for text in ("One.", "Two.", "Three."):
        services.service_request_note_add(
            context=AuditContext(actor=worker_client.user), user=worker_client.user, request_id=request.pk, text=text
        )
    assert queries("/office/") == queue_small
    assert queries(f"/office/requests/{request.pk}/") == page_small
