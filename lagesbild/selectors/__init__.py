"""Reads for the dashboards: the published, frozen cells of published waves only.

Nobody sees an unpublished wave's cells, not even a coordinator: two views of an open
wave taken before and after one pupil answered would reveal that pupil's answers
(docs/privacy.md, disclosure rule 6). While a wave is open, staff see response counts only
(`surveys.selectors.response_rates`).

This package holds the queries and the cache: waves, a request's scope, cells, districts,
boundaries and the kommun's measures. Every cell is read with its PUBLIC fields only
(`lagesbild.public.PUBLIC_FIELDS`): the raw counts are never selected from the database
here, so they cannot reach a page, a figure, a cache entry or an export that reuses these
selectors. The pages are assembled from what it reads by the pure builders of
`lagesbild.pages`; the verdicts ("worse than the kommun", "a clear change") are in
`lagesbild.verdicts`.
"""

# The first five imports are re-exports for the tests that name them `selectors.<name>`;
# code imports them from their homes: `lagesbild.public`, `.verdicts`, `.pages`.
from ..pages.district import ProfileRow
from ..pages.indicator import AreaRow, IndicatorPage, TrendView
from ..pages.overview import OverviewRow
from ..public import (
    AreaInfo,
    IndicatorMeta,
    PublicCell,
    Scope,
    WaveRef,
    breakdown_label,
    find_indicator,
)
from ..verdicts import Change, change_since, compare_to_kommun
from .dashboards import (
    area_choices,
    breakdown_choices,
    district_profile,
    find_area,
    indicator_page,
    map_page,
    measure_histories,
    overview,
)
from .waves import (
    dashboard_scope,
    dashboard_waves,
    is_unpublished_wave,
    kommun_measures,
    published_wave_kommuner,
    published_waves_of,
    resolve_wave,
    scope_of,
    wave_cells,
)

__all__ = [
    "AreaInfo",
    "AreaRow",
    "Change",
    "IndicatorMeta",
    "IndicatorPage",
    "OverviewRow",
    "ProfileRow",
    "PublicCell",
    "Scope",
    "TrendView",
    "WaveRef",
    "area_choices",
    "breakdown_choices",
    "breakdown_label",
    "change_since",
    "compare_to_kommun",
    "dashboard_scope",
    "dashboard_waves",
    "district_profile",
    "find_area",
    "find_indicator",
    "indicator_page",
    "is_unpublished_wave",
    "kommun_measures",
    "map_page",
    "measure_histories",
    "overview",
    "published_wave_kommuner",
    "published_waves_of",
    "resolve_wave",
    "scope_of",
    "wave_cells",
]
