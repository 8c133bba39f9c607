"""What a published report or export prints besides the cells, frozen at publication.

The cells of a wave are frozen when it is published; so must be everything else a report
or an export prints about the wave: the response counts of the method appendix, the
number of schools and classes, the questionnaire's title, version and the wordings it
quotes, the wave's dates and name, the kommun's name and the coordinator's analysis.
Read live, a late sheet, a retention purge of codes and sheets, or an edit would change a
published report. So `publication_snapshot` writes them into `WavePublication.snapshot`
(a versioned dict) in the transaction that publishes the wave, and the report and export
code read them back through `published_facts`, never from the survey tables.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format

from surveys.models import AccessCode, AnswerSheet, Wave
from surveys.questionnaire import MASTER_LANGUAGE, load_questionnaire

from .catalogue import Catalogue, load_catalogue
from .exports.notes import (
    LIMITS,
    OptionWording,
    QuestionWording,
    indicator_questions,
    rule_paragraphs,
)
from .models import WavePublication

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1

# (school kind, grade) -> count, e.g. ("kommunal", 7) -> 52
Counts = dict[tuple[str, int], int]


def day_text(moment: datetime) -> str:
    """A date in Swedish as the report prints it, e.g. "1 oktober 2025"."""
    with translation.override("sv"):
        return date_format(timezone.localtime(moment), "j F Y")


def _count_rows(rows: QuerySet[Any], kind: str, grade: str) -> list[list[Any]]:
    """Rows counted per (school kind, grade), as sorted [kind, grade, n] lists."""
    counts: Counts = {}
    for item in rows.values(kind, grade).annotate(n=Count("id")):
        key = (str(item[kind]), int(item[grade]))
        counts[key] = counts.get(key, 0) + int(item["n"])
    return [[k, g, n] for (k, g), n in sorted(counts.items())]


def publication_snapshot(wave: Wave, *, catalogue: Catalogue) -> dict[str, Any]:
    """The snapshot of ``wave`` as it is now (called in the publishing transaction)."""
    issued = _count_rows(
        AccessCode.objects.filter(wave_id=wave.pk),
        "school_class__school__kind",
        "school_class__grade",
    )
    submitted = _count_rows(AnswerSheet.objects.filter(wave_id=wave.pk), "school__kind", "grade")
    seats: Counts = {}
    for school_class in wave.classes.select_related("school"):
        key = (str(school_class.school.kind), int(school_class.grade))
        seats[key] = seats.get(key, 0) + int(school_class.expected_size)
    questionnaire = load_questionnaire(wave.questionnaire.definition)
    return {
        "version": SNAPSHOT_VERSION,
        "taken_at": timezone.now().isoformat(),
        "municipality": wave.municipality.name,
        "wave": {
            "slug": wave.slug,
            "name": wave.name,
            "opens_at": wave.opens_at.isoformat(),
            "closes_at": wave.closes_at.isoformat(),
            "opens_text": day_text(wave.opens_at),
            "closes_text": day_text(wave.closes_at),
        },
        "questionnaire": {
            "code": wave.questionnaire.code,
            "version": wave.questionnaire.version,
            "title": questionnaire.title.get(MASTER_LANGUAGE, ""),
        },
        "participation": {
            "schools": wave.classes.values("school_id").distinct().count(),
            "classes": wave.classes.count(),
            "issued": issued,
            "submitted": submitted,
            # Pupils of the wave's classes, the response rate's base.
            "seats": [[k, g, n] for (k, g), n in sorted(seats.items())],
        },
        "catalogue_version": catalogue.version,
        "wordings": {
            indicator.code: [asdict(w) for w in indicator_questions(questionnaire, indicator)]
            for indicator in catalogue.indicators
        },
        "analysis_text": wave.analysis_text,
        # The method text as it read at publication (a later wording of the rules must
        # not change what a published report says).
        "rules": list(rule_paragraphs(catalogue.rule_params)),
        "limits": list(LIMITS),
    }


@dataclass(frozen=True)
class PublishedFacts:
    """A published wave's snapshot, typed for the report and export code."""

    municipality: str
    wave_slug: str
    wave_name: str
    opens_text: str
    closes_text: str
    questionnaire_code: str
    questionnaire_version: int
    questionnaire_title: str
    schools: int
    classes: int
    issued: Counts
    submitted: Counts
    catalogue_version: int
    wordings: dict[str, tuple[QuestionWording, ...]]
    analysis_text: str
    rules: tuple[str, ...] = ()  # empty in snapshots taken before they were kept
    limits: tuple[str, ...] = ()
    seats: Counts = field(default_factory=dict)  # empty in snapshots taken before

    @property
    def questionnaire_label(self) -> str:
        return f"{self.questionnaire_code} v{self.questionnaire_version}"

    @property
    def analysis_paragraphs(self) -> tuple[str, ...]:
        text = self.analysis_text.replace("\r\n", "\n")
        return tuple(p.strip() for p in text.split("\n\n") if p.strip())


def _wording(raw: dict[str, Any]) -> QuestionWording:
    return QuestionWording(
        code=raw["code"],
        text=raw["text"],
        options=tuple(OptionWording(**option) for option in raw["options"]),
    )


def facts_from_snapshot(data: dict[str, Any]) -> PublishedFacts:
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unknown snapshot version {data.get('version')!r}")
    wave, questionnaire, participation = (
        data["wave"],
        data["questionnaire"],
        data["participation"],
    )
    return PublishedFacts(
        municipality=data["municipality"],
        wave_slug=wave["slug"],
        wave_name=wave["name"],
        opens_text=wave["opens_text"],
        closes_text=wave["closes_text"],
        questionnaire_code=questionnaire["code"],
        questionnaire_version=int(questionnaire["version"]),
        questionnaire_title=questionnaire["title"],
        schools=int(participation["schools"]),
        classes=int(participation["classes"]),
        issued={(k, int(g)): int(n) for k, g, n in participation["issued"]},
        submitted={(k, int(g)): int(n) for k, g, n in participation["submitted"]},
        catalogue_version=int(data["catalogue_version"]),
        wordings={
            code: tuple(_wording(w) for w in wordings)
            for code, wordings in data["wordings"].items()
        },
        analysis_text=data["analysis_text"],
        rules=tuple(data.get("rules", ())),
        limits=tuple(data.get("limits", ())),
        seats={(k, int(g)): int(n) for k, g, n in participation.get("seats", ())},
    )


def published_facts(*, wave_id: int) -> PublishedFacts:
    """The frozen facts of a published wave. Raises LookupError for an unpublished wave.

    A publication made before snapshots existed gets its snapshot the first time it is
    read (the data migration normally did that already) and keeps it from then on.
    """
    publication = (
        WavePublication.objects.select_related("wave__questionnaire", "wave__municipality")
        .filter(wave_id=wave_id, wave__published_at__isnull=False)
        .first()
    )
    if publication is None:
        raise LookupError(f"wave {wave_id} is not published")
    if not publication.snapshot:
        publication_snapshot_backfill(publication)
    return facts_from_snapshot(publication.snapshot)


def publication_snapshot_backfill(publication: WavePublication) -> None:
    """Give a publication made before snapshots existed its snapshot, once."""
    with transaction.atomic():
        catalogue = load_catalogue(publication.catalogue_version)
        snapshot = publication_snapshot(publication.wave, catalogue=catalogue)
        updated = WavePublication.objects.filter(pk=publication.pk, snapshot={}).update(
            snapshot=snapshot
        )
    if updated:
        logger.warning("Snapshot of publication %s taken after the fact", publication.pk)
        publication.snapshot = snapshot
    else:
        publication.refresh_from_db(fields=["snapshot"])
