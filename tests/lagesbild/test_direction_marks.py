"""One visual language for direction: position, verdict and change never share a mark."""

import html
import re
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from lagesbild import marks, selectors
from lagesbild.exports.pdf import report_html
from lagesbild.exports.report import build_report
from surveys.models import District, Wave
from tests.lagesbild.dashboard_factories import eskilstuna_id

# What may follow each mark: its own words (pages, hover texts, legends) or, in the
# report's dense districts × indicators table, the verdict word after the position mark.
FOLLOWERS = {
    marks.HIGHER_MARK: ("högre än kommunen", "sämre", "bättre"),
    marks.LOWER_MARK: ("lägre än kommunen", "sämre", "bättre"),
    marks.INCREASE_MARK: ("ökat",),
    marks.DECREASE_MARK: ("minskat",),
}
CHANGE_VERDICTS = ("tydlig försämring", "tydlig förbättring", "ingen säker förändring")


def _text(page: str) -> str:
    """The page as a reader meets it: tags dropped, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(without_tags).replace("\u00a0", " "))


def assert_one_language(page: str) -> None:
    text = _text(page)
    for retired in marks.RETIRED_MARKS:
        assert retired not in page, f"retired mark {retired} on the page"
    for mark, followers in FOLLOWERS.items():
        for match in re.finditer(re.escape(mark), text):
            after = text[match.end() :].lstrip(" =")
            assert after.startswith(followers), f"{mark} followed by {after[:40]!r}"
    # Every mark on the page is explained by the legend, with the words defined for it.
    for mark, words in marks.legend():
        if mark in text:
            assert f"{mark} {words}" in text or f"{mark} = {words}" in text
    # A change in percentage points is said in words, never as a bare signed number.
    assert not re.search(r"[+−±]\d+ p\.e\.", text)
    # The verdict words are visible, not for screen readers only.
    for hidden in re.findall(r'class="visually-hidden">([^<]*)<', page):
        assert not any(words in hidden for words in CHANGE_VERDICTS)


def test_police_trust_below_the_kommun_is_lower_and_worse() -> None:
    # A protective indicator (higher share is better) whose district lies below the kommun.
    assert marks.kommun_position("worse", higher_is_better=True) == "lower"
    assert marks.kommun_comparison("worse", True) == "↓ lägre än kommunen (sämre)"


def test_a_risk_above_the_kommun_is_higher_and_worse() -> None:
    assert marks.kommun_comparison("worse", False) == "↑ högre än kommunen (sämre)"
    assert marks.kommun_comparison("better", False) == "↓ lägre än kommunen (bättre)"
    assert marks.kommun_comparison("similar", False) == "ingen säker skillnad mot kommunen"


def test_a_change_says_its_direction_size_and_verdict_in_words() -> None:
    assert marks.change_text(7, "worse") == "↗ ökat 7 p.e. (tydlig försämring)"
    assert marks.change_text(-3, "better") == "↘ minskat 3 p.e. (tydlig förbättring)"
    assert marks.change_text(2, "similar") == "↗ ökat 2 p.e. (ingen säker förändring)"
    assert marks.change_text(0, "similar") == "oförändrat (ingen säker förändring)"
    assert marks.change_text(None, "none") == "–"


def test_position_and_change_marks_are_distinct() -> None:
    assert len(set(marks.MARKS)) == 4
    assert not set(marks.MARKS) & set(marks.RETIRED_MARKS)


@pytest.mark.django_db
def test_every_dashboard_page_speaks_one_language_of_direction(
    analyst_client: Client, waves: list[Wave], districts: list[District]
) -> None:
    urls = [
        "/0484/lagesbild/",
        "/0484/lagesbild/karta/",
        "/0484/lagesbild/karta/?indicator=SKY01",
        *(f"/0484/lagesbild/indikator/{code}/" for code in ("EXP02", "TRY01", "TRY02", "SKY01")),
        "/0484/lagesbild/indikator/TRY07/?place=1",
        *(f"/0484/lagesbild/omrade/{d.code}/" for d in districts),
    ]
    seen = ""
    for url in urls:
        response = analyst_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert_one_language(page)
        seen += page
    # The fixtures are made so that every concept is on some page.
    text = _text(seen)
    for mark in marks.MARKS:
        assert mark in text
    assert "(sämre)" in text and "(bättre)" in text


@pytest.mark.django_db
def test_the_pdf_reports_html_speaks_the_same_language(
    waves: list[Wave], districts: list[District]
) -> None:
    ref = selectors.resolve_wave(waves[-1].slug, municipality_id=eskilstuna_id())
    assert ref is not None
    scope = selectors.scope_of(ref)
    area = selectors.find_area(scope, districts[0].code)
    for target in (None, area):
        report = build_report(wave=ref, area=target, today=date(2030, 1, 1))
        assert_one_language(report_html(report))


def test_the_marks_keep_their_meaning_in_english() -> None:
    with translation.override("en"):
        assert marks.change_text(7, "worse") == "↗ increased 7 pp (clear deterioration)"
        assert marks.kommun_comparison("worse", True) == "↓ lower than the municipality (worse)"
