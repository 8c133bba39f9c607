"""Open data of a kommun that opted in: a landing page, each published wave as CSV and
JSON, the Table Schema and the DCAT-AP-SE catalogue. Public, no login.

A kommun without open data, an unknown kommun code, a wave that is not published and a
wave of another kommun all answer 404. The files are cached publicly: a published wave's
cells are frozen, so the publication names the content (ETag, Last-Modified).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from lagesbild import public
from lagesbild.exports.formats import COLUMNS, csv_chunks
from surveys.models import Municipality

from . import selectors
from .catalog import LICENSE, CatalogEntry, DatasetEntry, catalog_rdf
from .schema import SCHEMA_MAJOR, SCHEMA_VERSION, row_record, table_schema
from .selectors import NotOpen, OpenWave

CACHE_SECONDS = 3600
KEYS = tuple(c.key for c in COLUMNS)


def _municipality(kommun: str) -> Municipality:
    try:
        return selectors.open_municipality(kommun)
    except NotOpen:
        raise Http404("No open data for this kommun.") from None


def _wave(municipality: Municipality, slug: str) -> OpenWave:
    try:
        return selectors.open_wave(municipality, slug)
    except NotOpen:
        raise Http404("No such published wave.") from None


def _url(request: HttpRequest, name: str, kommun: str, **kwargs: str) -> str:
    return request.build_absolute_uri(
        reverse(f"opendata:{name}", kwargs={"kommun": kommun, **kwargs})
    )


def _cached(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: datetime | None,
    build: Callable[[], HttpResponseBase],
) -> HttpResponseBase:
    """A public, validated response: 304 when the client's copy is current."""
    tag = f'"{etag}-s{SCHEMA_VERSION}"'
    stamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=tag, last_modified=stamp)
    response: HttpResponseBase = build() if not_modified is None else not_modified
    response["ETag"] = tag
    if last_modified is not None:
        response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


# The landing page's languages, chosen with ?lang= links: a public page without the
# site's language form, which would set a CSRF cookie on every visitor.
PAGE_LANGUAGES = ("sv", "en")


@require_safe
def index(request: HttpRequest, kommun: str) -> HttpResponse:
    language = request.GET.get("lang", "")
    if language in PAGE_LANGUAGES:
        with translation.override(language):
            return _index(request, kommun, language)
    return _index(request, kommun, translation.get_language() or "sv")


def _index(request: HttpRequest, kommun: str, language: str) -> HttpResponse:
    municipality = _municipality(kommun)
    waves = selectors.open_waves(municipality)
    rows = [
        {
            "wave": wave,
            "csv_url": _url(request, "csv", kommun, wave=wave.slug),
            "json_url": _url(request, "json", kommun, wave=wave.slug),
        }
        for wave in waves
    ]
    return render(
        request,
        "opendata/index.html",
        {
            "municipality": municipality,
            "rows": rows,
            "columns": COLUMNS,
            "schema_url": _url(request, "schema", kommun),
            "schema_version": SCHEMA_VERSION,
            "rules": public.disclosure_rules(),
            "catalog_url": _url(request, "catalog", kommun),
            "license_url": LICENSE,
            "page_language": language,
            "languages": [(code, f"?lang={code}") for code in PAGE_LANGUAGES],
        },
    )


def _latest(waves: Iterable[OpenWave]) -> datetime | None:
    return max((w.published_at for w in waves), default=None)


@require_safe
def wave_csv(request: HttpRequest, kommun: str, wave: str) -> HttpResponseBase:
    municipality = _municipality(kommun)
    open_wave = _wave(municipality, wave)

    def build() -> HttpResponseBase:
        rows = selectors.wave_rows(municipality, open_wave)
        response = StreamingHttpResponse(
            csv_chunks(rows, headers=KEYS), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{kommun}-{open_wave.slug}.csv"'
        return response

    return _cached(
        request, etag=f"{open_wave.etag}-csv", last_modified=open_wave.published_at, build=build
    )


@require_safe
def wave_json(request: HttpRequest, kommun: str, wave: str) -> HttpResponseBase:
    municipality = _municipality(kommun)
    open_wave = _wave(municipality, wave)

    def build() -> HttpResponse:
        payload: dict[str, Any] = {
            "schema": _url(request, "schema", kommun),
            "schema_version": SCHEMA_VERSION,
            "license": LICENSE,
            "kommun": {"code": municipality.code, "name": municipality.name},
            "wave": {
                "slug": open_wave.slug,
                "name": open_wave.name,
                "start": open_wave.start.isoformat(),
                "end": open_wave.end.isoformat(),
                "published": open_wave.published_at.isoformat(timespec="seconds"),
            },
            "cells": [row_record(r) for r in selectors.wave_rows(municipality, open_wave)],
        }
        return HttpResponse(
            json.dumps(payload, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )

    return _cached(
        request, etag=f"{open_wave.etag}-json", last_modified=open_wave.published_at, build=build
    )


@require_safe
def schema(request: HttpRequest, kommun: str) -> HttpResponseBase:
    _municipality(kommun)

    def build() -> HttpResponse:
        descriptor = table_schema(selectors.vocabulary())
        return HttpResponse(
            json.dumps(descriptor, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )

    return _cached(request, etag=f"schema-v{SCHEMA_MAJOR}", last_modified=None, build=build)


@require_safe
def catalog(request: HttpRequest, kommun: str) -> HttpResponseBase:
    municipality = _municipality(kommun)
    waves = selectors.open_waves(municipality)

    def build() -> HttpResponse:
        entry = CatalogEntry(
            kommun_code=municipality.code,
            kommun_name=municipality.name,
            landing_url=_url(request, "index", kommun),
            schema_url=_url(request, "schema", kommun),
            contact_email=settings.OPEN_DATA_CONTACT_EMAIL,
            datasets=[
                DatasetEntry(
                    slug=w.slug,
                    name=w.name,
                    issued=w.published_at,
                    start=w.start,
                    end=w.end,
                    csv_url=_url(request, "csv", kommun, wave=w.slug),
                    json_url=_url(request, "json", kommun, wave=w.slug),
                )
                for w in waves
            ],
        )
        return HttpResponse(catalog_rdf(entry), content_type="application/rdf+xml; charset=utf-8")

    # The catalogue changes when a wave is published: the waves and their publications
    # name its content.
    etag = "catalog-" + "-".join(w.etag for w in waves) if waves else "catalog-empty"
    return _cached(request, etag=etag, last_modified=_latest(waves), build=build)
