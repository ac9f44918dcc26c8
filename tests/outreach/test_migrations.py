"""The data repairs of outreach migration 0003, run with the real app registry on rows made here."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from contactcenter.audit.pii import mask_pii
from contactcenter.models import Topic
from outreach.models import CaseReferral, Contact
from tests.factories import StaffFactory
from tests.outreach.factories import ContactFactory

pytestmark = pytest.mark.django_db

repair = importlib.import_module("outreach.migrations.0003_repair_close_notes_and_merge_chains")


def _referral(close_note: str) -> CaseReferral:
    return CaseReferral.objects.create(
        referred_by=StaffFactory(roles=["cro"]),
        person_name="Pedro",
        phone="+13125550199",
        topic=Topic.objects.get(code="case-status"),
        mode="callback",
        consent=True,
        consent_recorded_at=timezone.now(),
        status="closed",
        outcome="answered",
        close_note=close_note,
        closed_at=timezone.now(),
    )


def test_close_notes_stored_before_masking_are_masked_as_referral_close_masks_them():
    raw = "Called back on EAC2190012345 and A123456789, reached her at 312-555-0199"
    unmasked, clean, blank = _referral(raw), _referral("Answered at the event"), _referral("")
    assert repair.mask_close_notes(apps) == 1
    unmasked.refresh_from_db()
    assert unmasked.close_note == mask_pii(raw)
    assert "2190012345" not in unmasked.close_note and "3125550199" not in unmasked.close_note.replace("-", "")
    assert CaseReferral.objects.get(pk=clean.pk).close_note == "Answered at the event"
    assert CaseReferral.objects.get(pk=blank.pk).close_note == ""
    assert repair.mask_close_notes(apps) == 0  # running it again changes nothing


def test_merge_chains_point_at_the_live_contact_at_their_end():
    live, middle, first, direct = ContactFactory(), ContactFactory(), ContactFactory(), ContactFactory()
    Contact.objects.filter(pk=middle.pk).update(merged_into=live)
    Contact.objects.filter(pk=first.pk).update(merged_into=middle)  # first → middle → live
    Contact.objects.filter(pk=direct.pk).update(merged_into=live)
    assert repair.flatten_merge_chains(apps) == 1
    pointers = dict(Contact.objects.values_list("pk", "merged_into_id"))
    assert pointers == {live.pk: None, middle.pk: live.pk, first.pk: live.pk, direct.pk: live.pk}


def test_a_merge_cycle_is_left_alone_and_does_not_hang():
    a, b, c, tail = ContactFactory(), ContactFactory(), ContactFactory(), ContactFactory()
    Contact.objects.filter(pk=a.pk).update(merged_into=b)
    Contact.objects.filter(pk=b.pk).update(merged_into=c)
    Contact.objects.filter(pk=c.pk).update(merged_into=a)
    Contact.objects.filter(pk=tail.pk).update(merged_into=a)  # leads into the loop
    assert repair.flatten_merge_chains(apps) == 0
    pointers = dict(Contact.objects.values_list("pk", "merged_into_id"))
    assert pointers == {a.pk: b.pk, b.pk: c.pk, c.pk: a.pk, tail.pk: a.pk}


def test_the_migration_runs_both_repairs():
    referral = _referral("Reached at 312-555-0199")
    live, middle, first = ContactFactory(), ContactFactory(), ContactFactory()
    Contact.objects.filter(pk=middle.pk).update(merged_into=live)
    Contact.objects.filter(pk=first.pk).update(merged_into=middle)
    repair.forwards(apps, None)
    assert CaseReferral.objects.get(pk=referral.pk).close_note == mask_pii("Reached at 312-555-0199")
    assert Contact.objects.get(pk=first.pk).merged_into_id == live.pk
