"""docker-compose.yml cannot be run here (no Docker engine), so its consistency is tested."""

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_has_the_production_services() -> None:
    assert set(_compose()["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_app_services_share_one_image_built_by_the_dockerfile() -> None:
    services = _compose()["services"]
    images = {services[name].get("image") for name in ("web", "worker", "beat")}
    assert len(images) == 1 and None not in images
    assert services["web"]["build"]["dockerfile"] == "Dockerfile"
    assert (ROOT / "Dockerfile").is_file()


def test_app_services_read_env_file_and_wait_for_healthy_services() -> None:
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == [".env"] or services[name]["env_file"] == ".env"
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["redis"]
    assert services["db"]["image"].startswith("postgres:16")


def test_app_commands_name_modules_that_exist() -> None:
    services = _compose()["services"]
    web = " ".join(services["web"]["command"])
    assert "gunicorn" in web and "eskilstuna_trygghet.wsgi" in web
    worker = " ".join(services["worker"]["command"])
    beat = " ".join(services["beat"]["command"])
    assert "-A eskilstuna_trygghet worker" in worker
    assert "-A eskilstuna_trygghet beat" in beat
    assert (ROOT / "eskilstuna_trygghet" / "wsgi.py").is_file()


def test_every_variable_the_compose_file_uses_is_documented_in_env_example() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used <= documented


def test_every_setting_read_from_the_environment_is_documented() -> None:
    sources = (ROOT / "eskilstuna_trygghet" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', sources))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read
    assert read <= documented, read - documented


def test_the_worker_runs_as_the_survey_day_harness_tests_it() -> None:
    # The harness's Redis scenario proves recovery for a worker started with these flags.
    from bench.stack import WORKER_FLAGS

    command = _compose()["services"]["worker"]["command"]
    assert set(WORKER_FLAGS) <= set(command)


def test_the_worker_has_no_remote_control_mailbox() -> None:
    # Its channel made the worker die when Redis went away (docs/operations.md, issue #14).
    from eskilstuna_trygghet.celery import app

    assert app.conf.worker_enable_remote_control is False
