"""Benchmark: full recompute of one wave's cells vs bare SQL over the same rows (the floor).

Needs PostgreSQL (DATABASE_URL); without it the script says so and exits 0. It creates a
wave "bench-aggregation" with synthetic sheets of the default questionnaire (100,000
generated in Python and written with COPY, then copied in SQL up to each larger size),
and measures for each size, interleaved (each round runs every measurement once):

* bare scan: the fine layer's grouping (districts, gender, grade band) of the wave's
  sheets with one count, nothing read from the answers;
* grouping statement: the vector pass's SQL alone (the same grouping, each group's packed
  answer vectors concatenated), fetched in binary as the pass fetches it;
* SQL counting pass: the statement that counts every cell key in PostgreSQL over the
  answer vectors (`aggregate_wave(source="sql")`): the floor for counting in SQL;
* vector pass: `aggregate_wave` as the recompute runs it (the grouping statement, then
  numpy counts the vectors);
* JSON pass: the statement over the JSON answers (the fallback for mixed versions), once
  per size (it is the slowest by far);
* full: `indicators_refresh` (the Celery task's service): the pass, the disclosure rules,
  the LP disclosure audit with its rounds of extra cover, comparisons and the upsert of
  every cell, in one transaction; the audit's own time is reported beside it;
* peak RSS of a separate process running `manage.py refresh_indicators` (the same code
  as the worker), next to a process that only starts Django (`manage.py check`).

Each timing is the median of BENCH_REPEAT rounds (default 3). Sizes: BENCH_SIZES (default
"100000,1000000"). The wave and its sheets are deleted at the end. About 2 minutes.

    DATABASE_URL=postgres://... .venv/bin/python bench/bench_aggregation.py
"""

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from lagesbild.aggregation import (  # noqa: E402
    PG_SETTINGS,
    Source,
    aggregate_wave,
    pass_statement,
)
from lagesbild.catalogue import load_catalogue  # noqa: E402
from lagesbild.cube import specs_from_catalogue  # noqa: E402
from lagesbild.models import IndicatorCell  # noqa: E402
from lagesbild.services import indicators_refresh  # noqa: E402
from lagesbild.synthetic import sheets_insert  # noqa: E402
from surveys.models import AnswerSheet, Municipality, Wave  # noqa: E402
from surveys.services import questionnaire_import_default  # noqa: E402

SLUG = "bench-aggregation"
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
GENERATED = 100_000  # sheets generated in Python; larger sizes copy them in SQL


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The median seconds of each action over REPEAT rounds, each round running every
    action once in turn (so that a change of load weighs on all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(REPEAT):
        for name, action in actions.items():
            times[name].append(seconds(action))
    return {name: statistics.median(values) for name, values in times.items()}


def floor(wave_id: int) -> None:
    """The bare scan: every sheet of the wave read and grouped as the pass groups them."""
    table = AnswerSheet._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in PG_SETTINGS:
            cursor.execute(setting)
        cursor.execute(
            "SELECT home_district_id, home_answer = 'ANNAN', school_district_id, gender, "  # noqa: S608
            f"grade <= 9, count(*) FROM {table} WHERE wave_id = %s "
            "GROUP BY 1, 2, 3, 4, 5",
            [wave_id],
        )
        cursor.fetchall()


SPECS = specs_from_catalogue(load_catalogue())


def grouping(wave_id: int) -> None:
    """The vector pass's statement alone, fetched in binary (numpy counts nothing)."""
    sql, arguments, read = pass_statement(wave_id=wave_id, specs=SPECS)
    if read != "vector":
        raise RuntimeError(f"the pass read {read}, not the vectors")
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in PG_SETTINGS:
            cursor.execute(setting)
        with psycopg.Cursor(connection.connection) as raw:
            for _row in raw.stream(sql, arguments, binary=True):
                pass


def counted(wave_id: int, source: Source) -> None:
    aggregate_wave(wave_id=wave_id, specs=SPECS, source=source)


def check_sources(wave_id: int) -> None:
    """Each pass reads what it is named after (not the JSON fallback)."""
    for source in ("vector", "sql", "json"):
        read = pass_statement(wave_id=wave_id, specs=SPECS, source=source)[2]
        if read != source:
            raise RuntimeError(f"the {source} pass read {read}")


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of one child process (ru_maxrss of a fresh child in KiB)."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return int(out.stdout.strip()) / 1024


def grow_to(wave: Wave, size: int) -> None:
    """Copy the generated sheets (new ids) until the wave holds ``size`` sheets."""
    table = AnswerSheet._meta.db_table
    have = AnswerSheet.objects.filter(wave=wave).count()
    with connection.cursor() as cursor:
        while have < size:
            extra = min(size - have, GENERATED)
            cursor.execute(
                f"INSERT INTO {table} (id, submission_id, wave_id, questionnaire_id, school_id, "  # noqa: S608
                "school_district_id, home_district_id, home_answer, grade, gender, language, "
                "submitted_on, answers, answer_vector, answers_digest) "
                "SELECT gen_random_uuid(), gen_random_uuid(), wave_id, questionnaire_id, "
                "school_id, school_district_id, home_district_id, home_answer, grade, gender, "
                "language, submitted_on, answers, answer_vector, answers_digest "
                f"FROM {table} WHERE wave_id = %s LIMIT %s",
                [wave.pk, extra],
            )
            have += extra
        cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_aggregation: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    started_at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"Load average at the start (1, 5, 15 min): {os.getloadavg()}", flush=True)
    call_command("migrate", verbosity=0)
    municipality = Municipality.objects.filter(code="0484").first()
    if municipality is None:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115, PTH123
        municipality = Municipality.objects.get(code="0484")
    for stale in Wave.objects.filter(slug=SLUG):  # left over by an interrupted run
        IndicatorCell.objects.filter(wave=stale).delete()
        AnswerSheet.objects.filter(wave=stale).delete()
        stale.delete()
    now = timezone.now()
    wave, _ = Wave.objects.get_or_create(
        slug=SLUG,
        defaults={
            "municipality": municipality,
            "name": "Benchmark",
            "questionnaire": questionnaire_import_default(),
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
        },
    )
    try:
        if not AnswerSheet.objects.filter(wave=wave).exists():
            started = time.perf_counter()
            sheets_insert(wave=wave, count=min(GENERATED, SIZES[0]), seed=1)
            print(f"generated {GENERATED} sheets in {time.perf_counter() - started:.0f} s")
        connection.cursor().execute("VACUUM ANALYZE surveys_answersheet")
        baseline_mb = peak_rss_mb(["check"])
        rows = []
        for size in SIZES:
            started = time.perf_counter()
            grow_to(wave, size)
            print(f"{size} sheets ready ({time.perf_counter() - started:.0f} s)", flush=True)
            check_sources(wave.pk)
            floor(wave.pk)  # warm the cache: every measurement reads from memory
            audits: list[float] = []

            def refresh(audits: list[float] = audits) -> None:
                audits.append(indicators_refresh(wave_id=wave.pk).audit_seconds)

            load_before = os.getloadavg()[0]
            t = interleaved(
                {
                    "scan": lambda: floor(wave.pk),
                    "grouping": lambda: grouping(wave.pk),
                    "sql": lambda: counted(wave.pk, "sql"),
                    "vector": lambda: counted(wave.pk, "vector"),
                    "full": refresh,
                }
            )
            t["json"] = seconds(lambda: counted(wave.pk, "json"))
            load_after = os.getloadavg()[0]
            audit_s = statistics.median(audits)
            cells = IndicatorCell.objects.filter(wave=wave).count()
            rss_mb = peak_rss_mb(["refresh_indicators", "--wave", SLUG])
            rows.append((size, t, audit_s, cells, rss_mb, load_before, load_after))
            print(
                f"{size:>9} sheets (load {load_before:.1f} -> {load_after:.1f}): "
                f"bare scan {t['scan']:.3f} s, grouping statement {t['grouping']:.3f} s, "
                f"SQL counting pass {t['sql']:.3f} s, vector pass {t['vector']:.3f} s, "
                f"JSON pass {t['json']:.2f} s (once), full {t['full']:.3f} s; "
                f"audit {audit_s:.2f} s, {cells} cells, peak RSS {rss_mb:.0f} MB",
                flush=True,
            )
        print()
        print(
            "| Sheets | Load (1 min) | Bare scan | Grouping statement | SQL counting pass "
            "| Vector pass | JSON pass (once) | Full recompute with audit | Full ÷ bare scan "
            "| Full ÷ SQL counting pass | Full ÷ vector pass | Audit | Cells | Peak RSS |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size, t, audit_s, cells, rss_mb, load_before, load_after in rows:
            print(
                f"| {size:,} | {load_before:.1f} → {load_after:.1f} | {t['scan']:.3f} s "
                f"| {t['grouping']:.3f} s | {t['sql']:.3f} s | {t['vector']:.3f} s "
                f"| {t['json']:.2f} s | {t['full']:.3f} s | {t['full'] / t['scan']:.1f}× "
                f"| {t['full'] / t['sql']:.2f}× | {t['full'] / t['vector']:.2f}× "
                f"| {audit_s:.2f} s | {cells:,} | {rss_mb:.0f} MB |"
            )
        print(f"\nA process that only starts Django (`manage.py check`): {baseline_mb:.0f} MB.")
        print(f"Peak RSS of this benchmark process: {resource_mb():.0f} MB.")
        print(f"Load average at the end (1, 5, 15 min): {os.getloadavg()}")
        print(
            f"Started {started_at}, ended {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}"
        )
    finally:
        IndicatorCell.objects.filter(wave=wave).delete()
        AnswerSheet.objects.filter(wave=wave).delete()
        wave.delete()
    return 0


def resource_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
