from django.db import migrations

from contactcenter.audit import protection as audit_protection


def forwards(apps, schema_editor):
    audit_protection.protect(schema_editor.connection)


def backwards(apps, schema_editor):
    audit_protection.unprotect(schema_editor.connection)


class Migration(migrations.Migration):
    """Audit rows become append-only in the database itself: see contactcenter/audit/protection.py."""

    dependencies = [
        ("contactcenter", "0014_service_request_submission_token"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
