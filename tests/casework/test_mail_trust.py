"""A sender's domain is trusted only on our receiving server's DMARC/DKIM pass, and a message
quoting an inquiry's reference joins it only from the inquiry's correspondent."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from casework import services
from casework.mail import parse_bytes
from casework.mail_trust import parse_authentication_results, sender_domain_verified
from casework.models import Inquiry, InquiryStatus, Source
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

MAIL = Path(__file__).parent / "mail"
OURS = "mx.uscis.example.gov"
AR = f"Authentication-Results: {OURS}; "
pytestmark = pytest.mark.django_db


def _ingest(*names: str) -> str:
    out = StringIO()
    call_command("ingest_mail", *[str(MAIL / name) for name in names], stdout=out, stderr=StringIO())
    return out.getvalue()


def _verified(headers: str, sender: str = "x@tsa.dhs.gov", authserv_id: str = OURS) -> bool:
    raw = f"{headers}From: {sender}\nSubject: s\n\nbody\n".encode()
    return sender_domain_verified(parse_bytes(raw), authserv_id=authserv_id)


# --- source classification -----------------------------------------------------------------------
def test_a_forged_trip_sender_is_an_unverified_public_inquiry_shown_as_such(client_as):
    assert _ingest("forged_trip.eml").startswith("1 inquiries created")
    inquiry = Inquiry.objects.get()
    assert (inquiry.source, inquiry.sender_claimed_source) == (Source.PUBLIC, Source.TSA_TRIP)
    assert inquiry.status == InquiryStatus.RECEIVED  # waits for an analyst, not triaged by the claim
    assert inquiry.due_on == services._due_on(source=Source.PUBLIC, received_at=inquiry.received_at)
    assert inquiry.interaction.topic.code != "travel-redress"
    assert inquiry.activities.filter(text__startswith="Sender domain not verified: tsa.dhs.gov").exists()
    # never in a TSA liaison's view
    liaison = client_as(Role.TSA_LIAISON)
    assert liaison.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 404
    assert liaison.get("/api/casework/inquiries/").json()["count"] == 0
    # staff see the claim and that it was not verified
    page = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/").text
    assert 'data-sender-unverified="tsa_trip"' in page and "Sender domain not verified." in page
    assert "Mail from tsa.dhs.gov would be TSA / DHS TRIP" in page and "received as a general public inquiry" in page
    spanish = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Dominio del remitente no verificado." in spanish and "El correo de tsa.dhs.gov sería de" in spanish
    api = client_as(Role.CAO_ANALYST).get(f"/api/casework/inquiries/{inquiry.pk}/").json()
    assert (api["source"], api["sender_claimed_source"]) == ("public", "tsa_trip")


def test_a_forged_house_sender_with_another_servers_verdict_is_not_congressional():
    _ingest("forged_house.eml")
    inquiry = Inquiry.objects.get()
    assert (inquiry.source, inquiry.sender_claimed_source) == (Source.PUBLIC, Source.CONGRESSIONAL)


def test_authenticated_senders_keep_their_source_and_its_clock():
    _ingest("ombudsman.eml", "congress_dkim.eml")
    found = {i.correspondent.email: (i.source, i.sender_claimed_source, i.status) for i in Inquiry.objects.all()}
    assert found == {
        "caseassistance@cisomb.dhs.gov": (Source.CIS_OMBUDSMAN, "", InquiryStatus.TRIAGED),  # dmarc=pass
        "caseworker@mail.house.gov": (Source.CONGRESSIONAL, "", InquiryStatus.TRIAGED),  # dkim by the parent domain
    }


def test_without_a_configured_receiving_server_no_domain_is_trusted(settings):
    settings.CASEWORK_AUTHSERV_ID = ""
    _ingest("ombudsman.eml")
    assert Inquiry.objects.get().source == Source.PUBLIC


def test_a_domain_of_no_known_source_stays_other_and_unflagged():
    _ingest("reply_from_stranger.eml")  # no such inquiry: an ordinary new message
    inquiry = Inquiry.objects.get()
    assert (inquiry.source, inquiry.sender_claimed_source, inquiry.refers_to) == (Source.OTHER, "", None)


@pytest.mark.parametrize(
    ("headers", "sender", "verified"),
    [
        (f"{AR}dmarc=pass header.from=tsa.dhs.gov\n", "x@tsa.dhs.gov", True),
        (f"{AR}dmarc=pass header.from=TSA.DHS.GOV.\n", "x@tsa.dhs.gov", True),
        (f"{AR}dmarc=pass header.from=dhs.gov\n", "x@tsa.dhs.gov", False),
        (f"{AR}dmarc=fail header.from=tsa.dhs.gov\n", "x@tsa.dhs.gov", False),
        (f"{AR}dkim=pass header.d=tsa.dhs.gov\n", "x@tsa.dhs.gov", True),
        (f"{AR}dkim=pass header.d=dhs.gov\n", "x@tsa.dhs.gov", True),
        (f"{AR}dkim=pass header.d=gov\n", "x@tsa.dhs.gov", False),
        (f"{AR}dkim=pass header.d=tsa.dhs.gov.evil.example\n", "x@tsa.dhs.gov", False),
        (f"{AR}dkim=pass header.d=x.tsa.dhs.gov\n", "x@tsa.dhs.gov", False),
        (f"{AR}dkim=pass header.i=@tsa.dhs.gov\n", "x@tsa.dhs.gov", True),
        (f"{AR}dkim=neutral header.d=tsa.dhs.gov\n", "x@tsa.dhs.gov", False),
        # a result inside a comment or a quoted string is not a result
        (f"{AR}spf=none (dmarc=pass header.from=tsa.dhs.gov)\n", "x@tsa.dhs.gov", False),
        (f'{AR}spf=none reason="; dmarc=pass header.from=tsa.dhs.gov"\n', "x@tsa.dhs.gov", False),
        # another server's verdict, or ours below the topmost of ours (added before ours: forged)
        ("Authentication-Results: mx.evil.example; dmarc=pass header.from=tsa.dhs.gov\n", "x@tsa.dhs.gov", False),
        (
            f"{AR}dmarc=fail header.from=tsa.dhs.gov\n"
            f"{AR}dmarc=pass header.from=tsa.dhs.gov\n",
            "x@tsa.dhs.gov",
            False,
        ),
        (
            "Authentication-Results: mx.internal.example; none\n"
            f"{AR}dmarc=pass header.from=tsa.dhs.gov\n",
            "x@tsa.dhs.gov",
            True,
        ),
        # two senders: which one would be trusted?
        (f"{AR}dmarc=pass header.from=tsa.dhs.gov\n", "x@tsa.dhs.gov, y@evil.example", False),
        ("", "x@tsa.dhs.gov", False),
    ],
)  # fmt: skip
def test_which_authentication_results_make_a_domain_trusted(headers, sender, verified):
    assert _verified(headers, sender) is verified


def test_two_from_headers_are_never_trusted():
    headers = f"{AR}dmarc=pass header.from=tsa.dhs.gov\nFrom: y@evil.example\n"
    assert _verified(headers) is False


def test_the_header_parser_reads_versions_comments_and_quoted_values():
    server, results = parse_authentication_results(
        'MX.Example.ORG 1; dkim/1=pass (good (nested) signature) header.d=a.example header.s="k;1";\r\n'
        ' spf=pass smtp.mailfrom=a.example; dmarc=pass reason="aligned" header.from=a.example'
    )
    assert server == "mx.example.org"
    assert [(r.method, r.result) for r in results] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
    assert results[0].properties == {"header.d": "a.example", "header.s": "k;1"}
    assert results[2].properties == {"header.from": "a.example"}


# --- threading -----------------------------------------------------------------------------------
def _answered_inquiry(analyst) -> Inquiry:
    context = AuditContext(actor=analyst)
    inquiry = make_inquiry(
        correspondent_email="ana.ruiz@example.org", correspondent_name="Ana Ruiz", source=Source.PUBLIC
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(reference="CAO-7K3M9QX2")  # the reference the fixtures quote
    services.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    services.inquiry_close(context=context, inquiry=inquiry)
    inquiry.refresh_from_db()
    return inquiry


def test_a_reply_from_the_correspondent_threads_and_reopens(analyst):
    inquiry = _answered_inquiry(analyst)
    output = _ingest("reply_from_correspondent.eml")  # the same address, in capitals
    assert "0 inquiries created, 1 replies threaded" in output
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED and "WAC2290000002" in inquiry.receipt_numbers
    assert Inquiry.objects.count() == 1


def test_a_reply_from_anyone_else_is_a_new_inquiry_linked_both_ways_and_reopens_nothing(analyst, client_as):
    inquiry = _answered_inquiry(analyst)
    activities_before = inquiry.activities.count()
    output = _ingest("reply_from_stranger.eml")
    assert output.startswith("1 inquiries created, 0 replies threaded")
    assert "quotes CAO-7K3M9QX2 but is not from its correspondent" in output
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED and inquiry.activities.count() == activities_before
    assert not inquiry.activities.filter(message_id="<reply-stranger-0001@example.net>").exists()
    new = Inquiry.objects.exclude(pk=inquiry.pk).get()
    assert new.refers_to == inquiry and new.correspondent.email == "mallory@example.net"
    assert new.message_id == "<reply-stranger-0001@example.net>" and "1 Elm St" in new.body
    assert new.activities.filter(text__startswith="Quotes inquiry CAO-7K3M9QX2 but was not sent by").exists()

    client = client_as(Role.CAO_ANALYST)
    new_page = client.get(f"/casework/inquiries/{new.pk}/").text
    assert 'data-refers-to="CAO-7K3M9QX2"' in new_page and f'href="/casework/inquiries/{inquiry.pk}/"' in new_page
    old_page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert f'data-referred-by="{new.reference}"' in old_page and "mallory@example.net" in old_page
    assert "1 already ingested" in _ingest("reply_from_stranger.eml")


def test_a_link_is_shown_only_to_those_who_may_open_the_other_inquiry(analyst, make_staff):
    trip = make_inquiry(correspondent_email="liaison@tsa.dhs.gov")
    Inquiry.objects.filter(pk=trip.pk).update(reference="CAO-7K3M9QX2")
    _ingest("reply_from_stranger.eml")
    new = Inquiry.objects.exclude(pk=trip.pk).get()
    assert new.refers_to_id == trip.pk and new.source == Source.OTHER
    liaison = Client()
    liaison.force_login(make_staff(Role.TSA_LIAISON))
    page = liaison.get(f"/casework/inquiries/{trip.pk}/").text
    assert new.reference not in page and "data-inquiry-links" not in page


def test_the_reply_service_refuses_anyone_but_the_correspondent(analyst):
    inquiry = _answered_inquiry(analyst)
    with pytest.raises(ApplicationError, match="Only the correspondent"):
        services.inquiry_reply_record(
            context=AuditContext.system(), inquiry=inquiry, sender_email="mallory@example.net", body="Reopen!"
        )
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
