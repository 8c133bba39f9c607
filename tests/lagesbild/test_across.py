"""Kommuner side by side: who sees which kommun, and that every number shown is the
kommun's own published kommun-level cell (never an unpublished wave, never a district)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.access import Role
from accounts.services import membership_grant
from lagesbild.models import KOMMUN_AREA, IndicatorCell
from surveys.models import District, Municipality, Wave
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.dashboard_factories import build_cube, cell_keys, make_wave

pytestmark = pytest.mark.django_db

KEYS = [key for key in cell_keys() if key[0] in ("EXP02", "TRY01")]


def _kommun(code: str, name: str, *, seed: int, published: bool = True) -> Municipality:
    kommun = Municipality.objects.create(code=code, name=name)
    districts = [
        District.objects.create(municipality=kommun, code=f"D{i}", name=f"{name} område {i}")
        for i in range(3)
    ]
    now = timezone.now()
    wave = make_wave(
        municipality=kommun,
        slug="ht2025",
        name=f"{name} HT 2025",
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=60),
        published_at=(now - timedelta(days=30)) if published else None,
    )
    build_cube(wave, districts, seed=seed, keys=KEYS)
    return kommun


def _shown(kommun: Municipality) -> dict[str, str]:
    cells = IndicatorCell.objects.filter(
        wave__municipality=kommun,
        area=KOMMUN_AREA,
        breakdown="total",
        indicator="EXP02",
        wave__published_at__isnull=False,
    )
    return {c.indicator: f"{c.share_pct} %" for c in cells if c.share_pct is not None}


def test_the_foundation_sees_its_kommuner_side_by_side_from_published_cells() -> None:
    a = _kommun("9201", "Aköping", seed=1)
    b = _kommun("9202", "Beby", seed=2)
    foundation = make_staff(Role.ANALYST, organisation="ideer", kommun=a)
    membership_grant(user=foundation, role=Role.ANALYST, municipality=b)
    client = Client()
    login_verified(client, foundation)
    html = client.get("/jamforelse/").content.decode()
    assert "Aköping HT 2025" in html and "Beby HT 2025" in html
    for kommun in (a, b):
        for text in _shown(kommun).values():
            assert text in html
    # Kommun level only: no district's name is on the page.
    assert "område 0" not in html and "område 1" not in html
    # The foundation's dashboards link to each other.
    dashboard = client.get(f"/{a.code}/lagesbild/").content.decode()
    assert f'href="/{b.code}/lagesbild/"' in dashboard and 'href="/jamforelse/"' in dashboard


def test_a_kommun_sees_only_kommuner_that_agreed_and_only_if_it_agreed() -> None:
    a = _kommun("9201", "Aköping", seed=1)
    _kommun("9202", "Beby", seed=2)
    c = _kommun("9203", "Ceby", seed=3)
    client = Client()
    login_verified(client, make_staff(Role.ANALYST, organisation="kommun", kommun=a))
    html = client.get("/jamforelse/").content.decode()
    assert "Aköping" in html and "Beby" not in html and "Ceby" not in html
    assert "Det finns inget att jämföra" in html
    dashboard = client.get(f"/{a.code}/lagesbild/").content.decode()
    assert "/9202/" not in dashboard and 'href="/jamforelse/"' not in dashboard
    Municipality.objects.filter(pk__in=[a.pk, c.pk]).update(shares_comparison=True)
    html = client.get("/jamforelse/").content.decode()
    assert "Aköping" in html and "Ceby" in html and "Beby" not in html


def test_an_unpublished_wave_is_never_compared() -> None:
    a = _kommun("9201", "Aköping", seed=1)
    b = _kommun("9202", "Beby", seed=2, published=False)
    foundation = make_staff(Role.ANALYST, organisation="ideer", kommun=a)
    membership_grant(user=foundation, role=Role.ANALYST, municipality=b)
    client = Client()
    login_verified(client, foundation)
    html = client.get("/jamforelse/").content.decode()
    assert "Beby HT 2025" not in html
    assert "ingen publicerad omgång" in html
    # A value no published cell has (build_cube caps shares at 95 %) stays unseen.
    IndicatorCell.objects.filter(wave__municipality=b).update(share_pct=99)
    assert "99 %" not in client.get("/jamforelse/").content.decode()


def test_a_wave_published_or_unpublished_after_the_page_was_cached_shows_at_once() -> None:
    a = _kommun("9201", "Aköping", seed=1)
    b = _kommun("9202", "Beby", seed=2, published=False)
    foundation = make_staff(Role.ANALYST, organisation="ideer", kommun=a)
    membership_grant(user=foundation, role=Role.ANALYST, municipality=b)
    client = Client()
    login_verified(client, foundation)
    assert "Beby HT 2025" not in client.get("/jamforelse/").content.decode()
    Wave.objects.filter(municipality=b).update(published_at=timezone.now())
    assert "Beby HT 2025" in client.get("/jamforelse/").content.decode()
    Wave.objects.filter(municipality=a).update(published_at=None)
    assert "Aköping HT 2025" not in client.get("/jamforelse/").content.decode()
