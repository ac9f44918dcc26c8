"""The wallboard's "today" adds to the day's rollups the contacts whose wait spans midnight
(queue_rollups.settled_by_queue): a GiST index on each contact's wait as a range finds those few
among every contact. Its expression is queue_rollups.WAIT_SPAN's."""

from django.db import migrations

INDEX = "waitingcontact_wait_span_idx"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON contactcenter_waitingcontact USING gist "
    "(tstzrange(enqueued_at, GREATEST(enqueued_at, COALESCE(answered_at, ended_at)), '[]'))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite counts the contacts directly
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0032_queue_figures_without_consults"),
    ]

    operations = [migrations.RunPython(create, drop)]
