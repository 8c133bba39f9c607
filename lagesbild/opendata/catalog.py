"""The DCAT-AP-SE catalogue of a kommun's open data as RDF/XML (pure: no ORM).

DCAT-AP-SE (https://docs.dataportal.se/dcat/) is the Swedish profile of DCAT-AP that
Sveriges dataportal (dataportal.se) harvests. One `dcat:Catalog` per kommun, published by
the kommun (`foaf:Agent`), with one `dcat:Dataset` per published wave and two
`dcat:Distribution`s each (CSV and JSON) that conform to the Table Schema. Controlled
values are the EU vocabularies DCAT-AP names: data themes, file types, languages, access
rights; the licence is CC0 1.0 (see docs/open-data.md).

Written with `xml.etree` (no RDF library is installed, and RDF/XML of this fixed shape
needs none).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lagesbild.catalogue import load_catalogue

NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
XSD = "http://www.w3.org/2001/XMLSchema#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EU = "http://publications.europa.eu/resource/authority/"

LICENSE = "http://creativecommons.org/publicdomain/zero/1.0/"
THEMES = (f"{EU}data-theme/JUST", f"{EU}data-theme/SOCI")
THEME_TAXONOMY = f"{EU}data-theme"
LANGUAGE = f"{EU}language/SWE"
ACCESS_RIGHTS = f"{EU}access-right/PUBLIC"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/LocalAuthority"
FILE_TYPES = {"csv": f"{EU}file-type/CSV", "json": f"{EU}file-type/JSON"}
MEDIA_TYPES = {
    "csv": "https://www.iana.org/assignments/media-types/text/csv",
    "json": "https://www.iana.org/assignments/media-types/application/json",
}
KEYWORDS = {
    "sv": ("trygghet", "unga", "skolenkät", "lägesbild", "brottsförebyggande"),
    "en": ("safety", "young people", "school survey", "crime prevention"),
}

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class DatasetEntry:
    """One published wave."""

    slug: str
    name: str
    issued: datetime  # the publication
    start: date  # the wave's first and last day of answering
    end: date
    csv_url: str
    json_url: str


@dataclass(frozen=True)
class CatalogEntry:
    kommun_code: str
    kommun_name: str
    landing_url: str  # the kommun's open-data page; the catalogue's and datasets' home
    schema_url: str
    contact_email: str  # empty: the contact point is the landing page only
    datasets: Sequence[DatasetEntry]


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _add(parent: ET.Element, name: str, text: str = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    for key, value in attrs.items():
        element.set(XML_LANG if key == "lang" else _q(key.replace("_", ":", 1)), value)
    if text:
        element.text = text
    return element


def _ref(parent: ET.Element, name: str, uri: str) -> ET.Element:
    return _add(parent, name, rdf_resource=uri)


def _texts(parent: ET.Element, name: str, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        _add(parent, name, text, lang=lang)


def _when(moment: datetime) -> tuple[str, dict[str, str]]:
    return moment.isoformat(timespec="seconds"), {"rdf_datatype": f"{XSD}dateTime"}


def _titles(entry: DatasetEntry) -> dict[str, str]:
    return {
        "sv": f"Ungas trygghet, enkätomgång {entry.name}",
        "en": f"Young people's safety, survey wave {entry.name}",
    }


def _descriptions(catalog: CatalogEntry, entry: DatasetEntry) -> dict[str, str]:
    min_n = load_catalogue().rule_params.min_n
    return {
        "sv": (
            f"Resultat från {catalog.kommun_name}s anonyma skolenkät om ungas trygghet "
            f"(åk 7 – gy 3), omgång {entry.name}: andelar i hela procent med "
            "95-procentigt intervall och avrundat antal svar, per indikator för hela "
            "kommunen och dess stadsdelar och tätorter, totalt och per kön eller "
            "årskursgrupp (för hela kommunen även per årskurs). Små grupper röjs aldrig: "
            f"en cell med färre än {min_n} svar, eller "
            "där nästan alla eller nästan inga svarade ja, visas som gräns eller "
            "undertrycks och har då inga siffror."
        ),
        "en": (
            f"Results of {catalog.kommun_name}'s anonymous school survey of young "
            f"people's safety (school years 7 to 12), wave {entry.name}: shares in whole "
            "percent with a 95 % interval and a rounded number of answers, per indicator "
            "for the whole municipality and its districts and towns, in total and by "
            "gender or grade band (for the whole municipality also by school year). Small "
            "groups are never revealed: a cell with fewer "
            f"than {min_n} answers, or where almost all or almost none answered yes, is shown "
            "as a bound or suppressed and then carries no numbers."
        ),
    }


def _distribution(
    parent: ET.Element, catalog: CatalogEntry, entry: DatasetEntry, kind: str, url: str
) -> None:
    holder = _add(parent, "dcat:distribution")
    dist = _add(holder, "dcat:Distribution", rdf_about=url)
    _texts(
        dist,
        "dct:title",
        {"sv": f"{entry.name} ({kind.upper()})", "en": f"{entry.name} ({kind.upper()})"},
    )
    _ref(dist, "dcat:accessURL", url)
    _ref(dist, "dcat:downloadURL", url)
    _ref(dist, "dct:format", FILE_TYPES[kind])
    _ref(dist, "dcat:mediaType", MEDIA_TYPES[kind])
    _ref(dist, "dct:license", LICENSE)
    _ref(dist, "dct:conformsTo", catalog.schema_url)
    text, attrs = _when(entry.issued)
    _add(dist, "dct:issued", text, **attrs)


def _contact(parent: ET.Element, catalog: CatalogEntry) -> None:
    holder = _add(parent, "dcat:contactPoint")
    card = _add(holder, "vcard:Organization")
    _add(card, "vcard:fn", catalog.kommun_name)
    if catalog.contact_email:
        _ref(card, "vcard:hasEmail", f"mailto:{catalog.contact_email}")
    _ref(card, "vcard:hasURL", catalog.landing_url)


def catalog_rdf(catalog: CatalogEntry) -> bytes:
    """The catalogue as UTF-8 RDF/XML."""
    root = ET.Element(_q("rdf:RDF"))
    publisher_uri = f"{catalog.landing_url}#utgivare"
    place_uri = f"{catalog.landing_url}#kommun"
    node = _add(root, "dcat:Catalog", rdf_about=f"{catalog.landing_url}#katalog")
    _texts(
        node,
        "dct:title",
        {
            "sv": f"Öppna data om ungas trygghet – {catalog.kommun_name}",
            "en": f"Open data on young people's safety – {catalog.kommun_name}",
        },
    )
    _texts(
        node,
        "dct:description",
        {
            "sv": (
                "Publicerade, granskade resultat från skolenkäten om ungas trygghet, en "
                "datamängd per enkätomgång, som CSV och JSON med ett dokumenterat tabellschema."
            ),
            "en": (
                "Published, audited results of the school survey of young people's safety, "
                "one dataset per survey wave, as CSV and JSON with a documented table schema."
            ),
        },
    )
    _ref(node, "dct:publisher", publisher_uri)
    _ref(node, "foaf:homepage", catalog.landing_url)
    _ref(node, "dct:language", LANGUAGE)
    _ref(node, "dct:license", LICENSE)
    _ref(node, "dcat:themeTaxonomy", THEME_TAXONOMY)
    _ref(node, "dct:spatial", place_uri)
    if catalog.datasets:
        text, attrs = _when(min(d.issued for d in catalog.datasets))
        _add(node, "dct:issued", text, **attrs)
        text, attrs = _when(max(d.issued for d in catalog.datasets))
        _add(node, "dct:modified", text, **attrs)
    for entry in catalog.datasets:
        _ref(node, "dcat:dataset", f"{catalog.landing_url}#{entry.slug}")

    agent = _add(root, "foaf:Agent", rdf_about=publisher_uri)
    _texts(
        agent,
        "foaf:name",
        {"sv": f"{catalog.kommun_name} kommun", "en": f"{catalog.kommun_name} Municipality"},
    )
    _ref(agent, "dct:type", PUBLISHER_TYPE)
    _add(agent, "dct:identifier", catalog.kommun_code)

    place = _add(root, "dct:Location", rdf_about=place_uri)
    _add(place, "skos:prefLabel", f"{catalog.kommun_name} kommun", lang="sv")
    _add(place, "dct:identifier", catalog.kommun_code)

    for entry in catalog.datasets:
        dataset = _add(root, "dcat:Dataset", rdf_about=f"{catalog.landing_url}#{entry.slug}")
        _texts(dataset, "dct:title", _titles(entry))
        _texts(dataset, "dct:description", _descriptions(catalog, entry))
        _add(dataset, "dct:identifier", f"{catalog.landing_url}#{entry.slug}")
        _ref(dataset, "dct:publisher", publisher_uri)
        _contact(dataset, catalog)
        for theme in THEMES:
            _ref(dataset, "dcat:theme", theme)
        for lang, words in KEYWORDS.items():
            for word in words:
                _add(dataset, "dcat:keyword", word, lang=lang)
        text, attrs = _when(entry.issued)
        _add(dataset, "dct:issued", text, **attrs)
        _ref(dataset, "dct:spatial", place_uri)
        holder = _add(dataset, "dct:temporal")
        period = _add(holder, "dct:PeriodOfTime")
        _add(period, "dcat:startDate", entry.start.isoformat(), rdf_datatype=f"{XSD}date")
        _add(period, "dcat:endDate", entry.end.isoformat(), rdf_datatype=f"{XSD}date")
        _ref(dataset, "dct:accessRights", ACCESS_RIGHTS)
        _ref(dataset, "dct:language", LANGUAGE)
        _ref(dataset, "dcat:landingPage", catalog.landing_url)
        _ref(dataset, "dct:conformsTo", catalog.schema_url)
        _distribution(dataset, catalog, entry, "csv", entry.csv_url)
        _distribution(dataset, catalog, entry, "json", entry.json_url)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data
