"""Reads for the dashboards: the published, frozen cells of published waves only.

Nobody sees an unpublished wave's cells, not even a coordinator: two views of an open
wave taken before and after one pupil answered would reveal that pupil's answers
(docs/privacy.md, disclosure rule 6). While a wave is open, staff see response counts only
(`surveys.selectors.response_rates`).

Every selector returns frozen dataclasses built from the cells' PUBLIC fields only
(`PUBLIC_FIELDS`): the raw counts are never selected from the database here, so they
cannot reach a page, a figure, a cache entry or an export that reuses these selectors.

Comparisons use public values only, so they can be reproduced by any reader:

* a district *stands out* when its 95 % interval lies entirely above or below the kommun's
  share; polarity decides whether that is "worse" or "better";
* a change since the previous wave is *clear* when the difference stored with the cell by
  the aggregation (`lagesbild.comparisons`) is significant; for cells without a stored
  comparison, when the two waves' intervals do not overlap (a conservative test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from surveys.models import District, Wave

from . import cache as dash_cache
from . import charts, marks, measures
from .catalogue import Indicator, PlacesRule, load_catalogue
from .collation import swedish
from .geojson import Ring, map_rings
from .marks import Verdict
from .measures import MeasureRef
from .models import KOMMUN_AREA, Breakdown, CellState, IndicatorCell, Measure
from .wording import QuestionText, question_texts

PUBLIC_FIELDS = (
    "indicator",
    "place",
    "geography",
    "area",
    "breakdown",
    "breakdown_value",
    "state",
    "reason",
    "n_shown",
    "share_pct",
    "bound",
    "ci_low_pct",
    "ci_high_pct",
    "unstable",
    # Comparisons stored with the cell by the aggregation (public, whole percent).
    "diff_pct",
    "diff_significant",
    "trend",
    "trend_waves",
)

GROUP_NAMES = {
    "trygghet": ("Trygghet", "Safety"),
    "utsatthet": ("Utsatthet", "Victimisation"),
    "exponering": ("Exponering och rekrytering", "Exposure and recruitment"),
    "skydd": ("Skyddsfaktorer", "Protective factors"),
    "fortroende": ("Förtroende", "Trust"),
}

# URL value -> (breakdown, breakdown value). One breakdown at a time (docs/privacy.md).
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "total": (Breakdown.TOTAL, ""),
    "girls": (Breakdown.GENDER, "1"),
    "boys": (Breakdown.GENDER, "2"),
    "gender-other": (Breakdown.GENDER, "3"),
    "ak7-9": (Breakdown.GRADE_BAND, "AK79"),
    "gy": (Breakdown.GRADE_BAND, "GY"),
}

REASONS = {
    "small_base": ("färre än 10 svar", "fewer than 10 answers"),
    "few_yes": ("för få svarade ja", "too few answered yes"),
    "few_no": ("för få svarade nej", "too few answered no"),
    "complementary": (
        "dold för att skydda en annan grupp",
        "hidden to protect another group",
    ),
}


def _lang() -> str:
    return translation.get_language() or "sv"


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if _lang().startswith("en") else pair[0]


def breakdown_label(key: str) -> str:
    return {
        "total": _("Alla elever"),
        "girls": _("Flickor"),
        "boys": _("Pojkar"),
        "gender-other": _("Annat kön / vill ej säga"),
        "ak7-9": _("Åk 7–9"),
        "gy": _("Gymnasiet"),
    }[key]


def reason_text(reason: str) -> str:
    return _pick(REASONS[reason]) if reason in REASONS else ""


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class WaveRef:
    id: int
    slug: str
    name: str
    published_at: datetime | None
    municipality_id: int = 0
    opens_on: date | None = None  # the collection period's first and last day
    closes_on: date | None = None


@dataclass(frozen=True)
class PublicCell:
    """The public, disclosure-controlled values of one cell (never raw counts)."""

    indicator: str
    place: str
    geography: str
    area: str
    breakdown: str
    breakdown_value: str
    state: str
    reason: str
    n_shown: int | None
    share_pct: int | None
    bound: str
    ci_low_pct: int | None
    ci_high_pct: int | None
    unstable: bool
    diff_pct: int | None = None  # change since the previous published wave, from the engine
    diff_significant: bool | None = None
    trend: str = ""  # "up", "down", "flat" over `trend_waves` waves, or ""
    trend_waves: int | None = None

    @property
    def trend_text(self) -> str:
        if not self.trend or not self.trend_waves:
            return ""
        words = {
            "up": _("ökande"),
            "down": _("minskande"),
            "flat": _("ingen säker förändring"),
        }
        return _("%(trend)s över %(count)s omgångar") % {
            "trend": words.get(self.trend, self.trend),
            "count": self.trend_waves,
        }

    @property
    def shown(self) -> bool:
        return self.state == CellState.SHOWN and self.share_pct is not None

    @property
    def text(self) -> str:
        if self.shown:
            return f"{self.share_pct} %"
        if self.state == CellState.BOUND and self.bound:
            return self.bound
        return "–"

    @property
    def interval_text(self) -> str:
        if self.shown and self.ci_low_pct is not None and self.ci_high_pct is not None:
            return f"{self.ci_low_pct}–{self.ci_high_pct} %"
        return "–"

    @property
    def n_text(self) -> str:
        return str(self.n_shown) if self.n_shown is not None else "–"

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)


@dataclass(frozen=True)
class Change:
    """The change of a share since the previous published wave."""

    previous_wave: str
    previous_text: str
    change_pp: int | None
    verdict: Verdict

    @property
    def text(self) -> str:
        """The change in words with its size, e.g. "ökat 7 p.e." (lagesbild.marks)."""
        return marks.change_words(self.change_pp)

    @property
    def icon(self) -> str:
        """↗ for an increase, ↘ for a decrease, whether or not the change is clear."""
        return marks.change_mark(self.change_pp)

    @property
    def verdict_text(self) -> str:
        """The verdict of the change: "tydlig försämring", "tydlig förbättring", …"""
        if self.change_pp is None:
            return ""
        return marks.change_verdict_words(self.verdict)


@dataclass(frozen=True)
class IndicatorMeta:
    code: str
    name: str
    description: str
    group: str
    group_name: str
    higher_is_better: bool
    geography: str
    period: str
    place: str = ""
    place_name: str = ""
    places: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        return f"{self.name}: {self.place_name}" if self.place_name else self.name

    @property
    def polarity_text(self) -> str:
        if self.higher_is_better:
            return _("Högre andel är bättre (skyddsfaktor).")
        return _("Högre andel är sämre (risk).")


@dataclass(frozen=True)
class AreaInfo:
    code: str
    name: str
    kind: str
    police_area: bool
    police_area_note: str
    has_geometry: bool


@dataclass(frozen=True)
class AreaRow:
    area: AreaInfo
    cell: PublicCell
    verdict: Verdict
    change: Change | None


@dataclass(frozen=True)
class OverviewRow:
    meta: IndicatorMeta
    kommun: PublicCell | None
    change: Change | None
    worse: tuple[AreaInfo, ...]
    better: tuple[AreaInfo, ...]
    area_cell: PublicCell | None = None  # the district the reader chose, beside the kommun
    area_verdict: Verdict = "none"
    measures: int = 0  # measures of the åtgärdsplan that target this indicator


@dataclass(frozen=True)
class OverviewGroup:
    key: str
    name: str
    rows: tuple[OverviewRow, ...]


@dataclass(frozen=True)
class Overview:
    wave: WaveRef
    previous: WaveRef | None
    groups: tuple[OverviewGroup, ...]
    empty: bool
    breakdown: str = "total"
    breakdown_label: str = ""
    geography: str = ""  # "" = each indicator's own geography
    area: AreaInfo | None = None


@dataclass(frozen=True)
class TrendView:
    figure: dict[str, Any] | None
    summary: str
    reason: str  # why there is no trend line, or ""
    rows: tuple[tuple[str, tuple[PublicCell | None, ...]], ...]  # (series name, per wave)
    waves: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorPage:
    wave: WaveRef
    previous: WaveRef | None
    meta: IndicatorMeta
    breakdown: str
    breakdown_label: str
    geography: str
    kommun: PublicCell | None
    rows: tuple[AreaRow, ...]
    figure: dict[str, Any]
    summary: str
    trend: TrendView
    questions: tuple[QuestionText, ...]
    area: AreaInfo | None
    measures: tuple[MeasureRef, ...] = ()  # of the wave's kommun, targeting this indicator
    measure_timing: tuple[str, ...] = ()  # each measure's start against the waves, in words

    @property
    def measure_rows(self) -> tuple[tuple[MeasureRef, str], ...]:
        return tuple(zip(self.measures, self.measure_timing, strict=True))

    @property
    def trend_texts(self) -> tuple[tuple[str, str], ...]:
        """The linear trend in words for the kommun and for the district the reader chose."""
        texts = []
        if self.kommun is not None and self.kommun.trend_text:
            texts.append((_("Kommunen"), self.kommun.trend_text))
        if self.area is not None:
            chosen = next((r.cell for r in self.rows if r.area.code == self.area.code), None)
            if chosen is not None and chosen.trend_text:
                texts.append((self.area.name, chosen.trend_text))
        return tuple(texts)


@dataclass(frozen=True)
class ProfileRow:
    meta: IndicatorMeta
    cell: PublicCell | None
    kommun: PublicCell | None
    verdict: Verdict
    change: Change | None
    history: tuple[str, ...]  # the share's text per published wave, oldest first


@dataclass(frozen=True)
class DistrictProfile:
    wave: WaveRef
    previous: WaveRef | None
    area: AreaInfo
    breakdown: str
    breakdown_label: str
    rows: tuple[ProfileRow, ...]
    figure: dict[str, Any]
    summary: str
    places: tuple[ProfileRow, ...]
    places_figure: dict[str, Any] | None
    history_waves: tuple[str, ...]
    measures: tuple[MeasureRef, ...] = ()  # of the wave's kommun, targeting this district

    @property
    def measure_codes(self) -> frozenset[str]:
        """The indicators that a measure for this district targets."""
        return frozenset(code for m in self.measures for code in m.indicators)

    @property
    def measure_indicators(self) -> tuple[tuple[MeasureRef, str], ...]:
        """Each measure with the names of the indicators it targets."""
        names = {r.meta.code: r.meta.name for r in (*self.rows, *self.places)}
        return tuple(
            (m, ", ".join(names.get(code, code) for code in dict.fromkeys(m.indicators)))
            for m in self.measures
        )


@dataclass(frozen=True)
class MapPage:
    wave: WaveRef
    meta: IndicatorMeta
    breakdown: str
    breakdown_label: str
    rows: tuple[AreaRow, ...]
    kommun: PublicCell | None
    figure: dict[str, Any] | None
    summary: str
    legend: tuple[tuple[int, str], ...] = ()  # (colour class, share range)
    hidden: tuple[tuple[str, str], ...] = ()  # (district, why its value is not shown)
    missing_shapes: tuple[AreaInfo, ...] = field(default=())


# --------------------------------------------------------------------------- waves


def _wave_ref(wave: Wave) -> WaveRef:
    return WaveRef(
        id=wave.pk,
        slug=wave.slug,
        name=wave.name,
        published_at=wave.published_at,
        municipality_id=wave.municipality_id,
        opens_on=timezone.localdate(wave.opens_at),
        closes_on=timezone.localdate(wave.closes_at),
    )


def dashboard_waves(municipality_id: int) -> tuple[WaveRef, ...]:
    """Published waves of one kommun, newest first: the only waves whose cells its
    readers may see."""
    waves = Wave.objects.published().filter(municipality_id=municipality_id)
    return tuple(_wave_ref(w) for w in waves.order_by("-opens_at"))


def published_waves_of(municipality_ids: Iterable[int]) -> dict[int, tuple[WaveRef, ...]]:
    """`dashboard_waves` of several kommuner in one query: each kommun's published waves,
    newest first (a kommun without any is left out)."""
    waves = Wave.objects.published().filter(municipality_id__in=list(municipality_ids))
    found: dict[int, list[WaveRef]] = {}
    for wave in waves.order_by("-opens_at"):
        found.setdefault(wave.municipality_id, []).append(_wave_ref(wave))
    return {kommun: tuple(refs) for kommun, refs in found.items()}


def resolve_wave(
    slug: str | None, *, municipality_id: int, waves: Sequence[WaveRef] | None = None
) -> WaveRef | None:
    """The kommun's published wave named by ``slug``, else its latest published one.
    ``waves``: the result of `dashboard_waves` when the caller already has it."""
    if waves is None:
        waves = dashboard_waves(municipality_id)
    if slug:
        for wave in waves:
            if wave.slug == slug:
                return wave
    return waves[0] if waves else None


def published_wave_kommuner(slug: str) -> list[int]:
    """Ids of the kommuner with a published wave of this slug (a slug is unique only
    within its kommun): for the command line, which names a wave without its kommun."""
    if not slug:
        return []
    rows = Wave.objects.published().filter(slug=slug).values_list("municipality_id", flat=True)
    return sorted(set(rows))


def is_unpublished_wave(slug: str | None, *, municipality_id: int) -> bool:
    """True when ``slug`` names a wave of the kommun that is not published (yet)."""
    return bool(slug) and (
        Wave.objects.filter(
            municipality_id=municipality_id, slug=slug, published_at__isnull=True
        ).exists()
    )


@dataclass(frozen=True)
class Scope:
    """What one request reads: the chosen wave, the waves it may choose from, the districts
    of the wave's kommun, and the version of the data that keys the cache."""

    wave: WaveRef
    waves: tuple[WaveRef, ...]
    areas: dict[str, AreaInfo]
    version: str
    measures: tuple[MeasureRef, ...] = ()  # the åtgärdsplan of the wave's kommun


def dashboard_scope(slug: str | None, *, municipality_id: int) -> Scope | None:
    """The request's scope in one kommun in three small queries (waves, districts, the
    kommun's measures), or None when the kommun has no published wave."""
    waves = dashboard_waves(municipality_id)
    wave = resolve_wave(slug, municipality_id=municipality_id, waves=waves)
    if wave is None:
        return None
    areas = _areas(wave)
    plan = kommun_measures(wave.municipality_id)
    published = [(w.id, w.published_at) for w in waves]
    # The measures are in the version: a measure saved or deleted shows at once.
    version = dash_cache.version_of(published, list(areas.values()), plan)
    return Scope(wave=wave, waves=waves, areas=areas, version=version, measures=plan)


def kommun_measures(municipality_id: int) -> tuple[MeasureRef, ...]:
    """The åtgärdsplan of one kommun (never another's), newest start first, in one query:
    the only place measures are read for the dashboards and the report."""
    rows = (
        Measure.objects.filter(municipality_id=municipality_id)
        .order_by("-started_on", "title", "pk")
        .values_list(
            "pk",
            "title",
            "description",
            "responsible",
            "indicators",
            "started_on",
            "status",
            "follow_up",
            "districts__code",
            "districts__name",
            "districts__municipality_id",
        )
    )
    found: dict[int, MeasureRef] = {}
    districts: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        pk, title, text, parties, codes, started, status, follow_up = row[:8]
        d_code, d_name, d_kommun = row[8:]
        if pk not in found:
            found[pk] = MeasureRef(
                id=pk,
                title=title,
                description=text,
                responsible=tuple(str(p) for p in parties or ()),
                indicators=tuple(str(c) for c in codes or ()),
                districts=(),
                started_on=started,
                status=status,
                follow_up=follow_up,
            )
            districts[pk] = []
        # The admin refuses another kommun's district; a code is unique only per kommun.
        if d_code is not None and d_kommun == municipality_id:
            districts[pk].append((d_code, d_name))
    return tuple(
        dataclasses.replace(m, districts=tuple(sorted(districts[pk], key=lambda d: d[1])))
        for pk, m in found.items()
    )


def _published_history(wave: WaveRef) -> list[WaveRef]:
    """Published waves up to and including ``wave``."""
    current = Wave.objects.get(pk=wave.id)
    waves = Wave.objects.published().filter(
        municipality_id=current.municipality_id, opens_at__lte=current.opens_at
    )
    return [_wave_ref(w) for w in waves.order_by("opens_at")]


def _previous(wave: WaveRef, history: Sequence[WaveRef]) -> WaveRef | None:
    earlier = [w for w in history if w.id != wave.id]
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- cells


def wave_cells(wave: WaveRef, **filters: Any) -> list[PublicCell]:
    """A published wave's frozen cells with public fields only (never raw counts); an
    unpublished wave has none. ``filters`` are IndicatorCell field lookups."""
    queryset = IndicatorCell.objects.published().filter(wave_id=wave.id, **filters)
    return [PublicCell(**row) for row in queryset.values(*PUBLIC_FIELDS)]


def compare_to_kommun(
    cell: PublicCell, kommun: PublicCell | None, higher_is_better: bool
) -> Verdict:
    """Stands out when the interval lies entirely above or below the kommun's share."""
    if (
        kommun is None
        or not kommun.shown
        or not cell.shown
        or cell.ci_low_pct is None
        or cell.ci_high_pct is None
    ):
        return "none"
    assert kommun.share_pct is not None  # noqa: S101 - guaranteed by .shown
    if cell.ci_low_pct > kommun.share_pct:
        return "better" if higher_is_better else "worse"
    if cell.ci_high_pct < kommun.share_pct:
        return "worse" if higher_is_better else "better"
    return "similar"


def change_since(
    cell: PublicCell | None,
    previous: PublicCell | None,
    previous_wave: WaveRef,
    higher_is_better: bool,
) -> Change:
    """Change in percentage points since the previous published wave.

    When the aggregation stored its comparison with the cell (a difference with a 95 %
    interval from the counts), that decides whether the change is clear. Otherwise it is
    clear only when the two waves' public intervals do not overlap (conservative).
    """
    previous_text = previous.text if previous else "–"
    if cell is None or previous is None or not cell.shown or not previous.shown:
        return Change(previous_wave.name, previous_text, None, "none")
    if cell.diff_pct is not None and cell.diff_significant is not None:
        stored: Verdict = "similar"
        if cell.diff_significant and cell.diff_pct != 0:
            stored = "better" if (cell.diff_pct > 0) == higher_is_better else "worse"
        return Change(previous_wave.name, previous_text, cell.diff_pct, stored)
    assert cell.share_pct is not None and previous.share_pct is not None  # noqa: S101
    diff = cell.share_pct - previous.share_pct
    verdict: Verdict = "similar"
    if (
        cell.ci_low_pct is not None
        and cell.ci_high_pct is not None
        and previous.ci_low_pct is not None
        and previous.ci_high_pct is not None
        and (cell.ci_low_pct > previous.ci_high_pct or cell.ci_high_pct < previous.ci_low_pct)
    ):
        up = diff > 0
        verdict = "better" if up == higher_is_better else "worse"
    return Change(previous_wave.name, previous_text, diff, verdict)


# --------------------------------------------------------------------------- catalogue


def _meta(indicator: Indicator, place: str = "") -> IndicatorMeta:
    lang = _lang()
    places: tuple[tuple[str, str], ...] = ()
    place_name = ""
    if isinstance(indicator.rule, PlacesRule):
        places = tuple((c.code, c.name.get(lang)) for c in indicator.rule.cells)
        place = place if place in dict(places) else places[0][0]
        place_name = dict(places)[place]
    else:
        place = ""
    return IndicatorMeta(
        code=indicator.code,
        name=indicator.name.get(lang),
        description=indicator.description.get(lang),
        group=indicator.group,
        group_name=_pick(GROUP_NAMES[indicator.group]),
        higher_is_better=indicator.higher_is_better,
        geography=indicator.geography,
        period=indicator.period.get(lang),
        place=place,
        place_name=place_name,
        places=places,
    )


def indicator_choices() -> tuple[IndicatorMeta, ...]:
    """Every indicator of the catalogue, in catalogue order, for the filter menus."""
    return tuple(_meta(i) for i in load_catalogue().indicators)


def find_indicator(code: str | None, place: str = "") -> IndicatorMeta | None:
    indicator = load_catalogue().get((code or "").upper())
    return _meta(indicator, place) if indicator else None


def all_indicator_metas() -> list[IndicatorMeta]:
    """One entry per cell key: TRY07 is expanded into its places."""
    metas: list[IndicatorMeta] = []
    for indicator in load_catalogue().indicators:
        meta = _meta(indicator)
        if meta.places:
            metas.extend(_meta(indicator, code) for code, _name in meta.places)
        else:
            metas.append(meta)
    return metas


# --------------------------------------------------------------------------- areas


def _areas(wave: WaveRef) -> dict[str, AreaInfo]:
    # The boundary itself is not loaded here: it can be large, and only the map needs it.
    has_geometry = ExpressionWrapper(Q(geometry__isnull=False), output_field=BooleanField())
    districts = (
        District.objects.filter(municipality_id=wave.municipality_id)
        .annotate(has_geometry=has_geometry)
        .order_by("name")
        .values_list("code", "name", "kind", "police_area", "police_area_note", "has_geometry")
    )
    return {
        code: AreaInfo(
            code=code,
            name=name,
            kind=kind,
            police_area=police_area,
            police_area_note=note,
            has_geometry=bool(geometry),
        )
        for code, name, kind, police_area, note, geometry in sorted(
            districts, key=lambda row: swedish(row[1])
        )
    }


def _key(cell: PublicCell) -> tuple[str, str]:
    return (cell.indicator, cell.place)


# --------------------------------------------------------------------------- overview


def overview(
    scope: Scope, *, breakdown: str = "total", geography: str = "", area: str | None = None
) -> Overview:
    """Every indicator's kommun value, change and standing-out districts (cached), for one
    breakdown, optionally in one geography for all and with one district beside the
    kommun: the same filters as the indicator page."""
    args = (scope.wave.id, breakdown, geography, area or "")
    return dash_cache.cached(
        scope.version,
        "overview",
        args,
        lambda: _overview(scope, breakdown=breakdown, geography=geography, area=area),
    )


def _overview(scope: Scope, *, breakdown: str, geography: str, area: str | None) -> Overview:
    wave, areas = scope.wave, scope.areas
    history = _published_history(wave)
    previous = _previous(wave, history)
    kind, value = BREAKDOWNS[breakdown]
    chosen = areas.get(area or "")
    cells = wave_cells(wave, breakdown=kind, breakdown_value=value)
    previous_cells = (
        wave_cells(previous, breakdown=kind, breakdown_value=value, area=KOMMUN_AREA)
        if previous
        else []
    )
    metas = all_indicator_metas()
    geo = {m.code: geography or m.geography for m in metas}
    planned = measures.counts_by_indicator(scope.measures)
    kommun = {
        _key(c): c for c in cells if c.area == KOMMUN_AREA and c.geography == geo.get(c.indicator)
    }
    before = {_key(c): c for c in previous_cells if c.geography == geo.get(c.indicator)}
    by_key: dict[tuple[str, str], list[PublicCell]] = {}
    for c in cells:
        if c.area != KOMMUN_AREA and c.area in areas and c.geography == geo.get(c.indicator):
            by_key.setdefault(_key(c), []).append(c)
    groups: dict[str, list[OverviewRow]] = {}
    for meta in metas:
        key = (meta.code, meta.place)
        k = kommun.get(key)
        verdicts = [
            (compare_to_kommun(c, k, meta.higher_is_better), areas[c.area], c)
            for c in by_key.get(key, [])
        ]
        by_name = sorted(verdicts, key=lambda x: swedish(x[1].name))
        mine = next((x for x in verdicts if chosen and x[1].code == chosen.code), None)
        row = OverviewRow(
            meta=meta,
            kommun=k,
            change=change_since(k, before.get(key), previous, meta.higher_is_better)
            if previous
            else None,
            worse=tuple(a for v, a, _c in by_name if v == "worse"),
            better=tuple(a for v, a, _c in by_name if v == "better"),
            area_cell=mine[2] if mine else None,
            area_verdict=mine[0] if mine else "none",
            measures=planned.get(meta.code, 0),
        )
        groups.setdefault(meta.group, []).append(row)
    ordered = tuple(
        OverviewGroup(key=g, name=_pick(GROUP_NAMES[g]), rows=tuple(groups[g]))
        for g in GROUP_NAMES
        if g in groups
    )
    return Overview(
        wave=wave,
        previous=previous,
        groups=ordered,
        empty=not cells,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        geography=geography,
        area=chosen,
    )


# --------------------------------------------------------------------------- indicator


def indicator_page(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    area: str | None,
) -> IndicatorPage:
    args = (scope.wave.id, meta.code, meta.place, breakdown, geography, area or "")
    return dash_cache.cached(
        scope.version,
        "indicator",
        args,
        lambda: _indicator_page(scope, meta, breakdown=breakdown, geography=geography, area=area),
    )


def _area_rows(
    wave: WaveRef,
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    previous: WaveRef | None,
    areas: dict[str, AreaInfo],
) -> tuple[PublicCell | None, list[AreaRow]]:
    kind, value = BREAKDOWNS[breakdown]
    filters = {
        "indicator": meta.code,
        "place": meta.place,
        "geography": geography,
        "breakdown": kind,
        "breakdown_value": value,
    }
    cells = wave_cells(wave, **filters)
    before = {c.area: c for c in wave_cells(previous, **filters)} if previous else {}
    kommun = next((c for c in cells if c.area == KOMMUN_AREA), None)
    rows = [
        AreaRow(
            area=areas[c.area],
            cell=c,
            verdict=compare_to_kommun(c, kommun, meta.higher_is_better),
            change=change_since(c, before.get(c.area), previous, meta.higher_is_better)
            if previous
            else None,
        )
        for c in cells
        if c.area in areas
    ]
    rows.sort(
        key=lambda r: (r.cell.share_pct is None, -(r.cell.share_pct or 0), swedish(r.area.name))
    )
    return kommun, rows


def _bars(rows: Iterable[AreaRow]) -> list[charts.Bar]:
    bars = []
    for r in rows:
        previous = None
        if r.change is not None and r.change.change_pp is not None and r.cell.share_pct is not None:
            previous = r.cell.share_pct - r.change.change_pp
        label = r.area.name + (" *" if r.area.police_area else "")
        bars.append(
            charts.Bar(
                key=r.area.code,
                label=label,
                share=r.cell.share_pct if r.cell.shown else None,
                ci_low=r.cell.ci_low_pct if r.cell.shown else None,
                ci_high=r.cell.ci_high_pct if r.cell.shown else None,
                text=r.cell.text + (" " + _("(osäker)") if r.cell.unstable else ""),
                verdict=r.verdict,
                n_text=r.cell.n_text,
                previous=previous,
            )
        )
    return bars


def _indicator_page(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    area: str | None,
) -> IndicatorPage:
    wave, areas = scope.wave, scope.areas
    history = _published_history(wave)
    previous = _previous(wave, history)
    kommun, rows = _area_rows(
        wave, meta, breakdown=breakdown, geography=geography, previous=previous, areas=areas
    )
    bars = _bars(rows)
    reference = kommun.share_pct if kommun and kommun.shown else None
    kommun_label = _("Kommunen")
    figure = charts.bar_chart(
        bars,
        reference=reference,
        reference_label=kommun_label,
        previous_label=previous.name if previous else "",
    )
    summary = charts.bar_summary(bars, reference=reference, reference_label=kommun_label)
    chosen = areas.get(area or "")
    # Oldest start first, numbered as on the trend chart ("Åtgärd 1", …).
    targeting = tuple(
        sorted(measures.for_indicator(scope.measures, meta.code), key=lambda m: m.started_on)
    )
    trend = _trend(
        wave,
        history,
        meta,
        breakdown=breakdown,
        geography=geography,
        area=chosen,
        targeting=targeting,
    )
    spans = [(w.name, w.opens_on, w.closes_on) for w in history if w.opens_on and w.closes_on]
    return IndicatorPage(
        wave=wave,
        previous=previous,
        meta=meta,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        geography=geography,
        kommun=kommun,
        rows=tuple(rows),
        figure=figure,
        summary=summary,
        trend=trend,
        questions=_questions(wave, meta),
        area=chosen,
        measures=targeting,
        measure_timing=tuple(measures.start_timing(m.started_on, spans) for m in targeting),
    )


def _trend(
    wave: WaveRef,
    history: Sequence[WaveRef],
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    area: AreaInfo | None,
    targeting: Sequence[MeasureRef] = (),
) -> TrendView:
    kind, value = BREAKDOWNS[breakdown]
    wanted = [KOMMUN_AREA] + ([area.code] if area else [])
    published = list(history)
    cells = {
        (c.area, w.id): c
        for w in published
        for c in wave_cells(
            w,
            indicator=meta.code,
            place=meta.place,
            geography=geography,
            breakdown=kind,
            breakdown_value=value,
            area__in=wanted,
        )
    }
    names = tuple(w.name for w in published)
    series_rows = []
    series = []
    for code, name, dash, colour in (
        (KOMMUN_AREA, _("Kommunen"), "solid", charts.REFERENCE_COLOUR),
        *((area.code, area.name, "dash", "#0072B2") for area in ([area] if area else [])),
    ):
        per_wave = tuple(cells.get((code, w.id)) for w in published)
        series_rows.append((name, per_wave))
        series.append(
            charts.Series(
                name=name,
                dash=dash,
                colour=colour,
                points=tuple(
                    charts.Point(
                        label=w.name,
                        share=c.share_pct if c and c.shown else None,
                        ci_low=c.ci_low_pct if c and c.shown else None,
                        ci_high=c.ci_high_pct if c and c.shown else None,
                        text=c.text if c else "–",
                    )
                    for w, c in zip(published, per_wave, strict=True)
                ),
            )
        )
    with_data = sum(1 for w in published if (KOMMUN_AREA, w.id) in cells)
    if with_data < 3:
        reason = _(
            "Trender visas först när indikatorn finns i minst tre publicerade omgångar; "
            "hittills finns den i %(count)s. Med färre omgångar går det inte att skilja "
            "en verklig förändring från slumpmässig variation mellan omgångarna."
        ) % {"count": with_data}
        return TrendView(None, "", reason, tuple(series_rows), names)
    starts = _measure_marks(targeting, published)
    return TrendView(
        charts.trend_chart(series, measures=starts),
        charts.trend_summary(series, measures=starts),
        "",
        tuple(series_rows),
        names,
    )


def _measure_marks(
    targeting: Sequence[MeasureRef], waves: Sequence[WaveRef]
) -> list[charts.MeasureStart]:
    """Where each measure's start falls on the trend chart, oldest start first."""
    spans = [(w.opens_on, w.closes_on) for w in waves if w.opens_on and w.closes_on]
    named = [(w.name, w.opens_on, w.closes_on) for w in waves if w.opens_on and w.closes_on]
    if len(spans) != len(waves):
        return []
    result = []
    for number, measure in enumerate(sorted(targeting, key=lambda m: m.started_on), 1):
        position = measures.start_position(measure.started_on, spans)
        if position is None:
            continue
        result.append(
            charts.MeasureStart(
                number=number,
                title=measure.title,
                position=position,
                started=formats.date_format(measure.started_on, "j F Y"),
                timing=measures.start_timing(measure.started_on, named),
            )
        )
    return result


def _questions(wave: WaveRef, meta: IndicatorMeta) -> tuple[QuestionText, ...]:
    indicator = load_catalogue()[meta.code]
    return question_texts(wave.id, indicator, _lang())


# --------------------------------------------------------------------------- district


def find_area(scope: Scope, code: str) -> AreaInfo | None:
    return scope.areas.get(code.upper())


def area_choices(scope: Scope) -> tuple[AreaInfo, ...]:
    return tuple(scope.areas.values())


def district_profile(scope: Scope, area: AreaInfo, *, breakdown: str) -> DistrictProfile:
    return dash_cache.cached(
        scope.version,
        "district",
        (scope.wave.id, area.code, breakdown),
        lambda: _district_profile(
            scope.wave, area, breakdown=breakdown, plan=measures.for_area(scope.measures, area.code)
        ),
    )


def _district_profile(
    wave: WaveRef, area: AreaInfo, *, breakdown: str, plan: tuple[MeasureRef, ...] = ()
) -> DistrictProfile:
    history = _published_history(wave)
    previous = _previous(wave, history)
    kind, value = BREAKDOWNS[breakdown]
    metas = all_indicator_metas()
    geo = {m.code: m.geography for m in metas}
    filters = {"breakdown": kind, "breakdown_value": value, "area__in": [area.code, KOMMUN_AREA]}
    waves = list(history)
    if all(w.id != wave.id for w in waves):
        waves.append(wave)
    by_wave: dict[int, dict[tuple[str, str, str], PublicCell]] = {}
    for w in waves:
        by_wave[w.id] = {
            (c.area, c.indicator, c.place): c
            for c in wave_cells(w, **filters)
            if c.geography == geo.get(c.indicator)
        }
    current = by_wave[wave.id]
    before = by_wave.get(previous.id, {}) if previous else {}
    rows: list[ProfileRow] = []
    places: list[ProfileRow] = []
    for meta in metas:
        key = (meta.code, meta.place)
        cell = current.get((area.code, *key))
        kommun = current.get((KOMMUN_AREA, *key))
        row = ProfileRow(
            meta=meta,
            cell=cell,
            kommun=kommun,
            verdict=compare_to_kommun(cell, kommun, meta.higher_is_better) if cell else "none",
            change=change_since(
                cell, before.get((area.code, *key)), previous, meta.higher_is_better
            )
            if previous
            else None,
            history=tuple(
                by_wave[w.id][(area.code, *key)].text if (area.code, *key) in by_wave[w.id] else "–"
                for w in history
            ),
        )
        (places if meta.places else rows).append(row)

    def profile_rows(items: Sequence[ProfileRow], use_place: bool) -> list[charts.ProfileRow]:
        return [
            charts.ProfileRow(
                label=r.meta.place_name if use_place else r.meta.name,
                share=r.cell.share_pct if r.cell and r.cell.shown else None,
                ci_low=r.cell.ci_low_pct if r.cell and r.cell.shown else None,
                ci_high=r.cell.ci_high_pct if r.cell and r.cell.shown else None,
                text=r.cell.text if r.cell else "–",
                verdict=r.verdict,
                reference=r.kommun.share_pct if r.kommun and r.kommun.shown else None,
                higher_is_better=r.meta.higher_is_better,
            )
            for r in items
        ]

    kommun_label = _("Kommunen")
    figure = charts.profile_chart(
        profile_rows(rows, False), area_label=area.name, reference_label=kommun_label
    )
    places_figure = (
        charts.profile_chart(
            profile_rows(places, True), area_label=area.name, reference_label=kommun_label
        )
        if places
        else None
    )
    worse = [r.meta.name for r in rows if r.verdict == "worse"]
    better = [r.meta.name for r in rows if r.verdict == "better"]
    summary = " ".join(
        part
        for part in (
            _("%(area)s jämfört med kommunen.") % {"area": area.name},
            _("Tydligt sämre: %(names)s.") % {"names": ", ".join(worse)} if worse else "",
            _("Tydligt bättre: %(names)s.") % {"names": ", ".join(better)} if better else "",
            _("Övriga indikatorer skiljer sig inte tydligt eller kan inte jämföras."),
        )
        if part
    )
    return DistrictProfile(
        wave=wave,
        previous=previous,
        area=area,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        rows=tuple(rows),
        figure=figure,
        summary=summary,
        places=tuple(places),
        places_figure=places_figure,
        history_waves=tuple(w.name for w in history),
        measures=plan,
    )


# --------------------------------------------------------------------------- map


def _rings(municipality_id: int) -> dict[str, tuple[Ring, ...]]:
    """Simplified boundaries, shared by every indicator's map (cached on their own)."""
    geometries = District.objects.filter(
        municipality_id=municipality_id, geometry__isnull=False
    ).values_list("code", "geometry")
    return map_rings({code: g for code, g in geometries if g})


def map_page(scope: Scope, meta: IndicatorMeta, *, breakdown: str) -> MapPage:
    return dash_cache.cached(
        scope.version,
        "map",
        (scope.wave.id, meta.code, meta.place, breakdown),
        lambda: _map_page(scope, meta, breakdown=breakdown),
    )


def _map_page(scope: Scope, meta: IndicatorMeta, *, breakdown: str) -> MapPage:
    wave, areas = scope.wave, scope.areas
    history = _published_history(wave)
    previous = _previous(wave, history)
    kommun, rows = _area_rows(
        wave, meta, breakdown=breakdown, geography=meta.geography, previous=previous, areas=areas
    )
    # Boundaries do not change with a publication: their key holds only the districts
    # (and the import's generation, which `cached` adds).
    rings = dash_cache.cached(
        dash_cache.version_of([], list(areas.values())),
        "rings",
        (wave.municipality_id,),
        lambda: _rings(wave.municipality_id),
    )
    by_code = {r.area.code: r for r in rows}
    shapes = []
    for code, area_rings in sorted(rings.items()):
        row = by_code.get(code)
        info = areas[code]
        if row is None:
            text, share, hover = "–", None, f"{info.name}: " + _("ingen data")
        else:
            cell = row.cell
            share = cell.share_pct if cell.shown else None
            text = cell.text
            extra = cell.reason_text if not cell.shown and cell.reason else ""
            if not cell.shown and cell.state != CellState.BOUND and not extra:
                extra = _("visas inte")
            hover = f"{info.name}: {text}" + (f" ({extra})" if extra else "")
        shapes.append(
            charts.MapArea(label=info.name, rings=area_rings, share=share, text=text, hover=hover)
        )
    figure = charts.map_chart(shapes, higher_is_better=meta.higher_is_better) if shapes else None
    legend = charts.map_legend(
        [s.share for s in shapes if s.share is not None], higher_is_better=meta.higher_is_better
    )
    hidden = tuple(
        (
            r.area.name,
            f"{r.cell.text}, {r.cell.reason_text}" if r.cell.bound else r.cell.reason_text,
        )
        for r in rows
        if not r.cell.shown and r.area.has_geometry
    )
    bars = _bars(rows)
    reference = kommun.share_pct if kommun and kommun.shown else None
    summary = charts.bar_summary(bars, reference=reference, reference_label=_("Kommunen"))
    return MapPage(
        wave=wave,
        meta=meta,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        rows=tuple(rows),
        kommun=kommun,
        figure=figure,
        summary=summary,
        legend=tuple(legend),
        hidden=hidden,
        missing_shapes=tuple(a for a in areas.values() if not a.has_geometry),
    )


# --------------------------------------------------------------------------- åtgärdsplan


@dataclass(frozen=True)
class MeasureTable:
    """One targeted indicator's published values across waves: the kommun, then the
    measure's districts (public cells only; None where a wave has no such cell)."""

    meta: IndicatorMeta
    rows: tuple[tuple[str, tuple[PublicCell | None, ...]], ...]  # (area name, per wave)


@dataclass(frozen=True)
class MeasureHistory:
    measure: MeasureRef
    timing: str  # the start against the waves, in words
    position: float | None  # the start on the waves' axis (waves at 0, 1, …)
    waves: tuple[str, ...]  # the kommun's published waves up to the scope's, oldest first
    tables: tuple[MeasureTable, ...]


def measure_histories(scope: Scope, *, area: str | None = None) -> tuple[MeasureHistory, ...]:
    """The measures of the scope's kommun (those that target ``area`` when given) with
    their indicators' published values across the published waves (cached), oldest start
    first. Measures that name no indicator of the catalogue are left out."""
    return dash_cache.cached(
        scope.version,
        "measure-histories",
        (scope.wave.id, area or ""),
        lambda: _measure_histories(scope, area=area),
    )


def _measure_histories(scope: Scope, *, area: str | None) -> tuple[MeasureHistory, ...]:
    plan = scope.measures if area is None else measures.for_area(scope.measures, area)
    catalogue = load_catalogue()
    plan = tuple(
        sorted(
            (m for m in plan if any(c in catalogue.codes for c in m.indicators)),
            key=lambda m: (m.started_on, m.title),
        )
    )
    if not plan:
        return ()
    history = _published_history(scope.wave)
    codes = sorted({c for m in plan for c in m.indicators if c in catalogue.codes})
    wanted = sorted({KOMMUN_AREA} | {code for m in plan for code, _name in m.districts})
    metas = [m for m in all_indicator_metas() if m.code in codes]
    geo = {m.code: m.geography for m in metas}
    cells = {
        (w.id, c.indicator, c.place, c.area): c
        for w in history
        for c in wave_cells(
            w,
            indicator__in=codes,
            area__in=wanted,
            breakdown=Breakdown.TOTAL,
            breakdown_value="",
        )
        if c.geography == geo.get(c.indicator)
    }
    named = [(w.name, w.opens_on, w.closes_on) for w in history if w.opens_on and w.closes_on]
    spans = [(opens, closes) for _name, opens, closes in named]
    result = []
    for measure in plan:
        areas = [(KOMMUN_AREA, _("Kommunen")), *measure.districts]
        tables = tuple(
            MeasureTable(
                meta=meta,
                rows=tuple(
                    (
                        name,
                        tuple(cells.get((w.id, meta.code, meta.place, code)) for w in history),
                    )
                    for code, name in areas
                ),
            )
            for code in dict.fromkeys(measure.indicators)
            for meta in metas
            if meta.code == code
        )
        result.append(
            MeasureHistory(
                measure=measure,
                timing=measures.start_timing(measure.started_on, named),
                position=measures.start_position(measure.started_on, spans),
                waves=tuple(w.name for w in history),
                tables=tables,
            )
        )
    return tuple(result)


def scope_of(wave: WaveRef) -> Scope:
    """The scope of one wave outside a request (exports and reports read through it)."""
    scope = dashboard_scope(wave.slug, municipality_id=wave.municipality_id)
    if scope is None or scope.wave.id != wave.id:
        raise LookupError(f"wave {wave.slug} is not published")
    return scope
