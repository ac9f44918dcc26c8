"""The demo reference data for a test, in milliseconds rather than seconds.

`manage.py seed_reference` goes through the import services row by row (forms, offices, 42,000 ZIP
centroids, surgeons, cases with their histories): about 4 s, which 160 tests paid each. The first
test that asks for a size runs the command once inside a savepoint, copies the rows it added
(Postgres COPY) and rolls the savepoint back; every test then gets exactly those rows back with
COPY, in its own transaction. `tests/contactcenter/test_reference_seed.py` still runs the command
itself, so what the copy holds is what the command writes.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import connection, transaction

Copy = list[tuple[str, list[str], bytes]]
# For each size: copies, each with the rows it points at outside itself (the status headlines and
# topics the data migrations wrote) as (table, count, max id). A transactional test flushes the
# database and writes those rows again under new ids: its copy is then taken afresh.
_COPIES: dict[tuple[int, int], list[tuple[dict[str, tuple[int, int]], Copy]]] = {}


def seed_reference(*, cases: int, surgeons: int) -> None:
    """What `manage.py seed_reference --cases … --surgeons …` writes into an empty test database."""
    if connection.vendor != "postgresql":
        call_command("seed_reference", cases=cases, surgeons=surgeons, verbosity=0)
        return
    copies = _COPIES.setdefault((cases, surgeons), [])
    with connection.cursor() as cursor:
        for points_at, copy in copies:
            if _extent(cursor, points_at) == points_at:
                _restore(copy)
                return
    copy, points_at = _copy_of_a_seed(cases=cases, surgeons=surgeons)
    copies.append((points_at, copy))
    _restore(copy)


def _extent(cursor, tables) -> dict[str, tuple[int, int]]:
    if not tables:
        return {}
    cursor.execute(
        "SELECT " + ", ".join(f"(SELECT count(*) || ':' || coalesce(max(id), 0) FROM \"{table}\")" for table in tables)
    )
    return {
        table: tuple(int(part) for part in value.split(":"))
        for table, value in zip(tables, cursor.fetchone(), strict=True)
    }


def _tables(cursor) -> list[tuple[str, str | None, bool]]:
    """Every table of ours with its primary key column, and whether that key is an integer."""
    found = []
    for table in connection.introspection.table_names(cursor):
        if table.startswith(("django_migrations", "pg_")):
            continue
        pk = connection.introspection.get_primary_key_column(cursor, table)
        cursor.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, pk]
        )
        row = cursor.fetchone()
        found.append((table, pk, bool(row) and row[0] in ("integer", "bigint", "smallint")))
    return found


def _copy_of_a_seed(*, cases: int, surgeons: int) -> tuple[Copy, dict[str, tuple[int, int]]]:
    copies: Copy = []
    referenced: set[str] = set()
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        before = {}
        for table, pk, integer in tables:
            if integer:
                cursor.execute(f'SELECT coalesce(max("{pk}"), 0) FROM "{table}"')
            else:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
            before[table] = cursor.fetchone()[0]
        with transaction.atomic():
            call_command("seed_reference", cases=cases, surgeons=surgeons, verbosity=0)
            for table, pk, integer in tables:
                if integer:
                    where = f'WHERE "{pk}" > {int(before[table])}'
                elif before[table] == 0:
                    where = ""
                else:  # a table without an integer key that already had rows: the seed does not write one
                    continue
                cursor.execute(f'SELECT count(*) FROM "{table}" {where}')
                if not cursor.fetchone()[0]:
                    continue
                columns = _columns(cursor, table)
                buffer = io.BytesIO()
                column_list = ", ".join(f'"{column}"' for column in columns)
                cursor.copy_expert(f'COPY (SELECT {column_list} FROM "{table}" {where}) TO STDOUT', buffer)
                copies.append((table, columns, buffer.getvalue()))
                referenced |= {target for _, target in connection.introspection.get_relations(cursor, table).values()}
            outside = sorted(referenced - {table for table, _, _ in copies})
            points_at = _extent(cursor, [table for table in outside if "id" in _columns(cursor, table)])
            transaction.set_rollback(True)
    return copies, points_at


def _columns(cursor, table: str) -> list[str]:
    return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _restore(copies: Copy) -> None:
    # Foreign keys are checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED), so the
    # tables may be filled in any order inside one atomic block.
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, data in copies:
            column_list = ", ".join(f'"{column}"' for column in columns)
            cursor.copy_expert(f'COPY "{table}" ({column_list}) FROM STDIN', io.BytesIO(data))
            if "id" not in columns:
                continue
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"'])
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(f'SELECT setval(%s, (SELECT max(id) FROM "{table}"))', [sequence])
