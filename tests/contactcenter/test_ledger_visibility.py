"""Who sees which ledger entries (issue 14, finding 4): one selector, `interactions_visible_to`,
scopes the API, the case views and the console by LEDGER_SCOPES. Agents see that a written inquiry
exists (a redacted row) and never DHS TRIP; CAO sees everything; TSA liaisons TRIP only."""

from __future__ import annotations

import pytest

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role

RECEIPT = "EAC2190000001"
WRITTEN_SUBJECT = "Congressional inquiry CAO-7K3M9QX2: constituent's asylum interview"
TRIP_SUBJECT = "TSA TRIP inquiry CAO-9XQ2M3K7: secondary screening at LAX"


def _record(source_id, channel, topic="case-status", summary="", url=""):
    return services.interaction_record(
        context=AuditContext.system(),
        channel=channel,
        topic_code=topic,
        source_app="test",
        source_model=channel,
        source_id=source_id,
        receipt_numbers=[RECEIPT],
        summary=summary,
        source_url=url,
        contact_phone="+12025550100",
    )


@pytest.fixture
def ledger(make_staff):
    analyst = make_staff(Role.CAO_ANALYST)
    entries = {
        "ivr": _record(1, "ivr", summary="IVR case status"),
        "tier1": _record(2, "tier1", summary="Caller asked about the interview"),
        "written": _record(3, "written", topic="policy", summary=WRITTEN_SUBJECT, url="/casework/inquiries/3/"),
        "trip": _record(4, "written", topic="travel-redress", summary=TRIP_SUBJECT, url="/casework/inquiries/4/"),
        "outreach": _record(5, "outreach", summary="Referral from a town hall"),
    }
    for key in ("written", "trip"):
        entries[key].handled_by = analyst
        entries[key].save(update_fields=["handled_by"])
    return entries


def _seen(user) -> dict[int, object]:
    return {interaction.pk: interaction for interaction in selectors.interactions_visible_to(user=user)}


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.SUPERVISOR])
def test_agents_see_phone_channels_whole_written_redacted_and_never_trip(make_staff, ledger, role):
    seen = _seen(make_staff(role))
    assert set(seen) == {ledger[key].pk for key in ("ivr", "tier1", "written", "outreach")}
    written = seen[ledger["written"].pk]
    assert written.restricted is True
    assert (written.summary, written.source_url, written.contact_phone, written.source_id) == ("", "", "", "")
    assert written.handled_by is None
    assert written.channel == "written" and written.occurred_at == ledger["written"].occurred_at
    tier1 = seen[ledger["tier1"].pk]
    assert tier1.restricted is False and tier1.summary == "Caller asked about the interview"


@pytest.mark.parametrize("role", [Role.CAO_ANALYST, Role.CAO_SUPERVISOR])
def test_cao_sees_every_entry_whole_trip_included(make_staff, ledger, role):
    seen = _seen(make_staff(role))
    assert set(seen) == {entry.pk for entry in ledger.values()}
    assert not any(entry.restricted for entry in seen.values())
    assert seen[ledger["trip"].pk].summary == TRIP_SUBJECT


def test_tsa_liaison_sees_trip_entries_only(make_staff, ledger):
    seen = _seen(make_staff(Role.TSA_LIAISON))
    assert list(seen) == [ledger["trip"].pk]
    assert seen[ledger["trip"].pk].summary == TRIP_SUBJECT


@pytest.mark.parametrize("role", [Role.OUTREACH_STAFF, Role.CRO])
def test_outreach_roles_see_their_own_channel_only(make_staff, ledger, role):
    assert list(_seen(make_staff(role))) == [ledger["outreach"].pk]


def test_administrators_and_the_roleless_see_nothing_outside_the_admin(make_staff, ledger):
    assert _seen(make_staff(Role.ADMINISTRATOR)) == {}
    assert _seen(make_staff()) == {}


def test_a_user_with_two_roles_sees_each_entry_as_fully_as_one_of_them_allows(make_staff, ledger):
    seen = _seen(make_staff(Role.CSR, Role.CAO_ANALYST))
    assert set(seen) == {entry.pk for entry in ledger.values()}
    assert seen[ledger["written"].pk].restricted is False
    assert seen[ledger["written"].pk].summary == WRITTEN_SUBJECT


def test_a_subtopic_of_trip_is_trip(make_staff, ledger):
    from contactcenter.models import Topic

    trip = Topic.objects.get(code="travel-redress")
    Topic.objects.create(code="trip-appeal", name_en="TRIP appeal", name_es="Apelación TRIP", parent=trip)
    appeal = _record(6, "written", topic="trip-appeal", summary="Appeal")
    assert appeal.pk not in _seen(make_staff(Role.CSR))
    assert appeal.pk in _seen(make_staff(Role.TSA_LIAISON))


# --- the API --------------------------------------------------------------------------------------
def test_csr_listing_written_channel_gets_the_redacted_row_and_no_trip(client_as, ledger):
    body = client_as(Role.CSR).get("/api/interactions/?channel=written").json()
    assert [row["id"] for row in body["results"]] == [ledger["written"].pk]
    row = body["results"][0]
    assert row["restricted"] is True
    assert (row["summary"], row["source_url"], row["source_id"], row["handled_by"]) == ("", "", "", None)
    assert row["receipt_numbers"] == [RECEIPT]
    text = str(body)
    assert "CAO-7K3M9QX2" not in text and "LAX" not in text


def test_csr_cannot_open_a_trip_entry_by_id_nor_find_it_by_receipt(client_as, ledger):
    client = client_as(Role.CSR)
    assert client.get(f"/api/interactions/{ledger['trip'].pk}/").status_code == 404
    ids = [row["id"] for row in client.get(f"/api/interactions/by-receipt/{RECEIPT}/").json()["results"]]
    assert ledger["trip"].pk not in ids and ledger["written"].pk in ids


def test_cao_analyst_lists_trip_entries_with_their_subjects(client_as, ledger):
    rows = client_as(Role.CAO_ANALYST).get("/api/interactions/?channel=written").json()["results"]
    assert {row["summary"] for row in rows} == {WRITTEN_SUBJECT, TRIP_SUBJECT}
    assert not any(row["restricted"] for row in rows)


# --- the pages ------------------------------------------------------------------------------------
def test_the_agents_case_view_shows_the_written_inquiry_exists_without_its_subject_or_trip(client_as, ledger):
    page = client_as(Role.CSR).get(f"/cases/{RECEIPT}/").content.decode()
    assert "On file; details are not shown to your role." in page
    assert "CAO-7K3M9QX2" not in page and "/casework/inquiries/3/" not in page
    assert "LAX" not in page and "CAO-9XQ2M3K7" not in page
    assert "Caller asked about the interview" in page


def test_the_cao_case_view_shows_every_entry(client_as, ledger):
    page = client_as(Role.CAO_ANALYST).get(f"/casework/cases/{RECEIPT}/").content.decode()
    assert "CAO-7K3M9QX2" in page and "CAO-9XQ2M3K7" in page
    assert "On file; details are not shown to your role." not in page


def test_the_console_receipt_context_leaves_trip_out(make_staff, ledger):
    from contactcenter.models import WaitingContact

    contact = WaitingContact(receipt_numbers=[RECEIPT])
    (row,) = selectors.contact_receipt_context(user=make_staff(Role.CSR), contact=contact)
    by_pk = {interaction.pk: interaction for interaction in row.contacts}
    assert ledger["trip"].pk not in by_pk
    assert by_pk[ledger["written"].pk].summary == ""
