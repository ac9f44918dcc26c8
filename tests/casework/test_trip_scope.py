"""A TSA liaison's view follows the inquiry's classification now, not the one it had: a case
re-classified away from DHS TRIP leaves every page, API, search and download a liaison reads."""

import pytest
from django.test import Client

from casework import services
from casework.models import Source
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.staff.roles import Role
from tests.casework.factories import AttachmentFactory, make_inquiry

pytestmark = pytest.mark.django_db


def _reads(client, inquiry, trip, response, attachment) -> dict[str, object]:
    """What the liaison gets from each place that can show the case."""
    api_list = client.get("/api/casework/inquiries/", {"q": "screening"}).json()
    row = f'href="/casework/trip/{trip.pk}/"'

    responses = client.get("/api/casework/responses/").json()
    return {
        "inquiry page": client.get(f"/casework/inquiries/{inquiry.pk}/").status_code,
        "attachment": client.get(f"/casework/inquiries/{inquiry.pk}/attachments/{attachment.pk}/").status_code,
        "api list": [row["reference"] for row in api_list["results"]],
        "api detail": client.get(f"/api/casework/inquiries/{inquiry.pk}/").status_code,
        "api responses": [row["id"] for row in responses["results"]],
        "api response": client.get(f"/api/casework/responses/{response.pk}/").status_code,
        "trip list": row in client.get("/casework/trip/").text,
        "trip search by words": row in client.get("/casework/trip/", {"q": "screening"}).text,
        "trip search by number": row in client.get("/casework/trip/", {"q": "2026777001"}).text,
        "trip page": client.get(f"/casework/trip/{trip.pk}/").status_code,
        "trip letter": client.get(f"/casework/trip/{trip.pk}/letter/").status_code,
        "trip update": client.post(f"/casework/trip/{trip.pk}/", {"status": "in_process"}).status_code,
        "case view": client.get("/casework/cases/EAC2190000001/").status_code,
    }


def test_a_case_reclassified_away_from_trip_leaves_the_liaisons_view(client_as, make_staff, analyst):
    context = AuditContext(actor=analyst)
    inquiry = make_inquiry(
        subject="Repeated secondary screening",
        body="Screened again at IAD; see EAC2190000001.",
        correspondent_email="traveller@tsa.dhs.gov",
        attachments=[AttachmentFactory()],
    )
    assert inquiry.source == Source.TSA_TRIP
    trip = services.trip_redress_open(
        context=context, inquiry=inquiry, redress_control_number="2026777001", traveller_name="Ali Khan"
    )
    services.trip_redress_update(
        context=context,
        trip=trip,
        documents_received=["form_591", "passport"],
        status="completed",
        determination_letter="Cleared.",
    )
    services.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, kind="letter", body="Dear traveller")
    attachment = inquiry.attachments.get()
    liaison = client_as(Role.TSA_LIAISON)

    assert _reads(liaison, inquiry, trip, response, attachment) == {
        "inquiry page": 200,
        "attachment": 200,
        "api list": [inquiry.reference],
        "api detail": 200,
        "api responses": [response.pk],
        "api response": 200,
        "trip list": True,
        "trip search by words": True,
        "trip search by number": True,
        "trip page": 200,
        "trip letter": 200,
        "trip update": 302,
        "case view": 403,  # the case view is CAO's, never the liaison's
    }

    # An analyst finds it is not a travel matter after all.
    services.inquiry_triage(context=context, inquiry=inquiry, source=Source.PUBLIC, priority=3)

    assert _reads(liaison, inquiry, trip, response, attachment) == {
        "inquiry page": 404,
        "attachment": 404,
        "api list": [],
        "api detail": 404,
        "api responses": [],
        "api response": 404,
        "trip list": False,
        "trip search by words": False,
        "trip search by number": False,
        "trip page": 404,
        "trip letter": 404,
        "trip update": 404,
        "case view": 403,
    }
    with pytest.raises(ApplicationError, match="no longer a DHS TRIP case"):
        services.trip_redress_update(
            context=AuditContext(actor=liaison.user), trip=trip, documents_received=[], status="in_process"
        )
    # CAO still has the whole record, redress request included.
    cao = Client()
    cao.force_login(make_staff(Role.CAO_SUPERVISOR))
    assert cao.get(f"/casework/trip/{trip.pk}/").status_code == 200
    assert f'href="/casework/trip/{trip.pk}/"' in cao.get("/casework/trip/").text

    # Classified as TRIP again: back in the liaison's view.
    services.inquiry_triage(context=context, inquiry=inquiry, source=Source.TSA_TRIP, priority=3)
    assert liaison.get(f"/casework/trip/{trip.pk}/").status_code == 200
