"""A wave's slug is unique within its kommun; a kommun's consent to comparison; and on
PostgreSQL the database itself keeps a wave, its classes, class keys, codes and answer
sheets in one kommun (the services and the admin refuse the same on every database; the
triggers also cover queryset updates, raw SQL and other clients).

A draft references only its code, so the code's check covers it.
"""

from django.db import migrations, models


# Each refusal is a check_violation (SQLSTATE 23514): Django raises an IntegrityError.
CREATE = """
CREATE OR REPLACE FUNCTION surveys_class_kommun(class_id bigint) RETURNS bigint AS $$
    SELECT d.municipality_id
    FROM surveys_schoolclass c
    JOIN surveys_school s ON s.id = c.school_id
    JOIN surveys_district d ON d.id = s.district_id
    WHERE c.id = class_id
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION surveys_wave_kommun(wave bigint) RETURNS bigint AS $$
    SELECT municipality_id FROM surveys_wave WHERE id = wave
$$ LANGUAGE sql STABLE;

-- The wave's classes (the M2M table), class keys and codes: the class's school lies in
-- the wave's kommun. The column naming the class is passed as the trigger's argument.
CREATE OR REPLACE FUNCTION surveys_class_in_wave_kommun() RETURNS trigger AS $$
DECLARE
    class_id bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
    IF surveys_class_kommun(class_id) IS DISTINCT FROM surveys_wave_kommun(NEW.wave_id) THEN
        RAISE EXCEPTION 'class % belongs to another kommun than wave % (%)',
            class_id, NEW.wave_id, TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_wave_classes_kommun
    BEFORE INSERT OR UPDATE ON surveys_wave_classes
    FOR EACH ROW EXECUTE FUNCTION surveys_class_in_wave_kommun('schoolclass_id');
CREATE TRIGGER surveys_classkey_kommun
    BEFORE INSERT OR UPDATE OF wave_id, school_class_id ON surveys_classkey
    FOR EACH ROW EXECUTE FUNCTION surveys_class_in_wave_kommun('school_class_id');
CREATE TRIGGER surveys_accesscode_kommun
    BEFORE INSERT OR UPDATE OF wave_id, school_class_id ON surveys_accesscode
    FOR EACH ROW EXECUTE FUNCTION surveys_class_in_wave_kommun('school_class_id');

-- An answer sheet: its school, the school's district and the pupil's home district (when
-- answered) lie in the wave's kommun. One query per row, also under COPY.
CREATE OR REPLACE FUNCTION surveys_answersheet_kommun() RETURNS trigger AS $$
DECLARE
    mixed boolean;
BEGIN
    SELECT school_d.municipality_id IS DISTINCT FROM w.municipality_id
        OR sd.municipality_id IS DISTINCT FROM w.municipality_id
        OR (NEW.home_district_id IS NOT NULL
            AND hd.municipality_id IS DISTINCT FROM w.municipality_id)
    INTO mixed
    FROM surveys_wave w
    JOIN surveys_school s ON s.id = NEW.school_id
    JOIN surveys_district school_d ON school_d.id = s.district_id
    JOIN surveys_district sd ON sd.id = NEW.school_district_id
    LEFT JOIN surveys_district hd ON hd.id = NEW.home_district_id
    WHERE w.id = NEW.wave_id;
    IF mixed IS DISTINCT FROM false THEN
        RAISE EXCEPTION 'answer sheet % mixes kommuner: its school or a district is not in '
            'the kommun of wave %', NEW.id, NEW.wave_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_answersheet_kommun
    BEFORE INSERT OR UPDATE OF wave_id, school_id, school_district_id, home_district_id
    ON surveys_answersheet
    FOR EACH ROW EXECUTE FUNCTION surveys_answersheet_kommun();

-- A wave's kommun stays once classes, class keys, codes or sheets tie the wave to it.
CREATE OR REPLACE FUNCTION surveys_wave_kommun_kept() RETURNS trigger AS $$
BEGIN
    IF NEW.municipality_id IS DISTINCT FROM OLD.municipality_id AND (
        EXISTS (SELECT 1 FROM surveys_wave_classes WHERE wave_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_classkey WHERE wave_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_accesscode WHERE wave_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_answersheet WHERE wave_id = OLD.id)
    ) THEN
        RAISE EXCEPTION 'wave % has classes, codes or sheets: its kommun never changes', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_wave_kommun_kept
    BEFORE UPDATE OF municipality_id ON surveys_wave
    FOR EACH ROW EXECUTE FUNCTION surveys_wave_kommun_kept();

-- Nor does a class, a school or a district move to another kommun while a wave, a code
-- or a sheet ties it to its own: the rows above would mix kommuner without being written.
CREATE OR REPLACE FUNCTION surveys_school_kommun_kept() RETURNS trigger AS $$
BEGIN
    IF (SELECT municipality_id FROM surveys_district WHERE id = NEW.district_id)
        IS DISTINCT FROM (SELECT municipality_id FROM surveys_district WHERE id = OLD.district_id)
    AND (
        EXISTS (SELECT 1 FROM surveys_wave_classes wc
                JOIN surveys_schoolclass c ON c.id = wc.schoolclass_id
                WHERE c.school_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_accesscode a
                   JOIN surveys_schoolclass c ON c.id = a.school_class_id
                   WHERE c.school_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_classkey k
                   JOIN surveys_schoolclass c ON c.id = k.school_class_id
                   WHERE c.school_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_answersheet WHERE school_id = OLD.id)
    ) THEN
        RAISE EXCEPTION 'school % is in use in its kommun: it never moves to another kommun',
            OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_school_kommun_kept
    BEFORE UPDATE OF district_id ON surveys_school
    FOR EACH ROW EXECUTE FUNCTION surveys_school_kommun_kept();

CREATE OR REPLACE FUNCTION surveys_schoolclass_kommun_kept() RETURNS trigger AS $$
BEGIN
    IF surveys_class_kommun(OLD.id) IS DISTINCT FROM (
        SELECT d.municipality_id FROM surveys_school s
        JOIN surveys_district d ON d.id = s.district_id
        WHERE s.id = NEW.school_id
    ) AND (
        EXISTS (SELECT 1 FROM surveys_wave_classes WHERE schoolclass_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_accesscode WHERE school_class_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_classkey WHERE school_class_id = OLD.id)
    ) THEN
        RAISE EXCEPTION 'class % is in use in its kommun: it never moves to another kommun',
            OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_schoolclass_kommun_kept
    BEFORE UPDATE OF school_id ON surveys_schoolclass
    FOR EACH ROW EXECUTE FUNCTION surveys_schoolclass_kommun_kept();

CREATE OR REPLACE FUNCTION surveys_district_kommun_kept() RETURNS trigger AS $$
BEGIN
    IF NEW.municipality_id IS DISTINCT FROM OLD.municipality_id AND (
        EXISTS (SELECT 1 FROM surveys_school WHERE district_id = OLD.id)
        OR EXISTS (SELECT 1 FROM surveys_answersheet
                   WHERE school_district_id = OLD.id OR home_district_id = OLD.id)
    ) THEN
        RAISE EXCEPTION 'district % has schools or sheets: its kommun never changes', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER surveys_district_kommun_kept
    BEFORE UPDATE OF municipality_id ON surveys_district
    FOR EACH ROW EXECUTE FUNCTION surveys_district_kommun_kept();
"""
DROP = """
DROP TRIGGER IF EXISTS surveys_district_kommun_kept ON surveys_district;
DROP TRIGGER IF EXISTS surveys_schoolclass_kommun_kept ON surveys_schoolclass;
DROP TRIGGER IF EXISTS surveys_school_kommun_kept ON surveys_school;
DROP TRIGGER IF EXISTS surveys_wave_kommun_kept ON surveys_wave;
DROP TRIGGER IF EXISTS surveys_answersheet_kommun ON surveys_answersheet;
DROP TRIGGER IF EXISTS surveys_accesscode_kommun ON surveys_accesscode;
DROP TRIGGER IF EXISTS surveys_classkey_kommun ON surveys_classkey;
DROP TRIGGER IF EXISTS surveys_wave_classes_kommun ON surveys_wave_classes;
DROP FUNCTION IF EXISTS surveys_district_kommun_kept();
DROP FUNCTION IF EXISTS surveys_schoolclass_kommun_kept();
DROP FUNCTION IF EXISTS surveys_school_kommun_kept();
DROP FUNCTION IF EXISTS surveys_wave_kommun_kept();
DROP FUNCTION IF EXISTS surveys_answersheet_kommun();
DROP FUNCTION IF EXISTS surveys_class_in_wave_kommun();
DROP FUNCTION IF EXISTS surveys_wave_kommun(bigint);
DROP FUNCTION IF EXISTS surveys_class_kommun(bigint);
"""


# Rows written before the triggers existed: the migration stops rather than leave them.
MIXED = """
SELECT 'wave classes', count(*) FROM surveys_wave_classes x
    WHERE surveys_class_kommun(x.schoolclass_id) <> surveys_wave_kommun(x.wave_id)
UNION ALL SELECT 'class keys', count(*) FROM surveys_classkey x
    WHERE surveys_class_kommun(x.school_class_id) <> surveys_wave_kommun(x.wave_id)
UNION ALL SELECT 'codes', count(*) FROM surveys_accesscode x
    WHERE surveys_class_kommun(x.school_class_id) <> surveys_wave_kommun(x.wave_id)
UNION ALL SELECT 'answer sheets', count(*) FROM surveys_answersheet x
    JOIN surveys_wave w ON w.id = x.wave_id
    JOIN surveys_school s ON s.id = x.school_id
    JOIN surveys_district school_d ON school_d.id = s.district_id
    JOIN surveys_district sd ON sd.id = x.school_district_id
    LEFT JOIN surveys_district hd ON hd.id = x.home_district_id
    WHERE school_d.municipality_id <> w.municipality_id
        OR sd.municipality_id <> w.municipality_id
        OR hd.municipality_id <> w.municipality_id
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE, params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(MIXED)
        mixed = [f"{count} {what}" for what, count in cursor.fetchall() if count]
    if mixed:
        raise RuntimeError(
            "Rows that mix kommuner must be corrected before this migration: "
            + ", ".join(mixed)
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0007_youth_page_open_data'),
    ]

    operations = [
        migrations.AddField(
            model_name='municipality',
            name='shares_comparison',
            field=models.BooleanField(default=False, help_text='Kommunen samtycker till att dess publicerade kärnindikatorer för hela kommunen visas sida vid sida med andra kommuner som också samtycker.', verbose_name='jämförelse med andra kommuner'),
        ),
        migrations.AlterField(
            model_name='wave',
            name='slug',
            field=models.SlugField(verbose_name='kortnamn'),
        ),
        migrations.AddConstraint(
            model_name='wave',
            constraint=models.UniqueConstraint(fields=('municipality', 'slug'), name='wave_slug_per_kommun'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
