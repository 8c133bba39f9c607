"""Benchmark of the exports: CSV of a whole wave's cells and the kommun PDF report.

Targets (issue 7): CSV of a whole wave ≤ 1 s; the kommun PDF report ≤ 10 s in a worker.
Runs against a throw-away test database (SQLite, or PostgreSQL with DATABASE_URL) holding
two published waves of every indicator × 22 districts + kommun × 6 breakdown values.
Time is wall-clock (median of runs) and process CPU; peak memory is tracemalloc's peak
of Python allocations during the export (WeasyPrint's C libraries are not included), and
the process's maximum RSS at the end.

    .venv/bin/python bench/bench_exports.py
"""

import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings_test")

import django

django.setup()

from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 5


def measure(label: str, work: Callable[[], object], runs: int = RUNS) -> None:
    work()  # warm: imports, fonts, caches
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: median {statistics.median(walls):.3f} s wall, "
        f"{statistics.median(cpus):.3f} s CPU (min {min(walls):.3f} s, {runs} runs); "
        f"peak Python memory {peak / 2**20:.1f} MiB"
    )


def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from lagesbild.exports.cells import ExportFilters
        from lagesbild.exports.services import cells_export, report_write
        from lagesbild.models import IndicatorCell
        from tests.lagesbild.dashboard_factories import build_cube, demo_districts, make_wave

        opens = datetime(2025, 10, 1, 8, tzinfo=timezone.get_current_timezone())
        districts = demo_districts()
        for seed, (slug, name, start) in enumerate(
            [("b2024", "HT 2024", opens - timedelta(days=365)), ("b2025", "HT 2025", opens)]
        ):
            wave = make_wave(
                municipality=districts[0].municipality,
                slug=slug,
                name=name,
                opens_at=start,
                closes_at=start + timedelta(days=21),
                published_at=start + timedelta(days=40),
            )
            build_cube(wave, districts, seed=seed + 1, pupils=3000)
        cells = IndicatorCell.objects.filter(wave__slug="b2025").count()
        print(f"database: {django.db.connection.vendor}; cells in the wave: {cells}")

        def csv_export() -> object:
            export = cells_export(
                actor=None, filters=ExportFilters(wave="b2025"), file_type="csv", source="bench"
            )
            return export.file.read()

        def xlsx_export() -> object:
            export = cells_export(
                actor=None, filters=ExportFilters(wave="b2025"), file_type="xlsx", source="bench"
            )
            return export.file.read()

        def kommun_report() -> object:
            with Path("var/bench-report.pdf").open("w+b") as out:
                return report_write(filters=ExportFilters(wave="b2025"), out=out)

        Path("var").mkdir(exist_ok=True)
        measure("CSV, whole wave", csv_export)
        measure("XLSX, whole wave", xlsx_export)
        measure("PDF, kommun report", kommun_report, runs=3)
        size = Path("var/bench-report.pdf").stat().st_size
        print(f"kommun report: {size / 1024:.0f} KiB")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"max RSS of the process: {rss:.0f} MiB")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
