"""Hot-path SQL prepared once per database session.

Parsing and planning were half of Postgres's CPU for an IVR step (docs/performance.md), so the
statements a webhook runs on every request are sent once as `PREPARE` and then as `EXECUTE`.
A prepared statement outlives a rolled-back transaction, and belongs to one session: the names
prepared are remembered against the driver's connection object, so a reconnect prepares again.
Set DB_PREPARED_STATEMENTS=false behind a pooler that resets sessions (PgBouncer in transaction
mode): each statement is then sent as plain SQL."""

from __future__ import annotations

import itertools
import re

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_save, pre_save

_PLACEHOLDER = re.compile(r"%s")


class PreparedStatement:
    def __init__(self, name: str, sql: str) -> None:
        """`sql` uses the driver's `%s` placeholders; in a select list, give each a cast (`%s::int`):
        Postgres infers a prepared parameter's type from where it stands."""
        self.name = name
        self.sql = sql
        counter = itertools.count(1)
        count = len(_PLACEHOLDER.findall(sql))
        self._prepare = f"PREPARE {name} AS " + _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)
        self._execute = f"EXECUTE {name}" + (f" ({', '.join(['%s'] * count)})" if count else "")

    def execute(self, cursor, params: list | tuple = ()) -> None:
        if cursor.db.vendor != "postgresql" or not getattr(settings, "DB_PREPARED_STATEMENTS", True):
            cursor.execute(self.sql, params)
            return
        prepared = _prepared_in_this_session(cursor.db)
        if self.name not in prepared:
            cursor.execute(self._prepare)
            prepared.add(self.name)
        cursor.execute(self._execute, params)


def _prepared_in_this_session(database) -> set[str]:
    """`database` is this thread's DatabaseWrapper (the cursor's), not the `connection` proxy that
    every thread shares."""
    session = database.connection
    held = database.__dict__.get("_prepared_statements")
    if held is None or held[0] is not session:
        held = (session, set())
        database.__dict__["_prepared_statements"] = held
    return held[1]


_INSERTS: dict[tuple[type, tuple[str, ...]], tuple[PreparedStatement, list]] = {}


def insert_returning_pk(instance, *, unless_conflicting_on: tuple[str, ...] = ()) -> int | None:
    """Insert one new model instance as `save(force_insert=True)` would (field defaults and
    `auto_now`, the pre/post-save signals), through a prepared statement: the ORM compiled the same
    INSERT afresh on every call. Returns the new pk and sets it on the instance; returns None when a
    row with the same `unless_conflicting_on` columns already exists (nothing is written)."""
    model = type(instance)
    key = (model, unless_conflicting_on)
    if key not in _INSERTS:
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        conflict = (
            f" ON CONFLICT ({', '.join(connection.ops.quote_name(name) for name in unless_conflicting_on)}) DO NOTHING"
            if unless_conflicting_on
            else ""
        )
        sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608 - model metadata
            f"VALUES ({', '.join(['%s'] * len(fields))}){conflict} RETURNING {meta.pk.column}"
        )
        _INSERTS[key] = (PreparedStatement(f"insert_{meta.db_table}_{len(_INSERTS)}", sql), fields)
    statement, fields = _INSERTS[key]
    pre_save.send(sender=model, instance=instance, raw=False, using=connection.alias, update_fields=None)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=connection.alias)
    return instance.pk


_LOOKUPS: dict[tuple, tuple[PreparedStatement, list]] = {}


def fetch_one_with_related(model, *, column: str, value, related: tuple[str, ...] = ()):
    """`model.objects.select_related(*related).filter(<column>=value).first()` for a unique column,
    through a prepared statement: the ORM compiled the joined SELECT afresh each time. `related`
    names forward foreign keys of `model` (joined as the ORM would: LEFT JOIN when nullable)."""
    if connection.vendor != "postgresql":
        # Other backends return dates, decimals and booleans in their own types, which the ORM's
        # converters turn into Python's; psycopg2 returns them as Python's already.
        return model.objects.select_related(*related).filter(**{column: value}).first()
    key = (model, column, related)
    if key not in _LOOKUPS:
        quote = connection.ops.quote_name
        meta = model._meta
        parts = [(model, meta.db_table, None)]
        joins = []
        for name in related:
            field = meta.get_field(name)
            target = field.related_model._meta
            alias = f"r_{name}"
            kind = "LEFT JOIN" if field.null else "INNER JOIN"
            joins.append(
                f"{kind} {quote(target.db_table)} {alias} "
                f"ON {alias}.{quote(target.pk.column)} = {quote(meta.db_table)}.{quote(field.column)}"
            )
            parts.append((field.related_model, alias, name))
        layout = []
        selected = []
        for part_model, alias, name in parts:
            fields = list(part_model._meta.concrete_fields)
            table = quote(alias) if name else quote(meta.db_table)
            selected.extend(f"{table}.{quote(field.column)}" for field in fields)
            # from_db() takes database values as they are; the ORM's compiler applied these.
            converters = {
                index: field.from_db_value for index, field in enumerate(fields) if hasattr(field, "from_db_value")
            }
            layout.append((part_model, name, [field.attname for field in fields], converters))
        sql = (
            f"SELECT {', '.join(selected)} FROM {quote(meta.db_table)} {' '.join(joins)} "  # noqa: S608 - metadata
            f"WHERE {quote(meta.db_table)}.{quote(column)} = %s"
        )
        _LOOKUPS[key] = (PreparedStatement(f"lookup_{meta.db_table}_{len(_LOOKUPS)}", sql), layout)
    statement, layout = _LOOKUPS[key]
    with connection.cursor() as cursor:
        statement.execute(cursor, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for part_model, name, attnames, converters in layout:
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for index, convert in converters.items():
            values[index] = convert(values[index], None, connection)
        instance = None if values[0] is None else part_model.from_db(connection.alias, attnames, values)
        instances.append((name, instance))
    base = instances[0][1]
    for name, instance in instances[1:]:
        setattr(base, name, instance)
    return base
