# factory_boy is untyped; its declarations are checked by the tests that use them.
# mypy: disable-error-code="attr-defined,no-untyped-call,type-arg,misc,unused-ignore"
"""factory_boy factories and a cube builder for the dashboard tests and benchmarks.

Cells are made the way the aggregation makes them: raw counts in, public values from
`lagesbild.disclosure.estimate_cell` out, so the pages see realistic shown, bound and
suppressed cells.
"""

from __future__ import annotations

import copy
import functools
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import factory
from django.utils import timezone

from lagesbild.catalogue import CURRENT_VERSION, PlacesRule, load_catalogue
from lagesbild.cube import CellKey
from lagesbild.disclosure import CellEstimate, estimate_cell
from lagesbild.models import (
    CELL_KEY_FIELDS,
    CELL_SHOWN_FIELDS,
    KOMMUN_AREA,
    Breakdown,
    IndicatorCell,
    WavePublication,
)
from lagesbild.services import catalogue_digest
from lagesbild.snapshot import publication_snapshot
from surveys import demo
from surveys.models import District, Municipality, QuestionnaireVersion, Wave
from surveys.questionnaire import DEFAULT_QUESTIONNAIRE_PATH

BREAKDOWN_VALUES: tuple[tuple[str, str], ...] = (
    (Breakdown.TOTAL, ""),
    (Breakdown.GENDER, "1"),
    (Breakdown.GENDER, "2"),
    (Breakdown.GENDER, "3"),
    (Breakdown.GRADE_BAND, "AK79"),
    (Breakdown.GRADE_BAND, "GY"),
    *((Breakdown.GRADE, str(grade)) for grade in range(7, 13)),
)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = "0484"
    name = "Eskilstuna"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("municipality", "code")

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda i: f"D{i:02d}")
    name = factory.Sequence(lambda i: f"Område {i}")


def _default_definition() -> dict[str, Any]:
    """The default questionnaire's document, read once per process (every wave built here
    asks for it, also when its version already exists); each caller gets its own copy."""
    return copy.deepcopy(_default_document())


@functools.cache
def _default_document() -> dict[str, Any]:
    import yaml

    with open(DEFAULT_QUESTIONNAIRE_PATH, encoding="utf-8") as handle:  # noqa: PTH123
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


class QuestionnaireVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireVersion
        django_get_or_create = ("code", "version")

    code = "DEFAULT"
    version = 1
    title = "Trygghetsenkäten"
    definition = factory.LazyFunction(_default_definition)
    locked = True


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda i: f"HT {2015 + i}")
    slug = factory.Sequence(lambda i: f"ht-{2015 + i}")
    questionnaire = factory.SubFactory(QuestionnaireVersionFactory)
    opens_at = factory.Sequence(lambda i: timezone.now() - timedelta(days=365 * (30 - i)))
    closes_at = factory.LazyAttribute(lambda w: w.opens_at + timedelta(days=21))
    published_at = factory.LazyAttribute(lambda w: w.closes_at + timedelta(days=14))

    @factory.post_generation  # type: ignore[untyped-decorator]
    def publication(wave: Wave, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A published wave has its publication record and snapshot, as `wave_publish`
        makes them (without recomputing: the tests build the cells themselves)."""
        if create and wave.published_at is not None:
            make_publication(wave)


class CellFactory(factory.django.DjangoModelFactory):
    """One cell; pass ``n`` and ``yes`` and the public values follow the disclosure rules."""

    class Meta:
        model = IndicatorCell

    class Params:
        n = 200
        yes = 40

    wave = factory.SubFactory(WaveFactory)
    indicator = "EXP02"
    place = ""
    geography = "home"
    area = KOMMUN_AREA
    breakdown = Breakdown.TOTAL
    breakdown_value = ""
    raw_n = factory.LazyAttribute(lambda c: c.n)
    raw_yes = factory.LazyAttribute(lambda c: c.yes)
    catalogue_version = CURRENT_VERSION
    computed_at = factory.LazyFunction(timezone.now)
    frozen = factory.LazyAttribute(lambda c: c.wave.published_at is not None)

    @classmethod
    def _create(cls, model_class: type[IndicatorCell], *args: Any, **kwargs: Any) -> Any:
        estimate = estimate_cell(kwargs["raw_n"], kwargs["raw_yes"])
        kwargs.setdefault("state", estimate.state)
        kwargs.setdefault("reason", estimate.reason)
        kwargs.setdefault("n_shown", estimate.n_shown)
        kwargs.setdefault("share_pct", estimate.share_pct)
        kwargs.setdefault("bound", estimate.bound)
        kwargs.setdefault("ci_low_pct", estimate.ci_low_pct)
        kwargs.setdefault("ci_high_pct", estimate.ci_high_pct)
        kwargs.setdefault("unstable", estimate.unstable)
        return super()._create(model_class, *args, **kwargs)


def make_wave(**fields: Any) -> Wave:
    """A published wave (pass ``published_at=None`` for an unpublished one)."""
    return cast(Wave, WaveFactory(**fields))  # type: ignore[no-untyped-call]


def make_publication(wave: Wave) -> WavePublication:
    """The publication record and snapshot of a wave whose ``published_at`` a test set
    itself, as `wave_publish` makes them (without recomputing any cell)."""
    assert wave.published_at is not None
    catalogue = load_catalogue()
    return WavePublication.objects.create(
        wave=wave,
        published_at=wave.published_at,
        catalogue_version=catalogue.version,
        catalogue_digest=catalogue_digest(catalogue.version),
        rule_params={},
        cell_count=0,
        sheet_count=0,
        snapshot=publication_snapshot(wave, catalogue=catalogue),
    )


def make_cell(**fields: Any) -> IndicatorCell:
    """One cell from ``n`` and ``yes`` (defaults 200 and 40), public values by the rules."""
    return cast(IndicatorCell, CellFactory(**fields))  # type: ignore[no-untyped-call]


def demo_districts(municipality: Municipality | None = None) -> list[District]:
    municipality = municipality or cast(Municipality, MunicipalityFactory())  # type: ignore[no-untyped-call]
    return [
        DistrictFactory(  # type: ignore[misc]
            municipality=municipality,
            code=code,
            name=name,
            kind=kind,
            police_area=police,
            police_area_note=note,
        )
        for code, name, kind, police, note in demo.DISTRICTS
    ]


def cell_keys() -> list[tuple[str, str, str]]:
    """(indicator, place, geography) of every cell of the v1 catalogue."""
    keys: list[tuple[str, str, str]] = []
    for indicator in load_catalogue().indicators:
        places = indicator.rule.place_codes if isinstance(indicator.rule, PlacesRule) else ("",)
        keys.extend((indicator.code, p, indicator.geography) for p in places)
    return keys


def build_cube(
    wave: Wave,
    districts: Sequence[District],
    *,
    pupils: int = 2000,
    seed: int = 1,
    keys: Iterable[tuple[str, str, str]] | None = None,
    breakdowns: Sequence[tuple[str, str]] = BREAKDOWN_VALUES,
    computed_at: datetime | None = None,
) -> list[IndicatorCell]:
    """Every cell of a wave (bulk-created), with district sizes from tiny to large so that
    some cells are suppressed or shown only as a bound."""
    rng = random.Random(seed)
    weights = [rng.choice((0.004, 0.01, 0.03, 0.05, 0.08)) for _ in districts]
    total_weight = sum(weights)
    share_of_value = {"": 1.0, "1": 0.48, "2": 0.48, "3": 0.04, "AK79": 0.55, "GY": 0.45}
    share_of_value |= {"7": 0.19, "8": 0.18, "9": 0.18, "10": 0.16, "11": 0.15, "12": 0.14}
    now = computed_at or timezone.now()
    estimate_cache: dict[tuple[int, int], Any] = {}
    cells = []
    for indicator, place, geography in keys or cell_keys():
        base = rng.uniform(0.05, 0.6)
        for breakdown, value in breakdowns:
            size = pupils * share_of_value[value]
            areas = [(KOMMUN_AREA, size, 1.0)] + [
                (d.code, size * w / total_weight, rng.uniform(0.6, 1.6))
                for d, w in zip(districts, weights, strict=True)
            ]
            for area, n_float, factor in areas:
                n = max(0, int(n_float * rng.uniform(0.9, 1.1)))
                p = min(0.95, base * factor)
                spread = (n * p * (1 - p)) ** 0.5
                yes = min(n, max(0, round(n * p + rng.gauss(0, spread))))
                key = (n, yes)
                if key not in estimate_cache:
                    estimate_cache[key] = estimate_cell(n, yes)
                e = estimate_cache[key]
                cells.append(
                    estimated_cell(
                        wave,
                        (indicator, place, geography, area, breakdown, value),
                        n,
                        yes,
                        e,
                        catalogue_version=CURRENT_VERSION,
                        computed_at=now,
                        frozen=wave.published_at is not None,
                    )
                )
    return IndicatorCell.objects.bulk_create(cells, batch_size=2000)


def estimated_cell(
    wave: Wave,
    key: CellKey,
    n: int,
    yes: int,
    estimate: CellEstimate,
    *,
    catalogue_version: int,
    computed_at: datetime,
    frozen: bool,
) -> IndicatorCell:
    """An unsaved cell of ``wave`` with its counts and what the disclosure rules let it show."""
    return IndicatorCell(
        wave=wave,
        **dict(zip(CELL_KEY_FIELDS, key, strict=True)),
        raw_n=n,
        raw_yes=yes,
        **{field: getattr(estimate, field) for field in CELL_SHOWN_FIELDS},
        catalogue_version=catalogue_version,
        computed_at=computed_at,
        frozen=frozen,
    )


def grid_geojson(codes: Sequence[str], *, code_property: str = "code") -> dict[str, Any]:
    """TEST DATA ONLY: squares on a grid near Eskilstuna, one per code. Real boundaries come
    from the kommun or SCB; these exist to exercise the import and the map drawing."""
    features = []
    for i, code in enumerate(codes):
        x0 = 16.40 + (i % 5) * 0.03
        y0 = 59.30 + (i // 5) * 0.02
        ring = [[x0, y0], [x0 + 0.028, y0], [x0 + 0.028, y0 + 0.018], [x0, y0 + 0.018], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {code_property: code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def two_published_waves(districts: Sequence[District], opens: datetime, **fields: Any) -> None:
    """Two published autumn waves of the districts' kommun a year apart ("ht<year>", the
    later one opening at ``opens``), each with every cell of the catalogue (`build_cube`);
    ``fields`` are more Wave fields (e.g. ``youth_page``, ``languages``)."""
    for seed, start in enumerate((opens - timedelta(days=365), opens), start=1):
        wave = make_wave(
            municipality=districts[0].municipality,
            slug=f"ht{start.year}",
            name=f"HT {start.year}",
            opens_at=start,
            closes_at=start + timedelta(days=21),
            published_at=start + timedelta(days=40),
            **fields,
        )
        build_cube(wave, districts, seed=seed)


def eskilstuna_id() -> int:
    """The id of the test worlds' kommun (0484), whose dashboards most tests read."""
    return int(MunicipalityFactory().pk)
