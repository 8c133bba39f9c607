"""Geography, questionnaires, waves, codes and answer sheets (long because one schema).

Anonymity is a property of this schema: an answer sheet never references the code that
admitted it, the code never references the sheet, and a sheet holds no time of day, no
address and no device data. Primary keys of codes and sheets are random UUIDs so that
row order reveals nothing.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import answer_vector


class Municipality(models.Model):
    code = models.CharField(
        _("kommunkod"), max_length=4, unique=True, help_text=_("SCB:s kod, t.ex. 0484.")
    )
    name = models.CharField(_("namn"), max_length=100)
    open_data = models.BooleanField(
        _("öppna data"),
        default=False,
        help_text=_(
            "Publicera kommunens publicerade, granskade celler som öppna data (CSV, JSON och "
            "en DCAT-AP-SE-katalog som Sveriges dataportal kan skörda)."
        ),
    )
    shares_comparison = models.BooleanField(
        _("jämförelse med andra kommuner"),
        default=False,
        help_text=_(
            "Kommunen samtycker till att dess publicerade kärnindikatorer för hela kommunen "
            "visas sida vid sida med andra kommuner som också samtycker."
        ),
    )

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KommunHelpResource(models.Model):
    """A kommun's own help for its pupils (local social services, fältassistenter, a youth
    clinic), shown on the pupil pages after the questionnaire's national resources. In
    Swedish: a pupil who chose another language sees these marked as Swedish."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="help_resources",
        verbose_name=_("kommun"),
    )
    name = models.CharField(_("namn"), max_length=100, help_text=_("T.ex. ”Fältgruppen”."))
    text = models.CharField(
        _("text"),
        max_length=300,
        help_text=_("En mening till eleverna, t.ex. när och hur man når dem."),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    url = models.URLField(_("webbadress"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("lokal stödkontakt")
        verbose_name_plural = _("lokala stödkontakter")
        ordering = ["municipality", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """An area results are reported by: a stadsdel (city district) or tätort (town) of the
    kommun's own division, or one of SCB's statistical areas (RegSO, DeSO)."""

    class Kind(models.TextChoices):
        STADSDEL = "stadsdel", _("stadsdel")
        TATORT = "tatort", _("tätort")
        # SCB's statistical areas, for a kommun that reports by them instead of its own.
        REGSO = "regso", _("RegSO (SCB)")
        DESO = "deso", _("DeSO (SCB)")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kommun")
    )
    code = models.CharField(_("kod"), max_length=16)
    name = models.CharField(_("namn"), max_length=100)
    kind = models.CharField(_("typ"), max_length=16, choices=Kind, default=Kind.STADSDEL)
    police_area = models.BooleanField(
        _("utsatt område"),
        default=False,
        help_text=_("Polisens klassning som utsatt, riskområde eller särskilt utsatt område."),
    )
    police_area_note = models.CharField(
        _("anmärkning om klassning"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. ”klassat 2015–2021”."),
    )
    geometry = models.JSONField(
        _("geometri (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("Polygon importerad från kommunen eller SCB. Ritas aldrig för hand."),
    )

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pk is None:
            return
        stored = District.objects.filter(pk=self.pk).values_list("municipality_id", flat=True)
        moved = stored.first() not in (None, self.municipality_id)
        if moved and (
            self.schools.exists()
            or AnswerSheet.objects.filter(Q(school_district=self) | Q(home_district=self)).exists()
        ):
            raise ValidationError(
                {"municipality": _("Området har skolor eller svar; dess kommun kan inte ändras.")}
            )


class School(models.Model):
    class Kind(models.TextChoices):
        KOMMUNAL = "kommunal", _("kommunal")
        FRISTAENDE = "fristaende", _("fristående")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("område")
    )
    name = models.CharField(_("namn"), max_length=150)
    kind = models.CharField(_("huvudman"), max_length=16, choices=Kind, default=Kind.KOMMUNAL)

    class Meta:
        verbose_name = _("skola")
        verbose_name_plural = _("skolor")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.district_id is None:
            return
        districts = District.objects.values_list("municipality_id", flat=True)
        old_kommun = districts.filter(schools=self.pk).first()
        if old_kommun is None or old_kommun == districts.filter(pk=self.district_id).first():
            return
        if (
            Wave.classes.through.objects.filter(schoolclass__school_id=self.pk).exists()
            or AccessCode.objects.filter(school_class__school_id=self.pk).exists()
            or AnswerSheet.objects.filter(school_id=self.pk).exists()
        ):
            raise ValidationError(
                {
                    "district": _(
                        "Skolan har klasser i omgångar, koder eller svar; den kan inte flyttas "
                        "till en annan kommun."
                    )
                }
            )


class Grade(models.IntegerChoices):
    """School year; upper secondary (gymnasiet) years are stored as 10–12."""

    AK7 = 7, _("åk 7")
    AK8 = 8, _("åk 8")
    AK9 = 9, _("åk 9")
    GY1 = 10, _("gy 1")
    GY2 = 11, _("gy 2")
    GY3 = 12, _("gy 3")


class SchoolClass(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="classes", verbose_name=_("skola")
    )
    name = models.CharField(_("namn"), max_length=50)
    grade = models.PositiveSmallIntegerField(_("årskurs"), choices=Grade)
    expected_size = models.PositiveSmallIntegerField(_("antal elever"), default=25)

    class Meta:
        verbose_name = _("klass")
        verbose_name_plural = _("klasser")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="class_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.school_id is None:
            return
        schools = School.objects.values_list("district__municipality_id", flat=True)
        old_kommun = schools.filter(classes=self.pk).first()
        if old_kommun is None or old_kommun == schools.filter(pk=self.school_id).first():
            return
        if (
            self.waves.exists()
            or AccessCode.objects.filter(school_class_id=self.pk).exists()
            or ClassKey.objects.filter(school_class_id=self.pk).exists()
        ):
            raise ValidationError(
                {
                    "school": _(
                        "Klassen är med i en omgång eller har koder; den kan inte flyttas till "
                        "en skola i en annan kommun."
                    )
                }
            )


class QuestionnaireVersion(models.Model):
    """One immutable version of a questionnaire, stored as its parsed document.

    The document (`definition`) is the JSON form of the YAML file in
    `surveys/questionnaires/`. Once a wave uses a version it is locked: editing means a
    new version.
    """

    code = models.CharField(_("kod"), max_length=32)
    version = models.PositiveIntegerField(_("version"))
    # Empty: the core questionnaire every kommun may use (imported by the system
    # administrator); else one kommun's own version, which only that kommun sees and uses.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_versions",
        verbose_name=_("kommun"),
        help_text=_("Tomt: kärnenkäten som alla kommuner kan använda."),
    )
    title = models.CharField(_("titel"), max_length=200)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    locked = models.BooleanField(_("låst"), default=False)

    class Meta:
        verbose_name = _("enkätversion")
        verbose_name_plural = _("enkätversioner")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="questionnaire_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A version that a wave uses is immutable: answer sheets point at it.
        if self.pk is not None:
            stored = QuestionnaireVersion.objects.filter(pk=self.pk).values("locked", "definition")
            row = stored.first()
            if row and row["locked"] and row["definition"] != self.definition:
                raise ValidationError(
                    _("Enkätversionen används av en omgång och kan inte ändras. Skapa en ny.")
                )
        super().save(*args, **kwargs)


def kommun_in_use_message() -> str:
    return str(
        _("Omgången har redan klasser, koder eller svar i sin kommun; dess kommun kan inte ändras.")
    )


def classes_of_other_kommun(*, municipality_id: int, class_ids: Iterable[int]) -> list[SchoolClass]:
    """The classes among `class_ids` whose school lies in another kommun's district: a
    wave never takes them (on PostgreSQL the triggers of migration surveys 0008 refuse
    them as well)."""
    return list(
        SchoolClass.objects.filter(pk__in=list(class_ids))
        .exclude(school__district__municipality_id=municipality_id)
        .select_related("school")
    )


def other_kommun_message(classes: Iterable[SchoolClass]) -> str:
    names = ", ".join(str(school_class) for school_class in classes)
    return str(_("Klassen hör till en annan kommun än omgången: %(classes)s.") % {"classes": names})


# Fields of a wave that never change once it is published (see Wave.save and the
# trigger of migration surveys 0003).
FROZEN_WHEN_PUBLISHED = ("opens_at", "closes_at", "questionnaire_id", "municipality_id")


class WaveQuerySet(models.QuerySet["Wave"]):
    def open(self) -> "WaveQuerySet":
        now = timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def published(self) -> "WaveQuerySet":
        return self.filter(published_at__isnull=False)


class Wave(models.Model):
    """One round of the survey (a school year or term), open for a few weeks."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="waves", verbose_name=_("kommun")
    )
    name = models.CharField(_("namn"), max_length=100)
    # Unique within the kommun (see Meta): two kommuner may both have a wave "ht-2026".
    slug = models.SlugField(_("kortnamn"), max_length=50)
    questionnaire = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="waves",
        verbose_name=_("enkätversion"),
    )
    opens_at = models.DateTimeField(_("öppnar"))
    closes_at = models.DateTimeField(_("stänger"))
    classes = models.ManyToManyField(
        SchoolClass, related_name="waves", blank=True, verbose_name=_("deltagande klasser")
    )
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    languages = models.JSONField(
        _("språk"),
        default=list,
        blank=True,
        help_text=_("Språk som eleverna får välja. Tomt: de språk vars översättning är granskad."),
    )
    # Set in the same transaction as every submitted sheet; cleared by the aggregation.
    # A row in PostgreSQL, not a broker message, so the work cannot be lost.
    indicators_dirty_at = models.DateTimeField(null=True, blank=True, editable=False)
    analysis_text = models.TextField(
        _("analys"), blank=True, help_text=_("Samordnarens analys; stycken skiljs med en tom rad.")
    )
    youth_page = models.BooleanField(
        _("resultat för unga"),
        default=False,
        help_text=_(
            "Visa omgångens resultat på den öppna sidan för unga (”Vad sa unga?”) när "
            "omgången är publicerad."
        ),
    )
    # Made by `seed_demo` with synthetic answers. The demo changes only its own waves (it
    # republishes them under new disclosure rules), never a real one.
    demo = models.BooleanField(default=False, editable=False)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("omgång")
        verbose_name_plural = _("omgångar")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="wave_closes_after_opening"
            ),
            models.UniqueConstraint(fields=["municipality", "slug"], name="wave_slug_per_kommun"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published wave's report quotes its dates and its questionnaire: they are
        # frozen with it (on PostgreSQL a trigger refuses the change as well).
        if self.published_changes():
            raise ValidationError(
                _("Omgången är publicerad; dess datum och enkätversion kan inte ändras.")
            )
        if self.kommun_change_refused():
            raise ValidationError(kommun_in_use_message())
        super().save(*args, **kwargs)
        # The version is locked as soon as a wave uses it (editing means a new version).
        QuestionnaireVersion.objects.filter(pk=self.questionnaire_id, locked=False).update(
            locked=True
        )

    def clean(self) -> None:
        super().clean()
        changed = self.published_changes()
        if changed:
            message = _("Omgången är publicerad; dess datum och enkätversion kan inte ändras.")
            raise ValidationError({name.removesuffix("_id"): message for name in changed})
        if self.kommun_change_refused():
            raise ValidationError({"municipality": kommun_in_use_message()})
        owner = (
            QuestionnaireVersion.objects.filter(pk=self.questionnaire_id)
            .values_list("municipality_id", flat=True)
            .first()
        )
        if owner is not None and owner != self.municipality_id:
            raise ValidationError({"questionnaire": _("Enkätversionen hör till en annan kommun.")})

    def published_changes(self) -> list[str]:
        """The fields in `FROZEN_WHEN_PUBLISHED` that differ from the stored row of a
        published wave (empty for a new or an unpublished wave)."""
        if self.pk is None:
            return []
        stored = (
            Wave.objects.filter(pk=self.pk, published_at__isnull=False)
            .values(*FROZEN_WHEN_PUBLISHED)
            .first()
        )
        if stored is None:
            return []
        return [name for name in FROZEN_WHEN_PUBLISHED if stored[name] != getattr(self, name)]

    def kommun_change_refused(self) -> bool:
        """True when this stored wave is given another kommun although classes, codes or
        sheets already tie it to its own (on PostgreSQL a trigger refuses it as well)."""
        if self.pk is None:
            return False
        stored = Wave.objects.filter(pk=self.pk).values_list("municipality_id", flat=True)
        if stored.first() in (None, self.municipality_id):
            return False
        return (
            self.classes.exists()
            or ClassKey.objects.filter(wave_id=self.pk).exists()
            or AccessCode.objects.filter(wave_id=self.pk).exists()
            or AnswerSheet.objects.filter(wave_id=self.pk).exists()
        )

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ClassKey(models.Model):
    """The first, public group of every code of one class in one wave.

    Not a secret (it is printed on every slip of the class): it lets a wrong code be
    attributed to a school, so guessing is limited per school, never per IP address.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="class_keys")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="class_keys"
    )
    key = models.CharField(max_length=4, unique=True)

    class Meta:
        verbose_name = _("klassnyckel")
        verbose_name_plural = _("klassnycklar")
        constraints = [
            models.UniqueConstraint(fields=["wave", "school_class"], name="class_key_per_wave"),
        ]

    def __str__(self) -> str:
        return self.key


# A code's sheet is stored when the code is spent and has no draft left: the code is
# spent at its first entry, and its draft is deleted in the transaction that stores the
# sheet (the drafts of closed waves are purged with their codes made unspent again).
ANSWERED = models.Q(spent=True, draft__isnull=True)


class AccessCodeQuerySet(models.QuerySet["AccessCode"]):
    def answered(self) -> "AccessCodeQuerySet":
        """The codes whose sheet is stored (`ANSWERED`)."""
        return self.filter(ANSWERED)


class AccessCode(models.Model):
    """A one-time code: it proves a seat in a class, not a person.

    Only a keyed hash of the code is stored. It is spent at its first entry (a conditional
    update that must change exactly one row, which also creates its draft); a spent code
    never gets a new draft, so it stores one sheet. It never points at the sheet, and the
    transaction that stores the sheet does not write it (`services.sheet_submit`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="codes")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_on = models.DateField(default=timezone.localdate)
    spent = models.BooleanField(default=False)

    objects = AccessCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("engångskod")
        verbose_name_plural = _("engångskoder")
        indexes = [models.Index(fields=["wave", "school_class", "spent"])]

    def __str__(self) -> str:
        return f"{_('kod')} {str(self.id)[:8]}"


class SheetDraft(models.Model):
    """Answers of a pupil who has started but not submitted: save and resume with the code.

    Keyed to the code on purpose (the same code finds the answers again after a closed
    tab); deleted in the transaction that stores the sheet, so no submitted answer is ever
    linked to a code.
    """

    code = models.OneToOneField(
        AccessCode, on_delete=models.CASCADE, primary_key=True, related_name="draft"
    )
    submission_id = models.UUIDField(default=uuid.uuid4)
    language = models.CharField(max_length=8)
    page = models.PositiveSmallIntegerField(default=0)
    # The furthest question page the pupil reached by the pages' own navigation: pages
    # after it cannot be opened or posted by typing their address.
    furthest = models.PositiveSmallIntegerField(default=0)
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("påbörjad blankett")
        verbose_name_plural = _("påbörjade blanketter")

    def __str__(self) -> str:
        return f"{_('utkast')} {str(self.submission_id)[:8]}"


class PupilSession(models.Model):
    """What a pupil's browser session points at: the session holds only this random token.

    Neither the code nor the submission id is ever in a session. One row per device a
    pupil started on; all of a draft's rows are detached from it (``draft`` set to null,
    ``submitted`` set) in the transaction that stores the sheet, so a leftover session on
    another device leads to nothing, and a double-clicked submit still finds "submitted".
    Rows idle longer than ``PUPIL_IDLE_TIMEOUT`` are deleted (a shared computer).
    """

    token = models.CharField(max_length=64, primary_key=True)
    draft = models.ForeignKey(
        SheetDraft, on_delete=models.CASCADE, null=True, related_name="sessions"
    )
    submitted = models.BooleanField(default=False)
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = _("elevsession")
        verbose_name_plural = _("elevsessioner")
        indexes = [models.Index(fields=["last_seen"])]

    def __str__(self) -> str:
        return f"{_('elevsession')} {self.token[:6]}"


class AnswerVectorField(models.Field[list[int], list[int]]):
    """A list of small integers (`surveys.answer_vector`), stored packed: two bytes per
    position (`surveys.answer_vector.pack`), a `bytea` on PostgreSQL and a BLOB on SQLite.
    Python sees the list; the aggregation reads the stored bytes directly."""

    description = "A list of small integers, two bytes each"
    empty_strings_allowed = False  # no implicit default: a sheet without one fails

    def db_type(self, connection: Any) -> str:
        return "bytea" if connection.vendor == "postgresql" else "blob"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int] | None:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[int] | None:
        if value is None or isinstance(value, list):
            return value
        return answer_vector.unpack(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or isinstance(value, bytes):
            return value
        return answer_vector.pack(value)


class AnswerSheet(models.Model):
    """One submitted answer sheet: one row per pupil, answers keyed by question code.

    Holds the date only (no time), no code, no session, no address, no device data.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Random id created when the pupil starts; makes a retried submit store nothing twice.
    submission_id = models.UUIDField(unique=True, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="sheets")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="sheets"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sheets")
    school_district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="school_sheets"
    )
    # The pupil's own answer: a district, or null with `home_answer` ANNAN/EJSVAR/"" (skipped).
    home_district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="home_sheets"
    )
    home_answer = models.CharField(max_length=16, blank=True)
    grade = models.PositiveSmallIntegerField(choices=Grade)
    gender = models.CharField(max_length=1, blank=True)  # KON option code, "" when skipped
    language = models.CharField(max_length=8)
    submitted_on = models.DateField()
    answers = models.JSONField(default=dict)
    # The same answers as small integers laid out by the questionnaire version
    # (`surveys.answer_vector`), which the aggregation reads. Written with the JSON by
    # `surveys.services.sheets_store`; no default, so a writer that forgets it fails.
    answer_vector = AnswerVectorField(editable=False)
    # SHA-256 of the canonical answers: a retry with the same submission id must match it.
    answers_digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("svarsblankett")
        verbose_name_plural = _("svarsblanketter")
        # (wave, questionnaire): the aggregation asks whether a wave holds sheets of
        # another version than its own without scanning the wave's sheets.
        indexes = [models.Index(fields=["wave", "questionnaire"])]

    def __str__(self) -> str:
        return f"{_('svar')} {str(self.id)[:8]}"


class GuessCounter(models.Model):
    """Failed code entries per class key, per school and per code in a fixed time window.

    In the database (not the cache) so that the limit holds on SQLite and across every
    gunicorn worker. Holds no IP address and no typed code (only its public class key).
    """

    class Scope(models.TextChoices):
        KEY = "key", _("klassnyckel")
        SCHOOL = "school", _("skola")
        CODE = "code", _("kod")

    scope = models.CharField(max_length=8, choices=Scope)
    # The typed class key (known or not), a school id, or an access code id; "-" when a
    # wrong code named no school or came near no real code (counted all the same, so an
    # unknown class key costs the same work as a known one).
    target = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("felräknare")
        verbose_name_plural = _("felräknare")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "target", "window_start"], name="guess_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.target} {self.failures}"


class Heartbeat(models.Model):
    """Last time a background service proved it was alive (written by a Celery task)."""

    service = models.CharField(max_length=32, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("livstecken")
        verbose_name_plural = _("livstecken")

    def __str__(self) -> str:
        return f"{self.service} {self.seen_at:%Y-%m-%d %H:%M:%S}"
