"""Entering a one-time code: the check, and the limits on guessing.

Three rules shape this module:

- A right code always gets in. Nobody else's wrong guesses can lock a pupil out, so a
  pupil cannot lock out a class or a school, and a typo cannot lock a pupil's own code.
- Wrong codes are limited and slowed down per class key (the code's first, public
  group): beyond `CODE_GUESS_LIMIT_KEY` wrong entries in a window, a wrong entry with that
  key waits `CODE_GUESS_DELAY_SECONDS` and is answered "too many attempts". Wrong entries
  per school and near misses of a real code are counted too; beyond their limits they are
  written to the audit log and shown to the coordinator, but they change no answer: an
  answer that depended on them would tell a guesser that two keys belong to one school,
  or that a guess is one typo away from a real code.
- Unknown and known class keys cost the same work: the same queries, the same hashes and
  the same counter writes, so neither the answer nor its timing tells whether a key
  exists (an outsider cannot collect the keys of a school).
"""

import functools
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import audit

from . import codes, rows
from .models import AccessCode, ClassKey, GuessCounter, SchoolClass, SheetDraft, Wave
from .pupil_sessions import pupil_session_open

EntryStatus = Literal["ok", "invalid", "wrong", "spent", "not_open", "closed", "locked"]
# The counter target when a wrong code names no school or comes near no real code.
NOBODY = "-"
STORM_EVENT = "code guessing limit reached"


@dataclass(frozen=True)
class CodeEntry:
    status: EntryStatus
    code_id: uuid.UUID | None = None
    draft: SheetDraft | None = None  # with its code and wave loaded
    token: str = ""  # "ok": this device's fresh pupil-session token (pupil_sessions)
    questionnaire_id: int | None = None  # for "closed": the languages of the message


def window_start(now: datetime) -> datetime:
    minutes = settings.CODE_GUESS_WINDOW_MINUTES
    epoch_minutes = int(now.timestamp() // 60)
    start = epoch_minutes - epoch_minutes % minutes
    return datetime.fromtimestamp(start * 60, tz=now.tzinfo)


def _count_failure(scope: str, target: str, window: datetime) -> int:
    """Add one failure to the counter and return its new value."""
    match = GuessCounter.objects.filter(scope=scope, target=target, window_start=window)
    if not match.update(failures=F("failures") + 1):
        try:
            with transaction.atomic():
                GuessCounter.objects.create(
                    scope=scope, target=target, window_start=window, failures=1
                )
        except IntegrityError:  # a concurrent request created the row first
            match.update(failures=F("failures") + 1)
    return match.values_list("failures", flat=True).get()


def _kommun_code(wave_id: int | None) -> str | None:
    """The kommun of a guess storm's audit row (a rare event: one query then)."""
    if wave_id is None:
        return None
    return Wave.objects.filter(pk=wave_id).values_list("municipality__code", flat=True).first()


def code_enter(*, typed: str, language: str) -> CodeEntry:
    """Check a typed code; a right one opens (or resumes) its draft and a fresh session
    token for this device, in one transaction."""
    compact = codes.normalise(typed)
    if compact is None:
        return CodeEntry("invalid")
    key = settings.ACCESS_CODE_KEY
    typed_key = codes.class_key_of(compact)
    # Both lookups run for every well-formed code, whether or not its key exists.
    class_key = _class_key(typed_key)
    code = _code(codes.code_hash(compact, key))
    now = timezone.now()
    if code is not None:
        if now < code.wave.opens_at:
            return CodeEntry("not_open")
        if now >= code.wave.closes_at or code.wave.is_published:
            return CodeEntry("closed", questionnaire_id=code.wave.questionnaire_id)
        with transaction.atomic():
            draft = _draft_open(code, language)
            if draft is None:
                return CodeEntry("spent")
            draft.code = code  # already loaded, with its wave
            token = pupil_session_open(draft=draft)
        return CodeEntry("ok", code_id=code.id, draft=draft, token=token)
    return _wrong(compact, typed_key, class_key, now)


# The statements of every code entry, written out once (`surveys.rows`).
@functools.cache
def _sql(name: str) -> str:
    key, school_class = ClassKey._meta.db_table, SchoolClass._meta.db_table
    code, wave = AccessCode._meta.db_table, Wave._meta.db_table
    draft = SheetDraft._meta.db_table
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in SheetDraft._meta.concrete_fields)
    marks = ", ".join(["%s"] * rows.width(SheetDraft))
    # Table and column names from the models only; every value travels as a parameter.
    statements = {
        "class_key": (
            f"SELECT {rows.columns(ClassKey, 'k')}, {rows.columns(SchoolClass, 'c')} "  # noqa: S608
            f"FROM {key} k JOIN {school_class} c ON c.id = k.school_class_id WHERE k.key = %s"
        ),
        "code": (
            f"SELECT {rows.columns(AccessCode, 'a')}, {rows.columns(Wave, 'w')} "  # noqa: S608
            f"FROM {code} a JOIN {wave} w ON w.id = a.wave_id WHERE a.code_hash = %s"
        ),
        "draft": f"SELECT {rows.columns(SheetDraft, 'd')} FROM {draft} d WHERE d.code_id = %s",  # noqa: S608
        # The first entry spends the code: a conditional UPDATE of its own row only, so
        # PostgreSQL re-checks `spent = false` after waiting for a concurrent entry.
        "spend": f"UPDATE {code} SET spent = %s WHERE id = %s AND spent = %s",  # noqa: S608
        # A draft another device created a moment ago wins: nothing inserted, no error.
        "draft_insert": (
            f"INSERT INTO {draft} ({names}) VALUES ({marks}) "  # noqa: S608
            "ON CONFLICT (code_id) DO NOTHING RETURNING code_id"
        ),
    }
    return statements[name]


def _one(name: str, params: list[Any]) -> tuple[Any, ...] | None:
    with rows.cursor() as cursor:
        cursor.execute(_sql(name), params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


def _pair[A: models.Model, B: models.Model](
    name: str, params: list[Any], first: type[A], second: type[B]
) -> tuple[A, B] | None:
    """One row of statement `name` holding a `first` and the `second` it joins, or None."""
    row = _one(name, params)
    if row is None:
        return None
    width = rows.width(first)
    return rows.from_row(first, row[:width]), rows.from_row(second, row[width:])


def _class_key(typed_key: str) -> ClassKey | None:
    """The class key (unique) with its class."""
    found = _pair("class_key", [typed_key], ClassKey, SchoolClass)
    if found is None:
        return None
    class_key, school_class = found
    class_key.school_class = school_class
    return class_key


def _code(code_hash: str) -> AccessCode | None:
    """The code (its hash is unique) with its wave."""
    found = _pair("code", [code_hash], AccessCode, Wave)
    if found is None:
        return None
    code, wave = found
    code.wave = wave
    return code


def _draft_open(code: AccessCode, language: str) -> SheetDraft | None:
    """The code's draft; created at the code's first entry, which spends the code; None
    when the code is spent and has no draft: its sheet was stored.

    Inside the caller's transaction, with no savepoint. Of two devices entering a fresh
    code at once, the one whose conditional UPDATE spends it creates the draft; the other
    waits for that row lock and then finds the draft.

    The code is spent here, not by the submit, so that the transaction storing the sheet
    writes no row of the code: PostgreSQL marks every row a transaction writes with its id
    (`xmin`), and a code row written with the sheet could be joined to it by that id.
    """
    code_id = SheetDraft._meta.pk.get_db_prep_value(code.pk, connection)
    row = _one("draft", [code_id])
    if row is not None:
        return rows.from_row(SheetDraft, row)
    if code.spent:
        return None
    with rows.cursor() as cursor:
        cursor.execute(_sql("spend"), [True, code_id, False])
        first = cursor.rowcount == 1
    if not first:  # another device spent it a moment ago: its draft, or its stored sheet
        row = _one("draft", [code_id])
        return None if row is None else rows.from_row(SheetDraft, row)
    draft = SheetDraft(code=code, language=language, updated_at=timezone.now())
    values = [
        f.get_db_prep_save(getattr(draft, f.attname), connection)
        for f in SheetDraft._meta.concrete_fields
    ]
    if _one("draft_insert", values) is None:
        raise IntegrityError("the code was spent here, yet it has a draft")
    return draft


def _wrong(compact: str, typed_key: str, class_key: ClassKey | None, now: datetime) -> CodeEntry:
    key = settings.ACCESS_CODE_KEY
    neighbours = [codes.code_hash(near, key) for near in codes.near_misses(compact)]
    near_ids = [
        str(pk)
        for pk in AccessCode.objects.filter(code_hash__in=neighbours).values_list("id", flat=True)
    ]
    school_id = class_key.school_class.school_id if class_key else None
    window = window_start(now)
    with transaction.atomic():
        by_key = _count_failure(GuessCounter.Scope.KEY, typed_key, window)
        by_school = _count_failure(GuessCounter.Scope.SCHOOL, str(school_id or NOBODY), window)
        by_code = max(
            _count_failure(GuessCounter.Scope.CODE, target, window)
            for target in near_ids or [NOBODY]
        )
    wave = class_key.wave_id if class_key else None
    storms = [
        ("key", by_key, settings.CODE_GUESS_LIMIT_KEY),
        ("school", by_school, settings.CODE_GUESS_LIMIT_SCHOOL),
        ("code", by_code if near_ids else 0, settings.CODE_GUESS_LIMIT_CODE),
    ]
    for scope, failures, limit in storms:
        # Once per target and window, when the limit is first passed; only known keys
        # name a school (a storm of unknown keys is one row per key, without a school).
        if failures == limit + 1:
            audit(
                None,
                STORM_EVENT,
                kommun=_kommun_code(wave),
                scope=scope,
                school_id=school_id,
                wave_id=wave,
                failures=failures,
                window_start=window.isoformat(),
            )
    if by_key > settings.CODE_GUESS_LIMIT_KEY:
        time.sleep(settings.CODE_GUESS_DELAY_SECONDS)
        return CodeEntry("locked")
    return CodeEntry("wrong")
