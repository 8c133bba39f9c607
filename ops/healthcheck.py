#!/usr/bin/env python3
"""Healthchecks of the compose services (docker-compose.yml), standard library only, so a
check costs milliseconds and no Django start-up.

  ops/healthcheck.py web [URL]                GET /healthz; healthy only on 200
  ops/healthcheck.py beat FILE [MAX_AGE_S]    beat's schedule file written within MAX_AGE_S
  ops/healthcheck.py worker FILE [MAX_AGE_S]  the worker's heartbeat file written within
                                              MAX_AGE_S (by its start and its heartbeat task)
The production smoke test (tests/core/test_production_smoke.py) runs these same commands.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

USAGE = "usage: ops/healthcheck.py web [URL] | {beat,worker} FILE [MAX_AGE_SECONDS]"
WEB_URL = "http://127.0.0.1:8000/healthz"
# Beat writes its schedule after every task it sends (CELERY_BEAT_SYNC_EVERY = 1), and the
# worker writes its heartbeat file on each heartbeat task; that task is sent every 30 s:
# four missed writes mean beat or the worker is stuck.
MAX_AGE_SECONDS = 120.0


def _host() -> str:
    """A host name Django accepts: the first of ALLOWED_HOSTS (gunicorn is reached by its
    container address, which the allowed hosts need not include)."""
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    return "localhost" if host == "*" else host


def web(url: str) -> int:
    # As the TLS proxy sends it: the request counts as HTTPS for Django's redirect rules.
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own
        url, headers={"Host": _host(), "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            status = int(response.status)
            body = response.read(500).decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(500).decode(errors="replace")
    except OSError as error:
        print(f"web: {error}", file=sys.stderr)
        return 1
    print(f"web: {status} {body}")
    return 0 if status == 200 else 1


def fresh(service: str, path: Path, max_age: float) -> int:
    """Healthy when `path` was written within `max_age` seconds. Beat's schedule is a dbm
    file: one file, or several beside it (.db, .dat, .dir)."""
    files = [p for p in path.parent.glob(f"{path.name}*") if p.is_file()]
    if not files:
        print(f"{service}: no file {path}", file=sys.stderr)
        return 1
    age = time.time() - max(p.stat().st_mtime for p in files)
    print(f"{service}: {path.name} written {age:.0f} s ago")
    return 0 if age <= max_age else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["web"] and len(argv) <= 2:
        return web(argv[1] if len(argv) == 2 else WEB_URL)
    if argv[:1] in (["beat"], ["worker"]) and len(argv) in (2, 3):
        max_age = float(argv[2]) if len(argv) == 3 else MAX_AGE_SECONDS
        return fresh(argv[0], Path(argv[1]), max_age)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
