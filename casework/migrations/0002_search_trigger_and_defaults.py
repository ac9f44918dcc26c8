"""Full-text search over subject, body and correspondent, kept current by a Postgres trigger (so
bulk loads and every write path are covered) with a GIN index; default SLA targets and templates.

SQLite (the no-services development fallback) gets neither trigger nor index; the search selector
falls back to substring matching there."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION casework_inquiry_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search :=
    setweight(to_tsvector('english', coalesce(NEW.subject, '')), 'A') ||
    setweight(to_tsvector('english', coalesce((
      SELECT c.name || ' ' || c.organisation || ' ' || c.email FROM casework_correspondent c
      WHERE c.id = NEW.correspondent_id), '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS casework_inquiry_search ON casework_inquiry;
CREATE TRIGGER casework_inquiry_search BEFORE INSERT OR UPDATE OF subject, body, correspondent_id
  ON casework_inquiry FOR EACH ROW EXECUTE FUNCTION casework_inquiry_search_update();
CREATE INDEX IF NOT EXISTS casework_inquiry_search_gin ON casework_inquiry USING gin (search);
"""
DROP = """
DROP TRIGGER IF EXISTS casework_inquiry_search ON casework_inquiry;
DROP FUNCTION IF EXISTS casework_inquiry_search_update();
DROP INDEX IF EXISTS casework_inquiry_search_gin;
"""

TARGETS = [
    ("white_house", 10, "who.eop.gov,eop.gov"),
    ("dhs", 10, "hq.dhs.gov"),
    ("cis_ombudsman", 15, "cisomb.dhs.gov"),
    ("crcl", 15, "crcl.dhs.gov"),
    ("osi", 15, "osi.dhs.gov"),
    ("congressional", 15, "mail.house.gov,senate.gov"),
    ("tsa_trip", 30, "tsa.dhs.gov,trip.dhs.gov"),
    ("public", 30, ""),
    ("other", 30, ""),
]

TEMPLATES = [
    (
        "acknowledge-case",
        "en",
        "Case status reply",
        "Your inquiry about {{ receipt_numbers }}",
        "Dear {{ name }},\n\nThank you for your inquiry {{ reference }} about {{ receipt_numbers }}. "
        "The current status of the case is: {{ case_status }}.\n\nWe will write again if USCIS needs "
        "anything more from you.\n\nSincerely,\n{{ analyst }}\nCustomer Assistance Office, USCIS",
    ),
    (
        "acknowledge-case",
        "es",
        "Respuesta sobre el estado del caso",
        "Su consulta sobre {{ receipt_numbers }}",
        "Estimado/a {{ name }}:\n\nGracias por su consulta {{ reference }} sobre {{ receipt_numbers }}. "
        "El estado actual del caso es: {{ case_status }}.\n\nLe escribiremos de nuevo si USCIS necesita "
        "algo más de usted.\n\nAtentamente,\n{{ analyst }}\nOficina de Asistencia al Cliente, USCIS",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)
    SlaTarget = apps.get_model("casework", "SlaTarget")
    for source, days, domains in TARGETS:
        SlaTarget.objects.get_or_create(source=source, defaults={"business_days": days, "sender_domains": domains})
    ResponseTemplate = apps.get_model("casework", "ResponseTemplate")
    for code, language, title, subject, body in TEMPLATES:
        ResponseTemplate.objects.get_or_create(
            code=code, language=language, defaults={"title": title, "subject": subject, "body": body}
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
