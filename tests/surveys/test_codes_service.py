from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditLog
from surveys import codes
from surveys.entry import code_enter
from surveys.models import AccessCode, ClassKey, SheetDraft, Wave
from surveys.services import codes_issue
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


def _wrong_secret(code: str) -> str:
    """A code of the same class that differs in every secret character."""
    compact = codes.normalise(code)
    assert compact
    flip = {c: codes.ALPHABET[(i + 7) % 32] for i, c in enumerate(codes.ALPHABET)}
    return compact[:4] + "".join(flip[c] for c in compact[4:])


def test_issued_codes_are_stored_only_as_hashes() -> None:
    wave, school_class = make_wave(), make_class()
    issued = codes_issue(wave=wave, school_class=school_class, count=3)
    stored = set(AccessCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 3
    assert not {codes.normalise(code) for code in issued} & stored
    assert all(len(digest) == 64 for digest in stored)


def test_codes_of_one_class_share_its_class_key() -> None:
    wave, school_class = make_wave(), make_class()
    issued = codes_issue(wave=wave, school_class=school_class, count=5)
    key = ClassKey.objects.get(wave=wave, school_class=school_class).key
    assert {code[:4] for code in issued} == {key}


def test_issuing_adds_the_class_to_the_wave() -> None:
    wave, school_class = make_wave(), make_class()
    codes_issue(wave=wave, school_class=school_class, count=1)
    assert list(wave.classes.all()) == [school_class]


def test_no_codes_are_issued_for_a_closed_wave() -> None:
    wave = make_wave(
        opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        codes_issue(wave=wave, school_class=make_class(), count=1)


def test_issue_codes_command_prints_one_code_per_line() -> None:
    make_wave(slug="ht26")
    school_class = make_class(name="7B")
    from io import StringIO

    out = StringIO()
    call_command(
        "issue_codes",
        "--wave=ht26",
        f"--school={school_class.school.name}",
        "--class=7B",
        "--count=4",
        stdout=out,
    )
    lines = out.getvalue().split()
    assert len(lines) == 4
    assert all(codes.normalise(line) for line in lines)
    assert AccessCode.objects.filter(school_class=school_class).count() == 4
    # Issued from the command line, the codes have their audit row too (no user, no code).
    row = AuditLog.objects.get(event="codes issued")
    assert row.actor_id is None
    assert row.details == {
        "wave": "ht26",
        "school_id": school_class.school_id,
        "school_class_id": school_class.pk,
        "count": 4,
    }
    assert row.kommun == school_class.school.district.municipality.code


def test_codes_and_their_audit_row_are_written_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the audit row cannot be written, no code exists that nobody can account for."""
    wave, school_class = make_wave(), make_class()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("surveys.services.audit", broken)
    with pytest.raises(RuntimeError):
        codes_issue(wave=wave, school_class=school_class, count=3)
    assert not AccessCode.objects.exists()


def test_a_right_code_opens_a_draft() -> None:
    wave, school_class = make_wave(), make_class()
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    entry = code_enter(typed=code.lower(), language="sv")
    assert entry.status == "ok"
    assert SheetDraft.objects.filter(code_id=entry.code_id).exists()


def test_entering_the_same_code_again_resumes_the_same_draft() -> None:
    wave, school_class = make_wave(), make_class()
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    first = code_enter(typed=code, language="sv")
    again = code_enter(typed=code, language="en")
    assert first.draft and again.draft
    assert again.draft.submission_id == first.draft.submission_id


def test_a_spent_code_is_rejected() -> None:
    wave, school_class = make_wave(), make_class()
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    AccessCode.objects.update(spent=True)
    assert code_enter(typed=code, language="sv").status == "spent"


def test_a_code_of_a_wave_that_has_not_opened_is_rejected() -> None:
    wave = make_wave(opens_at=timezone.now() + timedelta(days=1))
    [code] = codes_issue(wave=wave, school_class=make_class(), count=1)
    assert code_enter(typed=code, language="sv").status == "not_open"


def test_a_code_of_a_closed_wave_is_rejected_as_closed() -> None:
    wave = make_wave(
        opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() + timedelta(days=1)
    )
    [code] = codes_issue(wave=wave, school_class=make_class(), count=1)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    assert code_enter(typed=code, language="sv").status == "closed"


def test_a_wrong_code_is_rejected() -> None:
    wave, school_class = make_wave(), make_class()
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    assert code_enter(typed=_wrong_secret(code), language="sv").status == "wrong"


def test_malformed_input_is_reported_as_not_a_code() -> None:
    assert code_enter(typed="hello", language="sv").status == "invalid"


def test_guess_counters_hold_no_typed_code() -> None:
    from surveys.models import GuessCounter

    wave, school_class = make_wave(), make_class()
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    wrong = _wrong_secret(code)
    code_enter(typed=wrong, language="sv")
    stored = " ".join(f"{c.scope} {c.target}" for c in GuessCounter.objects.all())
    assert wrong not in stored
    assert stored
