# API tokens moved from rest_framework.authtoken (keys stored in plain text, never expiring) to
# django-rest-knox (digests only, expiring). The old app is no longer installed, so its table is
# dropped here rather than left behind holding usable keys. Every user mints a new token.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0016_caller_verification"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(sql="DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
