from django.db import migrations

# Bilingual agents whose first language is the other one take a contact after it has waited this long.
QUEUES = [
    ("tier1-en", 1, "en", 120, ["tier1-es"]),
    ("tier1-es", 1, "es", 60, ["tier1-en"]),
    ("tier2-en", 2, "en", 300, ["tier2-es"]),
    ("tier2-es", 2, "es", 120, ["tier2-en"]),
]


def forwards(apps, schema_editor):
    QueueConfig = apps.get_model("contactcenter", "QueueConfig")
    for name, tier, language, overflow_after, overflow_to in QUEUES:
        QueueConfig.objects.get_or_create(
            name=name,
            defaults={
                "tier": tier,
                "language": language,
                "overflow_after_seconds": overflow_after,
                "overflow_to": overflow_to,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("contactcenter", "QueueConfig").objects.filter(name__in=[q[0] for q in QUEUES]).delete()


class Migration(migrations.Migration):
    dependencies = [("contactcenter", "0007_routing_engine")]

    operations = [migrations.RunPython(forwards, backwards)]
