"""The dashboards' pages, built from public cells (pure: no queries, no cache).

`lagesbild.selectors` reads the cells, waves and districts a page needs and hands them to
one builder here (`overview.build`, `indicator.build`, `district.build`, `map.build`,
`measure_histories.build`); the builder applies the verdicts (`lagesbild.verdicts`) and
assembles the page's dataclass with its figures (`lagesbild.charts`).
"""
