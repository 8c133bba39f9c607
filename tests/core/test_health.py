import json
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client, override_settings

from surveys import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service_as_json(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "status",
        "database",
        "migrations",
        "cache",
        "broker",
        "worker",
        "static",
    }
    assert body["database"] == "ok"
    assert body["cache"] == "ok"


def test_healthz_reveals_no_versions_or_secrets(client: Client) -> None:
    text = client.get("/healthz").content.decode()
    for needle in ("version", "redis://", "postgres", "SECRET", "Django"):
        assert needle not in text


def test_healthz_is_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("surveys.health._database", return_value="down"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"


def test_healthz_is_503_until_every_migration_is_applied(client: Client) -> None:
    """The start sequence served before `migrate`: every page answered 500 while /healthz
    said 200, so the proxy and compose sent pupils to it."""
    health._migrated.cache_clear()
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[("a migration", False)],
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "down"
    assert client.get("/healthz").json()["migrations"] == "ok"  # asked again, now migrated


def test_healthz_is_degraded_but_200_when_the_cache_is_down(client: Client) -> None:
    with mock.patch("surveys.health._cache", return_value="down"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


def test_healthz_is_not_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_healthz_answers_head_requests(client: Client) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def test_the_start_page_answers_head_requests(client: Client) -> None:
    assert client.head("/").status_code == 200


def test_healthz_reports_the_static_files_of_the_pages(client: Client) -> None:
    assert client.get("/healthz").json()["static"] == "ok"


def test_every_template_static_name_is_found() -> None:
    names = health.template_static_names()
    assert "css/site.css" in names and "bootstrap/css/bootstrap.min.css" in names
    assert health.static_problems() == []


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def _collected(root: Path, names: tuple[str, ...]) -> None:
    """A STATIC_ROOT as collectstatic leaves it: hashed copies and the manifest."""
    paths = {}
    for name in names:
        stem, dot, ext = name.rpartition(".")
        hashed = f"{stem}.0123456789ab{dot}{ext}"
        (root / hashed).parent.mkdir(parents=True, exist_ok=True)
        (root / hashed).write_text("/* collected */")
        paths[name] = hashed
    manifest = {"paths": paths, "version": "1.1", "hash": "0"}
    (root / "staticfiles.json").write_text(json.dumps(manifest))


def test_healthz_is_503_when_the_static_manifest_is_missing(client: Client, tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "down"
    assert response.json()["status"] == "down"


def test_healthz_is_503_when_a_page_names_a_file_the_manifest_lacks(
    client: Client, tmp_path: Path
) -> None:
    names = health.template_static_names()
    _collected(tmp_path, names[1:])
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE):
        assert health.static_problems() == [f"{names[0]}: missing from the static files manifest"]
        assert client.get("/healthz").status_code == 503


def test_healthz_is_ok_when_the_manifest_holds_every_file_the_pages_name(
    client: Client, tmp_path: Path
) -> None:
    _collected(tmp_path, health.template_static_names())
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=MANIFEST_STORAGE):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["static"] == "ok"
