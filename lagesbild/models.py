"""Indicator cells: the suppressed, district-level numbers of the lägesbild.

A cell is one wave × indicator (× place for TRY07) × geography × area × breakdown. The
public fields (`state`, `n_shown`, `share_pct`, `bound`, `ci_*_pct`, `unstable`) are
already disclosure-controlled. `raw_n` and `raw_yes` exist only for the server-side
computations (complementary suppression, comparisons between waves) and must never leave
the database through a page, an export or an API: selectors do not return them.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from surveys.models import Wave

KOMMUN_AREA = "KOMMUN"  # area code of the whole municipality


class Geography(models.TextChoices):
    HOME = "home", _("bostadsområde")
    SCHOOL = "school", _("skolans område")


class Breakdown(models.TextChoices):
    TOTAL = "total", _("totalt")
    GENDER = "gender", _("kön")
    GRADE_BAND = "grade_band", _("årskursgrupp")
    GRADE = "grade", _("årskurs")


class CellState(models.TextChoices):
    SHOWN = "shown", _("visas")
    BOUND = "bound", _("visas som gräns")
    SUPPRESSED = "suppressed", _("undertryckt")


class Trend(models.TextChoices):
    UP = "up", _("ökande")
    DOWN = "down", _("minskande")
    FLAT = "flat", _("ingen säker förändring")


# The natural key of a cell within its wave, in this order everywhere: the unique constraint
# below, the recompute's upsert, the comparisons' lookups (`lagesbild.cube.CellKey`) and the
# public fields the dashboards select (`lagesbild.public.PUBLIC_FIELDS`).
CELL_KEY_FIELDS = ("indicator", "place", "geography", "area", "breakdown", "breakdown_value")
# What the disclosure rules decided a cell may show (`lagesbild.disclosure.estimate_cell`):
# stored by the recompute's upsert, read by the dashboards among the public fields.
CELL_SHOWN_FIELDS = (
    "state",
    "reason",
    "n_shown",
    "share_pct",
    "bound",
    "ci_low_pct",
    "ci_high_pct",
    "unstable",
)


class IndicatorCellQuerySet(models.QuerySet["IndicatorCell"]):
    def published(self) -> "IndicatorCellQuerySet":
        return self.filter(frozen=True, wave__published_at__isnull=False)


class IndicatorCell(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="cells")
    indicator = models.CharField(max_length=16)  # catalogue code, e.g. "EXP02"
    place = models.CharField(max_length=16, blank=True)  # TRY07 option code, else ""
    geography = models.CharField(max_length=8, choices=Geography)
    area = models.CharField(max_length=16)  # district code or KOMMUN_AREA
    breakdown = models.CharField(max_length=16, choices=Breakdown)
    breakdown_value = models.CharField(max_length=16, blank=True)  # "" for total

    # Private: never shown, never exported.
    raw_n = models.PositiveIntegerField()
    raw_yes = models.PositiveIntegerField()

    # Public, disclosure-controlled values.
    state = models.CharField(max_length=16, choices=CellState)
    reason = models.CharField(max_length=32, blank=True)
    n_shown = models.PositiveIntegerField(null=True)  # rounded to 5
    share_pct = models.PositiveSmallIntegerField(null=True)
    bound = models.CharField(max_length=16, blank=True)  # e.g. "< 15 %"
    ci_low_pct = models.PositiveSmallIntegerField(null=True)
    ci_high_pct = models.PositiveSmallIntegerField(null=True)
    unstable = models.BooleanField(default=False)

    catalogue_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    frozen = models.BooleanField(default=False)

    # Comparisons, computed with the cell (lagesbild.comparisons). Public values in whole
    # percent; each is set only when every cell it is computed from is shown exactly, so
    # nothing here can reveal a suppressed or bounded value.
    # The kommun's share for the same indicator, geography and breakdown value.
    kommun_share_pct = models.PositiveSmallIntegerField(null=True)
    # The latest earlier published wave of the same municipality, and this cell's
    # difference to it in percentage points (this minus previous) with its 95 % interval.
    prev_wave = models.ForeignKey(
        Wave, on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    prev_share_pct = models.PositiveSmallIntegerField(null=True)
    diff_pct = models.SmallIntegerField(null=True)
    diff_low_pct = models.SmallIntegerField(null=True)
    diff_high_pct = models.SmallIntegerField(null=True)
    diff_significant = models.BooleanField(null=True)
    # Linear trend over the consecutive waves (ending with this one) in which the cell is
    # shown; only with at least three such waves, else "" and trend_waves is null.
    trend = models.CharField(max_length=8, choices=Trend, blank=True)
    trend_waves = models.PositiveSmallIntegerField(null=True)

    objects = IndicatorCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikatorcell")
        verbose_name_plural = _("indikatorceller")
        constraints = [
            models.UniqueConstraint(fields=["wave", *CELL_KEY_FIELDS], name="cell_natural_key"),
        ]
        indexes = [models.Index(fields=["wave", "indicator"])]

    def __str__(self) -> str:
        return (
            f"{self.wave_id} {self.indicator}{':' + self.place if self.place else ''} {self.area}"
        )


class WavePublication(models.Model):
    """The record of a published wave: what its frozen cells were computed with.

    Created once, in the transaction that freezes the cells; a wave with a publication
    is never recomputed or published again, and what its report prints is read from
    `snapshot`, not from the survey tables.
    """

    wave = models.OneToOneField(Wave, on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField(_("publicerad"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publicerad av"),
    )
    catalogue_version = models.PositiveIntegerField(_("katalogversion"))
    # SHA-256 of the catalogue file, so a version edited in place would be noticed.
    catalogue_digest = models.CharField(_("katalogens kontrollsumma"), max_length=64)
    rule_params = models.JSONField(_("regelparametrar"))
    cell_count = models.PositiveIntegerField(_("antal celler"))
    sheet_count = models.PositiveIntegerField(_("antal svarsblanketter"))
    # Everything the report and the exports print besides the cells, as it was when the
    # wave was published (lagesbild.snapshot): response counts, schools and classes,
    # dates, questionnaire wordings, the analysis. Versioned; never changed afterwards.
    snapshot = models.JSONField(_("ögonblicksbild vid publicering"), default=dict)

    class Meta:
        verbose_name = _("publicering")
        verbose_name_plural = _("publiceringar")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.wave} ({self.published_at:%Y-%m-%d})"


class WaveResult(Wave):
    """A wave seen from the lägesbild: its publication and its analysis text (admin)."""

    class Meta:
        proxy = True
        verbose_name = _("publicering och analys")
        verbose_name_plural = _("publicering och analys")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("väntar")
    RUNNING = "running", _("pågår")
    DONE = "done", _("klar")
    FAILED = "failed", _("misslyckades")


class ExportKind(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def expired(self, now: datetime) -> "ExportJobQuerySet":
        return self.filter(expires_at__lte=now)


class ExportJob(models.Model):
    """A file generated in the background for ONE user (the PDF report).

    The file lives in private storage (`settings.EXPORT_DIR`, never served as media) and
    is handed out only to the user who asked, until `expires_at`; the purge task then
    deletes row and file. The random id is the only handle in URLs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=8, choices=ExportKind)
    filters = models.JSONField(default=dict)  # the dashboard URL filters, e.g. district
    status = models.CharField(max_length=16, choices=ExportStatus, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=100, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # inside EXPORT_DIR
    download_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True)
    sha256 = models.CharField(max_length=64, blank=True)
    cell_count = models.PositiveIntegerField(null=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField()

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("exportjobb")
        verbose_name_plural = _("exportjobb")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {str(self.id)[:8]} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class Party(models.TextChoices):
    """Who carries out a measure of the åtgärdsplan."""

    KOMMUN = "kommun", _("kommunen")
    POLIS = "polis", _("polisen")
    FORENINGSLIV = "foreningsliv", _("föreningslivet")
    SKOLA = "skola", _("skolan")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("planerad")
    ONGOING = "ongoing", pgettext_lazy("åtgärdens status", "pågår")
    DONE = "done", _("genomförd")
    STOPPED = "stopped", _("avbruten")


class Measure(models.Model):
    """One measure of a kommun's åtgärdsplan, decided from the lägesbild (lag 2023:196).

    It names the indicators (catalogue codes) and districts it targets; without districts
    it targets the whole kommun. Dashboards and the report show it beside those numbers;
    the young people's page shows it only when `public` is set.
    """

    municipality = models.ForeignKey(
        "surveys.Municipality",
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("kommun"),
    )
    title = models.CharField(_("rubrik"), max_length=150)
    description = models.TextField(_("beskrivning"), blank=True)
    responsible = models.JSONField(
        _("ansvariga"), default=list, help_text=_("Kommunen, polisen, föreningslivet, skolan.")
    )
    districts = models.ManyToManyField(
        "surveys.District",
        related_name="measures",
        blank=True,
        verbose_name=_("områden"),
        help_text=_("Tomt: hela kommunen."),
    )
    indicators = models.JSONField(
        _("indikatorer"), default=list, help_text=_("De indikatorer åtgärden ska påverka.")
    )
    started_on = models.DateField(_("startdatum"))
    status = models.CharField(
        _("status"), max_length=16, choices=MeasureStatus, default=MeasureStatus.PLANNED
    )
    follow_up = models.TextField(_("uppföljning"), blank=True)
    public = models.BooleanField(
        _("visa för unga"),
        default=False,
        help_text=_("Visa åtgärden under ”Ni sa … – vi gör …” på den öppna sidan för unga."),
    )
    public_text = models.CharField(
        _("text för unga"),
        max_length=300,
        blank=True,
        help_text=_("En eller två enkla meningar om vad ni gör, som en 13-åring förstår."),
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärdsplan")
        ordering = ["-started_on", "title"]

    def __str__(self) -> str:
        return self.title
