"""Benchmark of the dashboard pages: server time warm and cold, figure JSON, JavaScript.

Data: 10 published waves, each with the cells that 100,000 answer sheets give (every
indicator and TRY07 place × kommun and 22 districts × total, gender and grade band), made
directly with the same disclosure rules the aggregation uses. District boundaries are
synthetic irregular polygons of about 1,500 vertices each (benchmark data only, never
shown as real boundaries) to measure the map figure after simplification.

Server time is the wall time of a request through the whole Django stack (session,
authentication, access check, audit row, selectors, template) with the test client.
"warm": the page's data is in the cache. "cold": the cache is empty before every request.

Targets (issue "Dashboards"): p95 warm ≤ 50 ms, cold ≤ 200 ms, JavaScript ≤ 600 KB gzip,
each figure's JSON ≤ 30 KB.

Run with DATABASE_URL (PostgreSQL) and REDIS_URL set for the production configuration:
    DATABASE_URL=postgres://... REDIS_URL=redis://.../n make bench
It creates and drops its own test database.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eskilstuna_trygghet.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

WAVES = 10
SHEETS = 100_000
WARM_RUNS = 60
COLD_RUNS = 25
PAGES = {
    "overview": "/0484/lagesbild/",
    "indicator": "/0484/lagesbild/indikator/EXP02/?breakdown=girls&area=SKI",
    "district": "/0484/lagesbild/omrade/SKI/",
    "map": "/0484/lagesbild/karta/?indicator=EXP02",
}
FIGURE = re.compile(
    r'<script id="(chart-[a-z]+-data)" type="application/json">(.*?)</script>', re.S
)


def synthetic_polygon(rng: random.Random, cx: float, cy: float, vertices: int) -> list[list[float]]:
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        radius = 0.012 * (1 + 0.25 * math.sin(5 * angle) + 0.05 * rng.random())
        ring.append([cx + radius * math.cos(angle) * 1.9, cy + radius * math.sin(angle)])
    ring.append(ring[0])
    return ring


def build_data() -> None:
    from lagesbild.geo_services import district_shapes_import
    from tests.lagesbild.dashboard_factories import build_cube, demo_districts, make_wave

    rng = random.Random(7)
    districts = demo_districts()
    start = timezone.now() - timedelta(days=365 * WAVES)
    for i in range(WAVES):
        opens = start + timedelta(days=365 * i)
        wave = make_wave(
            municipality=districts[0].municipality,
            name=f"HT {2016 + i}",
            slug=f"ht-{2016 + i}",
            opens_at=opens,
            closes_at=opens + timedelta(days=21),
            published_at=opens + timedelta(days=40),
        )
        build_cube(wave, districts, pupils=SHEETS, seed=i)
    features = [
        {
            "type": "Feature",
            "properties": {"code": d.code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    synthetic_polygon(rng, 16.3 + (i % 6) * 0.05, 59.3 + (i // 6) * 0.03, 1500)
                ],
            },
        }
        for i, d in enumerate(districts)
    ]
    district_shapes_import(
        raw=json.dumps({"type": "FeatureCollection", "features": features}).encode(),
        municipality=districts[0].municipality,
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(client: Client, url: str, *, cold: bool, runs: int) -> tuple[list[float], list[float]]:
    """Wall time and this process's CPU time of each request, in ms. The CPU time leaves
    out waiting for a core, which matters on a shared machine (see the load average)."""
    times = []
    cpu = []
    client.get(url)  # template compilation, imports
    for _ in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        cpu_started = time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - cpu_started) * 1000)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times, cpu


def main() -> None:
    from accounts.access import Role
    from lagesbild.models import IndicatorCell
    from tests.accounts.accounts_helpers import login_verified, make_staff

    # No setup_test_environment(): its template instrumentation would be measured too.
    settings.DEBUG = False  # no query log: measure what production runs
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build_data()
        print(
            f"data: {WAVES} waves, {IndicatorCell.objects.count():,} cells, "
            f"built in {time.perf_counter() - started:.0f} s"
        )
        print(f"database: {connection.vendor}, cache: {settings.CACHES['default']['BACKEND']}")
        client = Client()
        login_verified(client, make_staff(Role.ANALYST, organisation="polis"))
        print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        print(
            f"{'page':<10} {'warm p50':>9} {'warm p95':>9} {'cold p50':>9} {'cold p95':>9}"
            f"   {'CPU warm p95':>12} {'CPU cold p95':>12}"
        )
        # Baseline from the same run: the plainest signed-in page (the account page), so
        # the dashboards' own cost can be told from the machine's load and the login stack.
        base, base_cpu = measure(client, "/konto/", cold=False, runs=WARM_RUNS)
        print(
            f"{'baseline':<10} {statistics.median(base):>7.1f}ms {p95(base):>7.1f}ms "
            f"{'':>9} {'':>9}   {p95(base_cpu):>10.1f}ms   (/konto/, the account page)"
        )
        for name, url in PAGES.items():
            cold, cold_cpu = measure(client, url, cold=True, runs=COLD_RUNS)
            warm, warm_cpu = measure(client, url, cold=False, runs=WARM_RUNS)
            print(
                f"{name:<10} {statistics.median(warm):>7.1f}ms {p95(warm):>7.1f}ms "
                f"{statistics.median(cold):>7.1f}ms {p95(cold):>7.1f}ms"
                f"   {p95(warm_cpu):>10.1f}ms {p95(cold_cpu):>10.1f}ms"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        sizes: dict[str, int] = {}
        codes = ["TRY01", "TRY07", "EXP02", "SKY01", "FOR02"]
        for code in codes:
            for url in (
                f"/0484/lagesbild/indikator/{code}/?area=SKI",
                f"/0484/lagesbild/karta/?indicator={code}",
                "/0484/lagesbild/omrade/SKI/",
            ):
                html = client.get(url).content.decode()
                for figure_id, body in FIGURE.findall(html):
                    size = len(body.encode())
                    sizes[figure_id] = max(sizes.get(figure_id, 0), size)
        for figure_id, size in sorted(sizes.items()):
            print(f"figure {figure_id:<20} largest JSON {size / 1024:6.1f} KB")
        static = ROOT / "static" / "js" / "lagesbild.js"
        plotly = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
        total = sum(len(gzip.compress(p.read_bytes(), 9)) for p in (plotly, static))
        print(f"JavaScript of a dashboard page: {total / 1024:.0f} KB gzip")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
