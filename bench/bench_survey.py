"""Benchmarks of the pupil survey over HTTP: gunicorn + PostgreSQL on this machine.

1. Final submit: N pupils each on their last page with a complete draft; every one posts
   the final page once (plus a share of double submits). Reports sheets/s, latency
   percentiles, and reconciles row counts: sheets stored = codes spent = N, no duplicate.
2. Whole flow: pupils go from the code to the thank-you page (9 requests each), pressing
   each page's primary button (bench_flow's walker).
3. Rendered size of each pupil page (HTML, raw and gzip) and the static files it loads.

Bounded: a fixed number of pupils, a time limit per phase, loopback only. Needs
PostgreSQL (BENCH_DATABASE_URL, default a database of its own on 127.0.0.1). Usage:
    .venv/bin/python bench/bench_survey.py [--sheets 3000] [--pupils 300] [--clients 16]
"""

import argparse
import gzip
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_flow import Client as FlowClient  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8102"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://trygghet:trygghet@127.0.0.1:5432/trygghet_bench_survey"
)
TIME_LIMIT = 120.0  # seconds per phase, whatever the counts
# The demo users are never used here; with DEBUG off seed_demo needs a password of its own.
DEMO_PASSWORD = secrets.token_urlsafe(16)


def _check(condition: object, detail: object) -> None:
    if not condition:
        raise RuntimeError(f"benchmark check failed: {detail}")


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "eskilstuna_trygghet.settings",
        "REDIS_URL": "",
        "DEMO_PASSWORD": DEMO_PASSWORD,
    }


def _create_database() -> None:
    import psycopg

    parsed = urllib.parse.urlparse(DATABASE_URL)
    name = parsed.path.lstrip("/")
    admin = DATABASE_URL.replace(parsed.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# Codes whose sheet is stored (`surveys.models.ANSWERED`): spent, and the draft gone (the
# same on trees where the submit spent the code: its draft was gone too).
ANSWERED_CODES = (
    "SELECT count(*) FROM surveys_accesscode a WHERE spent "
    "AND NOT EXISTS (SELECT 1 FROM surveys_sheetdraft d WHERE d.code_id = a.id)"
)


def _setup(count: int, mode: str) -> dict[str, Any]:
    import json

    script = SETUP.replace("sys.argv[1]", str(count)).replace("sys.argv[2]", repr(mode))
    data: dict[str, Any] = json.loads(_manage("shell", "-c", script).strip().splitlines()[-1])
    return data


def _manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


SETUP = r"""
import json, sys, uuid
from django.utils import timezone
from surveys import questionnaire as qn
from surveys.flow import flow_for
from surveys.models import SchoolClass, Wave, SheetDraft
from surveys.entry import code_enter
from surveys.pupil_sessions import pupil_cookie_value
from surveys.services import codes_issue, page_token, DEMO_WAVE_SLUG
count, mode = int(sys.argv[1]), sys.argv[2]
wave = Wave.objects.get(slug=DEMO_WAVE_SLUG)
flow = flow_for(wave.questionnaire)
answers = {}
for _, item in flow.questionnaire.items():
    for code in item.field_codes:
        if item.type == "multiple":
            answers[code] = [item.options[0].code]
        elif item.type == "number":
            answers[code] = item.min_value or 0
        elif item.type == "district":
            answers[code] = "SKI"
        else:
            answers[code] = item.options[0].code
classes = list(SchoolClass.objects.all())
out = []
per_class = -(-count // len(classes))
# A class gets codes for its pupils (and a few spares) only: size the classes to the run.
SchoolClass.objects.update(expected_size=min(per_class, 200))
classes = list(SchoolClass.objects.all())
for school_class in classes:
    for code in codes_issue(wave=wave, school_class=school_class, count=min(per_class, 200)):
        if len(out) >= count:
            break
        if mode == "codes":
            out.append({"code": code})
            continue
        entry = code_enter(typed=code, language="sv")
        now = timezone.now()
        SheetDraft.objects.filter(pk=entry.draft.pk).update(
            answers=answers, page=flow.count, furthest=flow.count, updated_at=now)
        cookie = pupil_cookie_value({"t": entry.token, "l": "sv", "ls": ["sv"],
                                     "q": wave.questionnaire_id, "m": wave.municipality_id})
        out.append({"cookie": cookie,
                    "steg": page_token(submission_id=entry.draft.submission_id, version=now)})
last = flow.count
last_fields = sorted(flow.page_fields(last))
print(json.dumps({"pupils": out, "last": last, "fields": {f: answers[f] for f in last_fields}}))
"""


class Client:
    """A tiny keep-alive HTTP client on loopback with cookies (one per simulated pupil)."""

    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, object] | None = None
    ) -> tuple[int, str, bytes]:
        headers = {"Host": "127.0.0.1", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            pairs = []
            for key, value in form.items():
                for item in value if isinstance(value, list) else [value]:
                    pairs.append((key, str(item)))
            body = urllib.parse.urlencode(pairs)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        return response.status, response.headers.get("Location", ""), data


def _run_parallel(jobs: list[Callable[[], float]], clients: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    index = iter(range(len(jobs)))
    deadline = time.monotonic() + TIME_LIMIT

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(index, None)
            if i is None:
                return
            took = jobs[i]()
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _sql(query: str) -> int:
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute(query).fetchone()
        return int(row[0]) if row else 0


def bench_final_submit(count: int, clients: int) -> None:
    setup = _setup(count, "drafts")
    last, fields = setup["last"], setup["fields"]
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    rows_before = _sql("SELECT count(*) FROM surveys_answersheet")
    spent_before = _sql(ANSWERED_CODES)
    doubles = 0

    def job(pupil: dict[str, str], double: bool) -> Callable[[], float]:
        def run() -> float:
            nonlocal doubles
            client = Client()
            client.cookies = {"elev": pupil["cookie"], "csrftoken": csrf}
            form = {
                **fields,
                "nav": "next",
                "steg": pupil["steg"],
                "csrfmiddlewaretoken": csrf,
            }
            start = time.monotonic()
            status, location, _ = client.request("POST", f"/sida/{last}/", form)
            took = time.monotonic() - start
            _check(status == 302 and location.startswith("/tack/"), (status, location))
            if double:  # the double click: same page again, session already gone
                status, location, _ = client.request("POST", f"/sida/{last}/", form)
                _check(status == 302 and location.startswith("/tack/"), (status, location))
                doubles += 1
            return took

        return run

    jobs = [job(p, i % 10 == 0) for i, p in enumerate(setup["pupils"])]
    latencies, elapsed = _run_parallel(jobs, clients)
    stored = _sql("SELECT count(*) FROM surveys_answersheet") - rows_before
    distinct = _sql("SELECT count(DISTINCT submission_id) FROM surveys_answersheet") - rows_before
    spent = _sql(ANSWERED_CODES) - spent_before
    drafts = _sql("SELECT count(*) FROM surveys_sheetdraft")
    print(
        f"final submit: {len(latencies)} sheets in {elapsed:.1f} s = "
        f"{len(latencies) / elapsed:.0f} sheets/s "
        f"(incl. {doubles} double submits); p50 {_pct(latencies, 0.5):.1f} ms, "
        f"p95 {_pct(latencies, 0.95):.1f} ms, p99 {_pct(latencies, 0.99):.1f} ms; clients {clients}"
    )
    print(
        f"reconciliation: posted {len(latencies)}, rows added {stored}, distinct submission ids "
        f"{distinct}, codes spent {spent}, drafts left {drafts}"
    )
    _check(stored == len(latencies) == distinct == spent, "lost or duplicated sheets")


def bench_whole_flow(count: int, clients: int) -> None:
    setup = _setup(count, "codes")
    rows_before = _sql("SELECT count(*) FROM surveys_answersheet")
    requests = 0
    lock = threading.Lock()

    def job(code: str) -> Callable[[], float]:
        def run() -> float:
            nonlocal requests
            client = FlowClient(PORT)
            start = time.monotonic()
            client.walk(code)  # presses each page's primary button, to the thank-you page
            with lock:
                requests += client.requests
            return time.monotonic() - start

        return run

    latencies, elapsed = _run_parallel([job(p["code"]) for p in setup["pupils"]], clients)
    stored = _sql("SELECT count(*) FROM surveys_answersheet") - rows_before
    print(
        f"whole flow: {len(latencies)} pupils in {elapsed:.1f} s = "
        f"{len(latencies) / elapsed:.1f} pupils/s ({requests / elapsed:.0f} requests/s, "
        f"{requests // max(1, len(latencies))} requests per pupil); "
        f"p50 {_pct(latencies, 0.5):.0f} ms, p95 {_pct(latencies, 0.95):.0f} ms per pupil; "
        f"rows added {stored}"
    )
    _check(stored == len(latencies), "stored == len(latencies)")


def bench_page_sizes() -> None:
    setup = _setup(1, "codes")
    client = FlowClient(PORT)
    pages: list[tuple[str, bytes]] = []
    original = client.request

    def keep(method: str, url: str, form: list[tuple[str, str]] | None = None) -> Any:
        status, location, html = original(method, url, form)
        if status == 200:
            pages.append((f"{method} {urllib.parse.urlsplit(url).path}", html.encode()))
        return status, location, html

    client.request = keep  # type: ignore[method-assign]
    client.walk(setup["pupils"][0]["code"])
    plain = Client()
    assets = sorted(
        {a for _, html in pages for a in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)}
    )
    asset_gz = 0
    for asset in assets:
        raw = plain.request("GET", asset.decode())[2]
        asset_gz += len(gzip.compress(raw, 6))
        print(
            f"  asset {asset.decode()}: {len(raw) / 1024:.1f} KB, "
            f"gzip {len(gzip.compress(raw, 6)) / 1024:.1f} KB"
        )
    for name, html in pages:
        _check(b"plotly" not in html.lower(), 'b"plotly" not in html.lower()')
        print(
            f"  page {name}: HTML {len(html) / 1024:.1f} KB, "
            f"gzip {len(gzip.compress(html, 6)) / 1024:.1f} KB"
        )
    largest = max(len(gzip.compress(html, 6)) for _, html in pages)
    print(
        f"page sizes: largest page {largest / 1024:.1f} KB gzip + static files "
        f"{asset_gz / 1024:.1f} KB gzip (cached after the first page) = "
        f"{(largest + asset_gz) / 1024:.1f} KB worst first load; no Plotly"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=3000)
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; gunicorn {args.workers} sync workers on 127.0.0.1:{PORT}"
    )
    _create_database()
    _manage("migrate", "--no-input")
    # DEBUG is off (production settings): the demo users get a random password.
    _manage("seed_demo", "--allow-production-demo")
    _manage("collectstatic", "--no-input")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "eskilstuna_trygghet.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        bench_page_sizes()
        bench_final_submit(args.sheets, args.clients)
        bench_whole_flow(args.pupils, args.clients)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
