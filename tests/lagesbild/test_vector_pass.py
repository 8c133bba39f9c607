"""The aggregation reads the answer vectors: the same counts as the JSON answers give,
for the sheets of every writer (synthetic and demo sheets; the pupil's submit in
tests/surveys/test_answer_vector.py), and the JSON pass where a wave mixes versions.
The migrations that filled the vectors (0006) and packed them (0013) are held here too."""

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from lagesbild.aggregation import aggregate_wave, pass_statement
from lagesbild.catalogue import load_catalogue
from lagesbild.cube import specs_from_catalogue
from lagesbild.synthetic import sheets_insert
from surveys import answer_vector as av
from surveys import questionnaire as qn
from surveys.models import AnswerSheet, Wave
from surveys.selectors import sheets_disagreeing
from surveys.services import questionnaire_import
from tests.lagesbild.test_aggregation import reference_counts, sql_counts

pytestmark = pytest.mark.django_db

MakeWave = Any
SPECS = specs_from_catalogue(load_catalogue())


def test_synthetic_sheets_store_vectors_that_agree_with_their_answers(
    make_wave: MakeWave,
) -> None:
    wave = make_wave("vt-syntetisk", closed=False)
    sheets_insert(wave=wave, count=1_200, seed=5)  # COPY on PostgreSQL, batches elsewhere
    assert AnswerSheet.objects.filter(wave=wave).count() == 1_200
    assert sheets_disagreeing(wave_id=wave.pk) == []


def test_the_vector_pass_counts_synthetic_sheets_as_the_json_pass_does(
    make_wave: MakeWave,
) -> None:
    wave = make_wave("vt-syntetisk", closed=False)
    sheets_insert(wave=wave, count=1_200, seed=6, drift=0.3)
    assert pass_statement(wave_id=wave.pk, specs=SPECS)[2] == "vector"
    assert sql_counts(wave.pk, "vector") == sql_counts(wave.pk, "json")
    assert sql_counts(wave.pk, "sql") == sql_counts(wave.pk, "json")


def test_a_wave_with_sheets_of_two_versions_is_counted_from_the_json(
    make_wave: MakeWave, add_sheets: Any
) -> None:
    wave = make_wave()
    add_sheets(wave, 60, 11)
    v2 = qn.load_yaml_file(qn.DEFAULT_QUESTIONNAIRE_PATH.with_name("default-v2.yaml"))
    version, _created = questionnaire_import(questionnaire=v2)
    Wave.objects.filter(pk=wave.pk).update(questionnaire=version)
    wave.refresh_from_db()
    add_sheets(wave, 40, 12)
    assert AnswerSheet.objects.filter(wave=wave).values("questionnaire").distinct().count() == 2
    assert pass_statement(wave_id=wave.pk, specs=SPECS)[2] == "json"
    sheets = list(
        AnswerSheet.objects.filter(wave=wave).select_related("school_district", "home_district")
    )
    assert sql_counts(wave.pk) == reference_counts(sheets)


def test_the_migration_fills_every_sheets_vector_from_its_answers(
    make_wave: MakeWave, add_sheets: Any
) -> None:
    wave = make_wave()
    add_sheets(wave, 80, 13)
    AnswerSheet.objects.update(answer_vector=[])
    assert len(sheets_disagreeing()) == 80
    migration = importlib.import_module("surveys.migrations.0006_answersheet_answer_vector")
    # The function reads only the editor's connection; the current models stand in for
    # the historical ones (the same fields).
    migration.sheets_fill_vectors(apps, SimpleNamespace(connection=connection))
    assert sheets_disagreeing() == []


def test_an_empty_wave_counts_nothing_on_any_pass(make_wave: MakeWave) -> None:
    wave = make_wave()
    for source in ("vector", "sql", "json"):
        assert aggregate_wave(wave_id=wave.pk, specs=SPECS, source=source) == []


def test_the_vector_pass_refuses_a_vector_of_the_wrong_length(
    make_wave: MakeWave, add_sheets: Any
) -> None:
    """A stored vector not of its version's length (written behind the service) stops
    the count instead of shifting every later sheet's positions."""
    wave = make_wave()
    add_sheets(wave, 20, 14)
    sheet = AnswerSheet.objects.filter(wave=wave).first()
    assert sheet is not None
    AnswerSheet.objects.filter(pk=sheet.pk).update(answer_vector=sheet.answer_vector[:-1])
    with pytest.raises(ValueError, match="answer vectors of 62 bytes expected"):
        aggregate_wave(wave_id=wave.pk, specs=SPECS)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's conversion")
def test_the_migrations_postgresql_conversion_packs_as_pack_does() -> None:
    """Migration 0013 converts each stored `smallint[]` with SQL; forward and back it
    gives the bytes of `surveys.answer_vector.pack` and the integers again."""
    migration = importlib.import_module("surveys.migrations.0013_answer_vector_packed")
    vector = [0, 1, -1, 2, 0b101, 32_767, -32_768, 256, 0]
    with connection.cursor() as cursor:
        cursor.execute(migration.PG_PACK)
        cursor.execute(migration.PG_UNPACK)
        cursor.execute("SELECT pg_temp.answer_vector_pack(%s::smallint[])", [vector])
        packed = bytes(cursor.fetchone()[0])
        cursor.execute("SELECT pg_temp.answer_vector_unpack(%s)", [packed])
        back = cursor.fetchone()[0]
        cursor.execute("SELECT pg_temp.answer_vector_pack('{}'::smallint[])")
        empty = bytes(cursor.fetchone()[0])
        cursor.execute("DROP FUNCTION pg_temp.answer_vector_pack(smallint[])")
        cursor.execute("DROP FUNCTION pg_temp.answer_vector_unpack(bytea)")
    assert packed == av.pack(vector)
    assert back == vector
    assert empty == b""
