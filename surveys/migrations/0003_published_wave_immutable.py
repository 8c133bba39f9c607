"""On PostgreSQL, the database itself refuses to change a published wave's dates,
questionnaire version or kommun (Wave.save refuses it on every database; the trigger
also covers queryset updates, raw SQL and other clients)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION surveys_wave_published_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL AND (
        NEW.opens_at IS DISTINCT FROM OLD.opens_at
        OR NEW.closes_at IS DISTINCT FROM OLD.closes_at
        OR NEW.questionnaire_id IS DISTINCT FROM OLD.questionnaire_id
        OR NEW.municipality_id IS DISTINCT FROM OLD.municipality_id
    ) THEN
        RAISE EXCEPTION 'a published wave''s dates, questionnaire and kommun never change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER surveys_wave_published_frozen
    BEFORE UPDATE ON surveys_wave
    FOR EACH ROW EXECUTE FUNCTION surveys_wave_published_frozen();
"""
DROP = """
DROP TRIGGER IF EXISTS surveys_wave_published_frozen ON surveys_wave;
DROP FUNCTION IF EXISTS surveys_wave_published_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_codes_drafts_guessing")]

    operations = [migrations.RunPython(forwards, backwards)]
