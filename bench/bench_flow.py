"""The pupil flow against a minimal Django page, in one sitting (issue #19).

Three servers run side by side on 127.0.0.1, each gunicorn with 4 sync workers, DEBUG
off, PostgreSQL:

- `minimal`: a bench-only Django page (`bench/minimal/`, never in the product's URLs):
  40 radio questions, CSRF, one INSERT, a redirect to a thank-you page (3 requests a sheet);
- `flow`: this working tree's pupil flow;
- `base` (with `--base-commit`): the same flow at an earlier commit, exported with
  `git archive` into a temporary folder and served from there with its own database.

Rounds are interleaved (the order rotates each round): in each, every server in turn gets
closed-loop load from `--clients` threads for `--seconds`. A thread walks whole flows one
after the other with fresh codes and counts its requests: it knows nothing of the
questionnaire and presses the primary button of the page's main form (the first option of
every radio group, the first district, the code on the start page), or follows the page's
primary link, until a page offers neither (the thank-you page). Then the final submit on
its own: pupils walked up to their last page beforehand (untimed) post it, against the
minimal page's POST (its INSERT and redirect). Every phase reconciles: sheets stored =
codes spent = pupils finished, no sheet twice.

Prints pupils/s, requests per pupil, requests/s and the ratios, with load averages.
Servers stop by themselves at the end (and on Ctrl-C). Usage:

    .venv/bin/python bench/bench_flow.py [--base-commit a892c96] [--rounds 3] [--seconds 20]
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://trygghet:trygghet@127.0.0.1:5432")
SECRET = secrets.token_urlsafe(32)  # the demo users and the signing key of this run only
WORKERS = 4

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
INPUT = re.compile(r"<input\b([^>]*)>")
BUTTON = re.compile(r"<button\b([^>]*)>")
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
LINK = re.compile(r"<a\b([^>]*)>")
ATTR = re.compile(r'([\w-]+)="([^"]*)"')
PRIMARY = ("btn-primary", "btn-success")


def _attrs(tag: str) -> dict[str, str]:
    return dict(ATTR.findall(tag))


def _primary(attrs: dict[str, str]) -> bool:
    return any(css in attrs.get("class", "").split() for css in PRIMARY)


@dataclass
class Step:
    """What a pupil does next on a page: a form to post, a link to follow, or nothing."""

    method: str
    url: str
    form: list[tuple[str, str]] = field(default_factory=list)


def next_step(html: str, here: str, code: str) -> Step | None:
    for form_attrs, body in FORM.findall(html):
        attrs = _attrs(form_attrs)
        if attrs.get("method", "get").lower() != "post":
            continue
        buttons = [_attrs(b) for b in BUTTON.findall(body)]
        inputs = [_attrs(i) for i in INPUT.findall(body)]
        buttons += [i for i in inputs if i.get("type") == "submit"]
        primary = next((b for b in buttons if _primary(b)), None)
        if primary is None:
            continue
        data: list[tuple[str, str]] = []
        radios: set[str] = set()
        for i in inputs:
            kind, name = i.get("type", "text"), i.get("name", "")
            if not name or kind == "submit":
                continue
            if kind == "hidden":
                data.append((name, i.get("value", "")))
            elif kind == "radio" and name not in radios:
                radios.add(name)
                data.append((name, i.get("value", "")))
            elif kind == "text" and name == "code":
                data.append((name, code))
            elif kind == "text" and i.get("inputmode") == "numeric":
                data.append((name, i.get("value") or "0"))
        for select_attrs, options in SELECT.findall(body):
            values = OPTION.findall(options)
            if values:
                data.append((_attrs(select_attrs)["name"], values[0]))
        if primary.get("name"):
            data.append((primary["name"], primary.get("value", "")))
        return Step("POST", urllib.parse.urljoin(here, attrs.get("action") or here), data)
    for link in LINK.findall(html):
        attrs = _attrs(link)
        if _primary(attrs) and attrs.get("href"):
            return Step("GET", urllib.parse.urljoin(here, attrs["href"]))
    return None


class Client:
    """A tiny HTTP client with cookies, one per simulated pupil (loopback only)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.requests = 0

    def request(
        self, method: str, url: str, form: list[tuple[str, str]] | None = None
    ) -> tuple[int, str, str]:
        path = urllib.parse.urlsplit(url)
        target = path.path + (f"?{path.query}" if path.query else "")
        headers = {"Host": "127.0.0.1", "Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, target, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        self.requests += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        location = response.headers.get("Location", "")
        return response.status, urllib.parse.urljoin(url, location), data.decode()

    def walk(self, code: str, *, stop_before_submit: bool = False) -> Step | None:
        """One pupil from the start page to the thank-you page; with `stop_before_submit`,
        the last page's post is returned instead of sent."""
        url = f"http://127.0.0.1:{self.port}/"
        status, location, html = self.request("GET", url)
        for _ in range(40):
            if status in (301, 302, 303):
                url = location
                status, location, html = self.request("GET", url)
                continue
            if status != 200:
                raise RuntimeError(f"{status} on {url}")
            step = next_step(html, url, code)
            if step is None:
                return None
            if stop_before_submit and "btn-success" in html and step.method == "POST":
                return step
            url = step.url
            status, location, html = self.request(step.method, step.url, step.form or None)
        raise RuntimeError(f"no end of the flow after 40 pages: {url}")


@dataclass
class Server:
    name: str
    root: Path
    port: int
    database: str
    settings: str
    wsgi: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def database_url(self) -> str:
        return f"{PG}/{self.database}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DEBUG": "0",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": self.settings,
            "REDIS_URL": "",
            "DEMO_PASSWORD": SECRET,
            "PYTHONPATH": str(self.root),
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=self.root,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                self.wsgi,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=self.root,
            env=self.env(),
            start_new_session=True,
        )
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def _sql(database_url: str, query: str) -> int:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
        return int(row[0]) if row and row[0] is not None else 0


def _create_database(name: str) -> bool:
    """Create the database unless it exists; True when created."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


ISSUE = r"""
from surveys.models import SchoolClass, Wave
from surveys.services import codes_issue, DEMO_WAVE_SLUG
wave = Wave.objects.get(slug=DEMO_WAVE_SLUG)
SchoolClass.objects.update(expected_size=30_000)
wanted, out = COUNT, []
while len(out) < wanted:
    for school_class in SchoolClass.objects.order_by("pk"):
        out += codes_issue(wave=wave, school_class=school_class, count=200)
        if len(out) >= wanted:
            break
print("\n".join(out[:wanted]))
"""


def issue_codes(server: Server, count: int) -> list[str]:
    out = server.manage("shell", "-c", ISSUE.replace("COUNT", str(count)))
    return [line for line in out.splitlines() if re.fullmatch(r"\w{4}-\w{4}-\w{4}", line)]


def prepare(server: Server, fresh: bool) -> None:
    created = _create_database(server.database)
    if server.name == "minimal":
        import psycopg

        from bench.minimal.schema import CREATE_TABLE

        with psycopg.connect(server.database_url, autocommit=True) as conn:
            conn.execute(CREATE_TABLE)
        return
    if created or fresh:
        server.manage("migrate", "--no-input")
        server.manage("seed_demo", "--allow-production-demo")
    server.manage("collectstatic", "--no-input")


def export_base(commit: str, into: Path) -> Path:
    """The tree at `commit`, with this tree's compiled messages and front-end packages."""
    archive = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "node_modules").symlink_to(ROOT / "node_modules")
    subprocess.run(
        [
            str(Path(PYTHON).parent / "pybabel"),
            "-q",
            "compile",
            "--domain",
            "django",
            "--directory",
            "locale",
        ],
        cwd=into,
        check=True,
        capture_output=True,
    )
    return into


@dataclass
class Result:
    done: int = 0  # pupils (sheets) finished
    requests: int = 0
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-min load average before, after
    # CPU seconds the server used in the window: its gunicorn processes, and the
    # PostgreSQL backends serving its database (less sensitive to the machine's other
    # load than requests/s, which count waiting for a core too).
    app_cpu: float = 0.0
    db_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.done / self.seconds

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return (self.app_cpu + self.db_cpu) * 1000 / max(1, self.requests)


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended meanwhile
        return []


def _app_cpu(master: int) -> float:
    """CPU seconds of a gunicorn master and its workers, the reaped ones included."""
    total = 0.0
    fields = _stat(master)
    if fields:  # utime, stime, and the reaped children's cutime, cstime
        total += sum(int(v) for v in fields[11:15]) / _TICK
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _cpu(server: "Server") -> tuple[float, float, dict[int, float]]:
    """(gunicorn CPU, PostgreSQL CPU of the database's backends, per backend)."""
    import psycopg

    with psycopg.connect(server.database_url, autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [server.database],
            ).fetchall()
        ]
    backends = {pid: (int(f[11]) + int(f[12])) / _TICK for pid in pids if (f := _stat(pid))}
    master = server.process.pid if server.process else 0
    return _app_cpu(master), sum(backends.values()), backends


def _timed(
    target: Callable[[], None], clients: int, seconds: float, result: Result, server: "Server"
) -> None:
    """Run ``target`` in ``clients`` threads; record the time taken (at most ``seconds``),
    the load average before and after and the server's CPU time in ``result``."""
    load_before = os.getloadavg()[0]
    app_before, _db, backends_before = _cpu(server)
    threads = [threading.Thread(target=target) for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = min(time.monotonic() - start, seconds)
    result.load = (load_before, os.getloadavg()[0])
    app_after, _db, backends_after = _cpu(server)
    result.app_cpu = app_after - app_before
    result.db_cpu = sum(t - backends_before.get(pid, 0.0) for pid, t in backends_after.items())


def closed_loop(server: Server, codes: list[str], seconds: float, clients: int) -> Result:
    """`clients` threads walk whole flows until the time is up (the minimal page's sheet is
    a flow of its own: GET, POST, GET)."""
    lock = threading.Lock()
    pool = iter(codes)
    result = Result()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        done = requests = 0
        while time.monotonic() < deadline:
            with lock:
                code = next(pool, None)
            if code is None:
                break
            client = Client(server.port)
            client.walk(code)
            if time.monotonic() <= deadline:
                done += 1
                requests += client.requests
        with lock:
            result.done += done
            result.requests += requests

    _timed(worker, clients, seconds, result, server)
    if next(pool, None) is None:
        raise RuntimeError(f"{server.name}: ran out of codes; issue more")
    return result


def final_submits(server: Server, codes: list[str], seconds: float, clients: int) -> Result:
    """Pupils on their last page (walked there untimed) post it; for the minimal page the
    POST of its form. Only the final posts are timed and counted."""
    steps: list[tuple[Client, Step]] = []
    lock = threading.Lock()
    pool = iter(codes)

    def walker() -> None:
        while True:
            with lock:
                code = next(pool, None)
            if code is None:
                return
            client = Client(server.port)
            step = client.walk(code, stop_before_submit=True)
            if step is None:
                raise RuntimeError("no final submit found")
            with lock:
                steps.append((client, step))

    if server.name == "minimal":
        for _ in codes:
            client = Client(server.port)
            url = f"http://127.0.0.1:{server.port}/"
            step = next_step(client.request("GET", url)[2], url, "")
            if step is None:
                raise RuntimeError("the minimal page has no form")
            steps.append((client, step))
    else:
        threads = [threading.Thread(target=walker) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    queue = iter(steps)
    result = Result()
    deadline = time.monotonic() + seconds

    def poster() -> None:
        done = 0
        while time.monotonic() < deadline:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            client, step = item
            status, _location, _html = client.request(step.method, step.url, step.form)
            if status not in (200, 302, 303):
                raise RuntimeError(f"final submit answered {status}")
            done += 1
        with lock:
            result.done += done

    _timed(poster, clients, seconds, result, server)
    result.requests = result.done
    return result


def sheets(server: Server) -> int:
    table = "bench_minimal_sheet" if server.name == "minimal" else "surveys_answersheet"
    return _sql(server.database_url, f"SELECT count(*) FROM {table}")  # noqa: S608


# Codes whose sheet is stored (`surveys.models.ANSWERED`): spent, and the draft gone (the
# same on trees where the submit spent the code: its draft was gone too).
ANSWERED_CODES = (
    "SELECT count(*) FROM surveys_accesscode a WHERE spent "
    "AND NOT EXISTS (SELECT 1 FROM surveys_sheetdraft d WHERE d.code_id = a.id)"
)


def reconcile(server: Server, before: tuple[int, int, int], finished: int) -> tuple[int, int, int]:
    now = sheets(server)
    if server.name == "minimal":
        return now, 0, 0
    spent = _sql(server.database_url, ANSWERED_CODES)
    distinct = _sql(
        server.database_url, "SELECT count(DISTINCT submission_id) FROM surveys_answersheet"
    )
    added, spent_added, distinct_added = now - before[0], spent - before[1], distinct - before[2]
    # A pupil whose last post was answered after the deadline is stored but not counted.
    if not (finished <= added == spent_added == distinct_added <= finished + 2 * WORKERS * 2):
        raise RuntimeError(
            f"{server.name}: finished {finished}, sheets +{added}, codes spent +{spent_added}, "
            f"distinct submission ids +{distinct_added}"
        )
    return now, spent, distinct


def counts(server: Server) -> tuple[int, int, int]:
    if server.name == "minimal":
        return sheets(server), 0, 0
    spent = _sql(server.database_url, ANSWERED_CODES)
    distinct = _sql(
        server.database_url, "SELECT count(DISTINCT submission_id) FROM surveys_answersheet"
    )
    return sheets(server), spent, distinct


@contextmanager
def servers(args: argparse.Namespace, scratch: Path) -> Iterator[list[Server]]:
    chosen = [
        Server(
            "minimal",
            ROOT,
            args.port,
            f"{args.database_prefix}_minimal",
            "bench.minimal.settings",
            "bench.minimal.wsgi",
        ),
    ]
    if args.base_commit:
        base = export_base(args.base_commit, scratch)
        chosen.append(
            Server(
                "base",
                base,
                args.port + 1,
                f"{args.database_prefix}_base",
                "eskilstuna_trygghet.settings",
                "eskilstuna_trygghet.wsgi",
            )
        )
    chosen.append(
        Server(
            "flow",
            ROOT,
            args.port + 2,
            args.database_prefix,
            "eskilstuna_trygghet.settings",
            "eskilstuna_trygghet.wsgi",
        )
    )
    try:
        for server in chosen:
            prepare(server, args.fresh)
            server.start()
        yield chosen
    finally:
        for server in chosen:
            server.stop()


def _line(name: str, result: Result) -> str:
    per_pupil = result.requests / max(1, result.done)
    return (
        f"  {name:8} {result.per_second:7.1f} sheets/s  {per_pupil:5.1f} requests/sheet  "
        f"{result.requests_per_second:6.0f} requests/s  {result.cpu_ms_per_request:5.2f} ms CPU "
        f"per request (app {result.app_cpu * 1000 / max(1, result.requests):.2f})  "
        f"(load {result.load[0]:.1f} → {result.load[1]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-commit", default="", help="also serve the flow at this commit")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="per server and round")
    parser.add_argument("--submit-seconds", type=float, default=15.0)
    parser.add_argument(
        "--submit-pupils", type=int, default=800, help="pupils walked to their last page"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--port",
        type=int,
        default=random.randrange(20000, 29997),
        help="the minimal page's port; base and flow take the next two (default: random)",
    )
    parser.add_argument("--fresh", action="store_true", help="migrate and seed again")
    parser.add_argument("--no-submit", action="store_true", help="skip the final-submit phase")
    parser.add_argument(
        "--database-prefix",
        default="flow_bench",
        help="the databases' names: PREFIX, PREFIX_base, PREFIX_minimal",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores; "
        f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}; gunicorn {WORKERS} sync "
        f"workers per server; {args.clients} clients; {args.rounds} rounds of "
        f"{args.seconds:.0f} s"
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    flows: dict[str, list[Result]] = {}
    submits: dict[str, list[Result]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="flow-bench-") as scratch,
        servers(args, Path(scratch)) as chosen,
    ):
        for number in range(args.rounds):
            order = chosen[number % len(chosen) :] + chosen[: number % len(chosen)]
            print(f"round {number + 1}: whole flows")
            for server in order:
                codes = (
                    [] if server.name == "minimal" else issue_codes(server, int(args.seconds * 150))
                )
                pool = codes or ["-"] * 100_000
                before = counts(server)
                result = closed_loop(server, pool, args.seconds, args.clients)
                reconcile(server, before, result.done)
                flows.setdefault(server.name, []).append(result)
                print(_line(server.name, result))
            if args.no_submit:
                continue
            print(f"round {number + 1}: final submit alone")
            for server in order:
                if server.name == "base":
                    continue  # walking the old flow up to the last page costs too long
                codes = (
                    ["-"] * args.submit_pupils
                    if server.name == "minimal"
                    else issue_codes(server, args.submit_pupils)
                )
                before = counts(server)
                result = final_submits(server, codes, args.submit_seconds, args.clients)
                reconcile(server, before, result.done)
                submits.setdefault(server.name, []).append(result)
                print(_line(server.name, result))
    summary(flows, submits)


def _median(results: list[Result], value: str) -> float:
    return float(statistics.median(float(getattr(r, value)) for r in results))


def summary(flows: dict[str, list[Result]], submits: dict[str, list[Result]]) -> None:
    print("medians over the rounds:")
    minimal = flows["minimal"]
    for name, results in flows.items():
        per_pupil = sum(r.requests for r in results) / max(1, sum(r.done for r in results))
        pupils = _median(results, "per_second")
        rps = _median(results, "requests_per_second")
        cpu = _median(results, "cpu_ms_per_request")
        print(
            f"  {name:8} {pupils:7.1f} sheets/s, {per_pupil:5.1f} requests per sheet, "
            f"{rps:6.0f} requests/s = {rps / _median(minimal, 'requests_per_second'):.0%} of "
            f"the minimal page's requests/s; {cpu:.2f} ms server CPU per request = "
            f"{_median(minimal, 'cpu_ms_per_request') / cpu:.0%} of the minimal page's "
            "requests per CPU second"
        )
    # Within a round the servers ran minutes apart under much the same foreign load: the
    # ratio of a round is steadier than the ratio of medians taken over rounds.
    for name, results in flows.items():
        if name == "minimal":
            continue
        pairs = zip(results, minimal, strict=True)
        rounds = [r.requests_per_second / m.requests_per_second for r, m in pairs]
        print(
            f"  {name:8} requests/s per round: "
            + ", ".join(f"{x:.0%}" for x in rounds)
            + f" of the minimal page's; median {statistics.median(rounds):.0%}"
        )
    if "base" in flows:
        ratio = _median(flows["flow"], "per_second") / _median(flows["base"], "per_second")
        rounds = [
            f.per_second / b.per_second for f, b in zip(flows["flow"], flows["base"], strict=True)
        ]
        print(
            f"  pupils/s, flow / base: {ratio:.2f}× on the medians; per round "
            + ", ".join(f"{x:.2f}×" for x in rounds)
            + f", median {statistics.median(rounds):.2f}×"
        )
    for name, results in submits.items():
        rate = _median(results, "per_second")
        print(
            f"  final submit {name:8} {rate:7.1f} sheets/s = "
            f"{rate / _median(submits['minimal'], 'per_second'):.0%} of the minimal POST"
        )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
