"""Cache for dashboard data, keyed by the version of the data it was built from.

Entries are never expired by short TTLs or deleted one by one: the key holds a version
derived from the published waves (their ids and publication times), so publishing or
unpublishing a wave changes every key at once and the old entries are simply never read
again (Redis evicts them; the long timeout below is only a safety net). Only published
waves are ever cached: an unpublished wave's cells are never read for display. The
districts' names and flags and the kommun's åtgärdsplan (its measures) are part of the
version too; the boundaries have a generation of their own, bumped by the boundary import.

The cache is an accelerator only: if Redis is unreachable, the data is built from the
database and the page still renders. With the embedded default (no REDIS_URL) the
local-memory cache is used.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.utils import translation

log = logging.getLogger(__name__)

# v2: the cached pages' classes moved from lagesbild.selectors to lagesbild.pages, so an
# entry pickled under v1 would no longer load (and would be rebuilt on every request).
PREFIX = "lagesbild:dash:v2"
TIMEOUT = 30 * 24 * 3600  # garbage collection for superseded versions, not freshness
GEO_KEY = f"{PREFIX}:geo-generation"


def version_of(
    published: Sequence[tuple[int, object]],
    districts: Sequence[object],
    measures: Sequence[object] = (),
) -> str:
    """A short digest of every published wave's id and publication time, of the
    districts' names and flags (a renamed district or a new police classification shows
    at once) and of the kommun's measures as the pages show them (a measure saved or
    deleted shows at once). The callers have the lists already: no query here."""
    data = (sorted(published), districts, measures)
    return hashlib.sha256(repr(data).encode()).hexdigest()[:16]


def geo_generation() -> int:
    try:
        value = cache.get(GEO_KEY)
    except Exception:  # any cache failure: build from the database
        log.warning("dashboard cache unavailable", exc_info=True)
        return 0
    return int(value) if isinstance(value, int) else 0


def bump_geo_generation() -> None:
    """Called when a district (name, flag or boundary) changes."""
    try:
        cache.set(GEO_KEY, geo_generation() + 1, None)
    except Exception:
        log.warning("dashboard cache unavailable", exc_info=True)


def cached[T](version: str, kind: str, args: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``'s result, cached under the data version, the language and ``args``."""
    parts = ":".join(str(a) for a in args)
    key = (
        f"{PREFIX}:{version}:{geo_generation()}:{translation.get_language() or 'sv'}:{kind}:"
        + hashlib.sha256(parts.encode()).hexdigest()[:24]
    )
    try:
        hit = cache.get(key)
    except Exception:
        log.warning("dashboard cache unavailable", exc_info=True)
        return build()
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    value = build()
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:
        log.warning("dashboard cache unavailable", exc_info=True)
    return value
