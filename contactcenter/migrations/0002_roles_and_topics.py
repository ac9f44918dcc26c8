from django.db import migrations

ROLES = [
    "csr",
    "iso",
    "cao_analyst",
    "cao_supervisor",
    "tsa_liaison",
    "outreach_staff",
    "cro",
    "supervisor",
    "administrator",
]

# (code, English, Spanish, parent code)
TOPICS = [
    ("case-status", "Case status", "Estado del caso", None),
    ("forms", "Forms and fees", "Formularios y tarifas", None),
    ("form-order", "Form order", "Pedido de formularios", "forms"),
    ("field-offices", "Field offices", "Oficinas locales", None),
    ("civil-surgeons", "Civil surgeons", "Médicos civiles", None),
    ("processing-times", "Processing times", "Tiempos de procesamiento", None),
    ("priority-dates", "Priority dates and the Visa Bulletin", "Fechas de prioridad y Boletín de Visas", None),
    ("service-request", "Service request", "Solicitud de servicio", None),
    ("address-change", "Change of address (AR-11)", "Cambio de dirección (AR-11)", "service-request"),
    (
        "non-delivery",
        "Notice, card or document not received",
        "Aviso, tarjeta o documento no recibido",
        "service-request",
    ),
    (
        "outside-processing-time",
        "Case outside normal processing time",
        "Caso fuera del tiempo normal de procesamiento",
        "service-request",
    ),
    ("accommodation", "Appointment accommodation", "Acomodo para una cita", "service-request"),
    ("typographic-error", "Typographic error", "Error tipográfico", "service-request"),
    ("expedite", "Expedite request", "Solicitud de trámite acelerado", "service-request"),
    ("emergency-appointment", "Emergency appointment", "Cita de emergencia", "service-request"),
    ("biometrics", "Biometrics appointment", "Cita de datos biométricos", None),
    ("interview", "Interview", "Entrevista", None),
    ("naturalization", "Naturalization and citizenship", "Naturalización y ciudadanía", None),
    ("green-card", "Permanent residence (green card)", "Residencia permanente (tarjeta verde)", None),
    ("employment-authorization", "Employment authorization", "Autorización de empleo", None),
    ("travel-documents", "Travel documents", "Documentos de viaje", None),
    ("travel-redress", "DHS TRIP travel redress", "Reparación de viajes DHS TRIP", None),
    ("humanitarian", "Humanitarian programs", "Programas humanitarios", None),
    ("fees", "Fees and fee waivers", "Tarifas y exenciones", None),
    ("fraud-scams", "Fraud and scams", "Fraude y estafas", None),
    ("accessibility", "Accessibility and disability accommodations", "Accesibilidad y acomodos por discapacidad", None),
    ("civil-rights", "Civil rights and civil liberties", "Derechos y libertades civiles", None),
    ("customer-experience", "Customer service experience", "Experiencia de servicio al cliente", None),
    ("policy", "Policy and regulations", "Políticas y reglamentos", None),
    ("general", "General information", "Información general", None),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Topic = apps.get_model("contactcenter", "Topic")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    by_code = {}
    for order, (code, name_en, name_es, parent) in enumerate(TOPICS):
        topic, _ = Topic.objects.update_or_create(
            code=code,
            defaults={"name_en": name_en, "name_es": name_es, "parent": by_code.get(parent), "sort_order": order},
        )
        by_code[code] = topic


def backwards(apps, schema_editor):
    apps.get_model("contactcenter", "Topic").objects.filter(code__in=[t[0] for t in TOPICS]).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
