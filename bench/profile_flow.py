"""Where a pupil's server time goes: whole flows in-process, production settings, cProfile.

Walks `--pupils` pupils through the flow with Django's test client (no HTTP, no load
generator) against the PostgreSQL database of `bench/bench_flow.py` (created and seeded
by it), with DEBUG off, and prints the server time per pupil and per request, the share
spent in template rendering, in SQL (psycopg) and in the session and middleware layers,
and the statements per pupil. Usage (after one run of bench_flow.py):

    .venv/bin/python bench/profile_flow.py [--pupils 200] [--database flow_bench]
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Which functions' cumulative time make up each layer (cumulative times of a layer's entry
# points; a layer's time includes whatever it calls, so the shares overlap a little).
LAYERS = {
    "template rendering": ("django/template/backends/django.py", "render"),
    "SQL statements": ("django/db/backends/utils.py", "execute"),
    "commits": ("django/db/backends/base/base.py", "commit"),
    "session and user (middleware)": ("django/contrib/sessions/backends/base.py", "_get_session"),
    "whole request (handler, middleware and view)": (
        "django/core/handlers/base.py",
        "get_response",
    ),
    "view (with process_view, inside every middleware)": (
        "django/core/handlers/base.py",
        "_get_response",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=200)
    parser.add_argument("--database", default="flow_bench")
    args = parser.parse_args()
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
    from django.test.utils import CaptureQueriesContext

    from bench.bench_flow import ISSUE, next_step

    namespace: dict[str, object] = {}
    exec(ISSUE.replace("COUNT", str(args.pupils + 5)).replace("print(", "_ = ("), namespace)  # noqa: S102
    codes = list(namespace["out"])[: args.pupils + 5]  # type: ignore[call-overload]

    client = Client()  # one handler, as in a worker (a Client per pupil rebuilds middleware)
    trail: list[str] = []

    def walk(code: str) -> int:
        client.cookies.clear()
        trail.clear()
        url, response = "http://testserver/", client.get("/")
        requests = 1
        while True:
            if requests > 30:
                raise RuntimeError(" → ".join(trail[-6:]) + response.content.decode()[:3000])
            if response.status_code in (301, 302, 303):
                url = "http://testserver" + response["Location"]
                response = client.get(response["Location"])
                requests += 1
                continue
            step = next_step(response.content.decode(), url, code)
            if step is None:
                return requests
            url = step.url
            path = step.url.removeprefix("http://testserver")
            trail.append(f"{step.method} {path}")
            response = (
                client.post(path, dict(_pairs(step.form)))
                if step.method == "POST"
                else client.get(path)
            )
            requests += 1

    for code in codes[:5]:  # warm the caches, as in a running worker
        walk(code)
    print("one pupil:", ", ".join(trail))
    profile = cProfile.Profile()
    requests = 0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profile.enable()
        for code in codes[5:]:
            requests += walk(code)
        profile.disable()
        elapsed = time.perf_counter() - started
    per_pupil = elapsed / args.pupils * 1000
    print(
        f"{args.pupils} pupils, {requests / args.pupils:.1f} requests each: "
        f"{per_pupil:.1f} ms server time per pupil (profiled), "
        f"{elapsed / requests * 1000:.2f} ms per request; "
        f"{len(queries) / args.pupils:.1f} SQL statements per pupil; "
        f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    stats = pstats.Stats(profile)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "walk")  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for layer, (path, name) in LAYERS.items():
        spent = sum(
            v[3]
            for k, v in stats.stats.items()  # type: ignore[attr-defined]
            if k[0].endswith(path) and k[2] == name
        )
        print(f"  {layer}: {spent / total:.0%}")
        shares[layer] = spent / total
    handler, view = list(shares.values())[-2:]
    print(f"  middleware (the whole request less the view): {handler - view:.0%}")
    stats.sort_stats("tottime").print_stats(15)
    # The middleware's own functions (their `process_request` / `process_response` and
    # what they call), by cumulative time.
    stats.sort_stats("cumulative").print_stats(r"middleware.*(process_|__call__)", 25)


def _pairs(form: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in form:
        data.setdefault(key, []).append(value)
    return data


if __name__ == "__main__":
    main()
