"""The åtgärdsplan: coordinators record measures in the admin; dashboards, the trend chart
and the report show them beside the indicators and districts they target, for the
dashboard's own kommun only."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from accounts.models import AuditLog
from lagesbild import charts, selectors
from lagesbild.admin import MeasureAdminForm
from lagesbild.exports.pdf import report_html
from lagesbild.exports.report import build_report
from lagesbild.measures import MeasureRef, for_area, parties_text, start_position, start_timing
from lagesbild.models import Measure, MeasureStatus, Party
from surveys.models import District, Municipality, Wave
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.conftest import make_published_waves
from tests.lagesbild.dashboard_factories import demo_districts, eskilstuna_id

# --------------------------------------------------------------------------- pure

SPANS = [
    (date(2023, 10, 1), date(2023, 10, 28)),
    (date(2024, 10, 1), date(2024, 10, 28)),
    (date(2025, 10, 1), date(2025, 10, 28)),
]
WAVES = [(name, *span) for name, span in zip(("HT 2023", "HT 2024", "HT 2025"), SPANS, strict=True)]


def _ref(**fields: Any) -> MeasureRef:
    values: dict[str, Any] = {
        "id": 1,
        "title": "Fältassistenter",
        "description": "",
        "responsible": ("kommun", "polis"),
        "indicators": ("TRY01",),
        "districts": (),
        "started_on": date(2024, 3, 1),
        "status": "ongoing",
        "follow_up": "",
    }
    values.update(fields)
    return MeasureRef(**values)


def test_a_start_between_two_waves_lies_between_their_points_by_the_days() -> None:
    position = start_position(date(2024, 4, 15), SPANS)
    assert position is not None and 0.45 < position < 0.55
    assert start_position(date(2024, 10, 10), SPANS) == 1.0  # during the collection
    assert start_timing(date(2024, 4, 15), WAVES) == "startade mellan HT 2023 och HT 2024"
    assert start_timing(date(2024, 10, 10), WAVES) == "startade under HT 2024"


def test_a_start_outside_the_waves_is_drawn_just_outside_and_said_so() -> None:
    assert start_position(date(2020, 1, 1), SPANS) == -0.4
    assert start_position(date(2026, 1, 1), SPANS) == pytest.approx(2.4)
    assert start_position(date(2026, 1, 1), []) is None
    assert start_timing(date(2020, 1, 1), WAVES) == "startade före HT 2023"
    assert start_timing(date(2026, 1, 1), WAVES) == "startade efter HT 2025"


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2022, 1, 1), date(2027, 1, 1)), st.dates(date(2022, 1, 1), date(2027, 1, 1)))
def test_a_later_start_never_lies_left_of_an_earlier_one(first: date, second: date) -> None:
    early, late = sorted((first, second))
    a, b = start_position(early, SPANS), start_position(late, SPANS)
    assert a is not None and b is not None
    assert -0.4 <= a <= b <= len(SPANS) - 1 + 0.4


def test_a_measure_without_districts_targets_every_district_of_its_kommun() -> None:
    everywhere = _ref(id=1)
    skiftinge = _ref(id=2, districts=(("SKI", "Skiftinge"),))
    assert for_area([everywhere, skiftinge], "ARB") == (everywhere,)
    assert for_area([everywhere, skiftinge], "SKI") == (everywhere, skiftinge)
    assert everywhere.districts_text == "Hela kommunen"
    assert skiftinge.districts_text == "Skiftinge"


def test_parties_are_named_in_words() -> None:
    assert parties_text(["kommun", "foreningsliv"]) == "Kommunen, föreningslivet"
    assert parties_text(["okänd"]) == "–"
    assert _ref(status="done").status_text == "genomförd"


def test_the_trend_chart_marks_a_start_with_a_dotted_line_a_label_and_words() -> None:
    point = charts.Point("HT 2023", 20, 18, 22, "20 %")
    series = [charts.Series("Kommunen", (point, point, point))]
    start = charts.MeasureStart(1, "Fältassistenter", 1.4, "15 april 2024", "startade mellan")
    figure = charts.trend_chart(series, measures=[start])
    [line] = figure["layout"]["shapes"]
    assert line["x0"] == line["x1"] == 1.4 and line["line"]["dash"] == "dot"
    assert line["showlegend"] and "Fältassistenter" in line["name"]
    assert figure["layout"]["annotations"][0]["text"] == "Åtgärd 1"
    assert figure["layout"]["showlegend"]
    summary = charts.trend_summary(series, measures=[start])
    assert "Åtgärd 1: Fältassistenter startade mellan (15 april 2024)" in summary


# --------------------------------------------------------------------------- with a database


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Three published waves of Eskilstuna (the lägesbild fixtures' small cube), and a
    second kommun with a measure of its own; committed until the module ends, then the
    database is emptied for the modules after it."""
    with django_db_blocker.unblock():
        make_published_waves(demo_districts())
        other = Municipality.objects.create(code="0480", name="Nyköping")
        District.objects.create(municipality=other, code="SKI", name="Skiftinge i Nyköping")
        Measure.objects.create(
            municipality=other,
            title="Nyköpings egen åtgärd",
            responsible=[Party.POLIS],
            indicators=["EXP02", "TRY01"],
            started_on=date(2024, 1, 1),
        )
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(_world: None, db: None) -> list[Wave]:
    cache.clear()
    return list(Wave.objects.published().order_by("opens_at"))


def _measure(waves: list[Wave], **fields: Any) -> Measure:
    """A measure of Eskilstuna that started between the first two waves."""
    eskilstuna = waves[0].municipality
    districts = fields.pop("districts", ["SKI"])
    values: dict[str, Any] = {
        "municipality": eskilstuna,
        "title": "Fältassistenter kvällstid",
        "responsible": [Party.KOMMUN, Party.FORENINGSLIV],
        "indicators": ["EXP02"],
        "started_on": waves[0].closes_at.date() + timedelta(days=60),
        "status": MeasureStatus.ONGOING,
        "follow_up": "Ute fyra kvällar i veckan.",
    }
    values.update(fields)
    measure = Measure.objects.create(**values)
    measure.districts.set(District.objects.filter(municipality=eskilstuna, code__in=districts))
    return measure


@pytest.fixture
def analyst_client(client: Client) -> Client:
    login_verified(client, make_staff(Role.ANALYST, organisation="polis"))
    return client


def test_the_indicator_page_shows_the_measures_of_its_own_kommun_only(
    world: list[Wave], analyst_client: Client
) -> None:
    _measure(world)
    html = analyst_client.get("/0484/lagesbild/indikator/EXP02/").content.decode()
    assert "Fältassistenter kvällstid" in html
    assert "Kommunen, föreningslivet" in html and "Ute fyra kvällar i veckan." in html
    assert "startade mellan" in html
    assert "Nyköpings egen åtgärd" not in html
    assert (
        "Fältassistenter kvällstid"
        not in analyst_client.get("/0484/lagesbild/indikator/TRY02/").content.decode()
    )


def test_a_measure_saved_shows_at_once_on_a_cached_page(
    world: list[Wave], analyst_client: Client
) -> None:
    url = "/0484/lagesbild/indikator/EXP02/"
    assert "Fältassistenter kvällstid" not in analyst_client.get(url).content.decode()
    measure = _measure(world)
    assert "Fältassistenter kvällstid" in analyst_client.get(url).content.decode()
    measure.title = "Nattvandring"
    measure.save()
    assert "Nattvandring" in analyst_client.get(url).content.decode()
    measure.delete()
    assert "Nattvandring" not in analyst_client.get(url).content.decode()


def test_the_trend_chart_marks_the_start_between_the_waves(world: list[Wave]) -> None:
    _measure(world)
    _measure(world, title="Senare åtgärd", started_on=world[-1].closes_at.date())
    scope = selectors.dashboard_scope(None, municipality_id=eskilstuna_id())
    assert scope is not None
    meta = selectors.find_indicator("EXP02")
    assert meta is not None
    page = selectors.indicator_page(scope, meta, breakdown="total", geography="home", area=None)
    assert page.trend.figure is not None
    first, later = page.trend.figure["layout"]["shapes"]
    assert 0 < first["x0"] < 1 and later["x0"] == 2  # the last day of the latest wave
    assert "Åtgärd 1: Fältassistenter kvällstid startade mellan" in page.trend.summary
    assert "Åtgärd 2: Senare åtgärd startade under" in page.trend.summary
    # The page lists them in the chart's order and numbers.
    assert [m.title for m in page.measures] == ["Fältassistenter kvällstid", "Senare åtgärd"]


def test_the_district_profile_and_overview_show_the_measures_that_target_them(
    world: list[Wave], analyst_client: Client
) -> None:
    _measure(world)
    _measure(world, title="Läxhjälp i hela kommunen", indicators=["SKY01"], districts=[])
    skiftinge = analyst_client.get("/0484/lagesbild/omrade/SKI/").content.decode()
    assert "Fältassistenter kvällstid" in skiftinge and "Läxhjälp i hela kommunen" in skiftinge
    assert "Nyköpings egen åtgärd" not in skiftinge
    assert skiftinge.count("measure-mark") == 2  # the rows of EXP02 and SKY01
    arby = analyst_client.get("/0484/lagesbild/omrade/ARB/").content.decode()
    assert "Läxhjälp i hela kommunen" in arby and "Fältassistenter kvällstid" not in arby
    overview = analyst_client.get("/0484/lagesbild/").content.decode()
    assert overview.count("measure-badge") == 2  # EXP02 and SKY01; Nyköping's not counted


def test_the_report_follows_each_measure_with_published_values_only(world: list[Wave]) -> None:
    _measure(world, indicators=["EXP02", "TRY07"], districts=["SKI", "ARL"])
    scope = selectors.dashboard_scope(None, municipality_id=eskilstuna_id())
    assert scope is not None
    report = build_report(wave=scope.wave, area=None, today=date(2026, 1, 1))
    [section] = report.measures
    assert section.title == "Fältassistenter kvällstid"
    assert section.districts == "Skiftinge, Ärla"
    exp02 = section.tables[0]
    assert exp02.caption.startswith("Erbjuden narkotika:")
    assert exp02.waves == tuple(w.name for w in world)
    assert [label for label, _v in exp02.rows] == ["Kommunen", "Skiftinge", "Ärla"]
    # Every value is a cell's public text, or "–" / a bound with its reason.
    expected = {
        (w.name, c.area): c
        for w in (
            selectors.resolve_wave(slug, municipality_id=eskilstuna_id())
            for slug in [w.slug for w in world]
        )
        if w is not None
        for c in selectors.wave_cells(w, indicator="EXP02", breakdown="total", geography="home")
    }
    for label, values in exp02.rows:
        code = {"Kommunen": "KOMMUN", "Skiftinge": "SKI", "Ärla": "ARL"}[label]
        for wave_name, value in zip(exp02.waves, values, strict=True):
            cell = expected[(wave_name, code)]
            assert value.replace("\u00a0", " ").startswith(cell.text)
            if not cell.shown and cell.reason_text:
                assert cell.reason_text in value
    assert section.label == "Åtgärd 1"
    # The group's trend chart marks the start between the first two waves, and says so.
    [exposure] = [g for g in report.groups if g.anchor == "grupp-exponering"]
    assert "Åtgärd 1" in exposure.trend_svg and 'stroke-dasharray="2 3"' in exposure.trend_svg
    assert "Lodrät prickad linje, Åtgärd 1: Fältassistenter kvällstid startade mellan" in (
        exposure.trend_caption
    )
    html = report_html(report)
    assert html.count("Åtgärder och uppföljning") == 2  # the contents and the chapter
    assert "Nyköpings egen åtgärd" not in html


def test_a_kommun_without_measures_gets_no_measures_chapter(world: list[Wave]) -> None:
    scope = selectors.dashboard_scope(None, municipality_id=eskilstuna_id())
    assert scope is not None
    report = build_report(wave=scope.wave, area=None, today=date(2026, 1, 1))
    assert report.measures == ()
    assert "Åtgärder och uppföljning" not in report_html(report)


def test_a_district_report_names_the_measures_that_target_the_district(
    world: list[Wave],
) -> None:
    _measure(world)
    scope = selectors.dashboard_scope(None, municipality_id=eskilstuna_id())
    assert scope is not None
    arby = build_report(wave=scope.wave, area=scope.areas["ARB"], today=date(2026, 1, 1))
    skiftinge = build_report(wave=scope.wave, area=scope.areas["SKI"], today=date(2026, 1, 1))
    assert arby.measures == ()
    assert [m.title for m in skiftinge.measures] == ["Fältassistenter kvällstid"]


# --------------------------------------------------------------------------- admin


def _form_data(kommun: Municipality, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "municipality": str(kommun.pk),
        "title": "Skolpolis",
        "responsible": ["polis", "skola"],
        "indicators": ["EXP02", "FOR01"],
        "districts": [str(d.pk) for d in kommun.districts.filter(code="SKI")],
        "started_on": "2025-01-13",
        "status": "ongoing",
    }
    data.update(changes)
    return data


def test_the_admin_form_takes_parties_indicators_and_districts_as_checkboxes(
    world: list[Wave],
) -> None:
    eskilstuna = world[0].municipality
    form = MeasureAdminForm(instance=Measure(municipality=eskilstuna))
    html = form.as_p()
    assert html.count('type="checkbox"') > 20
    assert "Erbjuden narkotika" in html and "Föreningslivet" in html
    assert "Skiftinge i Nyköping" not in html  # only the measure's kommun's districts
    form = MeasureAdminForm(data=_form_data(eskilstuna))
    assert form.is_valid(), form.errors
    measure = form.save()
    assert measure.responsible == ["polis", "skola"]
    assert measure.indicators == ["EXP02", "FOR01"]
    assert [d.code for d in measure.districts.all()] == ["SKI"]


def test_the_admin_form_refuses_another_kommuns_district_and_empty_choices(
    world: list[Wave],
) -> None:
    eskilstuna = world[0].municipality
    foreign = District.objects.get(name="Skiftinge i Nyköping")
    form = MeasureAdminForm(
        data=_form_data(
            eskilstuna, districts=[str(foreign.pk)], indicators=["XXX99"], responsible=[]
        )
    )
    assert not form.is_valid()
    assert form.errors["districts"] == [
        "Skiftinge i Nyköping hör inte till Eskilstuna. Välj bara områden i åtgärdens kommun."
    ]
    assert form.errors["indicators"] == ["Indikatorn XXX99 finns inte i lägesbildens katalog."]
    assert form.errors["responsible"] == ["Välj minst en ansvarig."]
    form = MeasureAdminForm(data=_form_data(eskilstuna, indicators=[]))
    assert form.errors["indicators"] == ["Välj minst en indikator."]


def test_coordinators_keep_the_plan_in_the_admin_and_analysts_may_not(
    world: list[Wave], client: Client
) -> None:
    eskilstuna = world[0].municipality
    login_verified(client, make_staff(Role.COORDINATOR))
    assert client.get("/admin/lagesbild/measure/add/").status_code == 200
    response = client.post("/admin/lagesbild/measure/add/", _form_data(eskilstuna))
    assert response.status_code == 302
    measure = Measure.objects.get(title="Skolpolis")
    assert "Skolpolis" in client.get("/admin/lagesbild/measure/?ansvarig=polis").content.decode()
    listing = client.get("/admin/lagesbild/measure/?ansvarig=kommun").content.decode()
    assert "Skolpolis" not in listing and "Nyköpings egen åtgärd" not in listing
    assert client.get(f"/admin/lagesbild/measure/{measure.pk}/delete/").status_code == 200
    # Every change of the plan is in the audit log too, with its kommun.
    assert client.post(f"/admin/lagesbild/measure/{measure.pk}/delete/", {"post": "yes"})
    events = list(
        AuditLog.objects.filter(event__startswith="measure")
        .order_by("at", "pk")
        .values_list("event", "kommun", "details")
    )
    assert events == [
        ("measure created", eskilstuna.code, {"measure_id": measure.pk}),
        ("measure deleted", eskilstuna.code, {"measure_id": measure.pk}),
    ]
    client.logout()
    login_verified(client, make_staff(Role.ANALYST, organisation="kommun"))
    assert client.get("/admin/lagesbild/measure/add/").status_code == 403
