"""Recompute, publication, comparisons and the dirty marker."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db.models import Q
from django.utils import timezone

from lagesbild import aggregation, services
from lagesbild.catalogue import CURRENT_VERSION
from lagesbild.cube import KOMMUN
from lagesbild.models import IndicatorCell, WavePublication
from lagesbild.services import (
    CatalogueMismatchError,
    PublishRefusedError,
    indicators_refresh,
    wave_publish,
)
from lagesbild.synthetic import sheets_insert
from lagesbild.tasks import refresh_dirty_waves
from surveys.models import AnswerSheet, QuestionnaireVersion, Wave

pytestmark = pytest.mark.django_db

MakeWave = Callable[..., Wave]
AddSheets = Callable[..., list[AnswerSheet]]

PUBLIC = [
    "indicator",
    "place",
    "geography",
    "area",
    "breakdown",
    "breakdown_value",
    "raw_n",
    "raw_yes",
    "state",
    "reason",
    "n_shown",
    "share_pct",
    "bound",
    "ci_low_pct",
    "ci_high_pct",
    "unstable",
    "kommun_share_pct",
    "prev_share_pct",
    "diff_pct",
    "trend",
]


def snapshot(wave: Wave) -> list[tuple[Any, ...]]:
    return list(IndicatorCell.objects.filter(wave=wave).order_by(*PUBLIC[:6]).values_list(*PUBLIC))


def test_refresh_writes_a_cell_for_every_indicator_area_and_breakdown(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 120, 1)
    result = indicators_refresh(wave_id=wave.pk)
    cells = IndicatorCell.objects.filter(wave=wave)
    assert result.cells == cells.count() > 0
    kommun = cells.filter(area=KOMMUN, breakdown="total", place="")
    assert set(kommun.values_list("indicator", flat=True)) >= {"TRY01", "UTS00", "TRYIDX", "FOR03"}
    assert cells.filter(indicator="TRY07", area=KOMMUN, breakdown="total").count() == 8
    assert set(cells.values_list("breakdown_value", flat=True)) == {
        "",
        "1",
        "2",
        "3",
        "AK79",
        "GY",
        "7",
        "8",
        "9",
        "10",
        "11",
        "12",
    }


def test_refreshing_twice_gives_identical_cells(make_wave: MakeWave, add_sheets: AddSheets) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 150, 2)
    indicators_refresh(wave_id=wave.pk)
    first = snapshot(wave)
    indicators_refresh(wave_id=wave.pk)
    assert snapshot(wave) == first


def test_stored_counts_match_the_shown_values(make_wave: MakeWave, add_sheets: AddSheets) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 200, 3)
    indicators_refresh(wave_id=wave.pk)
    shown = IndicatorCell.objects.filter(wave=wave, state="shown")
    assert shown.exists()
    for cell in shown:
        assert cell.share_pct is not None
        assert abs(cell.share_pct - 100 * cell.raw_yes / cell.raw_n) <= 0.5 + 1e-9 or (
            cell.share_pct in (1, 99)
        )


def test_no_cell_below_ten_answers_shows_anything(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 60, 4)
    indicators_refresh(wave_id=wave.pk)
    small = IndicatorCell.objects.filter(wave=wave, raw_n__lt=10)
    assert small.exists()
    assert not small.exclude(state="suppressed").exists()
    assert not small.filter(Q(n_shown__isnull=False) | Q(share_pct__isnull=False)).exists()


def test_a_shown_total_never_has_exactly_one_hidden_district_with_pupils(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 300, 5)
    indicators_refresh(wave_id=wave.pk)
    cells = IndicatorCell.objects.filter(wave=wave)
    for total in cells.filter(area=KOMMUN, state="shown"):
        siblings = cells.filter(
            indicator=total.indicator,
            place=total.place,
            geography=total.geography,
            breakdown=total.breakdown,
            breakdown_value=total.breakdown_value,
        ).exclude(area=KOMMUN)
        # An empty district (n = 0) hidden alone discloses nobody (it is no cover either).
        assert siblings.exclude(state="shown").filter(raw_n__gt=0).count() != 1


def test_the_dirty_marker_is_cleared_by_a_refresh(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 20, 6)
    Wave.objects.filter(pk=wave.pk).update(indicators_dirty_at=timezone.now())
    indicators_refresh(wave_id=wave.pk)
    wave.refresh_from_db()
    assert wave.indicators_dirty_at is None


def test_a_scan_refresh_queued_behind_another_skips_a_wave_already_caught_up(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 20, 9)
    Wave.objects.filter(pk=wave.pk).update(indicators_dirty_at=timezone.now())
    first = indicators_refresh(wave_id=wave.pk, only_if_dirty=True)
    assert first.cells and not first.skipped  # the marker was set: recomputed
    done = (0, mock.Mock(seconds=0.0))
    with mock.patch.object(services, "_recompute", return_value=done) as recompute:
        again = indicators_refresh(wave_id=wave.pk, only_if_dirty=True)
        explicit = indicators_refresh(wave_id=wave.pk)
    assert again.skipped and again.cells == 0
    assert recompute.call_count == 1  # an explicit refresh still recomputes
    assert not explicit.skipped


def test_a_sheet_arriving_during_a_refresh_keeps_the_wave_dirty(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave(closed=False)
    add_sheets(wave, 20, 7)
    Wave.objects.filter(pk=wave.pk).update(indicators_dirty_at=timezone.now())
    real = aggregation.aggregate_wave

    def aggregate_while_a_pupil_submits(**kwargs: Any) -> Any:
        counts = real(**kwargs)
        later = timezone.now() + timedelta(seconds=1)
        Wave.objects.filter(pk=wave.pk).update(indicators_dirty_at=later)
        return counts

    with mock.patch.object(services, "aggregate_wave", aggregate_while_a_pupil_submits):
        indicators_refresh(wave_id=wave.pk)
    wave.refresh_from_db()
    assert wave.indicators_dirty_at is not None


def test_publishing_freezes_the_cells_with_the_catalogue_and_rules_used(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave()
    add_sheets(wave, 100, 8)
    publication = wave_publish(wave_id=wave.pk)
    wave.refresh_from_db()
    assert wave.is_published
    assert publication.catalogue_version == CURRENT_VERSION
    assert publication.rule_params["min_n"] == 10
    assert len(publication.catalogue_digest) == 64
    assert publication.cell_count == IndicatorCell.objects.filter(wave=wave, frozen=True).count()
    assert not IndicatorCell.objects.filter(wave=wave, frozen=False).exists()


def test_published_cells_never_change(make_wave: MakeWave, add_sheets: AddSheets) -> None:
    wave = make_wave()
    add_sheets(wave, 100, 9)
    wave_publish(wave_id=wave.pk)
    before = snapshot(wave)
    add_sheets(wave, 50, 10)  # even if sheets appeared afterwards
    assert indicators_refresh(wave_id=wave.pk).published
    assert snapshot(wave) == before


def test_publishing_twice_is_refused(make_wave: MakeWave, add_sheets: AddSheets) -> None:
    wave = make_wave()
    add_sheets(wave, 30, 11)
    wave_publish(wave_id=wave.pk)
    with pytest.raises(PublishRefusedError):
        wave_publish(wave_id=wave.pk)
    assert WavePublication.objects.count() == 1


def test_an_open_wave_cannot_be_published(make_wave: MakeWave) -> None:
    wave = make_wave(closed=False)
    with pytest.raises(PublishRefusedError):
        wave_publish(wave_id=wave.pk)
    assert not IndicatorCell.objects.filter(wave=wave).exists()


def test_a_questionnaire_without_a_catalogue_question_is_refused(
    make_wave: MakeWave, questionnaire: QuestionnaireVersion
) -> None:
    definition = questionnaire.definition
    for page in definition["pages"]:
        page["items"] = [item for item in page["items"] if item["code"] != "EXP06"]
    other = QuestionnaireVersion.objects.create(
        code="DEFAULT", version=99, title="utan EXP06", definition=definition
    )
    wave = make_wave(closed=False)
    Wave.objects.filter(pk=wave.pk).update(questionnaire=other)
    with pytest.raises(CatalogueMismatchError, match="EXP06"):
        indicators_refresh(wave_id=wave.pk)


def _published_waves(make_wave: MakeWave, count: int, drift: float = 0.0) -> list[Wave]:
    waves = []
    start = timezone.now() - timedelta(days=400 * count)
    for i in range(count):
        opens = start + timedelta(days=365 * i)
        wave = make_wave(f"w{i}", opens=opens, closed=False)  # sheets only while open
        sheets_insert(wave=wave, count=600, seed=i, drift=drift * i)
        Wave.objects.filter(pk=wave.pk).update(closes_at=opens + timedelta(days=28))
        wave_publish(wave_id=wave.pk)
        waves.append(wave)
    return waves


def test_a_published_cell_is_compared_with_the_previous_published_wave(
    make_wave: MakeWave,
) -> None:
    first, second = _published_waves(make_wave, 2)
    cell = IndicatorCell.objects.get(wave=second, indicator="SKY01", area=KOMMUN, breakdown="total")
    before = IndicatorCell.objects.get(
        wave=first, indicator="SKY01", area=KOMMUN, breakdown="total"
    )
    assert cell.prev_wave_id == first.pk
    assert cell.prev_share_pct == before.share_pct
    assert cell.diff_low_pct is not None and cell.diff_high_pct is not None
    assert cell.diff_low_pct <= cell.diff_pct <= cell.diff_high_pct  # type: ignore[operator]
    assert cell.diff_significant is not None
    assert cell.trend == ""  # two waves are not a trend


def test_a_wave_published_with_the_renamed_catalogues_predecessor_is_still_compared(
    make_wave: MakeWave,
) -> None:
    start = timezone.now() - timedelta(days=800)
    waves = []
    for i in range(2):
        opens = start + timedelta(days=365 * i)
        wave = make_wave(f"v{i}", opens=opens, closed=False)
        sheets_insert(wave=wave, count=600, seed=i)
        Wave.objects.filter(pk=wave.pk).update(closes_at=opens + timedelta(days=28))
        wave_publish(wave_id=wave.pk)
        if i == 0:  # as if published before version 2 (same counting, other names) existed
            WavePublication.objects.filter(wave=wave).update(catalogue_version=1)
        waves.append(wave)
    cell = IndicatorCell.objects.get(
        wave=waves[1], indicator="SKY01", area=KOMMUN, breakdown="total"
    )
    assert cell.prev_wave_id == waves[0].pk


def test_district_cells_carry_the_kommun_value(make_wave: MakeWave) -> None:
    (wave,) = _published_waves(make_wave, 1)
    kommun = IndicatorCell.objects.get(wave=wave, indicator="SKY01", area=KOMMUN, breakdown="total")
    district = IndicatorCell.objects.filter(
        wave=wave, indicator="SKY01", breakdown="total", state="shown"
    ).exclude(area=KOMMUN)
    assert district.exists()
    assert set(district.values_list("kommun_share_pct", flat=True)) == {kommun.share_pct}


def test_a_trend_needs_three_waves_and_follows_a_steady_change(make_wave: MakeWave) -> None:
    waves = _published_waves(make_wave, 3, drift=0.8)
    cell = IndicatorCell.objects.get(
        wave=waves[-1], indicator="EXP05", area=KOMMUN, breakdown="total"
    )
    assert cell.trend_waves == 3
    assert cell.trend == "up"
    previous = IndicatorCell.objects.get(
        wave=waves[1], indicator="EXP05", area=KOMMUN, breakdown="total"
    )
    assert previous.trend == ""
    assert previous.trend_waves is None


def test_the_beat_task_recomputes_dirty_unpublished_waves_only(
    make_wave: MakeWave, add_sheets: AddSheets, django_capture_on_commit_callbacks: Any
) -> None:
    dirty, clean = make_wave("dirty", closed=False), make_wave("clean", closed=False)
    add_sheets(dirty, 30, 12)
    add_sheets(clean, 30, 13)
    Wave.objects.filter(pk=dirty.pk).update(indicators_dirty_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        refresh_dirty_waves.delay()  # eager in tests: the refreshes it queues run too
    assert IndicatorCell.objects.filter(wave=dirty).exists()
    assert not IndicatorCell.objects.filter(wave=clean).exists()
    dirty.refresh_from_db()
    assert dirty.indicators_dirty_at is None
