"""PED outreach reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contactcenter.models import Channel
from outreach import selectors
from outreach.models import Membership
from tests.outreach.factories import CTX, ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def speakers():
    spanish = OrganisationFactory(name="Casa Central", languages=["en", "es"])
    english = OrganisationFactory(name="Rotary Club", languages=["en"])
    for org in (spanish, english):
        Membership.objects.create(contact=ContactFactory(), organisation=org)
    return spanish, english


@pytest.mark.parametrize("json_contains", [True, False], ids=["json-containment", "json-text-fallback"])
def test_language_filter_matches_the_code_however_typed_with_or_without_json_containment(
    speakers, monkeypatch, json_contains
):
    # SQLite (the embedded dev database) has no JSON containment: the fallback must find the same rows.
    monkeypatch.setattr(connection.features, "supports_json_field_contains", json_contains)
    spanish, english = speakers
    assert list(selectors.organisation_list(language=" ES ")) == [spanish]
    assert list(selectors.organisation_list(language="en")) == [spanish, english]
    assert list(selectors.organisation_list(language="e")) == []  # a code, not a fragment of one
    assert [m.organisation for m in selectors.segment_members(language="Es")] == [spanish]
    assert selectors.segment_members(language="fr").count() == 0


def test_contact_center_volume_counts_calls_and_inquiries_on_the_topic_and_its_subtopics():
    from contactcenter import services as core

    now = timezone.now()

    def ledger(channel, topic, n, when=now):
        for i in range(n):
            core.interaction_record(
                context=CTX, channel=channel, topic_code=topic, source_app="test", source_model=f"{channel}{topic}",
                source_id=f"{when.timestamp()}-{i}", occurred_at=when,
            )  # fmt: skip

    ledger(Channel.IVR, "service-request", 3)
    ledger(Channel.TIER1, "address-change", 2)  # a subtopic of service requests
    ledger(Channel.WRITTEN, "service-request", 4)
    ledger(Channel.OUTREACH, "service-request", 5)  # outreach's own referrals are not contact-center volume
    ledger(Channel.IVR, "fees", 7)
    ledger(Channel.IVR, "service-request", 6, when=now - timedelta(days=200))
    from contactcenter.models import Topic

    volume = selectors.contact_center_volume(
        topic=Topic.objects.get(code="service-request"), start=now - timedelta(days=30), end=now + timedelta(days=1)
    )
    assert (volume.calls, volume.inquiries, volume.total) == (5, 4, 9)
