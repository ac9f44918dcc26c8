"""Which constraint an IntegrityError is about, on Postgres and on SQLite alike: a service that expects
one clash (a concurrent insert of the same row) lets every other one through."""

from __future__ import annotations

from django.db import IntegrityError, models


def is_unique_clash(error: IntegrityError, model: type[models.Model], constraint: str) -> bool:
    """Whether `error` is `model`'s UniqueConstraint named `constraint` refusing a second row."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:  # Postgres (psycopg 2 or 3) names the constraint
        return diag.constraint_name == constraint
    # SQLite names the columns of a unique index, or the index itself when it is on expressions.
    declared = {found.name: found for found in model._meta.constraints}[constraint]
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in declared.fields)
    return str(error) in (f"UNIQUE constraint failed: {columns}", f"UNIQUE constraint failed: index '{constraint}'")
