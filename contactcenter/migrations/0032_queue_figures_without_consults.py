"""The queue figures leave consults out (queue_rollups.COUNTED): every interval holding one is marked
stale, so the worker's refresh recounts it (reads count it from the contacts until then)."""

from django.db import migrations

MARK = (
    "INSERT INTO contactcenter_queuerollupdirty (interval_start) "
    "SELECT DISTINCT date_bin('15 minutes', enqueued_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') "
    "FROM contactcenter_waitingcontact WHERE consult_of_id IS NOT NULL"
)


def mark(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # SQLite counts the contacts directly
        schema_editor.execute(MARK)


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0031_agent_line"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
