"""PED outreach reads."""

from __future__ import annotations

import pytest
from django.db import connection

from outreach import selectors
from outreach.models import Membership
from tests.outreach.factories import ContactFactory, OrganisationFactory

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
