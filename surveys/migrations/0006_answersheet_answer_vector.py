"""Every answer sheet gets its answers as an integer vector too (`surveys.answer_vector`):
the column is added, filled from each sheet's JSON answers under its questionnaire
version's layout, and then made NOT NULL, so that no writer can leave it out. The index on
the wave becomes one on (wave, questionnaire).

The column was a `smallint[]` (JSON text on SQLite) until migration 0013 packed it into
bytes; its field class of that time lives here, where it is still needed."""

import json

from django.db import migrations, models

from surveys import answer_vector
from surveys import questionnaire as qn

BATCH = 2_000


class AnswerVectorField(models.Field):
    """The vector as first stored: `smallint[]` on PostgreSQL, JSON text elsewhere."""

    empty_strings_allowed = False

    def db_type(self, connection):
        return "smallint[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return [int(v) for v in json.loads(value)]

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or connection.vendor == "postgresql":
            return value
        return json.dumps([int(v) for v in value], separators=(",", ":"))


def sheets_fill_vectors(apps, schema_editor):
    connection = schema_editor.connection
    sheet_model = apps.get_model("surveys", "AnswerSheet")
    field = sheet_model._meta.get_field("answer_vector")
    table = sheet_model._meta.db_table
    for version in apps.get_model("surveys", "QuestionnaireVersion").objects.order_by("pk"):
        layout = answer_vector.layout(qn.load_questionnaire(version.definition))
        sheets = (
            sheet_model.objects.filter(questionnaire_id=version.pk)
            .values_list("id", "answers")
            .iterator(chunk_size=BATCH)
        )
        batch = []
        for sheet_id, answers in sheets:
            vector = answer_vector.encode(layout, answers)
            batch.append((field.get_db_prep_value(vector, connection), sheet_id.hex))
            if len(batch) == BATCH:
                _write(connection, table, batch)
                batch = []
        _write(connection, table, batch)


def _write(connection, table, batch):
    if not batch:
        return
    # UUIDs are stored as uuid on PostgreSQL and as 32 hex digits on SQLite.
    cast = "%s::uuid" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET answer_vector = %s WHERE id = {cast}",  # noqa: S608
            batch,
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_wave_languages")]

    operations = [
        migrations.AddField(
            model_name="answersheet",
            name="answer_vector",
            field=AnswerVectorField(editable=False, null=True),
        ),
        migrations.RunPython(sheets_fill_vectors, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="answersheet",
            name="answer_vector",
            field=AnswerVectorField(editable=False),
        ),
        # The aggregation asks whether a wave holds sheets of another questionnaire
        # version without scanning them: (wave, questionnaire) replaces (wave).
        migrations.RemoveIndex(model_name="answersheet", name="surveys_ans_wave_id_3acc54_idx"),
        migrations.AddIndex(
            model_name="answersheet",
            index=models.Index(
                fields=["wave", "questionnaire"], name="surveys_ans_wave_id_e6ad9f_idx"
            ),
        ),
    ]
