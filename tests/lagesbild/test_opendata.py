"""Open data per kommun: public CSV and JSON files of published waves that validate against
their Table Schema, never a suppressed value, and a DCAT-AP-SE catalogue of the kommun's
own published waves only."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from lagesbild.exports.formats import COLUMNS
from lagesbild.models import IndicatorCell
from lagesbild.opendata import selectors
from lagesbild.opendata.catalog import (
    LICENSE,
    NAMESPACES,
    CatalogEntry,
    DatasetEntry,
    catalog_rdf,
)
from lagesbild.opendata.schema import (
    SCHEMA_VERSION,
    table_schema,
    validate_header,
    validate_row,
)
from surveys.models import District, Municipality
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.dashboard_factories import (
    build_cube,
    cell_keys,
    demo_districts,
    make_wave,
)

OPENS = datetime(2025, 10, 1, 8, tzinfo=timezone.get_current_timezone())
RDF = NAMESPACES["rdf"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


# --------------------------------------------------------------------------- pure


def test_schema_has_one_field_per_export_column_in_order() -> None:
    schema = table_schema(selectors.vocabulary())
    assert [f["name"] for f in schema["fields"]] == [c.key for c in COLUMNS]
    assert [f["title"] for f in schema["fields"]] == [c.header for c in COLUMNS]
    assert schema["version"] == SCHEMA_VERSION


def test_schema_types_and_constraints_describe_the_values() -> None:
    fields = {f["name"]: f for f in table_schema(selectors.vocabulary())["fields"]}
    for key in ("share_pct", "ci_low_pct", "ci_high_pct"):
        assert fields[key]["type"] == "integer"
        assert fields[key]["constraints"] == {"minimum": 0, "maximum": 100}
    assert fields["n_shown"]["constraints"] == {"minimum": 10}
    assert fields["state"]["constraints"]["enum"] == ["visas", "visas som gräns", "undertryckt"]
    assert fields["geography"]["constraints"]["enum"] == ["home", "school"]
    assert fields["unstable"]["type"] == "boolean"
    assert fields["unstable"]["trueValues"] == ["ja"]


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "wave": "ht2025",
        "wave_name": "HT 2025",
        "indicator": "EXP02",
        "indicator_name": "Erbjuden narkotika",
        "place": "",
        "place_name": "",
        "geography": "home",
        "geography_name": "bostadsområde",
        "area": "KOMMUN",
        "area_name": "Kommunen",
        "breakdown": "total",
        "breakdown_value": "",
        "breakdown_name": "Alla elever",
        "state": "visas",
        "text": "12 %",
        "share_pct": 12,
        "ci_low_pct": 10,
        "ci_high_pct": 14,
        "n_shown": 1200,
        "bound": "",
        "unstable": False,
        "reason": "",
    }
    row.update(changes)
    return row


def test_validator_accepts_json_values_and_csv_strings() -> None:
    schema = table_schema(selectors.vocabulary())
    assert validate_row(schema, _row()) == []
    as_csv = {k: ("nej" if v is False else "" if v is None else str(v)) for k, v in _row().items()}
    assert validate_row(schema, as_csv) == []
    assert validate_header(schema, list(_row())) == []


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"share_pct": 101}, "share_pct"),
        ({"share_pct": "12,5"}, "share_pct"),
        ({"n_shown": 5}, "n_shown"),
        ({"state": "shown"}, "state"),
        ({"area": ""}, "area"),
        ({"text": "12.4 %"}, "text"),
        ({"unstable": "kanske"}, "unstable"),
    ],
)
def test_validator_rejects_a_value_outside_the_schema(changes: dict[str, Any], error: str) -> None:
    errors = validate_row(table_schema(selectors.vocabulary()), _row(**changes))
    assert errors
    assert errors[0].startswith(error)


def _entry(kommun: str = "Eskilstuna", slugs: tuple[str, ...] = ("ht2025",)) -> CatalogEntry:
    base = "https://trygghet.example/0484/oppna-data/"
    return CatalogEntry(
        kommun_code="0484",
        kommun_name=kommun,
        landing_url=base,
        schema_url=f"{base}schema/celler-v1.json",
        contact_email="oppnadata@example.se",
        datasets=[
            DatasetEntry(
                slug=slug,
                name=slug.upper(),
                issued=OPENS + timedelta(days=40),
                start=date(2025, 10, 1),
                end=date(2025, 10, 22),
                csv_url=f"{base}{slug}.csv",
                json_url=f"{base}{slug}.json",
            )
            for slug in slugs
        ],
    )


def _about(element: ET.Element) -> str:
    return element.get(f"{{{RDF}}}about", "")


def _resources(element: ET.Element, name: str) -> list[str]:
    return [e.get(f"{{{RDF}}}resource", "") for e in element.findall(_q(name))]


def test_catalog_has_the_dcat_ap_se_classes_and_properties() -> None:
    root = ET.fromstring(catalog_rdf(_entry(slugs=("ht2024", "ht2025"))))  # noqa: S314 (our own output)
    assert root.tag == _q("rdf:RDF")
    [catalog] = root.findall(_q("dcat:Catalog"))
    assert {e.get(XML_LANG) for e in catalog.findall(_q("dct:title"))} == {"sv", "en"}
    assert {e.get(XML_LANG) for e in catalog.findall(_q("dct:description"))} == {"sv", "en"}
    [publisher] = _resources(catalog, "dct:publisher")
    [agent] = root.findall(_q("foaf:Agent"))
    assert _about(agent) == publisher
    assert agent.findtext(_q("dct:identifier")) == "0484"
    datasets = root.findall(_q("dcat:Dataset"))
    assert sorted(_resources(catalog, "dcat:dataset")) == sorted(_about(d) for d in datasets)
    assert len(datasets) == 2
    for dataset in datasets:
        assert {e.get(XML_LANG) for e in dataset.findall(_q("dct:title"))} == {"sv", "en"}
        assert {e.get(XML_LANG) for e in dataset.findall(_q("dct:description"))} == {"sv", "en"}
        assert _resources(dataset, "dct:publisher") == [publisher]
        assert dataset.findtext(_q("dct:issued")) == "2025-11-10T08:00:00+01:00"
        assert "http://publications.europa.eu/resource/authority/data-theme/JUST" in _resources(
            dataset, "dcat:theme"
        )
        card = dataset.find(f"{_q('dcat:contactPoint')}/{_q('vcard:Organization')}")
        assert card is not None
        assert card.findtext(_q("vcard:fn")) == "Eskilstuna"
        assert _resources(card, "vcard:hasEmail") == ["mailto:oppnadata@example.se"]
        assert _resources(dataset, "dct:spatial")
        period = dataset.find(f"{_q('dct:temporal')}/{_q('dct:PeriodOfTime')}")
        assert period is not None
        assert period.findtext(_q("dcat:startDate")) == "2025-10-01"
        assert period.findtext(_q("dcat:endDate")) == "2025-10-22"
        distributions = dataset.findall(f"{_q('dcat:distribution')}/{_q('dcat:Distribution')}")
        formats = set()
        for distribution in distributions:
            [url] = _resources(distribution, "dcat:downloadURL")
            assert _resources(distribution, "dcat:accessURL") == [url]
            assert _resources(distribution, "dct:license") == [LICENSE]
            assert _resources(distribution, "dct:conformsTo") == [
                "https://trygghet.example/0484/oppna-data/schema/celler-v1.json"
            ]
            assert _resources(distribution, "dcat:mediaType")
            formats.update(_resources(distribution, "dct:format"))
        assert formats == {
            "http://publications.europa.eu/resource/authority/file-type/CSV",
            "http://publications.europa.eu/resource/authority/file-type/JSON",
        }


def test_catalog_escapes_names() -> None:
    root = ET.fromstring(catalog_rdf(_entry(kommun="Å & <Ö>")))  # noqa: S314 (our own output)
    [agent] = root.findall(_q("foaf:Agent"))
    assert agent.findtext(_q("foaf:name")) == "Å & <Ö> kommun"


# --------------------------------------------------------------------------- database

A, B, CLOSED = "0484", "0486", "0482"


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Kommun A (open data) with a published wave of every cell and an unpublished wave
    with cells; kommun B (open data) and a kommun without open data with one small
    published wave each. Built once for the module, flushed at the end."""
    with django_db_blocker.unblock():
        districts = demo_districts()
        a = districts[0].municipality
        Municipality.objects.filter(pk=a.pk).update(open_data=True)
        wave = make_wave(
            municipality=a,
            slug="a-ht2025",
            name="HT 2025",
            opens_at=OPENS,
            closes_at=OPENS + timedelta(days=21),
            published_at=OPENS + timedelta(days=40),
        )
        build_cube(wave, districts, seed=3)
        now = timezone.now()
        unpublished = make_wave(
            municipality=a,
            slug="a-open",
            name="VT 2026",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=20),
            published_at=None,
        )
        build_cube(unpublished, districts, seed=4, keys=cell_keys()[:2])
        for code, name, open_data in ((B, "Strängnäs", True), (CLOSED, "Flen", False)):
            kommun = Municipality.objects.create(code=code, name=name, open_data=open_data)
            district = District.objects.create(
                municipality=kommun, code=f"D{code}", name=f"{name} C"
            )
            other = make_wave(
                municipality=kommun,
                slug=f"w-{code}",
                name=f"{name} HT 2025",
                opens_at=OPENS,
                closes_at=OPENS + timedelta(days=21),
                published_at=OPENS + timedelta(days=30),
            )
            build_cube(other, [district], seed=5, keys=cell_keys()[:2])
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(_world: None, db: None) -> None:
    return None


def _get(client: Client, path: str, **headers: str) -> tuple[int, bytes]:
    response = client.get(path, headers=headers)
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if getattr(response, "streaming", False)
        else response.content
    )
    return response.status_code, content


def _schema(client: Client) -> dict[str, Any]:
    status, content = _get(client, f"/{A}/oppna-data/schema/celler-v1.json")
    assert status == 200
    schema: dict[str, Any] = json.loads(content)
    return schema


@pytest.mark.parametrize(
    "path",
    ["", "catalog.rdf", "schema/celler-v1.json", "a-ht2025.csv", "a-ht2025.json"],
)
def test_open_data_is_public(world: None, client: Client, path: str) -> None:
    assert _get(client, f"/{A}/oppna-data/{path}")[0] == 200


def _csv_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    text = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_validates_against_the_schema(world: None, client: Client) -> None:
    schema = _schema(client)
    status, content = _get(client, f"/{A}/oppna-data/a-ht2025.csv")
    assert status == 200
    header, rows = _csv_rows(content)
    assert validate_header(schema, header) == []
    assert len(rows) == IndicatorCell.objects.filter(wave__slug="a-ht2025").count()
    errors = [e for row in rows for e in validate_row(schema, row)]
    assert errors == []


def _json_cells(client: Client, kommun: str, slug: str) -> list[dict[str, Any]]:
    status, content = _get(client, f"/{kommun}/oppna-data/{slug}.json")
    assert status == 200
    payload = json.loads(content)
    assert payload["wave"]["slug"] == slug
    cells: list[dict[str, Any]] = payload["cells"]
    return cells


def test_json_validates_against_the_schema(world: None, client: Client) -> None:
    schema = _schema(client)
    cells = _json_cells(client, A, "a-ht2025")
    assert len(cells) == IndicatorCell.objects.filter(wave__slug="a-ht2025").count()
    assert [e for cell in cells for e in validate_row(schema, cell)] == []


def test_no_suppressed_or_bound_cell_exposes_a_number(world: None, client: Client) -> None:
    states = {
        (c.indicator, c.place, c.geography, c.area, c.breakdown, c.breakdown_value): c
        for c in IndicatorCell.objects.filter(wave__slug="a-ht2025")
    }
    seen = {"shown": 0, "bound": 0, "suppressed": 0}
    for row in _json_cells(client, A, "a-ht2025"):
        key = tuple(
            row[k]
            for k in ("indicator", "place", "geography", "area", "breakdown", "breakdown_value")
        )
        cell = states[key]
        seen[cell.state] += 1
        if cell.state == "suppressed":
            assert row["state"] == "undertryckt"
            assert row["text"] == "–"
            assert [row[k] for k in ("share_pct", "ci_low_pct", "ci_high_pct", "n_shown")] == [
                None
            ] * 4
            assert row["bound"] == ""
            assert row["unstable"] is False
        elif cell.state == "bound":
            assert row["state"] == "visas som gräns"
            assert [row[k] for k in ("share_pct", "ci_low_pct", "ci_high_pct")] == [None] * 3
            assert row["text"] == row["bound"] == cell.bound
            assert row["n_shown"] == cell.n_shown
        else:
            assert row["share_pct"] == cell.share_pct
            assert row["n_shown"] == cell.n_shown
    # The cube has cells of every state, so every branch above was exercised.
    assert min(seen.values()) > 0, seen


@pytest.mark.parametrize(
    "path",
    [
        "/0001/oppna-data/",  # no such kommun
        f"/{CLOSED}/oppna-data/",  # a kommun without open data
        f"/{CLOSED}/oppna-data/catalog.rdf",
        f"/{CLOSED}/oppna-data/w-{CLOSED}.csv",
        f"/{CLOSED}/oppna-data/schema/celler-v1.json",
        f"/{A}/oppna-data/a-open.csv",  # a wave that is not published
        f"/{A}/oppna-data/a-open.json",
        f"/{A}/oppna-data/finns-inte.csv",
        f"/{A}/oppna-data/w-{B}.csv",  # another kommun's wave
        f"/{A}/oppna-data/w-{B}.json",
        f"/{B}/oppna-data/a-ht2025.json",
        f"/{A}/oppna-data/w-{CLOSED}.csv",
    ],
)
def test_missing_closed_or_foreign_data_is_not_found(
    world: None, client: Client, path: str
) -> None:
    assert _get(client, path)[0] == 404


def _catalog_waves(client: Client, kommun: str) -> set[str]:
    status, content = _get(client, f"/{kommun}/oppna-data/catalog.rdf")
    assert status == 200
    root = ET.fromstring(content)  # noqa: S314 (our own output)
    return {_about(d).rsplit("#", 1)[1] for d in root.findall(_q("dcat:Dataset"))}


def test_catalog_lists_only_the_kommuns_own_published_waves(world: None, client: Client) -> None:
    assert _catalog_waves(client, A) == {"a-ht2025"}
    assert _catalog_waves(client, B) == {f"w-{B}"}
    text = _get(client, f"/{A}/oppna-data/catalog.rdf")[1].decode()
    assert f"w-{B}" not in text
    assert "Strängnäs" not in text
    assert "a-open" not in text
    assert f"http://testserver/{A}/oppna-data/a-ht2025.csv" in text


def test_files_are_publicly_cacheable_until_the_publication_changes(
    world: None, client: Client
) -> None:
    path = f"/{A}/oppna-data/a-ht2025.json"
    response = client.get(path)
    assert "public" in response["Cache-Control"]
    assert response["Last-Modified"] == "Mon, 10 Nov 2025 07:00:00 GMT"
    again = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/{A}/oppna-data/a-ht2025.csv")["ETag"] != response["ETag"]


def test_landing_page_lists_the_published_waves_with_their_files(
    world: None, client: Client
) -> None:
    status, content = _get(client, f"/{A}/oppna-data/")
    page = content.decode()
    assert status == 200
    assert f"http://testserver/{A}/oppna-data/a-ht2025.csv" in page
    assert f"http://testserver/{A}/oppna-data/a-ht2025.json" in page
    assert "catalog.rdf" in page
    assert "a-open" not in page
    assert "VT 2026" not in page
    assert "Öppna data om ungas trygghet" in page


def test_landing_page_speaks_english(world: None, client: Client) -> None:
    page = _get(client, f"/{A}/oppna-data/", **{"Accept-Language": "en"})[1].decode()
    assert "Open data on young people's safety" in page
    assert "Share in whole percent; empty when it is not shown." in page
    assert "only a bound such as “< 15 %” is shown" in page


def test_landing_page_sets_no_cookie_and_switches_language_by_link(
    world: None, client: Client
) -> None:
    response = client.get(f"/{A}/oppna-data/")
    assert not response.cookies  # no language form, so no CSRF cookie for every visitor
    page = response.content.decode()
    assert 'href="?lang=en"' in page
    english = client.get(f"/{A}/oppna-data/", {"lang": "en"})
    assert not english.cookies
    assert '<html lang="en"' in english.content.decode()
    assert "Open data on young people's safety" in english.content.decode()


def test_admin_shows_the_open_data_opt_in(world: None, client: Client) -> None:
    login_verified(client, make_staff(Role.ADMIN))
    kommun = Municipality.objects.get(code=A)
    page = client.get(f"/admin/surveys/municipality/{kommun.pk}/change/").content.decode()
    assert 'name="open_data"' in page
    assert 'type="checkbox"' in page
