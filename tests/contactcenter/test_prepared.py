"""Hot-path statements prepared once per database session, and the prepared single-row insert."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactcenter.common.prepared import PreparedStatement, insert_returning_pk
from contactcenter.models import AuditEvent, Topic

pytestmark = pytest.mark.postgres

TOPIC_NAME = PreparedStatement("test_topic_name", "SELECT name_en FROM contactcenter_topic WHERE code = %s")


def _name(code: str) -> str:
    with connection.cursor() as cursor:
        TOPIC_NAME.execute(cursor, [code])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_per_session_and_again_after_a_reconnect():
    expected = Topic.objects.get(code="case-status").name_en
    connection.close()
    with CaptureQueriesContext(connection) as first:
        assert _name("case-status") == expected
        assert _name("case-status") == expected
    assert [query["sql"].split(" ")[0] for query in first.captured_queries] == ["PREPARE", "EXECUTE", "EXECUTE"]
    connection.close()  # a new session knows nothing prepared by the old one
    with CaptureQueriesContext(connection) as second:
        assert _name("case-status") == expected
    assert [query["sql"].split(" ")[0] for query in second.captured_queries] == ["PREPARE", "EXECUTE"]


@pytest.mark.django_db
def test_without_prepared_statements_the_plain_sql_is_sent(settings):
    settings.DB_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        assert _name("case-status") == Topic.objects.get(code="case-status").name_en
    assert queries.captured_queries[0]["sql"].startswith("SELECT name_en FROM contactcenter_topic")


@pytest.mark.django_db
def test_insert_returning_pk_fills_defaults_and_skips_a_conflicting_row():
    event = AuditEvent(action="create", channel="system", summary="first", detail={"a": "1"})
    pk = insert_returning_pk(event)
    stored = AuditEvent.objects.get(pk=pk)
    assert (stored.summary, stored.detail, stored.occurred_at) == ("first", {"a": "1"}, event.occurred_at)
    assert event.pk == pk and not event._state.adding

    twin = Topic(code="case-status", name_en="Another name", name_es="Otro nombre")
    assert insert_returning_pk(twin, unless_conflicting_on=("code",)) is None
    assert twin.pk is None
    assert Topic.objects.get(code="case-status").name_en != "Another name"


@pytest.mark.django_db
def test_a_case_read_through_its_prepared_lookup_is_the_case_the_orm_reads(seeded_cases):
    from contactcenter import selectors
    from contactcenter.models import BenefitCase

    office = seeded_cases.office
    office.services = ["interviews", "biometrics"]
    office.save(update_fields=["services"])
    orm = BenefitCase.objects.select_related("form", "office", "status").get(receipt_number="EAC2190000001")
    with CaptureQueriesContext(connection) as queries:
        case = selectors.case_get(receipt_number="eac-219-000-0001")
        assert (case.form.number, case.form.fee) == ("I-485", orm.form.fee)
        assert case.office.services == ["interviews", "biometrics"]  # JSON decoded as the ORM does
        assert case.status.headline_for("es") == orm.status.headline_for("es")
    # One statement read the case with its form, office and status: nothing was loaded lazily after it.
    reads = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith("PREPARE")]
    assert len(reads) == 1 and reads[0].startswith("EXECUTE lookup_contactcenter_benefitcase")
    assert {f.attname: getattr(case, f.attname) for f in BenefitCase._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in BenefitCase._meta.concrete_fields
    }
    assert selectors.case_get(receipt_number="EAC2199999999") is None
