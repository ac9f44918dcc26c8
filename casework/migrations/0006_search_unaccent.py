"""Accent-insensitive search: the search vector is built from unaccented text ("María" is found
by "maria"), and the search selector unaccents the query the same way. Existing rows are
re-indexed; the GIN index of 0002 stays as it is. SQLite (no extension, no trigger) is left
alone: its search stays a substring match."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION casework_inquiry_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search :=
    setweight(to_tsvector('english', {wrap}(coalesce(NEW.subject, ''))), 'A') ||
    setweight(to_tsvector('english', {wrap}(coalesce((
      SELECT c.name || ' ' || c.organisation || ' ' || c.email FROM casework_correspondent c
      WHERE c.id = NEW.correspondent_id), ''))), 'B') ||
    setweight(to_tsvector('english', {wrap}(coalesce(NEW.body, ''))), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""
REINDEX = "UPDATE casework_inquiry SET subject = subject"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(wrap="unaccent"))
        schema_editor.execute(REINDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(wrap=""))
        schema_editor.execute(REINDEX)


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_inquiry_submission_token")]
    operations = [UnaccentExtension(), migrations.RunPython(forwards, backwards)]
