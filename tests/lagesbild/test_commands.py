"""The management commands of the lägesbild and the admin's publish action."""

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.access import Role
from lagesbild.models import IndicatorCell
from surveys.models import AnswerSheet, Wave
from tests.accounts.accounts_helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db

MakeWave = Callable[..., Wave]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_synth_responses_creates_the_requested_number_of_sheets(make_wave: MakeWave) -> None:
    wave = make_wave(closed=False)
    assert "Created 40" in run("synth_responses", "--wave", wave.slug, "--count", "40")
    assert AnswerSheet.objects.filter(wave=wave).count() == 40
    wave.refresh_from_db()
    assert wave.indicators_dirty_at is not None


def test_synth_responses_refuses_a_published_wave(make_wave: MakeWave) -> None:
    wave = make_wave()
    run("publish_wave", wave.slug)
    with pytest.raises(CommandError, match="published"):
        run("synth_responses", "--wave", wave.slug, "--count", "5")


def test_refresh_indicators_recomputes_the_cells_now(make_wave: MakeWave) -> None:
    wave = make_wave(closed=False)
    run("synth_responses", "--wave", wave.slug, "--count", "50", "--seed", "1")
    assert "Recomputed" in run("refresh_indicators", "--wave", wave.slug)
    assert IndicatorCell.objects.filter(wave=wave, frozen=False).exists()


def test_refresh_indicators_names_an_unknown_wave() -> None:
    with pytest.raises(CommandError, match="nope"):
        run("refresh_indicators", "--wave", "nope")


def test_synth_responses_refuses_a_closed_wave(make_wave: MakeWave) -> None:
    wave = make_wave()
    with pytest.raises(CommandError, match="not open"):
        run("synth_responses", "--wave", wave.slug, "--count", "5")
    assert not AnswerSheet.objects.filter(wave=wave).exists()


def test_synth_responses_refuses_a_wave_that_has_not_opened(make_wave: MakeWave) -> None:
    wave = make_wave(opens=timezone.now() + timedelta(days=2))
    with pytest.raises(CommandError, match="not open"):
        run("synth_responses", "--wave", wave.slug, "--count", "5")


def test_publish_wave_freezes_and_refuses_a_second_time(make_wave: MakeWave) -> None:
    wave = make_wave(closed=False)
    run("synth_responses", "--wave", wave.slug, "--count", "50", "--seed", "2")
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    assert "Published" in run("publish_wave", wave.slug)
    assert not IndicatorCell.objects.filter(wave=wave, frozen=False).exists()
    with pytest.raises(CommandError, match="already published"):
        run("publish_wave", wave.slug)


def test_a_coordinator_publishes_a_closed_wave_from_the_admin(
    make_wave: MakeWave, client: Client
) -> None:
    wave = make_wave()
    login_verified(client, make_staff(Role.COORDINATOR))
    response = client.post(
        "/admin/lagesbild/waveresult/",
        {"action": "publish", "_selected_action": [wave.pk]},
        follow=True,
    )
    assert response.status_code == 200
    wave.refresh_from_db()
    assert wave.is_published


def test_a_coordinator_edits_the_analysis_text_in_the_admin(
    make_wave: MakeWave, client: Client
) -> None:
    wave = make_wave()
    login_verified(client, make_staff(Role.COORDINATOR))
    text = "Första stycket.\n\nAndra stycket."
    response = client.post(
        f"/admin/lagesbild/waveresult/{wave.pk}/change/", {"analysis_text": text}
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.analysis_text == text


def test_audit_wave_names_a_group_remainder_of_a_wave_published_before_the_criterion() -> None:
    from tests.lagesbild.dashboard_factories import make_cell
    from tests.lagesbild.dashboard_factories import make_wave as make_published_wave

    # Cells as the rules for one cell at a time publish them: a district's total and its
    # girls shown, its boys (1 yes) and its one other pupil hidden; together they are the
    # total minus the girls (docs/privacy.md, "Group remainders").
    wave = make_published_wave(slug="ht-fore")
    for area, counts in (
        ("VAL", {"": (30, 8), "1": (14, 7), "2": (15, 1), "3": (1, 0)}),
        ("KOMMUN", {"": (50, 13), "1": (24, 9), "2": (24, 4), "3": (2, 0)}),
    ):
        for value, (n, yes) in counts.items():
            breakdown = "gender" if value else "total"
            make_cell(
                wave=wave, area=area, breakdown=breakdown, breakdown_value=value, n=n, yes=yes
            )
    out = io.StringIO()
    with pytest.raises(CommandError, match="the disclosure audit fails"):
        call_command("audit_wave", "ht-fore", stdout=out)
    assert "VAL × total (group)" in out.getvalue()
    with pytest.raises(CommandError, match="No wave"):
        call_command("audit_wave", "finns-inte")


def test_audit_wave_audits_an_open_wave_under_the_rules_its_cells_were_computed_with() -> None:
    from tests.lagesbild.dashboard_factories import make_cell
    from tests.surveys.factories import make_wave as make_open_wave

    wave = make_open_wave(slug="vt-oppen")
    with pytest.raises(CommandError, match="no cells computed yet"):
        call_command("audit_wave", "vt-oppen")
    make_cell(wave=wave, area="KOMMUN", n=50, yes=13)
    out = io.StringIO()
    call_command("audit_wave", "vt-oppen", stdout=out)
    assert "the disclosure audit passes" in out.getvalue()
