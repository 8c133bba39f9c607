"""Writes of the lägesbild: a wave's recompute and publication (long because of the upsert).

The recompute is one transaction per wave, serialized per wave (a PostgreSQL advisory
lock; on SQLite the whole database is written by one transaction at a time): one SQL
pass for every count (`lagesbild.aggregation`), the disclosure rules in Python over the
counts (`lagesbild.cube`), comparisons with earlier published waves
(`lagesbild.comparisons`), then an upsert of every cell on its natural key. Running it
twice gives the same cells. Frozen (published) cells are never written again: the
upsert's conflict clause skips them and a published wave is refused before any work.
"""

import functools
import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from surveys.models import AnswerSheet, QuestionnaireVersion, Wave
from surveys.questionnaire import QuestionnaireError, load_questionnaire

from .aggregation import aggregate_wave
from .catalogue import (
    CATALOGUE_DIR,
    CURRENT_VERSION,
    Catalogue,
    check_against_questionnaire,
    comparable_versions,
    load_catalogue,
)
from .comparisons import Comparison, Shown, compare
from .cube import (
    CellKey,
    DisclosureError,
    audit_rules,
    build_cube,
    key_from_row,
    protect_cube,
    specs_from_catalogue,
)
from .disclosure import Cell, RuleParams
from .disclosure_audit import AuditReport, audit_rows
from .models import CELL_KEY_FIELDS, CELL_SHOWN_FIELDS, IndicatorCell, WavePublication
from .snapshot import publication_snapshot

logger = logging.getLogger(__name__)

# The catalogue version new (unpublished) waves are computed with. A published wave keeps
# the version it was frozen with (WavePublication.catalogue_version).
CATALOGUE_VERSION = CURRENT_VERSION

# First key of the two-key advisory lock (the second is the wave id), so our locks never
# collide with another feature's: the bytes "LGB1" as a 32-bit integer.
ADVISORY_LOCK_NAMESPACE = 0x4C474231


class CatalogueMismatchError(Exception):
    """The catalogue refers to a question or option the wave's questionnaire lacks."""


class PublishRefusedError(Exception):
    """The wave cannot be published (already published, or still open)."""


@dataclass(frozen=True)
class RefreshResult:
    wave_id: int
    cells: int  # cells written (0 when refused)
    published: bool  # True: the wave is published and was left alone
    audit_seconds: float = 0.0  # of which the disclosure audit (all its rounds)
    skipped: bool = False  # True: only_if_dirty and the marker was clear: nothing to do


# --------------------------------------------------------------------------- checks


def question_options(questionnaire: QuestionnaireVersion) -> dict[str, set[str]]:
    """Answer keys of a questionnaire version and their option codes (matrix statements
    share their matrix's options)."""
    try:
        document = load_questionnaire(questionnaire.definition)
    except QuestionnaireError as error:
        raise CatalogueMismatchError(f"{questionnaire}: invalid definition: {error}") from error
    options: dict[str, set[str]] = {}
    for _page, item in document.items():
        for code in item.field_codes:
            options[code] = set(item.option_codes)
    return options


def catalogue_problems(*, questionnaire: QuestionnaireVersion, catalogue: Catalogue) -> list[str]:
    """Where the catalogue and the questionnaire disagree; empty when they fit."""
    return check_against_questionnaire(catalogue, question_options(questionnaire))


def catalogue_digest(version: int) -> str:
    return hashlib.sha256((CATALOGUE_DIR / f"v{version}.yaml").read_bytes()).hexdigest()


# --------------------------------------------------------------------------- recompute


def _lock_wave(wave_id: int) -> None:
    """Serialize recomputes of one wave until the transaction ends.

    PostgreSQL: an advisory lock, so pupils' submits (which touch the wave row to mark it
    dirty) never wait for a recompute. SQLite: transactions are IMMEDIATE (settings), so
    the write lock taken at BEGIN already serializes every writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, wave_id]
            )
    elif connection.vendor != "sqlite":
        Wave.objects.select_for_update().filter(pk=wave_id).exists()


def _history(wave: Wave, version: int) -> list[tuple[int, dict[CellKey, Shown]]]:
    """Earlier published waves of the municipality (oldest first) with their shown cells."""
    earlier = list(
        Wave.objects.published()
        .filter(municipality_id=wave.municipality_id, opens_at__lt=wave.opens_at)
        .filter(publication__catalogue_version__in=comparable_versions(version))
        .order_by("opens_at")
        .values_list("pk", flat=True)
    )
    shown: dict[int, dict[CellKey, Shown]] = {pk: {} for pk in earlier}
    rows = IndicatorCell.objects.filter(
        wave_id__in=earlier, frozen=True, state="shown", share_pct__isnull=False
    ).values_list(
        "wave_id",
        *CELL_KEY_FIELDS,
        "raw_yes",
        "raw_n",
        "share_pct",
    )
    for wave_id, *key, yes, n, share in rows:
        if share is not None:
            shown[wave_id][key_from_row(key)] = Shown(yes, n, share)
    return [(pk, shown[pk]) for pk in earlier]


_VALUE_COLUMNS = (
    "raw_n",
    "raw_yes",
    *CELL_SHOWN_FIELDS,
    "catalogue_version",
    "computed_at",
    "kommun_share_pct",
    "prev_wave_id",
    "prev_share_pct",
    "diff_pct",
    "diff_low_pct",
    "diff_high_pct",
    "diff_significant",
    "trend",
    "trend_waves",
)
_UPSERT_BATCH = 500  # rows per statement; 500 × 28 parameters is within SQLite's limit


def _upsert(
    wave_id: int,
    cells: dict[CellKey, Cell],
    comparisons: dict[CellKey, Comparison],
    version: int,
    now: datetime,
) -> None:
    """INSERT … ON CONFLICT (natural key) DO UPDATE, never touching a frozen row."""
    table = IndicatorCell._meta.db_table
    columns = ("wave_id", *CELL_KEY_FIELDS, *_VALUE_COLUMNS, "frozen")
    updates = ", ".join(f"{c} = excluded.{c}" for c in _VALUE_COLUMNS)
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows: list[tuple[Any, ...]] = []
    for key, cell in cells.items():
        e = cell.estimate
        c = comparisons[key]
        rows.append(
            (
                wave_id,
                *key,
                cell.n,
                cell.yes,
                e.state,
                e.reason,
                e.n_shown,
                e.share_pct,
                e.bound,
                e.ci_low_pct,
                e.ci_high_pct,
                e.unstable,
                version,
                stamp,
                c.kommun_share_pct,
                c.prev_wave_id,
                c.prev_share_pct,
                c.diff_pct,
                c.diff_low_pct,
                c.diff_high_pct,
                c.diff_significant,
                c.trend,
                c.trend_waves,
                False,
            )
        )
    conflict = (
        f"ON CONFLICT (wave_id, {', '.join(CELL_KEY_FIELDS)}) DO UPDATE SET {updates} "
        f"WHERE {table}.frozen = FALSE"
    )
    if connection.vendor == "postgresql":
        # COPY into a temporary table, then one INSERT … SELECT: several times faster
        # than thousands of bound parameters.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE cell_load ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY cell_load ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM cell_load {conflict}"
            )
            cursor.execute("DROP TABLE cell_load")
        return
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_BATCH):
            batch = rows[start : start + _UPSERT_BATCH]
            # Identifiers come from this module; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(batch))} {conflict}",
                [value for row in batch for value in row],
            )


def _recompute(wave: Wave) -> tuple[int, AuditReport]:
    """Recompute and upsert every cell of an unpublished wave (caller holds the lock and
    the transaction). Returns the number of cells and the audit."""
    catalogue = load_catalogue(CATALOGUE_VERSION)
    problems = catalogue_problems(questionnaire=wave.questionnaire, catalogue=catalogue)
    if problems:
        raise CatalogueMismatchError(
            f"catalogue v{catalogue.version} does not fit {wave.questionnaire}: "
            + "; ".join(problems)
        )
    # Read the dirty marker before counting: every sheet that set this value committed
    # before the count starts, so clearing exactly this value below loses no sheet. A
    # sheet committed meanwhile writes a newer value, which the conditional clear keeps.
    dirty_seen = Wave.objects.filter(pk=wave.pk).values_list("indicators_dirty_at", flat=True)[0]
    specs = specs_from_catalogue(catalogue)
    counts = aggregate_wave(wave_id=wave.pk, specs=specs)
    cells, report = protect_cube(build_cube(counts, specs), catalogue)
    logger.info(
        "Disclosure audit of wave %s passed: %d tables, %d protected quantities, %d LPs",
        wave.slug,
        report.tables,
        report.checked,
        report.solves,
    )
    comparisons = compare(cells, _history(wave, catalogue.version))
    now = timezone.now()
    _upsert(wave.pk, cells, comparisons, catalogue.version, now)
    # Cells this run did not produce (e.g. after a catalogue change) are stale.
    IndicatorCell.objects.filter(wave=wave, frozen=False).filter(~Q(computed_at=now)).delete()
    if dirty_seen is not None:
        Wave.objects.filter(pk=wave.pk, indicators_dirty_at=dirty_seen).update(
            indicators_dirty_at=None
        )
    return len(cells), report


def indicators_refresh(*, wave_id: int, only_if_dirty: bool = False) -> RefreshResult:
    """Recompute a wave's cells now (idempotent). A published wave is left alone.

    With ``only_if_dirty`` (the beat's dirty-wave scan) a wave whose marker is clear by
    the time this refresh holds the wave's lock is left alone too: a refresh that ran
    since this one was queued saw every sheet. The scan queues a refresh each time it
    finds the marker set, so while one recompute runs (about a minute with the disclosure
    audit) more queue up behind it; without this each of them would recompute again.
    """
    with transaction.atomic():
        _lock_wave(wave_id)
        wave = Wave.objects.select_related("questionnaire").get(pk=wave_id)
        if wave.is_published:
            return RefreshResult(wave_id, 0, published=True)
        if only_if_dirty and wave.indicators_dirty_at is None:
            return RefreshResult(wave_id, 0, published=False, skipped=True)
        cells, report = _recompute(wave)
    logger.info("Recomputed %d cells of wave %s", cells, wave.slug)
    return RefreshResult(wave_id, cells, published=False, audit_seconds=report.seconds)


def indicators_refresh_on_commit(*, wave_id: int, only_if_dirty: bool = False) -> None:
    """Queue a recompute for when the current transaction commits."""
    from .tasks import refresh_indicators  # tasks import this module

    transaction.on_commit(
        functools.partial(refresh_indicators.delay, wave_id, only_if_dirty=only_if_dirty)
    )


def dirty_waves_refresh() -> list[int]:
    """Queue a recompute of every unpublished wave with new sheets; returns their ids."""
    ids = list(
        Wave.objects.filter(indicators_dirty_at__isnull=False, published_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for wave_id in ids:
        indicators_refresh_on_commit(wave_id=wave_id, only_if_dirty=True)
    return ids


# --------------------------------------------------------------------------- publication


def cells_audit(*, wave_id: int, params: RuleParams, detail: bool = True) -> AuditReport:
    """The independent disclosure audit of a wave's stored cells, with each finding's
    bounds unless ``detail`` is off (`lagesbild.disclosure_audit`)."""
    rows = IndicatorCell.objects.filter(wave_id=wave_id).values_list(
        *CELL_KEY_FIELDS, "raw_n", "raw_yes", "state", "reason"
    )
    return audit_rows(
        (
            ((i, p, g, a, b, v), n, yes, state, reason)
            for i, p, g, a, b, v, n, yes, state, reason in rows
        ),
        audit_rules(params),
        detail=detail,
    )


def wave_publish(*, wave_id: int, user_id: int | None = None) -> WavePublication:
    """Recompute a closed wave one last time and freeze its cells, once and for all.

    Raises PublishRefusedError for an open or an already published wave.
    """
    with transaction.atomic():
        _lock_wave(wave_id)
        # The row lock waits for every submit that is storing a sheet in this wave, and
        # makes every later one find the wave published (surveys.services).
        wave = (
            Wave.objects.select_for_update(of=("self",))
            .select_related("questionnaire")
            .get(pk=wave_id)
        )
        if wave.is_published or WavePublication.objects.filter(wave_id=wave_id).exists():
            raise PublishRefusedError(f"{wave.slug} is already published; it never changes.")
        now = timezone.now()
        if wave.closes_at > now:
            raise PublishRefusedError(f"{wave.slug} is still open; close it first.")
        try:
            cells, _ = _recompute(wave)
        except DisclosureError as error:
            raise PublishRefusedError(f"{wave.slug}: {error}") from error
        catalogue = load_catalogue(CATALOGUE_VERSION)
        # The audit again, on the cells exactly as stored: what is frozen is what passed.
        report = cells_audit(wave_id=wave.pk, params=catalogue.rule_params)
        if not report.passed:
            raise PublishRefusedError(
                f"{wave.slug} fails the disclosure audit in "
                f"{', '.join(report.failing_tables)}: "
                + "; ".join(f.describe() for f in report.findings[:10])
            )
        IndicatorCell.objects.filter(wave=wave).update(frozen=True)
        publication = WavePublication.objects.create(
            wave=wave,
            published_at=now,
            published_by_id=user_id,
            catalogue_version=catalogue.version,
            catalogue_digest=catalogue_digest(catalogue.version),
            rule_params={
                k: list(v) if isinstance(v, tuple) else v
                for k, v in asdict(catalogue.rule_params).items()
            },
            cell_count=cells,
            sheet_count=AnswerSheet.objects.filter(wave=wave).count(),
            snapshot={
                **publication_snapshot(wave, catalogue=catalogue),
                # What the audit examined when it passed (docs/privacy.md).
                "disclosure_audit": {
                    "tables": report.tables,
                    "protected_quantities": report.checked,
                    "linear_programs": report.solves,
                },
            },
        )
        Wave.objects.filter(pk=wave.pk).update(published_at=now, indicators_dirty_at=None)
    logger.info("Published wave %s with %d frozen cells", wave.slug, cells)
    return publication
