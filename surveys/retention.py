"""Retention: raw answer sheets are deleted a fixed number of years after a wave closes.

Only the sheets (and the wave's spent one-time code rows) go. The wave, its questionnaire
version and its indicator cells stay: the published, suppressed numbers behind an
åtgärdsplan must remain reproducible, and they never depended on keeping the sheets.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.services import audit
from surveys.models import AccessCode, AnswerSheet, Wave


@dataclass(frozen=True)
class WavePurge:
    wave_id: int
    slug: str
    closed_at: datetime
    sheets: int
    code_rows: int


def retention_cutoff(*, now: datetime, years: int) -> datetime:
    """`years` calendar years before `now` (29 February falls back to the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def expired_waves(*, now: datetime | None = None, years: int | None = None) -> list[WavePurge]:
    """Waves closed before the cutoff that still hold sheets or code rows."""
    years = settings.ANSWER_RETENTION_YEARS if years is None else years
    cutoff = retention_cutoff(now=now or timezone.now(), years=years)
    # EXISTS rather than joins: a wave holds ~100,000 sheets and as many code rows.
    waves = (
        Wave.objects.filter(closes_at__lt=cutoff)
        .filter(
            Exists(AnswerSheet.objects.filter(wave=OuterRef("pk")))
            | Exists(AccessCode.objects.filter(wave=OuterRef("pk")))
        )
        .order_by("closes_at")
    )
    return [
        WavePurge(
            wave.pk,
            wave.slug,
            wave.closes_at,
            AnswerSheet.objects.filter(wave=wave).count(),
            AccessCode.objects.filter(wave=wave).count(),
        )
        for wave in waves
    ]


def retention_purge(
    *, dry_run: bool, now: datetime | None = None, years: int | None = None
) -> list[WavePurge]:
    """Delete expired sheets wave by wave; one audit row per purged wave.

    Safe to run twice: a second run finds nothing left to delete. A dry run only
    reports what would go and writes nothing (not even an audit row).
    """
    plan = expired_waves(now=now, years=years)
    if dry_run:
        return plan
    done: list[WavePurge] = []
    for item in plan:
        with transaction.atomic():
            sheets, _ = AnswerSheet.objects.filter(wave_id=item.wave_id).delete()
            code_rows, _ = AccessCode.objects.filter(wave_id=item.wave_id).delete()
            audit(
                None,
                "retention purge",
                kommun=Wave.objects.filter(pk=item.wave_id)
                .values_list("municipality__code", flat=True)
                .first(),
                wave=item.slug,
                closed_on=item.closed_at.date().isoformat(),
                sheets_deleted=sheets,
                code_rows_deleted=code_rows,
                retention_years=settings.ANSWER_RETENTION_YEARS if years is None else years,
            )
        done.append(WavePurge(item.wave_id, item.slug, item.closed_at, sheets, code_rows))
    return done
