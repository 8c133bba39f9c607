"""Survey day under load and faults: no pupil's answers lost or stored twice.

Starts a private stack (PostgreSQL, Redis, gunicorn, a Celery worker and beat; see
harness/stack.py), issues real one-time codes for whole classes, and lets every pupil walk
the real flow over loopback HTTP (harness/pupils.py) while a fault is injected. At the end
it reconciles what the pupils saw with what the database holds:

    sheets stored = pupils who saw the thank-you page
    codes answered = sheets stored (spent, and the draft gone)
    duplicates    = 0

Nothing in the pupil's pages or session names its sheet, so each stored sheet of the wave
is matched to the pupil whose final answers it holds (`match_sheets`): a sheet no pupil
accounts for is a duplicate, a thanked pupil without a sheet is lost, and a sheet that
only nearly matches a pupil's answers is altered.

Usage (bounded in count and time, loopback only):

    .venv/bin/python harness/survey_day.py --pupils 2000 --classes 60 --scenario baseline
    .venv/bin/python harness/survey_day.py --scenario all --pupils 300 --classes 10

Scenarios: baseline, redis (stopped for a while), worker-kill (SIGKILL mid-aggregation),
postgres (restarted), gunicorn (HUP and a worker SIGKILLed mid-request), concurrent
(two aggregations of one wave at once), all.
"""

import argparse
import asyncio
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.pupils import LoadConfig, Outcome, Pupil, Stats
from harness.stack import REPO, WORKER_APP_NAME, Stack, StackOptions, stop_all_and_exit

MAX_PUPILS = 5000
MAX_RUN_SECONDS = 3600
# A wave's cells, fingerprinted without their surrogate key and computation time.
CELLS_CHECKSUM_SQL = """
SELECT count(*), coalesce(md5(string_agg(row_text, ',' ORDER BY row_text)), '-')
FROM (
    SELECT (to_jsonb(c) - 'id' - 'computed_at')::text AS row_text
    FROM lagesbild_indicatorcell c WHERE c.wave_id = %s
) rows
"""
ENGINE_COMMAND = REPO / "lagesbild" / "management" / "commands" / "refresh_indicators.py"
SYNTH_COMMAND = REPO / "lagesbild" / "management" / "commands" / "synth_responses.py"
SCENARIOS = ("baseline", "redis", "worker-kill", "postgres", "gunicorn", "concurrent")


# --- The data of one run ------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolClassCodes:
    school: str
    name: str
    codes: list[str]


@dataclass(frozen=True)
class Plan:
    wave_id: int
    wave_slug: str
    classes: list[SchoolClassCodes]

    @property
    def pupils(self) -> int:
        return sum(len(c.codes) for c in self.classes)


def setup_data(*, slug: str, classes: int, pupils: int) -> dict[str, Any]:
    """Inside Django: an open wave with `classes` classes and their codes (issue_codes)."""
    import io
    from datetime import timedelta

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from lagesbild.management.commands.seed_demo import Command as SeedDemo
    from surveys import demo as surveys_demo
    from surveys import services
    from surveys.models import Grade, School, SchoolClass, Wave

    if not Wave.objects.exists():
        # The part of seed_demo a survey day needs: the geography (districts, schools) and
        # the demo's open wave with the default questionnaire. Not its published history
        # waves: they take most of a minute to seed and keep the worker busy refreshing
        # them, which a survey day's catch-up check would then wait for.
        with transaction.atomic():
            municipality = SeedDemo()._geography(
                surveys_demo.MUNICIPALITY, surveys_demo.DISTRICTS, surveys_demo.SCHOOLS
            )
            questionnaire = services.questionnaire_import_default()
            services.demo_wave_ensure(municipality=municipality, questionnaire=questionnaire)
    template = Wave.objects.open().order_by("-opens_at").first() or Wave.objects.first()
    if template is None:
        raise SystemExit("no wave to take the questionnaire from")
    now = timezone.now()
    wave, _created = Wave.objects.get_or_create(
        slug=slug,
        defaults={
            "municipality": template.municipality,
            "name": f"Survey day {slug}",
            "questionnaire": template.questionnaire,
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=1),
        },
    )
    schools = list(School.objects.order_by("name"))
    grades = [g.value for g in Grade]
    per_class = [pupils // classes + (1 if i < pupils % classes else 0) for i in range(classes)]
    result: list[dict[str, Any]] = []
    for index, count in enumerate(per_class):
        school = schools[index % len(schools)]
        school_class, _created = SchoolClass.objects.get_or_create(
            school=school,
            name=f"{slug[:12]}-{index:02d}",
            defaults={"grade": grades[index % len(grades)], "expected_size": max(count, 1)},
        )
        out = io.StringIO()
        if count:
            call_command(
                "issue_codes",
                wave=wave.slug,
                school=school.name,
                class_name=school_class.name,
                count=count,
                stdout=out,
            )
        codes = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
        result.append({"school": school.name, "name": school_class.name, "codes": codes})
    return {"wave_id": wave.pk, "wave_slug": wave.slug, "classes": result}


def prepare(stack: Stack, *, slug: str, classes: int, pupils: int, synth: int = 0) -> Plan:
    """Codes for a fresh wave on the stack (the demo's geography and open wave seeded once,
    see `setup_data`), plus optional synthetic sheets."""
    env = stack.app_env()
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "setup-data",
            "--slug",
            slug,
            "--classes",
            str(classes),
            "--pupils",
            str(pupils),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setup-data failed:\n{done.stderr[-3000:]}")
    raw = json.loads(done.stdout)
    plan = Plan(
        wave_id=raw["wave_id"],
        wave_slug=raw["wave_slug"],
        classes=[SchoolClassCodes(**c) for c in raw["classes"]],
    )
    if synth and SYNTH_COMMAND.exists():
        stack.manage("synth_responses", "--wave", plan.wave_slug, "--count", str(synth))
    return plan


# --- Checks and the report -----------------------------------------------------------------


@dataclass
class Check:
    name: str
    expected: str
    actual: str
    ok: bool | None  # None: information only


@dataclass
class Report:
    scenario: str
    pupils: int
    classes: int
    checks: list[Check] = field(default_factory=list)
    metrics: dict[str, float | int | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, expected: object, actual: object, ok: bool | None) -> None:
        self.checks.append(Check(name, str(expected), str(actual), ok))

    def info(self, name: str, actual: object) -> None:
        self.checks.append(Check(name, "", str(actual), None))

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]

    def table(self) -> str:
        rows = [("check", "expected", "actual", "")]
        for c in self.checks:
            rows.append((c.name, c.expected, c.actual, {True: "ok", False: "FAIL", None: ""}[c.ok]))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"== scenario {self.scenario}: {self.pupils} pupils in {self.classes} classes"]
        for index, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("metrics: " + ", ".join(f"{k}={v}" for k, v in self.metrics.items()))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


# --- The run -------------------------------------------------------------------------------


@dataclass
class RunOptions:
    scenario: str = "baseline"
    start_window: float = 60.0  # seconds in which every class starts
    class_spread: float = 15.0  # seconds in which a class's pupils start after the class
    think: tuple[float, float] = (1.0, 4.0)
    fault_at: float = 20.0  # seconds after the first pupil started
    outage: float = 20.0  # seconds a stopped service stays down
    catchup_timeout: float = 600.0
    seed: int = 1
    timeout: float = 10.0


@dataclass
class Run:
    stack: Stack
    plan: Plan
    options: RunOptions
    report: Report
    outcomes: list[Outcome] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    t0: float = 0.0
    before_sheets: set[str] = field(default_factory=set)
    before_spent: int = 0
    events: dict[str, float] = field(default_factory=dict)


type Fault = Callable[[Run], Coroutine[Any, Any, None]]


async def _sleep_until(run: Run, seconds_after_start: float) -> None:
    await asyncio.sleep(max(0.0, run.t0 + seconds_after_start - time.monotonic()))


async def _healthz(client: httpx.AsyncClient) -> str:
    try:
        response = await client.get("/healthz", timeout=15)
        return f"{response.status_code} {response.json().get('status', '?')}"
    except (httpx.HTTPError, ValueError) as error:
        return type(error).__name__


async def _poll_healthz(run: Run, seconds: float) -> Counter[str]:
    seen: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=run.stack.base_url, trust_env=False) as client:
        while time.monotonic() < deadline:
            seen[await _healthz(client)] += 1
            await asyncio.sleep(1.0)
    return seen


def _sheets(run: Run) -> list[str]:
    return [sheet for sheet, _answers in _sheet_rows(run)]


def _sheet_rows(run: Run) -> list[tuple[str, dict[str, Any]]]:
    """The wave's sheets: (row id, answers by question code)."""
    with run.stack.db() as conn:
        rows = conn.execute(
            "SELECT id::text, answers FROM surveys_answersheet WHERE wave_id = %s",
            [run.plan.wave_id],
        ).fetchall()
    return [(str(r[0]), r[1]) for r in rows]


def _values(value: Any) -> list[str]:
    return sorted(str(v) for v in value) if isinstance(value, list) else [str(value)]


def canonical_answers(answers: Mapping[str, Any]) -> str:
    """Answers as text that two equal sheets share: every value as a sorted list of
    strings (a stored number 3 equals the "3" a pupil typed; a multiple choice is a set)."""
    return json.dumps({code: _values(v) for code, v in answers.items()}, sort_keys=True)


def _answers_differ(stored: Mapping[str, Any], sent: Mapping[str, list[str]]) -> bool:
    """A stored answer the pupil did not send as it is (skipped and hidden ones may go)."""
    return any(_values(value) != sorted(sent.get(code, [])) for code, value in stored.items())


def _agreement(stored: Mapping[str, Any], sent: Mapping[str, list[str]]) -> float:
    if not stored:
        return 0.0
    same = sum(1 for code, value in stored.items() if _values(value) == sorted(sent.get(code, [])))
    return same / len(stored)


@dataclass
class Matching:
    """Stored sheets matched to the pupils whose answers they hold (indexes into outcomes)."""

    pupil_of: dict[str, int] = field(default_factory=dict)  # sheet → pupil
    altered: dict[str, int] = field(default_factory=dict)  # sheet → pupil it nearly matches
    strays: list[str] = field(default_factory=list)  # sheets no pupil accounts for


def match_sheets(sheets: list[tuple[str, dict[str, Any]]], outcomes: list[Outcome]) -> Matching:
    """Give each sheet the one pupil whose final answers it holds; each pupil one sheet.

    First exactly (the sheet holds just what the pupil last sent), then as a subset (the
    server dropped answers to questions a later answer hid); a thanked pupil before one
    who gave up, the closest first. A sheet left over that agrees with an unmatched thanked
    pupil on at least half its answers is altered; any other is a stray (a duplicate: two
    sheets with one pupil's answers leave the second without a pupil).
    """
    result = Matching()
    order = sorted(range(len(outcomes)), key=lambda i: not outcomes[i].thanked)
    by_key: dict[str, list[int]] = {}
    for index in order:
        if outcomes[index].answers:
            by_key.setdefault(canonical_answers(outcomes[index].answers), []).append(index)
    taken: set[int] = set()
    rest: list[tuple[str, dict[str, Any]]] = []
    for sheet, answers in sheets:
        free = [i for i in by_key.get(canonical_answers(answers), []) if i not in taken]
        if answers and free:
            result.pupil_of[sheet] = free[0]
            taken.add(free[0])
        else:
            rest.append((sheet, answers))
    leftover: list[tuple[str, dict[str, Any]]] = []
    for sheet, answers in rest:
        candidates = [
            i
            for i in order
            if i not in taken and answers and not _answers_differ(answers, outcomes[i].answers)
        ]
        if candidates:
            best = min(
                candidates,
                key=lambda i: (not outcomes[i].thanked, len(outcomes[i].answers) - len(answers)),
            )
            result.pupil_of[sheet] = best
            taken.add(best)
        else:
            leftover.append((sheet, answers))
    for sheet, answers in leftover:
        near = [
            (_agreement(answers, outcomes[i].answers), i)
            for i in order
            if i not in taken and outcomes[i].thanked
        ]
        score, best = max(near, default=(0.0, -1))
        if score >= 0.5:
            result.altered[sheet] = best
            taken.add(best)
        else:
            result.strays.append(sheet)
    return result


def _spent(run: Run) -> int:
    with run.stack.db() as conn:
        row = conn.execute(
            # Answered codes (`surveys.models.ANSWERED`): spent, and the draft gone.
            "SELECT count(*) FROM surveys_accesscode a WHERE wave_id = %s AND spent "
            "AND NOT EXISTS (SELECT 1 FROM surveys_sheetdraft d WHERE d.code_id = a.id)",
            [run.plan.wave_id],
        ).fetchone()
    return int(row[0]) if row else 0


def cells_checksum(stack: Stack, wave_id: int) -> tuple[int, str]:
    with stack.db() as conn:
        row = conn.execute(CELLS_CHECKSUM_SQL, [wave_id]).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "-")


def _dirty_marker(run: Run) -> Any:
    with run.stack.db() as conn:
        row = conn.execute(
            "SELECT indicators_dirty_at FROM surveys_wave WHERE id = %s", [run.plan.wave_id]
        ).fetchone()
    return row[0] if row else None


def _worker_aggregating(stack: Stack) -> bool:
    """The worker holds a transaction-level advisory lock: a refresh is under way."""
    with stack.db() as conn:
        row = conn.execute(
            """SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = %s""",
            [WORKER_APP_NAME],
        ).fetchone()
    return bool(row and row[0])


def _any_refresh_running(stack: Stack) -> bool:
    with stack.db() as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()
    return bool(row and row[0])


def send_refresh(stack: Stack, wave_id: int) -> None:
    """Queue the engine's refresh task through the private broker, as the app would."""
    from celery import Celery

    client = Celery(broker=stack.redis_url)
    try:
        client.send_task("lagesbild.tasks.refresh_indicators", args=[wave_id])
    finally:
        client.close()


def _why_not_caught_up(run: Run) -> str:
    """What a failed catch-up looked like: the marker, the locks, the worker and beat."""
    stack = run.stack
    with stack.db() as conn:
        locks = conn.execute(
            """SELECT a.application_name, a.state, left(a.query, 80)
               FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
               WHERE l.locktype = 'advisory'"""
        ).fetchall()
    return "\n".join(
        [
            f"dirty marker: {_dirty_marker(run)}; advisory locks: {locks or 'none'}",
            f"worker running: {stack.worker.running}; beat running: {stack.beat.running}; "
            f"restarts: {[r.describe() for r in stack.restarts] or 'none'}",
            "worker log:",
            stack.worker.tail(25),
            "beat log:",
            stack.beat.tail(10),
        ]
    )


async def wait_caught_up(run: Run, timeout: float) -> float | None:
    """Seconds until the wave's dirty marker is clear and no refresh runs, or None."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        marker = await asyncio.to_thread(_dirty_marker, run)
        running = await asyncio.to_thread(_any_refresh_running, run.stack)
        if marker is None and not running:
            count, _digest = await asyncio.to_thread(cells_checksum, run.stack, run.plan.wave_id)
            if count:
                return time.monotonic() - started
        await asyncio.sleep(1.0)
    return None


# --- Faults ----------------------------------------------------------------------------------


def _seen(seen: Counter[str]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in sorted(seen.items()))


def _only(seen: Counter[str], wanted: str) -> bool | None:
    """Every answer was `wanted`. A poll that timed out behind queued pupil requests (every
    web worker busy) proves nothing either way: with no answer at all the check is only
    shown (the unit tests of /healthz cover its answers)."""
    answered = {status for status in seen if status[:1].isdigit()}
    return answered == {wanted} if answered else None


async def fault_none(run: Run) -> None:
    return


def _report_restarts(run: Run, since: float) -> None:
    """The stack's supervisor restarts a worker or beat that exited, as the deployment's
    restart policy does (harness/stack.py). A restart after a fault's deliberate kill is
    information; any other exit is a defect the restart would hide: a failed check, with
    the end of the log that says why."""
    restarts = [r for r in run.stack.restarts if r.at >= since]
    deliberate = [r for r in restarts if r.expected]
    crashes = [r for r in restarts if not r.expected]
    if deliberate:
        run.report.info("worker or beat restarted after a deliberate kill", len(deliberate))
    run.report.check(
        "worker or beat exited by itself (restarted by the supervisor)",
        0,
        ", ".join(f"{r.service} after {r.ran_for:.0f} s" for r in crashes) or 0,
        not crashes,
    )
    for restart in crashes:
        run.report.notes.append(f"{restart.describe()}; its log before:\n{restart.log_tail}")


async def _outage(
    run: Run, service: str, stop: Callable[[], object], start: Callable[[], object]
) -> Counter[str]:
    """`service` stopped at `fault_at` and started again `outage` seconds later (the times
    in `run.events` as "<service>_down" and "<service>_up"); what /healthz said meanwhile."""
    await _sleep_until(run, run.options.fault_at)
    await asyncio.to_thread(stop)
    run.events[f"{service}_down"] = time.monotonic()
    seen = await _poll_healthz(run, run.options.outage)
    await asyncio.to_thread(start)
    run.events[f"{service}_up"] = time.monotonic()
    return seen


async def fault_redis(run: Run) -> None:
    """Redis stopped for a while: pupils keep submitting, /healthz is degraded."""
    seen = await _outage(run, "redis", run.stack.stop_redis, run.stack.start_redis)
    down, up = run.events["redis_down"], run.events["redis_up"]
    answered = sum(1 for t in run.stats.answered_at if down <= t <= up)
    submitted = sum(1 for o in run.outcomes if o.thanked and down <= o.finished <= up)
    run.report.check("pupil pages answered while Redis was down", "> 0", answered, answered > 0)
    run.report.info("pupils who finished while Redis was down", submitted)
    run.report.check(
        "/healthz while Redis was down", "200 degraded", _seen(seen), _only(seen, "200 degraded")
    )


async def fault_postgres(run: Run) -> None:
    """PostgreSQL stopped (fast shutdown) and started again after `outage` seconds."""
    seen = await _outage(run, "postgres", run.stack.stop_postgres, run.stack.start_postgres)
    run.report.check(
        "/healthz while PostgreSQL was down", "503 down", _seen(seen), _only(seen, "503 down")
    )


async def fault_gunicorn(run: Run) -> None:
    """gunicorn reloaded (HUP), then three workers SIGKILLed while they serve pupils."""
    await _sleep_until(run, run.options.fault_at)
    run.stack.web.signal(signal.SIGHUP)
    run.events["gunicorn_hup"] = time.monotonic()
    rng = random.Random(run.options.seed)
    killed = 0
    for _kill in range(3):
        await asyncio.sleep(max(2.0, run.options.outage / 3))
        workers = run.stack.web_workers()
        if workers:
            os.kill(rng.choice(workers), signal.SIGKILL)
            killed += 1
    await asyncio.sleep(5)
    alive = run.stack.web.running
    workers_back = len(run.stack.web_workers())
    run.report.check("gunicorn workers SIGKILLed", 3, killed, killed == 3)
    run.report.check(
        "gunicorn master alive, workers replaced",
        f"yes, {run.stack.options.web_workers}",
        f"{'yes' if alive else 'no'}, {workers_back}",
        alive and workers_back == run.stack.options.web_workers,
    )


async def fault_worker_kill(run: Run) -> None:
    """SIGKILL the worker's pool processes mid-aggregation, later the whole worker."""
    await _sleep_until(run, run.options.fault_at)
    for target in ("pool processes", "whole worker"):
        caught = False
        for _attempt in range(5):
            await asyncio.to_thread(send_refresh, run.stack, run.plan.wave_id)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if await asyncio.to_thread(_worker_aggregating, run.stack):
                    caught = True
                    break
                await asyncio.sleep(0.02)
            if caught:
                break
        if caught and target == "pool processes":
            for pid in run.stack.worker_children():
                os.kill(pid, signal.SIGKILL)
        elif caught:
            # The stack's supervisor starts it again, as the restart policy does.
            await asyncio.to_thread(run.stack.worker.kill_group)
        run.report.check(
            f"{target} SIGKILLed mid-aggregation", "yes", "yes" if caught else "no", caught
        )
        await asyncio.sleep(max(5.0, run.options.outage / 2))


async def fault_concurrent(run: Run) -> None:
    """Two aggregations of one wave at once, during the load (the end result is checked)."""
    await _sleep_until(run, run.options.fault_at)
    first = run.stack.manage_async("refresh_indicators", "--wave", run.plan.wave_slug)
    second = run.stack.manage_async("refresh_indicators", "--wave", run.plan.wave_slug)
    codes = await asyncio.to_thread(lambda: (first.wait(600), second.wait(600)))
    run.report.check("two refresh commands during the load", "0, 0", codes, codes == (0, 0))


FAULTS: dict[str, Fault] = {
    "baseline": fault_none,
    "redis": fault_redis,
    "worker-kill": fault_worker_kill,
    "postgres": fault_postgres,
    "gunicorn": fault_gunicorn,
    "concurrent": fault_concurrent,
}
NEEDS_ENGINE = {"worker-kill", "concurrent"}


async def _pupil(
    run: Run,
    outcome: Outcome,
    delay: float,
    rng: random.Random,
    transport: httpx.AsyncHTTPTransport,
) -> None:
    await asyncio.sleep(delay)
    config = LoadConfig(
        base_url=run.stack.base_url, think=run.options.think, timeout=run.options.timeout
    )
    await Pupil(config, run.stats, outcome, rng).run(transport)


async def play(run: Run) -> None:
    """Every class starts within the start window; its pupils within a few seconds of it."""
    rng = random.Random(run.options.seed)
    tasks = []
    # Every pupil has its own client (its own cookie jar) over its class's connection pool,
    # as a class shares one school network. Not one pool for all: httpcore matches each
    # waiting request against every connection of its pool, which with 2,000 pupils in one
    # pool took the load generator's whole core and stalled the run; nor a pool per pupil:
    # thousands of pools and TLS contexts cost more CPU and memory than the server.
    transports: list[httpx.AsyncHTTPTransport] = []
    run.t0 = time.monotonic()
    for school_class in run.plan.classes:
        size = max(1, len(school_class.codes))
        transport = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size)
        )
        transports.append(transport)
        class_start = rng.uniform(0, run.options.start_window)
        for code in school_class.codes:
            outcome = Outcome(code=code, class_label=f"{school_class.school} {school_class.name}")
            run.outcomes.append(outcome)
            delay = class_start + rng.uniform(0, run.options.class_spread)
            pupil_rng = random.Random(rng.getrandbits(64))
            tasks.append(asyncio.create_task(_pupil(run, outcome, delay, pupil_rng, transport)))
    fault = asyncio.create_task(FAULTS[run.options.scenario](run))
    try:
        await asyncio.wait_for(asyncio.gather(*tasks, fault), timeout=MAX_RUN_SECONDS)
    finally:
        for task in [*tasks, fault]:
            task.cancel()
        for transport in transports:
            await transport.aclose()


def _reconcile(run: Run) -> None:
    report = run.report
    thanked = [o for o in run.outcomes if o.thanked]
    rows = [(s, a) for s, a in _sheet_rows(run) if s not in run.before_sheets]
    new = [s for s, _answers in rows]
    matching = match_sheets(rows, run.outcomes)
    altered = len(matching.altered)
    spent = _spent(run) - run.before_spent
    accounted = {*matching.pupil_of.values(), *matching.altered.values()}
    lost = [i for i, o in enumerate(run.outcomes) if o.thanked and i not in accounted]
    unconfirmed = [s for s, i in matching.pupil_of.items() if not run.outcomes[i].thanked]
    gave_up = [o for o in run.outcomes if not o.thanked]
    report.info("pupils started", len(run.outcomes))
    report.info("pupils who saw the thank-you page", len(thanked))
    report.check(
        "sheets stored", f"= thank-you pages ({len(thanked)})", len(new), len(new) == len(thanked)
    )
    report.check("codes answered", f"= sheets stored ({len(new)})", spent, spent == len(new))
    duplicates = len(matching.strays)
    report.check("duplicate sheets (no pupil accounts for them)", 0, duplicates, duplicates == 0)
    report.check("thank-you page but no sheet (lost)", 0, len(lost), not lost)
    report.check("sheets whose answers differ from those sent", 0, altered, altered == 0)
    report.check("pupils who gave up", 0, len(gave_up), not gave_up)
    report.info("sheets stored for pupils who gave up", len(unconfirmed))
    report.info(
        "pupils who left without submitting and came back", sum(o.left > 0 for o in run.outcomes)
    )
    report.info("pages sent again after an error", sum(o.corrected for o in run.outcomes))
    kept = sum(o.outage_pages_kept for o in run.outcomes)
    dropped = sum(o.outage_pages_lost for o in run.outcomes)
    if kept or dropped or run.options.scenario == "postgres":
        report.check(
            "503 pages that kept the answers",
            f"all ({kept + dropped})",
            kept,
            dropped == 0 and kept > 0,
        )
    if gave_up:
        reasons = Counter(o.error for o in gave_up)
        report.notes.extend(f"gave up ×{n}: {reason}" for reason, n in reasons.most_common(5))


def _metrics(run: Run) -> None:
    done = [o for o in run.outcomes if o.thanked]
    span = (max(o.finished for o in done) - min(o.started for o in run.outcomes)) if done else 0
    latencies = run.stats.latencies
    run.report.metrics.update(
        {
            "pupils_per_s": round(len(done) / span, 2) if span else 0,
            "requests": run.stats.requests,
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies, default=0) * 1000, 1),
            "error_rate_pct": round(100 * run.stats.failed / max(run.stats.requests, 1), 3),
            "retries": sum(o.retries for o in run.outcomes),
            "duration_s": round(span, 1),
        }
    )
    failing = {k: v for k, v in run.stats.statuses.items() if not k.startswith(("2", "3"))}
    if failing:
        run.report.notes.append(
            "failed attempts: " + ", ".join(f"{k} ×{v}" for k, v in sorted(failing.items()))
        )


async def _after(run: Run) -> None:
    """Checks that need the load to be over: indicators catch up; cells are reproducible."""
    scenario = run.options.scenario
    if not ENGINE_COMMAND.exists():
        run.report.notes.append("indicator checks skipped: no refresh_indicators yet")
        return
    # Beat finds the dirty marker that every submit set; no broker message is needed.
    seconds = await wait_caught_up(run, run.options.catchup_timeout)
    since = run.events.get("redis_up")
    label = "after the load" if since is None else "after Redis returned"
    if since is not None and seconds is not None:
        seconds = time.monotonic() - since
    run.report.check(
        f"indicators caught up {label} (dirty marker clear)",
        f"≤ {run.options.catchup_timeout:.0f} s",
        "never" if seconds is None else f"{seconds:.0f} s",
        seconds is not None,
    )
    if seconds is None:
        run.report.notes.append(await asyncio.to_thread(_why_not_caught_up, run))
    if scenario in ("worker-kill", "concurrent"):
        await asyncio.to_thread(_compare_with_fresh_run, run)


def _delete_cells(stack: Stack, wave_id: int) -> None:
    with stack.db() as conn:
        conn.execute("DELETE FROM lagesbild_indicatorcell WHERE wave_id = %s", [wave_id])


def _compare_with_fresh_run(run: Run) -> None:
    stack, plan = run.stack, run.plan
    after_fault = cells_checksum(stack, plan.wave_id)
    _delete_cells(stack, plan.wave_id)
    first = stack.manage_async("refresh_indicators", "--wave", plan.wave_slug)
    second = stack.manage_async("refresh_indicators", "--wave", plan.wave_slug)
    codes = (first.wait(600), second.wait(600))
    concurrent = cells_checksum(stack, plan.wave_id)
    _delete_cells(stack, plan.wave_id)
    stack.manage("refresh_indicators", "--wave", plan.wave_slug)
    reference = cells_checksum(stack, plan.wave_id)
    run.report.info("cells of an undisturbed run", f"{reference[0]} cells, md5 {reference[1][:12]}")
    run.report.check(
        f"cells after the {run.options.scenario} scenario",
        "= undisturbed run",
        f"{after_fault[0]} cells, md5 {after_fault[1][:12]}",
        after_fault == reference,
    )
    run.report.check(
        "cells of two refreshes at once",
        "= undisturbed run",
        f"{concurrent[0]} cells, md5 {concurrent[1][:12]} (exit {codes[0]}, {codes[1]})",
        concurrent == reference and codes == (0, 0),
    )


async def run_scenario(stack: Stack, plan: Plan, options: RunOptions) -> Report:
    report = Report(options.scenario, plan.pupils, len(plan.classes))
    if options.scenario in NEEDS_ENGINE and not ENGINE_COMMAND.exists():
        report.notes.append("skipped: needs refresh_indicators (the lägesbild engine)")
        return report
    run = Run(stack, plan, options, report)
    run.before_sheets = set(_sheets(run))
    run.before_spent = _spent(run)
    since = time.monotonic()
    await play(run)
    _reconcile(run)
    _metrics(run)
    await _after(run)
    _report_restarts(run, since)
    return report


# --- Command line ------------------------------------------------------------------------------


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="baseline", choices=[*SCENARIOS, "all"])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--classes", type=int, default=60)
    parser.add_argument("--start-window", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 4.0), metavar=("MIN", "MAX"))
    parser.add_argument("--fault-at", type=float, default=30.0)
    parser.add_argument("--outage", type=float, default=20.0)
    parser.add_argument("--beat-interval", type=float, default=None)
    parser.add_argument("--catchup-timeout", type=float, default=600.0)
    parser.add_argument("--web-workers", type=int, default=5)
    parser.add_argument("--synth", type=int, default=0, help="synthetic sheets in the wave first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the reports here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--proxy", action="store_true", help="nginx in front of gunicorn, as in production"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.pupils <= MAX_PUPILS:
        parser.error(f"--pupils must be 1–{MAX_PUPILS}")
    if not 1 <= args.classes <= args.pupils:
        parser.error("--classes must be 1–pupils")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["setup-data"]:
        setup = argparse.ArgumentParser()
        setup.add_argument("--slug", required=True)
        setup.add_argument("--classes", type=int, required=True)
        setup.add_argument("--pupils", type=int, required=True)
        a = setup.parse_args(argv[1:])
        print(json.dumps(setup_data(slug=a.slug, classes=a.classes, pupils=a.pupils)))
        return 0
    args = _parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_all_and_exit)
    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    options = StackOptions(
        web_workers=args.web_workers,
        beat_interval=args.beat_interval,
        keep_dir=args.keep,
        proxy=args.proxy,
    )
    reports: list[Report] = []
    for index, scenario in enumerate(scenarios):
        # A fresh private stack per scenario: one fault's after-effects never reach the next.
        with Stack(options) as stack:
            print(
                f"stack up in {stack.root} (web :{stack.web_port}, proxy :{stack.proxy_port}, "
                f"pg :{stack.pg_port}, redis :{stack.redis_port})",
                flush=True,
            )
            plan = prepare(
                stack,
                slug=f"dag-{scenario}-{index}",
                classes=args.classes,
                pupils=args.pupils,
                synth=args.synth if scenario == "worker-kill" else 0,
            )
            run_options = RunOptions(
                scenario=scenario,
                start_window=args.start_window,
                think=tuple(args.think),
                fault_at=args.fault_at,
                outage=args.outage,
                catchup_timeout=args.catchup_timeout,
                seed=args.seed,
            )
            report = asyncio.run(run_scenario(stack, plan, run_options))
            print(report.table(), flush=True)
            reports.append(report)
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) for r in reports], indent=2, ensure_ascii=False) + "\n"
        )
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
