"""Audit rows are append-only in the database itself, and the app's own role cannot alter them."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditAction, AuditEvent, Topic
from contactcenter.services import audit_record
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles and TRUNCATE need Postgres"
)


def _row(actor=None) -> AuditEvent:
    return audit_record(
        context=AuditContext(actor=actor),
        action=AuditAction.VIEW,
        target_type="casework.inquiry",
        target_id=7,
        summary="Viewed inquiry #7",
    )


def _refused(sql: str, params=None) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(refused.value)


@pytest.mark.django_db
def test_trigger_refuses_update_and_delete_even_for_the_owner():
    event = _row()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing to see")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert "append-only" in _refused("UPDATE contactcenter_auditevent SET actor_username = 'someone-else'")
    assert "append-only" in _refused("DELETE FROM contactcenter_auditevent")
    event.refresh_from_db()
    assert event.summary == "Viewed inquiry #7"


@pytest.mark.django_db
def test_deleting_a_staff_account_keeps_its_audit_rows_under_its_name(make_staff):
    user = make_staff(Role.CSR, username="leaver")
    event = _row(actor=user)
    user.delete()
    event.refresh_from_db()
    assert (event.actor_id, event.actor_username, event.summary) == (None, "leaver", "Viewed inquiry #7")
    # Only that one change passes: clearing the actor while rewriting the row is still refused.
    other = _row(actor=make_staff(Role.CSR))
    assert "append-only" in _refused(
        "UPDATE contactcenter_auditevent SET actor_id = NULL, summary = 'x' WHERE id = %s", [other.pk]
    )


@pytest.mark.django_db(transaction=True)
def test_the_suites_flush_still_empties_the_audit_table():
    _row()
    if connection.vendor == "sqlite":  # its flush is a DELETE: the suite lifts the trigger first (conftest)
        from contactcenter.audit.protection import unprotect

        unprotect(connection)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    # The flush's post_migrate puts the protection back.
    event = _row()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@requires_postgres
@pytest.mark.django_db
def test_the_app_role_appends_audit_rows_but_cannot_alter_truncate_or_change_the_schema(
    monkeypatch, client, make_staff
):
    role = f"ncsc_app_test_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide; the test's transaction drops it
    monkeypatch.setenv("APP_DATABASE_PASSWORD", "not-a-real-password")
    call_command("grant_app_role", role=role, verbosity=0)
    existing = _row()
    topic = Topic.objects.create(code=f"t-{role[-8:]}", name_en="Test", name_es="Prueba")
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == role
    try:
        appended = _row()
        assert AuditEvent.objects.filter(pk=appended.pk).exists()
        # The app's own tables: ordinary reads and writes, and a whole request's worth of them.
        Topic.objects.filter(pk=topic.pk).update(name_en="Changed")
        inquiry = make_inquiry()
        client.force_login(make_staff(Role.CAO_ANALYST))
        assert client.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 200
        assert client.get("/api/casework/inquiries/").status_code == 200
        refusals = [
            _refused("UPDATE contactcenter_auditevent SET summary = 'x' WHERE id = %s", [existing.pk]),
            _refused("DELETE FROM contactcenter_auditevent WHERE id = %s", [existing.pk]),
            _refused("TRUNCATE contactcenter_auditevent"),
            _refused("TRUNCATE contactcenter_topic CASCADE"),
            _refused("CREATE TABLE ncsc_intruder (id int)"),
            _refused("ALTER TABLE contactcenter_auditevent DISABLE TRIGGER ALL"),
            _refused("DROP TRIGGER contactcenter_auditevent_append_only ON contactcenter_auditevent"),
        ]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert all("permission denied" in message or "must be owner" in message for message in refusals), refusals
    assert AuditEvent.objects.filter(pk=existing.pk, summary="Viewed inquiry #7").exists()


def test_grant_app_role_prints_what_it_grants():
    from contactcenter.management.commands.grant_app_role import grant_statements

    sql = "\n".join(grant_statements(role="ncsc_app", database="ncsc"))
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "ncsc_app"' in sql
    assert 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON contactcenter_auditevent FROM "ncsc_app"' in sql
    assert "TRUNCATE" not in sql.split("REVOKE UPDATE, DELETE, TRUNCATE")[0]
