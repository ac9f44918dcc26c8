"""Give the application's own database login role exactly what the running app needs (AC-6, AU-9).

Migrations run as the database owner; web, worker and beat connect as this role, which may read and
write the app's rows but only read and append audit rows, and may not truncate or change the
schema. Re-run after every `migrate` (compose's migrate service does): tables a migration added get
their grants here.
"""

from __future__ import annotations

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

AUDIT_TABLE = "contactcenter_auditevent"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(*, role: str, database: str) -> list[str]:
    role_sql = f'"{role}"'
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role_sql}',
        f"GRANT USAGE ON SCHEMA public TO {role_sql}",
        # No DDL: the role creates nothing in the schema, whatever PUBLIC was given.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA public FROM {role_sql}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role_sql}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role_sql}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {role_sql}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_sql}",
    ]


class Command(BaseCommand):
    help = (
        "Create (if missing) the app's database login role and grant it DML on the app's tables, only "
        "SELECT and INSERT on the audit table, no TRUNCATE and no DDL. Run as the owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default=os.environ.get("APP_DATABASE_ROLE", "ncsc_app"))
        parser.add_argument(
            "--password-env",
            default="APP_DATABASE_PASSWORD",
            help="environment variable holding the role's password (set when the role is created or changed)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--print-sql", action="store_true", help="print the statements instead of running them")

    def handle(self, *args, role: str, password_env: str, database: str, print_sql: bool, **options):
        if not ROLE_NAME.match(role):
            raise CommandError(f"not a plain role name: {role!r}")
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write(f"{connection.vendor}: no database roles to grant; nothing to do.")
            return
        statements = grant_statements(role=role, database=connection.settings_dict["NAME"])
        if print_sql:
            self.stdout.write(";\n".join(statements) + ";")
            return
        password = os.environ.get(password_env, "")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            exists = cursor.fetchone() is not None
            if not exists and not password:
                raise CommandError(f"role {role} does not exist and ${password_env} is empty: set a password")
            verb = "ALTER" if exists else "CREATE"
            attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            if password:
                cursor.execute(f'{verb} ROLE "{role}" {attributes} PASSWORD %s', [password])
            else:
                cursor.execute(f'{verb} ROLE "{role}" {attributes}')
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"{role}: {'updated' if exists else 'created'} and granted."))
