"""Writes of the survey app, one business verb each (long because the pupil flow writes here)."""

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser
from accounts.services import audit

from . import answer_vector, codes, rows
from . import questionnaire as qn
from .flow import flow_for_id
from .models import (
    AccessCode,
    AnswerSheet,
    ClassKey,
    District,
    GuessCounter,
    Municipality,
    PupilSession,
    QuestionnaireVersion,
    School,
    SchoolClass,
    SheetDraft,
    Wave,
    other_kommun_message,
)
from .pupil_sessions import pupil_sessions_purge

# Never log a code, a code hash or a session key here: only ids of sheets and waves.
logger = logging.getLogger(__name__)

MAX_CODES_PER_REQUEST = 200


# --- Questionnaire versions --------------------------------------------------------------


def questionnaire_import(
    *, questionnaire: qn.Questionnaire, municipality: Municipality | None = None
) -> tuple[QuestionnaireVersion, bool]:
    """Store a validated questionnaire as a version of `municipality` (None: the core
    questionnaire every kommun may use); returns (version, created).

    Importing the same document again changes nothing. A different document under an
    existing code and version replaces it only while no wave uses it and only for the
    same owner; a locked version is immutable and the file must carry a new version
    number. A code and version another owner has are refused, without saying whose.
    """
    definition = qn.dump_questionnaire(questionnaire)
    title = qn.translate(questionnaire.title, qn.MASTER_LANGUAGE)
    with transaction.atomic():
        existing = (
            QuestionnaireVersion.objects.select_for_update()
            .filter(code=questionnaire.code, version=questionnaire.version)
            .first()
        )
        if existing is None:
            created = QuestionnaireVersion.objects.create(
                code=questionnaire.code,
                version=questionnaire.version,
                title=title,
                definition=definition,
                municipality=municipality,
            )
            return created, True
        if existing.municipality_id != (municipality.pk if municipality else None):
            raise ValidationError(
                _(
                    "Det finns redan en enkätversion med koden %(code)s och version "
                    "%(version)d. Ge filen en egen kod."
                )
                % {"version": questionnaire.version, "code": questionnaire.code}
            )
        if existing.definition == definition:
            return existing, False
        if existing.locked:
            raise ValidationError(
                _(
                    "Version %(version)d av %(code)s används redan av en omgång och kan inte "
                    "ändras. Ge filen ett nytt versionsnummer."
                )
                % {"version": questionnaire.version, "code": questionnaire.code}
            )
        existing.definition = definition
        existing.title = title
        existing.save(update_fields=["definition", "title"])
        return existing, False


def questionnaire_parse(*, name: str, content: bytes) -> qn.Questionnaire:
    """A questionnaire from an uploaded or read file: YAML, JSON or XLSForm by extension.

    Raises QuestionnaireError with every problem and where it is.
    """
    if name.lower().endswith(".xlsx"):
        return qn.from_xlsform(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise qn.QuestionnaireError([qn.Problem("", "the file is not UTF-8 text")]) from None
    # JSON is a subset of YAML, so one parser reads both.
    return qn.parse_yaml(text)


def questionnaire_import_default() -> QuestionnaireVersion:
    """The default (core) questionnaire (surveys/questionnaires/default-v3.yaml), imported once."""
    version, _created = questionnaire_import(questionnaire=qn.load_yaml_file())
    return version


DEMO_WAVE_SLUG = "demo-oppen"


def demo_wave_ensure(*, municipality: Municipality, questionnaire: QuestionnaireVersion) -> Wave:
    """The demo's open wave (open from yesterday for a year). Idempotent."""
    now = timezone.now()
    wave, _created = Wave.objects.get_or_create(
        municipality=municipality,
        slug=DEMO_WAVE_SLUG,
        defaults={
            "name": _("Demoomgång (öppen)"),
            "questionnaire": questionnaire,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=365),
            # The demo shows the Arabic draft translation too (a coordinator's choice).
            "languages": ["sv", "en", "ar"],
            "demo": True,
        },
    )
    return wave


# --- Issuing codes -------------------------------------------------------------------------


def _class_key_for(*, wave: Wave, school_class: SchoolClass) -> ClassKey:
    existing = ClassKey.objects.filter(wave=wave, school_class=school_class).first()
    if existing is not None:
        return existing
    for _attempt in range(20):
        try:
            with transaction.atomic():
                return ClassKey.objects.create(
                    wave=wave, school_class=school_class, key=codes.random_group()
                )
        except IntegrityError:
            # Either the random key is taken (1 in 2^20 per existing key) or a concurrent
            # request created this class's key first: look again, then retry.
            existing = ClassKey.objects.filter(wave=wave, school_class=school_class).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not find a free class key.")


def codes_issue(
    *,
    wave: Wave,
    school_class: SchoolClass,
    count: int,
    by: HttpRequest | AnyUser | None = None,
) -> list[str]:
    """Create `count` fresh codes for a class and return them grouped (shown once only).

    Only the keyed hashes are stored, so the returned list is the one chance to print them.
    The audit row ("codes issued": the wave, school, class and count, never a code) is
    written in the same transaction as the codes: `by` is the staff page's or the admin's
    request, a user, or None for the command line and the demo.
    """
    if not 1 <= count <= MAX_CODES_PER_REQUEST:
        raise ValidationError(
            _("Antal koder måste vara mellan 1 och %(max)d.") % {"max": MAX_CODES_PER_REQUEST}
        )
    if wave.closes_at <= timezone.now():
        raise ValidationError(_("Omgången har stängt; inga nya koder kan delas ut."))
    key = settings.ACCESS_CODE_KEY
    with transaction.atomic():
        # The class row locked: two coordinators issuing at once cannot pass the limit.
        locked = SchoolClass.objects.select_for_update().select_related("school__district")
        school_class = locked.get(pk=school_class.pk)
        if school_class.school.district.municipality_id != wave.municipality_id:
            raise ValidationError(other_kommun_message([school_class]))
        _codes_within_seats(wave=wave, school_class=school_class, count=count)
        class_key = _class_key_for(wave=wave, school_class=school_class)
        wave.classes.add(school_class)
        fresh: dict[str, str] = {}
        while len(fresh) < count:
            compact = codes.new_code(class_key.key)
            fresh[codes.code_hash(compact, key)] = compact
        AccessCode.objects.bulk_create(
            AccessCode(wave=wave, school_class=school_class, code_hash=digest) for digest in fresh
        )
        audit(
            by,
            "codes issued",
            kommun=wave.municipality.code,
            wave=wave.slug,
            school_id=school_class.school_id,
            school_class_id=school_class.pk,
            count=len(fresh),
        )
    return [codes.grouped(compact) for compact in fresh.values()]


def codes_room(*, wave: Wave, school_class: SchoolClass) -> int:
    """How many more codes the class may get in the wave: its seats (pupils) and
    CODES_EXTRA_PER_CLASS spare ones for slips that get lost or torn, less those issued."""
    issued = AccessCode.objects.filter(wave=wave, school_class=school_class).count()
    return max(0, school_class.expected_size + settings.CODES_EXTRA_PER_CLASS - issued)


def _codes_within_seats(*, wave: Wave, school_class: SchoolClass, count: int) -> None:
    room = codes_room(wave=wave, school_class=school_class)
    if count > room:
        raise ValidationError(
            _(
                "%(klass)s har %(seats)d elever och får högst %(limit)d koder i omgången "
                "(%(extra)d i reserv). %(room)d till kan delas ut. Stämmer inte antalet "
                "elever? Be samordnaren ändra det."
            )
            % {
                "klass": school_class.name,
                "seats": school_class.expected_size,
                "limit": school_class.expected_size + settings.CODES_EXTRA_PER_CLASS,
                "extra": settings.CODES_EXTRA_PER_CLASS,
                "room": room,
            }
        )


# --- Drafts and the final submit ---------------------------------------------------------------


def draft_save(
    *,
    code_id: uuid.UUID,
    answers: dict[str, Any],
    page: int,
    language: str | None = None,
    reached: int | None = None,
) -> None:
    """Keep a pupil's answers so far, so the same code resumes them after a closed tab.

    `reached`: a page the pupil got to by the pages' own navigation (it and every page
    before it may be opened from now on).
    """
    fields: dict[str, Any] = {"answers": answers, "page": page, "updated_at": timezone.now()}
    if language is not None:
        fields["language"] = language
    if reached is not None:
        fields["furthest"] = Greatest(F("furthest"), Value(reached))
    SheetDraft.objects.filter(code_id=code_id).update(**fields)


def draft_page_save(
    *,
    code_id: uuid.UUID,
    version: datetime,
    answers: dict[str, Any],
    page: int,
    reached: int | None = None,
) -> datetime | None:
    """Keep the answers of a page posted from the draft's current version (its page
    token, `page_token`), and return the new version; None when the draft has moved on
    since the page was shown (a resent or outdated form): then nothing is saved.

    The version is the draft's `updated_at`, compared in the UPDATE itself, so of two
    posts of one page (a double click, two tabs) exactly one is saved. One statement,
    so no transaction around it (no BEGIN and COMMIT round trips; it commits on its own),
    written out once (`_PAGE_SAVE`): the ORM would build the same UPDATE on every page.
    """
    now = timezone.now()
    meta = SheetDraft._meta
    stamp = meta.get_field("updated_at")
    params = [
        meta.get_field("answers").get_db_prep_save(answers, connection),
        page,
        stamp.get_db_prep_save(now, connection),
        reached,
        reached,
        meta.pk.get_db_prep_value(code_id, connection),
        stamp.get_db_prep_value(version, connection),
    ]
    with rows.cursor() as cursor:
        cursor.execute(_PAGE_SAVE, params)
        saved = cursor.rowcount
    return now if saved == 1 else None


# The furthest page only grows (a NULL `reached` leaves it); on every database.
_PAGE_SAVE = (
    f"UPDATE {SheetDraft._meta.db_table} SET answers = %s, page = %s, updated_at = %s, "  # noqa: S608 - table name only
    "furthest = CASE WHEN %s > furthest THEN %s ELSE furthest END "
    "WHERE code_id = %s AND updated_at = %s"
)


def page_token(*, submission_id: uuid.UUID, version: datetime) -> str:
    """What a page form carries to show which version of the draft it was made from: a
    digest, so the page shows neither a time nor anything another pupil could reuse."""
    text = f"{submission_id}:{version.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def draft_language_set(*, code_id: uuid.UUID, language: str) -> None:
    """The pupil's language; the draft's version stays (open page forms remain valid)."""
    SheetDraft.objects.filter(code_id=code_id).update(language=language)


def answers_digest(answers: dict[str, Any]) -> str:
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class WaveClosedError(Exception):
    """The wave does not take answer sheets: not open yet, closed, or published."""


def wave_sheets_accept(*, wave_id: int) -> None:
    """The guard of every path that stores answer sheets; call it as the LAST statement of
    the transaction that inserted them. Raises WaveClosedError unless the wave is open now
    and unpublished; the caller then rolls the whole transaction back.

    A conditional UPDATE that must change exactly one row marks the wave's indicators
    dirty: PostgreSQL re-checks the condition on the wave row after waiting for any
    concurrent writer of it, so a sheet can never slip in beside a close or a publication
    (`wave_publish` locks this row before it counts). The same statement on every
    database, and the only write of the wave row a submit makes, held for the moment
    between it and the commit.
    """
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    with rows.cursor() as cursor:
        cursor.execute(_SUBMIT_SQL["wave_accept"], [at, wave_id, at, at])
        accepted = cursor.rowcount
    if accepted != 1:
        raise WaveClosedError(f"wave {wave_id} takes no answer sheets now")


def sheet_vector(*, questionnaire_id: int, answers: dict[str, Any]) -> list[int]:
    """The answer vector of a sheet's answers under its questionnaire version."""
    return answer_vector.encode(flow_for_id(questionnaire_id).vector_layout, answers)


# Rows above which PostgreSQL gets the sheets through COPY rather than one INSERT.
COPY_FROM_ROWS = 100


def sheets_store(*, sheets: list[AnswerSheet]) -> None:
    """Insert answer sheets, each with its answer vector computed here from its JSON
    answers (`surveys.answer_vector`): the one way every writer stores sheets (the pupil's
    submit, synthetic and demo sheets), so the two forms cannot disagree.

    The caller owns the transaction and ends it with `wave_sheets_accept`.
    """
    for sheet in sheets:
        sheet.answer_vector = sheet_vector(
            questionnaire_id=sheet.questionnaire_id, answers=sheet.answers
        )
    if connection.vendor == "postgresql" and len(sheets) > COPY_FROM_ROWS:
        _copy_sheets(sheets)
    else:
        AnswerSheet.objects.bulk_create(sheets, batch_size=500)


# Every column of a sheet, in the order `_copy_sheets` writes them.
SHEET_COLUMNS = (
    "id",
    "submission_id",
    "wave_id",
    "questionnaire_id",
    "school_id",
    "school_district_id",
    "home_district_id",
    "home_answer",
    "grade",
    "gender",
    "language",
    "submitted_on",
    "answers",
    "answer_vector",
    "answers_digest",
)


def _copy_sheets(sheets: list[AnswerSheet]) -> None:
    """COPY (about 100,000 sheets in seconds, where INSERTs take minutes)."""
    table = AnswerSheet._meta.db_table
    sql = f"COPY {table} ({', '.join(SHEET_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for s in sheets:
            copy.write_row(
                (
                    s.id,
                    s.submission_id,
                    s.wave_id,
                    s.questionnaire_id,
                    s.school_id,
                    s.school_district_id,
                    s.home_district_id,
                    s.home_answer,
                    s.grade,
                    s.gender,
                    s.language,
                    s.submitted_on,
                    json.dumps(s.answers, ensure_ascii=False),
                    answer_vector.pack(s.answer_vector),
                    s.answers_digest,
                )
            )


SubmitStatus = Literal["stored", "duplicate", "conflict", "spent", "closed"]


@dataclass(frozen=True)
class SubmitResult:
    status: SubmitStatus

    @property
    def accepted(self) -> bool:
        return self.status in ("stored", "duplicate")


def _existing(submission_id: uuid.UUID, digest: str) -> SubmitResult | None:
    sheet = AnswerSheet.objects.filter(submission_id=submission_id).only("answers_digest")
    found = sheet.first()
    if found is None:
        return None
    if found.answers_digest == digest:
        return SubmitResult("duplicate")
    # No sheet id in the log: a log line has a time of day, and a sheet must not.
    logger.warning("Refused a submit that reuses a stored sheet's submission id.")
    return SubmitResult("conflict")


def sheet_submit(
    *,
    code_id: uuid.UUID,
    submission_id: uuid.UUID,
    answers: dict[str, Any],
    language: str,
    gender_question: str = "KON",
    home_question: str = "HEMOMR",
) -> SubmitResult:
    """Store one answer sheet exactly once, deleting the code's draft in the same
    transaction.

    The draft's DELETE must remove exactly one row: that is what lets a code store one
    sheet only (the code itself was spent at its first entry, `entry._draft_open`, and a
    spent code without a draft never gets another). A retry with the same submission id and
    the same answers returns "duplicate", with other answers "conflict" (logged). The
    sheet holds no code, no time of day and no device data, and this transaction writes no
    row of the code: the rows it writes carry its transaction id (`xmin` in PostgreSQL),
    and none of them can lead from the sheet to the code once the deleted draft is vacuumed.
    """
    digest = answers_digest(answers)
    # What the sheet carries instead of the draft's submission id (`codes.sheet_submission_id`).
    submission_id = codes.sheet_submission_id(submission_id, settings.ACCESS_CODE_KEY)
    today: date = timezone.localdate()
    now = timezone.now()
    code_param = AccessCode._meta.pk.get_db_prep_value(code_id, connection)
    with transaction.atomic(), rows.cursor() as cursor:
        # The code's wave, class and school (hand-written and prepared: `surveys.rows`).
        cursor.execute(_SUBMIT_SQL["code"], [code_param])
        found = cursor.fetchone()
        if found is None:
            return SubmitResult("spent")
        wave = rows.from_row(Wave, found[: rows.width(Wave)])
        grade, school_id, school_district_id = found[rows.width(Wave) :]
        if not wave.opens_at <= now < wave.closes_at:
            return _existing(submission_id, digest) or SubmitResult("closed")
        # The DELETE names only the draft's own row: PostgreSQL re-checks it after waiting
        # for a concurrent submit's row lock, and finds it gone if that one committed. (A
        # filter across a join would become `IN (subquery)`, whose stale snapshot would
        # let two submits both store a sheet.) The sessions still pointing at the draft
        # are detached below, before the commit checks the foreign key.
        cursor.execute(_SUBMIT_SQL["draft_delete"], [code_param])
        if cursor.rowcount != 1:
            # A retry, or a concurrent submit of the same sheet that committed while we
            # waited for the draft's row lock; otherwise the code's sheet is stored.
            return _existing(submission_id, digest) or SubmitResult("spent")
        home = str(answers.get(home_question, ""))
        sheet = AnswerSheet(
            submission_id=submission_id,
            wave_id=wave.pk,
            questionnaire_id=wave.questionnaire_id,
            school_id=school_id,
            school_district_id=school_district_id,
            home_district_id=_district_id(wave.municipality_id, home),
            home_answer=home,
            grade=grade,
            gender=str(answers.get(gender_question, "")),
            language=language,
            submitted_on=today,
            answers=answers,
            answers_digest=digest,
        )
        sheets_store(sheets=[sheet])
        # Sessions on other devices lose their way to the draft (none names the code), and
        # their idle clock the time of day: a detached row says only "submitted" until the
        # next purge deletes it (it is written in this transaction, as the sheet is).
        detached_seen = connection.ops.adapt_datetimefield_value(_DETACHED_SEEN)
        cursor.execute(_SUBMIT_SQL["detach"], [True, detached_seen, code_param])
        # The draft went by one DELETE above, not Django's cascade (which would read the
        # draft and delete its sessions first: two statements more); a session row another
        # device added in between fails the foreign key at the commit, and the whole
        # submit rolls back (nothing stored, nothing lost).
        # Last statement before commit: this row lock is shared by every submit of the wave.
        try:
            wave_sheets_accept(wave_id=wave.pk)
        except WaveClosedError:
            # Closed or published meanwhile: nothing of this submit is kept (the draft
            # stays, with the answers, for the pupil's message).
            transaction.set_rollback(True)
            return SubmitResult("closed")
    return SubmitResult("stored")


# What a session row's idle clock says once its draft was submitted: no time of day, and
# older than any idle timeout, so the next purge deletes the row.
_DETACHED_SEEN = datetime(2000, 1, 1, tzinfo=UTC)


# The submit's statements, written out once (table and column names only; every value
# is a parameter). The same statements on every database.
_SUBMIT_SQL = {
    "code": (
        f"SELECT {rows.columns(Wave, 'w')}, c.grade, s.id, s.district_id "  # noqa: S608
        f"FROM {AccessCode._meta.db_table} a "
        f"JOIN {Wave._meta.db_table} w ON w.id = a.wave_id "
        f"JOIN {SchoolClass._meta.db_table} c ON c.id = a.school_class_id "
        f"JOIN {School._meta.db_table} s ON s.id = c.school_id WHERE a.id = %s"
    ),
    "detach": (
        f"UPDATE {PupilSession._meta.db_table} SET draft_id = NULL, submitted = %s, "  # noqa: S608
        "last_seen = %s WHERE draft_id = %s"
    ),
    "draft_delete": f"DELETE FROM {SheetDraft._meta.db_table} WHERE code_id = %s",  # noqa: S608
    "wave_accept": (
        f"UPDATE {Wave._meta.db_table} SET indicators_dirty_at = %s "  # noqa: S608
        "WHERE id = %s AND opens_at <= %s AND closes_at > %s AND published_at IS NULL"
    ),
}


# District codes change only when an administrator edits geography; a minute of staleness
# is harmless (a new district would be stored as its code in home_answer meanwhile).
_DISTRICT_IDS: dict[int, tuple[float, dict[str, int]]] = {}
DISTRICT_CACHE_SECONDS = 60.0


def _district_id(municipality_id: int, code: str) -> int | None:
    if not code or code in qn.DISTRICT_FIXED_OPTIONS:
        return None
    cached = _DISTRICT_IDS.get(municipality_id)
    fresh = cached is not None and time.monotonic() - cached[0] < DISTRICT_CACHE_SECONDS
    if cached is None or not fresh or code not in cached[1]:
        ids = dict(
            District.objects.filter(municipality_id=municipality_id).values_list("code", "id")
        )
        cached = (time.monotonic(), ids)
        _DISTRICT_IDS[municipality_id] = cached
    return cached[1].get(code)


# --- Maintenance ----------------------------------------------------------------------------


def survey_housekeeping() -> tuple[int, int]:
    """Delete old guessing counters, idle pupil tokens, expired server sessions and the
    drafts of waves published or closed longer than `PUPIL_DRAFT_GRACE_DAYS`. Safe to run
    twice.
    """
    now = timezone.now()
    counters, _ = GuessCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    pupil_sessions_purge()
    # A closed browser never says goodbye: its server session row stays until it expires
    # (its pupil token is purged above already, so it leads nowhere meanwhile).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    # Unsent answers stay a grace period after the wave closes (a wave closed by mistake
    # and opened again loses nothing); a published wave never takes answers again.
    grace = timedelta(days=settings.PUPIL_DRAFT_GRACE_DAYS)
    closed = SheetDraft.objects.filter(
        Q(code__wave__closes_at__lte=now - grace) | Q(code__wave__published_at__isnull=False)
    )
    with transaction.atomic():
        # A code spent without a draft counts as a stored sheet (`AccessCode.objects.
        # answered`): a code whose pupil never sent in gets its seat back with the draft.
        AccessCode.objects.filter(pk__in=closed.values("code_id")).update(spent=False)
        drafts, _ = closed.delete()
    return counters, drafts
