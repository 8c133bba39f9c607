"""The public page for young people ("Vad sa unga?"), its poster and lesson guide.

No login; only published waves whose kommun turned the page on; nothing of an open wave;
no number that the dashboards do not show (a suppressed cell says nothing, a bound stays
a bound); measures only of the page's kommun and only those chosen for young people;
plain Swedish (LIX), every language the wave was offered in, under 100 KB a page.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any, cast
from unittest import mock

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from pytest_django import DjangoDbBlocker

from lagesbild import selectors
from lagesbild.catalogue import PlacesRule, load_catalogue
from lagesbild.models import KOMMUN_AREA, CellState, IndicatorCell, Measure
from lagesbild.youth import content, printed
from lagesbild.youth.readability import lix
from lagesbild.youth.views import YouthPage
from surveys.models import Municipality, Wave
from tests.lagesbild.dashboard_factories import (
    build_cube,
    demo_districts,
    eskilstuna_id,
    make_wave,
    two_published_waves,
)

OPENS = datetime(2025, 10, 1, 8, tzinfo=timezone.get_current_timezone())
KOMMUN = "0484"
PAGE = f"/{KOMMUN}/vad-sa-unga/ht2025/"
# The readability the Swedish page must keep (docs/youth.md): LIX at most 30 (easy).
LIX_TARGET = 30
PAGE_BYTES_LIMIT = 100_000


# --------------------------------------------------------------------------- pure


def test_every_language_has_every_text_with_the_same_placeholders() -> None:
    raw = yaml.safe_load(content.TEXTS_FILE.read_text(encoding="utf-8"))
    master = raw["sv"]
    names = re.compile(r"\{(\w+)\}")
    for language, entry in raw.items():
        for part in ("ui", "groups", "indicators"):
            assert set(entry[part]) == set(master[part]), (language, part)
            for key, text in entry[part].items():
                assert set(names.findall(text)) == set(names.findall(master[part][key])), (
                    language,
                    key,
                )


def test_every_indicator_a_young_reader_sees_has_a_sentence() -> None:
    catalogue = load_catalogue()
    wanted = {
        i.code
        for i in catalogue.indicators
        if not isinstance(i.rule, PlacesRule) and i.code != "TRYIDX"
    }
    assert set(content.texts("sv").indicators) == wanted
    assert {i.group for i in catalogue.indicators} == set(content.texts("sv").groups)


def _cell(**fields: object) -> selectors.PublicCell:
    values: dict[str, object] = {
        "indicator": "TRY02",
        "place": "",
        "geography": "school",
        "area": KOMMUN_AREA,
        "breakdown": "total",
        "breakdown_value": "",
        "state": CellState.SHOWN,
        "reason": "",
        "n_shown": 200,
        "share_pct": 23,
        "bound": "",
        "ci_low_pct": 20,
        "ci_high_pct": 26,
        "unstable": False,
    }
    values.update(fields)
    return selectors.PublicCell(**values)  # type: ignore[arg-type]


def test_a_number_is_said_only_as_the_dashboards_show_it() -> None:
    t = content.texts("sv")
    assert content.of_hundred(_cell(), t) == "23"
    bound = _cell(state=CellState.BOUND, share_pct=None, bound="< 5 %")
    assert content.of_hundred(bound, t) == "färre än 5"
    high = _cell(state=CellState.BOUND, share_pct=None, bound="> 95 %")
    assert content.of_hundred(high, t) == "fler än 95"
    hidden = _cell(state=CellState.SUPPRESSED, share_pct=None, reason="small_base")
    assert content.of_hundred(hidden, t) is None
    assert content.of_hundred(None, t) is None


def test_the_response_count_is_rounded_to_ten() -> None:
    t = content.texts("sv")
    assert content.answered_text(1234, t, number=str) == "Ungefär 1230 elever svarade."
    assert content.answered_text(3, t, number=str) == "Ungefär 10 elever svarade."


def test_lix_counts_words_sentences_and_long_words() -> None:
    # 5 words in 2 sentences (2.5), 2 of them longer than six letters (40).
    assert lix("Eleverna svarade. Alla var med.") == pytest.approx(42.5)
    assert lix("23 av 100") == pytest.approx(1.0)  # numbers are not words
    assert lix("") == 0.0


def test_a_placeholder_the_page_does_not_fill_is_kept() -> None:
    filled = content.texts("sv").filled(kommun="Eskilstuna", wave="HT 2025", url="u")
    assert filled["title"] == "Vad sa unga i Eskilstuna?"
    assert "{k}" in filled["district_more"]


# --------------------------------------------------------------------------- pages


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Two published waves of kommun 0484 (the page on for both), an open wave with the
    page switched on (never shown), and a second kommun with a published wave."""
    with django_db_blocker.unblock():
        districts = demo_districts()
        municipality = districts[0].municipality
        Municipality.objects.filter(pk=municipality.pk).update(code=KOMMUN, name="Eskilstuna")
        two_published_waves(districts, OPENS, youth_page=True, languages=["sv", "en", "ar"])
        now = timezone.now()
        open_wave = make_wave(
            municipality=municipality,
            slug="ht2026",
            name="HT 2026",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=20),
            published_at=None,
            youth_page=True,
        )
        build_cube(open_wave, districts, seed=9)
        other = Municipality.objects.create(code="0480", name="Uppsala")
        other_districts = demo_districts(other)
        foreign = make_wave(
            municipality=other,
            slug="uppsala-ht2025",
            name="Uppsala HT 2025",
            opens_at=OPENS,
            closes_at=OPENS + timedelta(days=21),
            published_at=OPENS + timedelta(days=40),
            youth_page=True,
        )
        build_cube(foreign, other_districts, seed=5)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(_world: None, db: None, settings: Any, tmp_path: Path) -> None:
    settings.EXPORT_DIR = tmp_path


def _page(client: Client, url: str = PAGE) -> YouthPage:
    response = client.get(url)
    assert response.status_code == 200, url
    return cast(YouthPage, response.context["page"])


class _Text(HTMLParser):
    """The visible text of <main>, one string per text node."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.parts.append(data.strip())


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


@pytest.mark.django_db
def test_the_page_needs_no_login_sets_no_cookie_and_may_be_cached(
    world: None, client: Client
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="sv" dir="ltr">' in html
    assert "Vad sa unga i Eskilstuna?" in html
    assert "<script" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/{KOMMUN}/vad-sa-unga/ht2026/",  # open wave, page switched on
        f"/{KOMMUN}/vad-sa-unga/uppsala-ht2025/",  # another kommun's wave
        "/0480/vad-sa-unga/ht2025/",  # this wave under another kommun's code
        "/9999/vad-sa-unga/ht2025/",  # no such kommun
        f"/{KOMMUN}/vad-sa-unga/ht2025/so/",  # a language the wave was not offered in
        f"/{KOMMUN}/vad-sa-unga/ht2026/sv/affisch.pdf",
        f"/{KOMMUN}/vad-sa-unga/nope/",
    ],
)
def test_anything_but_a_published_wave_with_its_page_on_is_not_found(
    world: None, client: Client, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert b"HT 2026" not in response.content


@pytest.mark.django_db
def test_a_wave_whose_page_is_off_is_not_found_and_not_listed(world: None, client: Client) -> None:
    Wave.objects.filter(slug="ht2024").update(youth_page=False)
    assert client.get(f"/{KOMMUN}/vad-sa-unga/ht2024/").status_code == 404
    index = client.get(f"/{KOMMUN}/vad-sa-unga/").content.decode()
    assert "HT 2025" in index
    assert "HT 2024" not in index
    assert "HT 2026" not in index
    assert "Uppsala" not in index


def _filters(area: str, indicator: str) -> dict[str, str]:
    meta = selectors.find_indicator(indicator)
    assert meta is not None
    return {
        "area": area,
        "indicator": indicator,
        "place": "",
        "geography": meta.geography,
        "breakdown": "total",
    }


def _shown(wave: str, area: str, indicator: str) -> IndicatorCell:
    return IndicatorCell.objects.get(wave__slug=wave, **_filters(area, indicator))


@pytest.mark.django_db
def test_every_number_on_the_page_is_a_shown_cell_or_a_bound(world: None, client: Client) -> None:
    page = _page(client)
    t = content.texts("sv")
    wave = selectors.resolve_wave("ht2025", municipality_id=eskilstuna_id())
    assert wave is not None
    for group in page.groups:
        for finding in group.findings:
            (cell,) = selectors.wave_cells(wave, **_filters(KOMMUN_AREA, finding.code))
            said = content.of_hundred(cell, t)
            assert said is not None
            assert finding.sentence.startswith(f"{said} av 100")
    names = {d.code: d for d in page.districts}
    assert any(d.findings for d in names.values()), "the test world has standing-out districts"
    for code, district in names.items():
        for standing in district.findings:
            number = int(standing.sentence.split(" ", 1)[0])
            shown = IndicatorCell.objects.filter(
                wave__slug="ht2025", area=code, breakdown="total", state=CellState.SHOWN
            ).values_list("share_pct", flat=True)
            assert number in set(shown)


def _standing_out(client: Client) -> tuple[content.DistrictView, str, IndicatorCell]:
    """The first district the page names, its first sentence and that sentence's cell."""
    district = next(d for d in _page(client).districts if d.findings)
    sentence = district.findings[0].sentence
    code = next(
        c
        for c, template in content.texts("sv").indicators.items()
        if sentence.endswith(template.split("{n} av 100", 1)[1])
    )
    return district, sentence, _shown("ht2025", district.code, code)


@pytest.mark.django_db
def test_a_hidden_district_cell_is_never_said(world: None, client: Client) -> None:
    """The attacker's view: a district that stands out, then its cell is hidden (as the
    complementary suppression would): its sentence must go, with no number left."""
    district, sentence, cell = _standing_out(client)
    IndicatorCell.objects.filter(pk=cell.pk).update(
        state=CellState.SUPPRESSED,
        share_pct=None,
        ci_low_pct=None,
        ci_high_pct=None,
        n_shown=None,
        reason="complementary",
    )
    after = _page(client)
    again = next(d for d in after.districts if d.code == district.code)
    assert sentence not in [f.sentence for f in again.findings]


@pytest.mark.django_db
def test_a_suppressed_kommun_cell_gives_no_sentence(world: None, client: Client) -> None:
    cell = _shown("ht2025", KOMMUN_AREA, "UTS04")
    IndicatorCell.objects.filter(pk=cell.pk).update(
        state=CellState.SUPPRESSED, share_pct=None, ci_low_pct=None, ci_high_pct=None
    )
    from lagesbild import cache as dash_cache

    with mock.patch.object(dash_cache, "cached", lambda _v, _k, _a, make: make()):
        page = _page(client)
    codes = {f.code for g in page.groups for f in g.findings}
    assert "UTS04" not in codes
    assert "UTS03" in codes


@pytest.mark.django_db
def test_a_slug_another_kommun_uses_too_shows_this_kommuns_wave(
    world: None, client: Client
) -> None:
    # Uppsala's "ht2025" is the newer published wave: the first a slug alone would find.
    make_wave(
        municipality=Municipality.objects.get(code="0480"),
        slug="ht2025",
        name="Uppsala HT 2025",
        opens_at=OPENS + timedelta(days=1),
        closes_at=OPENS + timedelta(days=22),
        published_at=OPENS + timedelta(days=41),
        youth_page=True,
    )
    assert _page(client).wave_name == "HT 2025"


@pytest.mark.django_db
def test_measures_of_this_kommun_chosen_for_young_people_are_shown(
    world: None, client: Client
) -> None:
    eskilstuna = Municipality.objects.get(code=KOMMUN)
    uppsala = Municipality.objects.get(code="0480")
    Measure.objects.create(
        municipality=eskilstuna,
        title="Fler vuxna ute på kvällarna",
        public=True,
        public_text="Fältassistenter är ute varje fredag och lördag.",
        indicators=["TRY01"],
        responsible=["kommun"],
        started_on=date(2026, 1, 15),
        status="ongoing",
    )
    Measure.objects.create(
        municipality=eskilstuna,
        title="Internt arbete",
        public=False,
        indicators=["TRY02"],
        responsible=["polis"],
        started_on=date(2026, 2, 1),
    )
    Measure.objects.create(
        municipality=uppsala,
        title="Uppsalas åtgärd",
        public=True,
        public_text="Något i Uppsala.",
        indicators=["TRY01"],
        responsible=["kommun"],
        started_on=date(2026, 2, 1),
    )
    html = client.get(PAGE).content.decode()
    assert "Ni sa … – vi gör …" in html
    assert "Fler vuxna ute på kvällarna" in html
    assert "Fältassistenter är ute varje fredag och lördag." in html
    assert "Startade januari 2026. Pågår nu." in html
    page = _page(client)
    (measure,) = page.measures
    assert measure.you_said and "sent på kvällen" in measure.you_said[0]
    assert "Internt arbete" not in html
    assert "Uppsala" not in html


@pytest.mark.django_db
def test_the_page_is_in_every_language_the_wave_was_offered_in(world: None, client: Client) -> None:
    html = client.get(PAGE).content.decode()
    for code in ("sv", "en", "ar"):
        assert f'hreflang="{code}"' in html
    assert 'hreflang="so"' not in html
    arabic = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "ماذا قال الشباب في Eskilstuna؟" in arabic
    assert content.texts("ar").ui["draft_note"] in arabic  # not checked by a translator
    english = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/en/").content.decode()
    assert "What did young people in Eskilstuna say?" in english
    assert content.texts("en").ui["draft_note"] not in english


@pytest.mark.django_db
def test_the_page_with_its_stylesheet_is_under_100_kb(world: None, client: Client) -> None:
    html = client.get(PAGE).content
    css = finders.find("youth/youth.css")
    assert isinstance(css, str)
    assert b"youth/youth.css" in html
    assert b"bootstrap" not in html
    assert len(html) + Path(css).stat().st_size < PAGE_BYTES_LIMIT


@pytest.mark.django_db
def test_the_swedish_page_reads_easily(world: None, client: Client) -> None:
    text = _visible(client.get(PAGE).content.decode())
    print(f"LIX of the Swedish page: {lix(text):.1f}")  # noqa: T201 - docs/youth.md quotes it
    assert lix(text) <= LIX_TARGET, round(lix(text), 1)


@pytest.mark.django_db
def test_the_poster_is_a3_with_the_most_important_findings_and_rendered_once(
    world: None, client: Client
) -> None:
    page = _page(client)
    real = printed._render
    with mock.patch.object(printed, "_render", side_effect=real) as render:
        first = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/sv/affisch.pdf")
        second = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/sv/affisch.pdf")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    body = b"".join(first.streaming_content)  # type: ignore[attr-defined]
    assert body == b"".join(second.streaming_content)  # type: ignore[attr-defined]
    assert render.call_count == 1
    reader = PdfReader(BytesIO(body))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 1191)  # A3
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    words = " ".join(text.split())
    first_finding = page.important[0].sentence
    assert " ".join(first_finding.split()[:4]) in words


@pytest.mark.django_db
def test_the_lesson_guide_is_one_page_with_three_questions(world: None, client: Client) -> None:
    response = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/sv/lektion.pdf")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert len(reader.pages) == 1
    text = " ".join((reader.pages[0].extract_text() or "").split())
    assert "Frågor att prata om" in text
    assert "Vad gör en plats trygg?" in text


def test_a_planned_measure_says_when_it_is_to_start() -> None:
    t = content.texts("sv")
    measure = content.MeasureInput("Nytt", "Vi gör något.", ("TRY01",), date(2027, 3, 1), "planned")
    today = date(2026, 12, 4)
    (view,) = content.measure_views([measure], (), t, today=today)
    assert (view.started, view.status) == ("Ska starta mars 2027.", "")
    late = content.MeasureInput("Sen", "", (), date(2025, 8, 18), "planned")
    (overdue,) = content.measure_views([late], (), t, today=today)
    assert (overdue.started, overdue.status) == ("", "Är planerad.")  # no promise in the past
    (done,) = content.measure_views(
        [content.MeasureInput("Klart", "", (), date(2025, 9, 1), "done")], (), t, today=today
    )
    assert (done.started, done.status) == ("Startade september 2025.", "Är klar.")


@pytest.mark.django_db
def test_no_host_header_makes_the_server_render_another_poster(world: None, client: Client) -> None:
    """The address on a poster comes from the request when PUBLIC_URL is unset: an
    attacker's Host headers (any port passes ALLOWED_HOSTS) must not make new files."""
    url = f"/{KOMMUN}/vad-sa-unga/ht2025/sv/affisch.pdf"
    real = printed._render
    with mock.patch.object(printed, "_render", side_effect=real) as render:
        for port in (1, 2, 3):
            assert client.get(url, HTTP_HOST=f"localhost:{port}").status_code == 200
    assert render.call_count == 1
    folder = Path(str(printed._directory()))
    assert len(list(folder.glob("*.pdf"))) == 1


@pytest.mark.django_db
def test_the_configured_public_address_is_printed(
    world: None, client: Client, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://trygghet.example.se"
    response = client.get(f"/{KOMMUN}/vad-sa-unga/ht2025/sv/lektion.pdf", HTTP_HOST="localhost:666")
    reader = PdfReader(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    text = "".join((reader.pages[0].extract_text() or "").split())
    assert "trygghet.example.se/0484/vad-sa-unga/ht2025/" in text
    assert "localhost" not in text


@pytest.mark.django_db
def test_an_uncertain_value_is_not_said(world: None, client: Client) -> None:
    district, sentence, cell = _standing_out(client)
    IndicatorCell.objects.filter(pk=cell.pk).update(unstable=True)
    again = next(d for d in _page(client).districts if d.code == district.code)
    assert sentence not in [f.sentence for f in again.findings]


@pytest.mark.django_db
def test_a_visitor_with_a_cookie_gets_a_private_response_and_head_works(
    world: None, client: Client
) -> None:
    assert client.head(PAGE).status_code == 200
    client.cookies["sessionid"] = "anything"
    response = client.get(PAGE)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_swedish_order_puts_a_ring_before_a_and_o_with_dots_last() -> None:
    from lagesbild.collation import swedish

    names = ["Öster", "Ärla", "Zeta", "Årby", "Ärsta", "Söder", "Åby"]
    assert sorted(names, key=swedish) == ["Söder", "Zeta", "Åby", "Årby", "Ärla", "Ärsta", "Öster"]
