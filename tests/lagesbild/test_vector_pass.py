"""The aggregation reads the answer vectors: the same counts as the JSON answers give,
for the sheets of every writer (synthetic and demo sheets; the pupil's submit in
tests/surveys/test_answer_vector.py), and the JSON pass where a wave mixes versions."""

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


def test_an_empty_wave_counts_nothing_on_either_pass(make_wave: MakeWave) -> None:
    wave = make_wave()
    for source in ("vector", "json"):
        assert aggregate_wave(wave_id=wave.pk, specs=SPECS, source=source) == []
