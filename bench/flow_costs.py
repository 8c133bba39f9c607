"""What each kind of pupil request costs, in CPU time: the server process and PostgreSQL.

Walks `--pupils` pupils through the flow in-process with Django's test client (forms
posted urlencoded, as a browser does), production settings (DEBUG off), against the
PostgreSQL database of `bench/bench_flow.py`, and prints per request type the median
wall time, the CPU time of this process (the request less the test client) and of the
PostgreSQL backend serving it, read from /proc (same machine only). CPU time is what
decides throughput on a machine whose cores are all busy, and it is far less disturbed
by other load than wall time. `--tree` measures another source tree (e.g. an older
commit exported with `git archive`) against the same database. Usage:

    .venv/bin/python bench/flow_costs.py [--pupils 300] [--database flow_bench] [--tree DIR]
"""

import argparse
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--database", default="flow_bench")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the source tree to measure")
    args = parser.parse_args()
    # The measured tree only (its own copy of bench_flow's walker): not this one.
    tree = str(args.tree.resolve())
    sys.path[:] = [tree, *(p for p in sys.path if Path(p or ".").resolve() != ROOT)]
    os.chdir(tree)  # Celery's Django fix-up puts the working directory first on the path
    pg = os.environ.get("BENCH_PG", "postgres://trygghet:trygghet@127.0.0.1:5432")
    os.environ.update(
        {
            "DATABASE_URL": f"{pg}/{args.database}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
            "DJANGO_SETTINGS_MODULE": "eskilstuna_trygghet.settings",
        }
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.bench_flow import ISSUE, next_step

    namespace: dict[str, Any] = {}
    exec(ISSUE.replace("COUNT", str(args.pupils + 5)).replace("print(", "_ = ("), namespace)  # noqa: S102
    codes: list[str] = list(namespace["out"])[: args.pupils + 5]
    client = Client()  # one handler, as in a worker
    costs: dict[str, list[tuple[float, float, float]]] = {}

    def request(method: str, path: str, data: list[tuple[str, str]] | None) -> Any:
        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        db_before, cpu_before, started = (
            _backend_cpu(backend),
            time.process_time(),
            time.perf_counter(),
        )
        if method == "POST":
            body = urlencode(data or [])
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(path)
        wall = time.perf_counter() - started
        cost = (wall, time.process_time() - cpu_before, _backend_cpu(backend) - db_before)
        name = f"{method} {re.sub(r'/\d+/', '/n/', path.split('?')[0])}"
        if method == "POST" and path == "/":
            name = "POST / (code)"
        elif method == "POST" and response.status_code == 302:
            name = "POST last page (submit)"
        if record:
            costs.setdefault(name, []).append(cost)
        return response

    record = False

    def walk(code: str) -> None:
        client.cookies.clear()
        url, response = "http://testserver/", request("GET", "/", None)
        for _ in range(40):
            if response.status_code in (301, 302, 303):
                url = "http://testserver" + response["Location"]
                response = request("GET", response["Location"], None)
                continue
            step = next_step(response.content.decode(), url, code)
            if step is None:
                return
            url = step.url
            response = request(step.method, url.removeprefix("http://testserver"), step.form)
        raise RuntimeError("no end of the flow")

    for code in codes[:5]:  # warm the caches, as in a running worker
        walk(code)
    record = True
    for code in codes[5:]:
        walk(code)
    total_cpu = sum(c[1] + c[2] for rows in costs.values() for c in rows)
    requests = sum(len(rows) for rows in costs.values())
    import surveys

    measured = Path(surveys.__file__).parent.parent
    print(
        f"{measured}: {args.pupils} pupils, {requests / args.pupils:.1f} "
        f"requests each; CPU per pupil {total_cpu / args.pupils * 1000:.1f} ms, per request "
        f"{total_cpu / requests * 1000:.2f} ms (this process and PostgreSQL); load "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"  {'request':26} {'n':>5} {'wall ms':>8} {'CPU ms':>7} {'PostgreSQL':>10}")
    for name, rows in costs.items():
        wall = statistics.median(c[0] for c in rows) * 1000
        cpu = sum(c[1] for c in rows) / len(rows) * 1000
        db = sum(c[2] for c in rows) / len(rows) * 1000
        print(f"  {name:26} {len(rows):5} {wall:8.2f} {cpu:7.2f} {db:10.2f}")


if __name__ == "__main__":
    main()
