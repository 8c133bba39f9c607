"""A questionnaire version is the core every kommun may use (no kommun) or one kommun's
own. On PostgreSQL a trigger refuses a wave that uses another kommun's version."""

import django.db.models.deletion
from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION surveys_wave_questionnaire_kommun() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM surveys_questionnaireversion q
        WHERE q.id = NEW.questionnaire_id
          AND q.municipality_id IS NOT NULL
          AND q.municipality_id <> NEW.municipality_id
    ) THEN
        RAISE EXCEPTION 'surveys_wave: the questionnaire version belongs to another kommun'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER surveys_wave_questionnaire_kommun
    BEFORE INSERT OR UPDATE OF questionnaire_id, municipality_id ON surveys_wave
    FOR EACH ROW EXECUTE FUNCTION surveys_wave_questionnaire_kommun();
"""
DROP = """
DROP TRIGGER IF EXISTS surveys_wave_questionnaire_kommun ON surveys_wave;
DROP FUNCTION IF EXISTS surveys_wave_questionnaire_kommun();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0010_district_kinds_scb'),
    ]

    operations = [
        migrations.AddField(
            model_name='questionnaireversion',
            name='municipality',
            field=models.ForeignKey(blank=True, help_text='Tomt: kärnenkäten som alla kommuner kan använda.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='questionnaire_versions', to='surveys.municipality', verbose_name='kommun'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
