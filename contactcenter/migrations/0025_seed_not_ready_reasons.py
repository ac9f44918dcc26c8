from django.db import migrations

REASONS = [
    ("break", "Break", "Descanso"),
    ("meal", "Meal", "Comida"),
    ("training", "Training", "Capacitación"),
    ("meeting", "Meeting", "Reunión"),
    ("device_problem", "Device problem", "Problema con el dispositivo"),
    ("system_issue", "System issue", "Problema del sistema"),
]


def seed(apps, schema_editor):
    NotReadyReason = apps.get_model("contactcenter", "NotReadyReason")
    for order, (code, label_en, label_es) in enumerate(REASONS, start=1):
        NotReadyReason.objects.get_or_create(
            code=code, defaults={"label_en": label_en, "label_es": label_es, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("contactcenter", "0024_agent_reasons_and_after_call_work")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
