from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service_as_json(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "cache", "broker", "worker"}
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


def test_healthz_is_degraded_but_200_when_the_cache_is_down(client: Client) -> None:
    with mock.patch("surveys.health._cache", return_value="down"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


def test_healthz_is_not_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
