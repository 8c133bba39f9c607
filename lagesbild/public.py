"""What the dashboards read: the public values of cells, waves, districts and indicators.

Pure Python (no queries): the frozen dataclasses that `lagesbild.selectors` fills from the
cells' PUBLIC fields only (`PUBLIC_FIELDS`), the breakdowns a page may choose, and the
catalogue's indicators in the reader's language. The raw counts never reach these types,
so they cannot reach a page, a figure, a cache entry or an export built from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import translation
from django.utils.translation import gettext as _

from .catalogue import Indicator, PlacesRule, load_catalogue
from .cube import KOMMUN_ONLY_BREAKDOWNS
from .disclosure import RuleParams
from .measures import MeasureRef
from .models import CELL_KEY_FIELDS, CELL_SHOWN_FIELDS, Breakdown, CellState, Trend

PUBLIC_FIELDS = (
    *CELL_KEY_FIELDS,
    *CELL_SHOWN_FIELDS,
    # Comparisons stored with the cell by the aggregation (public, whole percent).
    "diff_pct",
    "diff_significant",
    "trend",
    "trend_waves",
)

# URL value -> (breakdown, breakdown value). One breakdown at a time (docs/privacy.md).
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "total": (Breakdown.TOTAL, ""),
    "girls": (Breakdown.GENDER, "1"),
    "boys": (Breakdown.GENDER, "2"),
    "gender-other": (Breakdown.GENDER, "3"),
    "ak7-9": (Breakdown.GRADE_BAND, "AK79"),
    "ak7": (Breakdown.GRADE, "7"),
    "ak8": (Breakdown.GRADE, "8"),
    "ak9": (Breakdown.GRADE, "9"),
    "gy": (Breakdown.GRADE_BAND, "GY"),
    "gy1": (Breakdown.GRADE, "10"),
    "gy2": (Breakdown.GRADE, "11"),
    "gy3": (Breakdown.GRADE, "12"),
}

# Why a cell shows no value (`lagesbild.disclosure`'s reasons), in the order of their words.
REASON_CODES = ("small_base", "few_yes", "few_no", "complementary", "withheld")


def lang() -> str:
    return translation.get_language() or "sv"


def disclosure_rules() -> RuleParams:
    """The rules every published number follows, for the texts that explain them (all
    catalogue versions publish under the same rules: a test holds them equal)."""
    return load_catalogue().rule_params


def kommun_only(breakdown: str) -> bool:
    """Whether a breakdown (a URL value of `BREAKDOWNS`) is published for the whole kommun
    only (the grades: `lagesbild.cube.withheld`), so that no district can be compared."""
    return BREAKDOWNS.get(breakdown, ("", ""))[0] in KOMMUN_ONLY_BREAKDOWNS


def group_name(group: str) -> str:
    """An indicator group's name in the active language."""
    return {
        "trygghet": _("Trygghet"),
        "utsatthet": _("Utsatthet"),
        "exponering": _("Exponering och rekrytering"),
        "skydd": _("Skyddsfaktorer"),
        "fortroende": _("Förtroende"),
    }[group]


def breakdown_label(key: str) -> str:
    return {
        "total": _("Alla elever"),
        "girls": _("Flickor"),
        "boys": _("Pojkar"),
        "gender-other": _("Annat kön / vill ej säga"),
        "ak7-9": _("Åk 7–9"),
        "ak7": _("Åk 7"),
        "ak8": _("Åk 8"),
        "ak9": _("Åk 9"),
        "gy": _("Gymnasiet"),
        "gy1": _("Gy 1"),
        "gy2": _("Gy 2"),
        "gy3": _("Gy 3"),
    }[key]


def reason_text(reason: str) -> str:
    """Why a cell shows no value, in the active language ("" for a shown cell)."""
    return {
        "small_base": _("färre än %(min_n)s svar") % {"min_n": disclosure_rules().min_n},
        "few_yes": _("för få svarade ja"),
        "few_no": _("för få svarade nej"),
        "complementary": _("dold för att skydda en annan grupp"),
        "withheld": _("årskurser visas bara för hela kommunen"),
    }.get(reason, "")


SUPPRESSED_TEXT = "–"


def is_shown(state: str, share_pct: int | None) -> bool:
    """A cell whose share may be shown (with its interval)."""
    return state == CellState.SHOWN and share_pct is not None


def is_bound(state: str, bound: str) -> bool:
    """A cell shown only as a bound ("< 15 %") and its rounded base."""
    return state == CellState.BOUND and bool(bound)


def value_text(state: str, share_pct: int | None, bound: str) -> str:
    """What a reader sees of a cell, on every page and in every file: "23 %", a bound
    ("< 15 %") or "–"."""
    if is_shown(state, share_pct):
        return f"{share_pct} %"
    return bound if is_bound(state, bound) else SUPPRESSED_TEXT


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
        words = dict(Trend.choices)
        return _("%(trend)s över %(count)s omgångar") % {
            "trend": words.get(self.trend, self.trend),
            "count": self.trend_waves,
        }

    @property
    def shown(self) -> bool:
        return is_shown(self.state, self.share_pct)

    @property
    def text(self) -> str:
        return value_text(self.state, self.share_pct, self.bound)

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
class Scope:
    """What one request reads: the chosen wave, the waves it may choose from, the districts
    of the wave's kommun, and the version of the data that keys the cache."""

    wave: WaveRef
    waves: tuple[WaveRef, ...]
    areas: dict[str, AreaInfo]
    version: str
    measures: tuple[MeasureRef, ...] = ()  # the åtgärdsplan of the wave's kommun


def previous_wave(wave: WaveRef, history: Sequence[WaveRef]) -> WaveRef | None:
    """The published wave before ``wave`` in ``history`` (oldest first), if any."""
    earlier = [w for w in history if w.id != wave.id]
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- catalogue


def _meta(indicator: Indicator, place: str = "") -> IndicatorMeta:
    language = lang()
    places: tuple[tuple[str, str], ...] = ()
    place_name = ""
    if isinstance(indicator.rule, PlacesRule):
        places = tuple((c.code, c.name.get(language)) for c in indicator.rule.cells)
        place = place if place in dict(places) else places[0][0]
        place_name = dict(places)[place]
    else:
        place = ""
    return IndicatorMeta(
        code=indicator.code,
        name=indicator.name.get(language),
        description=indicator.description.get(language),
        group=indicator.group,
        group_name=group_name(indicator.group),
        higher_is_better=indicator.higher_is_better,
        geography=indicator.geography,
        period=indicator.period.get(language),
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


def cell_key(cell: PublicCell) -> tuple[str, str]:
    """A cell's indicator and place: one row of the catalogue's expanded list."""
    return (cell.indicator, cell.place)
