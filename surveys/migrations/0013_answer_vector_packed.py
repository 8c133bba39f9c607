"""The answer vector is stored packed: two bytes per position, big-endian
(`surveys.answer_vector.pack`), a `bytea` instead of a `smallint[]` (on SQLite a BLOB
instead of JSON text). The integers stay the same; a version's vectors now all have the
same length in bytes, which the aggregation reads as one integer matrix per wave.

PostgreSQL converts every row in one ALTER (``int2send`` is the same byte order as
`pack`); SQLite rewrites each row from the stored JSON text."""

import json

from django.db import migrations

import surveys.models
from surveys import answer_vector

BATCH = 2_000

# Temporary functions of this connection only (pg_temp), used by the ALTER's USING.
PG_PACK = """
CREATE FUNCTION pg_temp.answer_vector_pack(v smallint[]) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(string_agg(int2send(e), ''::bytea ORDER BY i), ''::bytea)
    FROM unnest(v) WITH ORDINALITY AS u(e, i)
$$
"""
PG_UNPACK = """
CREATE FUNCTION pg_temp.answer_vector_unpack(b bytea) RETURNS smallint[]
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(array_agg(
        (((get_byte(b, 2 * i) << 8 | get_byte(b, 2 * i + 1)) # 32768) - 32768)::smallint
        ORDER BY i), '{}')
    FROM generate_series(0, length(b) / 2 - 1) AS i
$$
"""


def _sqlite_rewrite(schema_editor, table, convert):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, answer_vector FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    for start in range(0, len(rows), BATCH):
        batch = [(convert(value), sheet_id) for sheet_id, value in rows[start : start + BATCH]]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET answer_vector = %s WHERE id = %s",  # noqa: S608
                batch,
            )


def pack_vectors(apps, schema_editor):
    table = apps.get_model("surveys", "AnswerSheet")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_PACK)
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN answer_vector TYPE bytea "
            "USING pg_temp.answer_vector_pack(answer_vector)"
        )
        schema_editor.execute("DROP FUNCTION pg_temp.answer_vector_pack(smallint[])")
        return
    # SQLite keeps the declared type; the values become BLOBs.
    _sqlite_rewrite(
        schema_editor,
        table,
        lambda text: answer_vector.pack([int(v) for v in json.loads(text)]),
    )


def unpack_vectors(apps, schema_editor):
    table = apps.get_model("surveys", "AnswerSheet")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UNPACK)
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN answer_vector TYPE smallint[] "
            "USING pg_temp.answer_vector_unpack(answer_vector)"
        )
        schema_editor.execute("DROP FUNCTION pg_temp.answer_vector_unpack(bytea)")
        return
    _sqlite_rewrite(
        schema_editor,
        table,
        lambda data: json.dumps(answer_vector.unpack(bytes(data)), separators=(",", ":")),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0012_wave_demo")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(pack_vectors, unpack_vectors, elidable=False),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="answersheet",
                    name="answer_vector",
                    field=surveys.models.AnswerVectorField(editable=False),
                ),
            ],
        ),
    ]
