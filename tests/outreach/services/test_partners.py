"""PED outreach writes about partners: organisations, contacts (duplicates, merges) and the CRO's log
and follow-ups. Each refusal is a clear message and leaves nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent
from outreach import selectors, services
from outreach.models import Contact, Membership, Organisation
from tests.outreach.factories import CTX, ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_organisation_types_include_intergovernmental_and_elected_office():
    org = services.organisation_create(
        context=CTX, name="Office of the Governor of Illinois", kind="elected_office", level="regional",
        region="Central", languages=["EN", " es "],
    )  # fmt: skip
    tribal = services.organisation_create(context=CTX, name="Ho-Chunk Nation", kind="tribal", level="hq")
    assert (org.kind, org.languages, tribal.kind) == ("elected_office", ["en", "es"], "tribal")
    with pytest.raises(ApplicationError, match="already on file"):
        services.organisation_create(
            context=CTX, name="office of the governor of illinois", kind="state", level="regional"
        )
    with pytest.raises(ApplicationError, match="needs its district"):
        services.organisation_create(context=CTX, name="Casa Central", kind="community", level="district")
    assert Organisation.objects.count() == 2


def test_an_organisation_in_the_same_district_written_in_another_case_or_with_spaces_is_a_duplicate():
    services.organisation_create(context=CTX, name="QA Org One", kind="community", level="district",
                                 district="Phoenix")  # fmt: skip
    for district in ("phoenix ", " PHOENIX"):
        with pytest.raises(ApplicationError, match="already on file for this district") as refused:
            services.organisation_create(
                context=CTX, name=" qa org one ", kind="community", level="district", district=district
            )
        assert refused.value.field == "name" and refused.value.extra == {}
    other = services.organisation_create(
        context=CTX, name="QA Org One", kind="community", level="district", district="Tucson"
    )
    assert other.district == "Tucson"
    assert sorted(Organisation.objects.values_list("district", flat=True)) == ["Phoenix", "Tucson"]


def test_contact_email_and_phone_are_normalised_and_bad_ones_refused():
    contact = services.contact_create(
        context=CTX, first_name="Ana", last_name="Ruiz", email=" Ana.Ruiz@Example.ORG ", phone="(312) 555-0142",
        official_role="mayors_office", organisation=OrganisationFactory(), position="Liaison",
    )  # fmt: skip
    assert (contact.email, contact.phone) == ("ana.ruiz@example.org", "+13125550142")
    assert Membership.objects.filter(contact=contact, position="Liaison").exists()
    with pytest.raises(ApplicationError, match="not a valid e-mail"):
        services.contact_create(context=CTX, first_name="B", last_name="C", email="not-an-email")
    with pytest.raises(ApplicationError, match="not a valid telephone"):
        services.contact_create(context=CTX, first_name="B", last_name="C", phone="555-01")
    assert Contact.objects.count() == 1


def test_duplicate_contacts_are_refused_or_confirmed():
    first = services.contact_create(context=CTX, first_name="Luis", last_name="Ortega", email="luis@example.org")
    with pytest.raises(ApplicationError, match="e-mail address is taken") as refused:
        services.contact_create(context=CTX, first_name="L.", last_name="O.", email="LUIS@example.org")
    assert refused.value.extra["duplicates"] == [first.pk]
    with pytest.raises(ApplicationError, match="confirm they are a different person"):
        services.contact_create(context=CTX, first_name="luis", last_name="ortega", email="other@example.org")
    second = services.contact_create(
        context=CTX, first_name="Luis", last_name="Ortega", email="other@example.org", allow_possible_duplicate=True
    )
    assert second.pk != first.pk
    # Even a confirmed duplicate never shares a live e-mail address.
    with pytest.raises(ApplicationError):
        services.contact_create(
            context=CTX, first_name="X", last_name="Y", email="luis@example.org", allow_possible_duplicate=True
        )


def test_merge_moves_memberships_fills_blanks_and_is_audited():
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    keep = ContactFactory(first_name="Maria", last_name="Lopez", phone="")
    dup = ContactFactory(first_name="Maria", last_name="Lopez", phone="+13125550100", title="Director")
    Membership.objects.create(contact=keep, organisation=org_a)
    Membership.objects.create(contact=dup, organisation=org_a)
    Membership.objects.create(contact=dup, organisation=org_b)
    assert selectors.contact_duplicates(contact=keep) == [dup]

    merged = services.contact_merge(context=CTX, keep_id=keep.pk, merge_id=dup.pk)
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert (merged.phone, merged.title) == ("+13125550100", "Director")
    assert sorted(Membership.objects.filter(contact=keep).values_list("organisation_id", flat=True)) == sorted(
        [org_a.pk, org_b.pk]
    )
    event = AuditEvent.objects.get(target_type="outreach.contact", target_id=str(keep.pk), summary__contains="merged")
    assert event.detail["merged_id"] == str(dup.pk)
    assert list(selectors.contact_list()) == [keep]
    with pytest.raises(ApplicationError, match="already merged"):
        services.contact_merge(context=CTX, keep_id=keep.pk, merge_id=dup.pk)


def test_merging_a_contact_that_others_were_merged_into_repoints_them_to_the_one_kept():
    org = OrganisationFactory()
    one, two, three = ContactFactory(), ContactFactory(), ContactFactory()
    Membership.objects.create(contact=three, organisation=org)
    services.contact_merge(context=CTX, keep_id=one.pk, merge_id=three.pk)  # #3 into #1
    services.contact_merge(context=CTX, keep_id=two.pk, merge_id=one.pk)  # then #1 into #2

    one.refresh_from_db()
    three.refresh_from_db()
    assert (one.merged_into_id, three.merged_into_id) == (two.pk, two.pk)  # no chain #3 → #1 → #2
    assert list(Membership.objects.values_list("contact_id", flat=True)) == [two.pk]
    assert list(selectors.contact_list()) == [two]
    event = AuditEvent.objects.get(target_type="outreach.contact", target_id=str(two.pk), summary__contains="merged")
    assert event.detail["repointed"] == str(three.pk)
    assert f"#{three.pk} re-pointed to #{two.pk}" in event.summary
    assert AuditEvent.objects.filter(target_type="outreach.contact", target_id=str(three.pk),
                                     summary__contains="now points at").count() == 1  # fmt: skip
    with pytest.raises(ApplicationError, match="already merged"):
        services.contact_merge(context=CTX, keep_id=one.pk, merge_id=three.pk)


def test_cro_log_and_follow_ups_due(make_staff):
    cro = make_staff("cro")
    org = OrganisationFactory(owner=cro)
    services.cro_profile_set(context=CTX, user=cro, region="Central", districts=["Chicago", " Milwaukee "])
    due = services.partner_interaction_log(
        context=CTX, cro=cro, organisation_id=org.pk, kind="meeting", summary="Met the board",
        follow_up="Send N-400 flyers in Spanish", follow_up_due=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    services.partner_interaction_log(context=CTX, cro=cro, organisation_id=org.pk, kind="call", summary="Quick call")
    with pytest.raises(ApplicationError, match="Say what the follow-up is"):
        services.partner_interaction_log(
            context=CTX, cro=cro, organisation_id=org.pk, kind="email", summary="x", follow_up_due=timezone.localdate()
        )
    assert list(selectors.follow_ups_due(cro=cro)) == [due]
    assert list(selectors.cro_partners(cro=cro)) == [org]
    assert selectors.cro_profile_for(user=cro).districts == ["Chicago", "Milwaukee"]
    services.follow_up_complete(context=CTX, interaction_id=due.pk)
    assert list(selectors.follow_ups_due(cro=cro)) == []
