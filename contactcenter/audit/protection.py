"""Audit rows are append-only in the database itself (AU-9), not only in the admin.

A trigger refuses UPDATE and DELETE of the audit table for every role, the owner included. One
update stays allowed: clearing actor_id and nothing else, which is what deleting a staff account
does to its rows (on_delete=SET_NULL); actor_username keeps the name. TRUNCATE is left to the
owner (the test suite's flush on Postgres uses it); the application's own role is never granted it
(`manage.py grant_app_role`).

Migration 0015 installs the triggers, and they are re-installed after every migrate: SQLite drops a
table's triggers whenever a migration rebuilds the table.
"""

from __future__ import annotations

TABLE = "contactcenter_auditevent"

POSTGRES_PROTECT = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % of {TABLE} refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
"""

POSTGRES_UNPROTECT = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""

_COLUMNS_BUT_ACTOR = ("id", "occurred_at", "actor_username", "action", "channel", "target_type", "target_id",
                      "summary", "ip_address", "request_id", "detail")  # fmt: skip
_SAME_BUT_ACTOR = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in _COLUMNS_BUT_ACTOR)

SQLITE_NO_UPDATE = f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {_SAME_BUT_ACTOR})
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE of {TABLE} refused'); END"""
SQLITE_NO_DELETE = f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE of {TABLE} refused'); END"""
SQLITE_UNPROTECT = (f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")


def protect(connection) -> None:
    """Install (or re-install) the triggers; params=None keeps the drivers from reading % in the SQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_PROTECT, None)
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_NO_UPDATE, None)
            cursor.execute(SQLITE_NO_DELETE, None)


def unprotect(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNPROTECT, None)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_UNPROTECT:
                cursor.execute(statement, None)


def reprotect_after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        protect(connection)
