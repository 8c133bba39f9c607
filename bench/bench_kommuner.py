"""Benchmark: several kommuner in one database (issue "several kommuner", item 9).

Data: BENCH_KOMMUNER kommuner (default 10), each with its own districts (8 to 25), two
schools a district and one class per grade (åk 7 – gy 3) a school, and BENCH_WAVES
closed waves (default 3) of BENCH_SHEETS answer sheets each (default 50,000: 1.5 million
sheets in all). The sheets are generated once by `lagesbild.synth` into a scratch wave
and written with COPY, then copied in SQL into every kommun-wave, each sheet's school and
districts mapped onto the kommun's own (district i of the scratch kommun becomes district
i mod n of a kommun with n districts), so every kommun-wave holds the same answers spread
over its own geography.

Two databases, named after DATABASE_URL's: `<name>_kommuner` with every kommun, and
`<name>_one`, a copy taken when the first kommun (25 districts) was loaded, holding only
it. Measured, in this order:

1. recompute (`indicators_refresh`, disclosure audit included) of each of the 30
   kommun-waves in the full database; then the first kommun's waves again, in rounds that
   alternate between the two databases (the order turns each round), to show whether the
   other kommuner's data slows a kommun down;
2. the pupil's final submit (`surveys.services.sheet_submit`, in process, one at a time)
   into an open wave of the first kommun, in rounds alternating between the two databases
   (BENCH_ROUNDS rounds of BENCH_SUBMITS); then the recompute of small kommun-waves
   (BENCH_SMALL sheets, default 1,000 and 5,000) in three kommuner, for extrapolating;
3. every wave published (`wave_publish`, untimed), then server time of the comparison
   page `/jamforelse/` for an analyst who is a member of every kommun, a kommun's overview
   `/<kod>/lagesbild/` and the account page `/konto/` as a baseline: the whole Django
   stack with the test client, DEBUG off, PostgreSQL, the configured cache (Redis with
   REDIS_URL), as bench_dashboards measures. "warm": the page's data is cached; "cold":
   the cache is cleared before every request (BENCH_PROFILE=1 adds a cProfile of the
   comparison page's warm requests);
4. the sizes of the sheet table, its TOAST and its indexes, and of the cell table.

Load averages are printed with every phase. Both databases are dropped at the end.

    DATABASE_URL=postgres://trygghet:trygghet@127.0.0.1:5432/trygghet_scale \
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/bench_kommuner.py
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper

KOMMUNER = int(os.environ.get("BENCH_KOMMUNER", "10"))
WAVES = int(os.environ.get("BENCH_WAVES", "3"))
SHEETS = int(os.environ.get("BENCH_SHEETS", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # alternating rounds, recompute and submit
SUBMITS = int(os.environ.get("BENCH_SUBMITS", "100"))  # final submits per round and database
# Small kommun-waves (Sweden's median kommun has about 1,000 pupils in åk 7 – gy 3).
SMALL = [int(s) for s in os.environ.get("BENCH_SMALL", "1000,5000").split(",") if s]
WARM_RUNS = 100
COLD_RUNS = 30
SCHOOLS_PER_DISTRICT = 2
GRADES = (7, 8, 9, 10, 11, 12)
SHEET_TABLE = "surveys_answersheet"


def district_counts(kommuner: int) -> list[int]:
    """From 25 (the first kommun, the one measured alone) down to 8, evenly."""
    if kommuner == 1:
        return [25]
    return [round(25 - i * 17 / (kommuner - 1)) for i in range(kommuner)]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f}"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


# --------------------------------------------------------------------------- databases


def _admin_execute(sql: str) -> None:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


def disconnect() -> None:
    """Close the connection and the process's connection pool (production settings keep
    one, and a pool serves one database)."""
    connection.close()
    postgresql = cast("PostgreSQLWrapper", connection)
    if postgresql.pool is not None:
        postgresql.close_pool()


def use_database(name: str) -> None:
    """Point Django's connection at ``name`` (reconnected on the next query)."""
    disconnect()
    connection.settings_dict["NAME"] = name


@contextmanager
def databases(base: str) -> Iterator[tuple[str, str]]:
    full, single = f"{base}_kommuner", f"{base}_one"
    try:
        for name in (full, single):
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin_execute(f'CREATE DATABASE "{full}"')
        use_database(full)
        yield full, single
    finally:
        disconnect()
        connection.settings_dict["NAME"] = base
        for name in (full, single):
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clone(source: str, target: str) -> None:
    """``target`` as a copy of ``source`` as it is now (no connection may be open to it)."""
    disconnect()
    _admin_execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


# --------------------------------------------------------------------------- data


def kommun_create(index: int, districts: int) -> Any:
    from lagesbild.synth import DISTRICT_RISK
    from surveys.models import District, Municipality, School, SchoolClass

    kommun = Municipality.objects.create(code=f"99{index:02d}", name=f"Bänkby {index + 1:02d}")
    codes = list(DISTRICT_RISK)[:districts]
    codes += [f"X{i:02d}" for i in range(len(codes), districts)]
    for d, code in enumerate(codes):
        district = District.objects.create(
            municipality=kommun, code=code, name=f"{kommun.name} område {d + 1:02d}"
        )
        for s in range(SCHOOLS_PER_DISTRICT):
            school = School.objects.create(district=district, name=f"{district.name} skola {s}")
            SchoolClass.objects.bulk_create(
                SchoolClass(school=school, name=f"{grade}A", grade=grade, expected_size=25)
                for grade in GRADES
            )
    return kommun


FIRST_OPENS = datetime(2023, 10, 2, 8, tzinfo=UTC)


def kommun_waves(kommun: Any, questionnaire: Any) -> list[Any]:
    from surveys.models import Wave

    first = FIRST_OPENS
    waves = []
    for w in range(WAVES):
        opens = first.replace(year=first.year + w)
        waves.append(
            Wave.objects.create(
                municipality=kommun,
                name=f"HT {opens.year}",
                slug=f"ht-{opens.year}",
                questionnaire=questionnaire,
                opens_at=opens,
                closes_at=opens + timedelta(days=21),
            )
        )
    return waves


def _schools_in_order(kommun_id: int) -> list[tuple[int, int]]:
    """(school id, district id), districts and schools in creation order."""
    from surveys.models import School

    rows = School.objects.filter(district__municipality_id=kommun_id).order_by("district_id", "pk")
    return list(rows.values_list("pk", "district_id"))


def sheets_copy(*, template: Any, target: Any, limit: int | None = None) -> None:
    """The template wave's sheets (the first ``limit``, default all) into ``target``:
    school i of the template kommun becomes school i mod n of the target kommun, and each
    district the district of that school; dates move with the wave."""
    from surveys.models import District

    source_schools = _schools_in_order(template.municipality_id)
    target_schools = _schools_in_order(target.municipality_id)
    source_districts = list(
        District.objects.filter(municipality_id=template.municipality_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    target_districts = list(
        District.objects.filter(municipality_id=target.municipality_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    school_map = [
        (src, *target_schools[i % len(target_schools)])
        for i, (src, _d) in enumerate(source_schools)
    ]
    district_map = [
        (src, target_districts[i % len(target_districts)]) for i, src in enumerate(source_districts)
    ]
    shift = (target.opens_at.date() - template.opens_at.date()).days
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_school_map "
            "(src bigint, dst bigint, dst_district bigint)"
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_district_map (src bigint, dst bigint)"
        )
        cursor.execute("TRUNCATE bench_school_map, bench_district_map")
        cursor.executemany("INSERT INTO bench_school_map VALUES (%s, %s, %s)", school_map)
        cursor.executemany("INSERT INTO bench_district_map VALUES (%s, %s)", district_map)
        cursor.execute(
            f"INSERT INTO {SHEET_TABLE} (id, submission_id, wave_id, questionnaire_id, "  # noqa: S608
            "school_id, school_district_id, home_district_id, home_answer, grade, gender, "
            "language, submitted_on, answers, answer_vector, answers_digest) "
            "SELECT gen_random_uuid(), gen_random_uuid(), %s, a.questionnaire_id, "
            "sm.dst, sm.dst_district, hm.dst, a.home_answer, a.grade, a.gender, a.language, "
            "a.submitted_on + %s, a.answers, a.answer_vector, a.answers_digest "
            f"FROM {SHEET_TABLE} a JOIN bench_school_map sm ON sm.src = a.school_id "
            "LEFT JOIN bench_district_map hm ON hm.src = a.home_district_id "
            "WHERE a.wave_id = %s LIMIT %s",
            [target.pk, shift, template.pk, limit],
        )


def open_wave_create(kommun: Any, questionnaire: Any, *, name: str, slug: str) -> Any:
    """A wave of ``kommun`` open from yesterday for a month (it takes sheets)."""
    from surveys.models import Wave

    now = timezone.now()
    return Wave.objects.create(
        municipality=kommun,
        name=name,
        slug=slug,
        questionnaire=questionnaire,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )


def submit_wave_create(kommun: Any, questionnaire: Any, codes_needed: int) -> list[Any]:
    """An open wave of ``kommun`` with ``codes_needed`` fresh codes; their ids."""
    from surveys.models import AccessCode, SchoolClass
    from surveys.services import codes_issue

    wave = open_wave_create(kommun, questionnaire, name="Öppen", slug="oppen")
    issued = 0
    for school_class in SchoolClass.objects.filter(school__district__municipality=kommun):
        if issued >= codes_needed:
            break
        issued += len(codes_issue(wave=wave, school_class=school_class, count=25))
    return list(AccessCode.objects.filter(wave=wave).order_by("id").values_list("id", flat=True))


# --------------------------------------------------------------------------- measuring


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def recompute(wave_id: int) -> tuple[float, float]:
    from lagesbild.services import indicators_refresh

    started = time.perf_counter()
    result = indicators_refresh(wave_id=wave_id)
    return time.perf_counter() - started, result.audit_seconds


def measure_page(
    client: Client, url: str, *, cold: bool, runs: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU time of each request in ms (CPU leaves out waiting for a core)."""
    times, cpu = [], []
    client.get(url)  # template compilation, imports
    for _ in range(runs):
        if cold:
            cache.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - cpu_started) * 1000)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times, cpu


def profile_page(client: Client, url: str, runs: int = 20) -> None:
    """Where a warm request's time goes (BENCH_PROFILE=1): cProfile, by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    print(f"\n   Profile of {runs} warm requests of {url}, by own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def submit_round(code_ids: list[Any], answers: list[dict[str, Any]]) -> list[float]:
    import uuid

    from surveys.services import sheet_submit

    times = []
    for code_id, sheet_answers in zip(code_ids, answers, strict=True):
        started = time.perf_counter()
        result = sheet_submit(
            code_id=code_id, submission_id=uuid.uuid4(), answers=sheet_answers, language="sv"
        )
        times.append((time.perf_counter() - started) * 1000)
        if result.status != "stored":
            raise RuntimeError(f"submit answered {result.status}")
    return times


def table_sizes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), pg_relation_size('{SHEET_TABLE}'), "  # noqa: S608
            f"pg_table_size('{SHEET_TABLE}') - pg_relation_size('{SHEET_TABLE}'), "
            f"pg_indexes_size('{SHEET_TABLE}'), avg(pg_column_size(a.*))::bigint "
            f"FROM {SHEET_TABLE} a"
        )
        count, heap, toast, indexes, row = cursor.fetchone()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
            "FROM pg_index WHERE indrelid = %s::regclass ORDER BY 2 DESC",
            [SHEET_TABLE],
        )
        sizes = {"rows": count, "heap": heap, "toast": toast, "indexes": indexes, "row": row}
        sizes.update({f"index {name}": size for name, size in cursor.fetchall()})
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('lagesbild_indicatorcell') "
            "FROM lagesbild_indicatorcell"
        )
        sizes["cells"], sizes["cells total"] = cursor.fetchone()
    return sizes


# --------------------------------------------------------------------------- main


def main() -> int:
    from accounts.access import Role
    from accounts.services import membership_grant
    from lagesbild.services import wave_publish
    from lagesbild.synthetic import generate_sheets, sheets_insert
    from surveys.models import AnswerSheet, Wave
    from surveys.services import questionnaire_import_default
    from tests.accounts.accounts_helpers import login_verified, make_staff

    if connection.vendor != "postgresql":
        print("bench_kommuner: needs PostgreSQL (set DATABASE_URL); skipped.")
        return 0
    settings.DEBUG = False  # no query log: measure what production runs
    logging.getLogger("lagesbild").setLevel(logging.WARNING)  # a line per recompute otherwise
    settings.ALLOWED_HOSTS = ["testserver"]
    started_at = time.time()
    print(f"Started {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, {load()}")
    print(
        f"{KOMMUNER} kommuner × {WAVES} waves × {SHEETS:,} sheets; "
        f"cache: {settings.CACHES['default']['BACKEND']}; {os.cpu_count()} cores",
        flush=True,
    )
    counts = district_counts(KOMMUNER)
    with databases(str(connection.settings_dict["NAME"])) as (full, single):
        call_command("migrate", verbosity=0)
        cache.clear()
        questionnaire = questionnaire_import_default()

        # The first kommun, alone: its waves, an open wave with codes, the template sheets.
        step = time.perf_counter()
        first = kommun_create(0, counts[0])
        waves = {first.code: kommun_waves(first, questionnaire)}
        code_ids = submit_wave_create(first, questionnaire, 2 * ROUNDS * SUBMITS)
        template = open_wave_create(first, questionnaire, name="Mall", slug="mall")
        sheets_insert(wave=template, count=SHEETS, seed=1)
        print(f"generated {SHEETS:,} sheets in {time.perf_counter() - step:.0f} s ({load()})")
        step = time.perf_counter()
        for wave in waves[first.code]:
            sheets_copy(template=template, target=wave)
        # Answers for the submits: the open wave's own synthetic pupils.
        open_wave = Wave.objects.get(municipality=first, slug="oppen")
        submit_answers = [
            s.answers for s in generate_sheets(wave=open_wave, count=ROUNDS * SUBMITS, seed=2)
        ]
        connection.cursor().execute(f"VACUUM ANALYZE {SHEET_TABLE}")
        clone(full, single)
        use_database(single)  # the first kommun alone: without the template
        AnswerSheet.objects.filter(wave__slug="mall").delete()
        Wave.objects.filter(slug="mall").delete()
        connection.cursor().execute(f"VACUUM ANALYZE {SHEET_TABLE}")
        use_database(full)

        # The other kommuner.
        for index in range(1, KOMMUNER):
            kommun = kommun_create(index, counts[index])
            waves[kommun.code] = kommun_waves(kommun, questionnaire)
            for wave in waves[kommun.code]:
                sheets_copy(template=template, target=wave)
        AnswerSheet.objects.filter(wave=template).delete()
        template.delete()
        connection.cursor().execute(f"VACUUM ANALYZE {SHEET_TABLE}")
        total = AnswerSheet.objects.filter(wave__published_at__isnull=True).count()
        print(
            f"{KOMMUNER} kommuner, {total:,} sheets copied in SQL in "
            f"{time.perf_counter() - step:.0f} s ({load()})",
            flush=True,
        )

        # 1. Recompute of every kommun-wave in the full database.
        print("\n1. Recompute (indicators_refresh, audit included), full database")
        rows = []
        for index, (code, kommun_wave_list) in enumerate(waves.items()):
            for wave in kommun_wave_list:
                seconds, audit = recompute(wave.pk)
                rows.append((code, counts[index], wave.slug, seconds, audit))
                print(
                    f"  {code} ({counts[index]} districts) {wave.slug}: {seconds:.2f} s "
                    f"(audit {audit:.2f} s) ({load()})",
                    flush=True,
                )
        all_seconds = [r[3] for r in rows]
        print(
            f"  {len(rows)} kommun-waves: min {min(all_seconds):.2f} s, median "
            f"{statistics.median(all_seconds):.2f} s, p95 {p95(all_seconds):.2f} s, max "
            f"{max(all_seconds):.2f} s, sum {sum(all_seconds):.1f} s"
        )
        by_size: dict[int, list[float]] = {}
        for _code, districts, _slug, seconds, _audit in rows:
            by_size.setdefault(districts, []).append(seconds)
        print(
            "  median by district count: "
            + ", ".join(f"{d}: {statistics.median(s):.2f} s" for d, s in sorted(by_size.items()))
        )

        print(f"\n   The first kommun ({first.code}) alone vs among {KOMMUNER}, alternating:")
        first_ids = [w.pk for w in waves[first.code]]
        alone: list[float] = []
        among: list[float] = []
        for round_ in range(ROUNDS):
            order = [(single, alone), (full, among)]
            for name, into in order if round_ % 2 == 0 else order[::-1]:
                use_database(name)
                round_times = [recompute(wave_id)[0] for wave_id in first_ids]
                into.extend(round_times)
                print(
                    f"  round {round_ + 1}, {name}: "
                    + ", ".join(f"{s:.2f} s" for s in round_times)
                    + f" ({load()})",
                    flush=True,
                )
        print(
            f"  median: alone {statistics.median(alone):.2f} s, among {KOMMUNER} "
            f"{statistics.median(among):.2f} s (ratio "
            f"{statistics.median(among) / statistics.median(alone):.2f})"
        )

        # 2. The pupil's final submit, alternating.
        print(f"\n2. Final submit (sheet_submit, in process), {SUBMITS} a round and database")
        submit_alone: list[float] = []
        submit_among: list[float] = []
        for round_ in range(ROUNDS):
            order = [(single, submit_alone), (full, submit_among)]
            for name, into in order if round_ % 2 == 0 else order[::-1]:
                use_database(name)
                ids = code_ids[round_ * SUBMITS : (round_ + 1) * SUBMITS]
                answers = submit_answers[round_ * SUBMITS : (round_ + 1) * SUBMITS]
                times = submit_round(ids, answers)
                into.extend(times)
                print(
                    f"  round {round_ + 1}, {name}: p50 {statistics.median(times):.1f} ms, "
                    f"p95 {p95(times):.1f} ms ({load()})",
                    flush=True,
                )
        for label, times in (("alone", submit_alone), (f"among {KOMMUNER}", submit_among)):
            print(
                f"  {label}: p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms "
                f"({len(times)} submits)"
            )

        # Small kommun-waves, for the extrapolation: cost is not only proportional to sheets.
        use_database(full)
        template = open_wave_create(first, questionnaire, name="Mall", slug="mall")
        sheets_insert(wave=template, count=max(SMALL, default=0), seed=3)
        print("\n   Small kommun-waves (unpublished, left out of the pages):")
        small_kommuner = sorted({0, KOMMUNER // 2, KOMMUNER - 1})
        for size in SMALL:
            for index in small_kommuner:
                kommun = list(waves.values())[index][0].municipality
                small = Wave.objects.create(
                    municipality=kommun,
                    name=f"Liten {size}",
                    slug=f"liten-{size}",
                    questionnaire=questionnaire,
                    opens_at=FIRST_OPENS - timedelta(days=365),
                    closes_at=FIRST_OPENS - timedelta(days=344),
                )
                sheets_copy(template=template, target=small, limit=size)
                seconds, audit = recompute(small.pk)
                print(
                    f"  {kommun.code} ({counts[index]} districts), {size:,} sheets: "
                    f"{seconds:.2f} s (audit {audit:.2f} s) ({load()})",
                    flush=True,
                )
        AnswerSheet.objects.filter(wave=template).delete()
        template.delete()

        # 3. Publish every wave, then the pages.
        use_database(full)
        step = time.perf_counter()
        for kommun_wave_list in waves.values():
            for wave in kommun_wave_list:
                wave.refresh_from_db()
                wave_publish(wave_id=wave.pk)
        print(
            f"\n3. Pages ({KOMMUNER * WAVES} waves published in {time.perf_counter() - step:.0f} s)"
        )
        cache.clear()
        analyst = make_staff(Role.ANALYST, organisation="ideer", kommun=first)
        for kommun_wave_list in list(waves.values())[1:]:
            membership_grant(
                user=analyst,
                role=Role.ANALYST,
                municipality=kommun_wave_list[0].municipality,
                organisation="ideer",
            )
        client = Client()
        login_verified(client, analyst)
        pages = {
            "account (baseline)": "/konto/",
            "comparison": "/jamforelse/",
            f"overview {first.code}": f"/{first.code}/lagesbild/",
        }
        for name, url in pages.items():
            queries: list[str] = []

            def count(execute: Any, sql: str, *args: Any, queries: list[str] = queries) -> Any:
                queries.append(sql)
                return execute(sql, *args)

            client.get(url)  # the page's data cached: count the queries of a warm request
            with connection.execute_wrapper(count):
                client.get(url)
            warm, warm_cpu = measure_page(client, url, cold=False, runs=WARM_RUNS)
            cold, _cold_cpu = measure_page(client, url, cold=True, runs=COLD_RUNS)
            print(
                f"  {name:<20} warm p50 {statistics.median(warm):6.1f} ms, "
                f"p95 {p95(warm):6.1f} ms (CPU p95 {p95(warm_cpu):5.1f} ms); cold p50 "
                f"{statistics.median(cold):6.1f} ms, p95 {p95(cold):6.1f} ms; "
                f"{len(queries)} queries warm ({load()})",
                flush=True,
            )

        if os.environ.get("BENCH_PROFILE"):
            profile_page(client, "/jamforelse/")

        # 4. Sizes.
        sizes = table_sizes()
        rows_count = sizes["rows"]
        print(f"\n4. {SHEET_TABLE}: {rows_count:,} rows")
        for name, value in sizes.items():
            if name in ("rows", "row", "cells", "cells total"):
                continue
            print(f"  {name:<55} {value / 2**20:8.1f} MiB ({value / rows_count:6.1f} B/sheet)")
        print(f"  average row (pg_column_size): {sizes['row']} B")
        print(
            f"  lagesbild_indicatorcell: {sizes['cells']:,} cells, "
            f"{sizes['cells total'] / 2**20:.1f} MiB with indexes "
            f"({sizes['cells total'] / sizes['cells']:.0f} B/cell)"
        )
    print(
        f"\nEnded {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())} after "
        f"{(time.time() - started_at) / 60:.1f} min, {load()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
