from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, Interaction, KnowledgeArticle
from contactcenter.staff.roles import Role
from tests.reference_data import seed_reference


@pytest.fixture
def history(db):
    ctx = AuditContext.system()
    call = services.interaction_record(
        context=ctx,
        channel="ivr",
        topic_code="case-status",
        source_app="test",
        source_model="call",
        source_id="CA1",
        receipt_numbers=["EAC2190000001"],
        outcome="transferred",
        summary="IVR status check",
    )
    services.interaction_record(
        context=ctx,
        channel="tier1",
        topic_code="address-change",
        source_app="test",
        source_model="talk",
        source_id="T1",
        receipt_numbers=["EAC2190000001"],
        outcome="service_request",
        parent=call,
        summary="AR-11 taken",
    )
    services.interaction_record(
        context=ctx,
        channel="written",
        topic_code="expedite",
        source_app="test",
        source_model="inquiry",
        source_id="W1",
        receipt_numbers=["EAC2190000001"],
        summary="Ombudsman inquiry",
    )


def test_agent_looks_up_a_case_and_the_view_is_audited(client_as, history):
    client = client_as(Role.CSR)
    response = client.get("/console/", {"receipt_number": "eac 219 000 0001"})
    assert response.status_code == 302 and response["Location"] == "/cases/EAC2190000001/"
    page = client.get(response["Location"], REMOTE_ADDR="10.1.2.3").content.decode()
    assert "3 contacts on record." in page
    for text in ("IVR status check", "AR-11 taken", "Written correspondence (CAO)"):
        assert text in page
    # A CSR sees that the written inquiry exists, not what it says (issue 14, finding 4).
    assert "Ombudsman inquiry" not in page and "On file; details are not shown to your role." in page
    audit = AuditEvent.objects.get(action="view", target_type="receipt_number")
    assert (audit.target_id, audit.actor, audit.ip_address, audit.channel) == (
        "EAC2190000001",
        client.user,
        "10.1.2.3",
        "web",
    )
    assert "2190000001" not in audit.summary


def test_a_malformed_receipt_number_gets_a_clear_error(client_as, history):
    client = client_as(Role.CSR)
    response = client.get("/console/", {"receipt_number": "EAC12"})
    assert response.status_code == 200
    assert "A receipt number is 3 letters" in response.content.decode()
    assert client.get("/cases/EAC12/").status_code == 400
    assert not AuditEvent.objects.filter(action="view").exists()


def test_wallboard_shows_cross_channel_figures(client_as, history):
    page = client_as(Role.SUPERVISOR).get("/wallboard/").content.decode()
    assert 'data-figure="today-containment">0.0%' in page
    assert "Change of address (AR-11)" in page


def test_spanish_console(client_as, history):
    client = client_as(Role.CSR)
    client.post("/i18n/setlang/", {"language": "es", "next": "/console/"})
    page = client.get("/console/").content.decode()
    assert '<html lang="es">' in page
    assert "Consola" in page or "consola" in page
    assert "Skip to main content" not in page


def test_seed_demo_creates_one_user_per_role_once(db):
    out = StringIO()
    call_command("seed_demo", contacts=30, cases=200, stdout=out)
    users = get_user_model().objects.filter(username__startswith="demo-")
    # One user per role, and the office's supervisor beside its worker.
    roles = sorted(g.name for u in users for g in u.groups.all())
    assert roles == sorted([r.value for r in Role] + [Role.OFFICE_STAFF.value])
    printed = out.getvalue()
    assert printed.count("demo-") == len(Role) + 1
    assert Interaction.objects.filter(source_app="demo", channel="ivr").count() == 30
    _assert_demo_library_published()
    again = StringIO()
    call_command("seed_demo", contacts=30, cases=200, stdout=again)
    assert "already exist" in again.getvalue()
    assert "demo-csr " not in again.getvalue()
    assert "knowledge library" not in again.getvalue()
    assert Interaction.objects.filter(source_app="demo", channel="ivr").count() == 30
    assert KnowledgeArticle.objects.count() == 12


def _assert_demo_library_published():
    """Six topics, each in English and Spanish linked as translations, published by the CAO supervisor;
    a CSR searching in Spanish finds the Spanish article."""
    articles = list(KnowledgeArticle.objects.select_related("topic", "reviewed_by", "created_by"))
    assert len(articles) == 12
    assert {a.status for a in articles} == {"published"}
    assert {a.reviewed_by.username for a in articles} == {"demo-cao-supervisor"}
    assert {a.created_by.username for a in articles} == {"demo-cao-analyst"}
    assert {a.kind for a in articles} == {"answer", "article"}
    spanish = [a for a in articles if a.language == "es"]
    assert len(spanish) == 6 and all(a.translation_of.language == "en" for a in spanish)
    assert sorted(a.topic.code for a in spanish) == sorted(
        ["address-change", "non-delivery", "outside-processing-time", "expedite", "biometrics", "fees"]
    )
    by_topic = {a.topic.code: a for a in spanish}
    csr = Client()
    csr.force_login(get_user_model().objects.get(username="demo-csr"))
    for words, topic in (("tarjeta", "non-delivery"), ("dirección", "address-change")):
        page = csr.get(reverse("knowledge-library"), {"q": words})
        assert page.status_code == 200
        found = page.context["found"]
        assert by_topic[topic] in found and {a.language for a in found} == {"es"}
        if connection.vendor == "postgresql":
            assert found[0] == by_topic[topic]


def test_case_view_shows_the_case_on_file_beside_its_contacts(client_as, history):
    seed_reference(cases=10, surgeons=5)
    client = client_as(Role.ISO)
    page = client.get("/cases/EAC2190000001/").content.decode()
    assert "Case Is Being Actively Reviewed By USCIS" in page
    assert "Outside normal processing time: a service request may be taken." in page
    assert "I-485" in page and "Vermont Service Center" in page
    assert "3 contacts on record." in page
    audit = AuditEvent.objects.get(action="view", target_type="receipt_number")
    assert audit.detail["case_on_file"] == "True"
    missing = client.get("/cases/WAC2199999999/").content.decode()
    assert "No case with this receipt number is on file." in missing


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
