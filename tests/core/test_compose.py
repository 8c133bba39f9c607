"""docker-compose.yml cannot be run here (no Docker engine), so its consistency is tested."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
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
    from harness.stack import WORKER_FLAGS

    command = _compose()["services"]["worker"]["command"]
    assert set(WORKER_FLAGS) <= set(command)


DOCKER_COMPOSE = shutil.which("docker-compose")
# As in tests/conftest.py: under CI a missing tool is an error, never a skip.
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test_compose_file_is_valid_for_docker_compose(tmp_path: Path) -> None:
    # Debian's docker-compose validates against the Compose specification offline (no
    # engine needed for `config`), including volume and service references.
    if DOCKER_COMPOSE is None:
        reason = "needs Debian's docker-compose (apt-get install docker-compose)"
        if CI:
            pytest.fail(f"CI must run this test: {reason}")
        pytest.skip(reason)
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    done = subprocess.run(
        [DOCKER_COMPOSE, "config", "--quiet"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_web_and_worker_share_the_export_volume_at_export_dir() -> None:
    compose = _compose()
    services = compose["services"]
    export_dir = services["web"]["environment"]["EXPORT_DIR"]
    for name in ("web", "worker"):
        assert services[name]["environment"]["EXPORT_DIR"] == export_dir
        assert f"exports:{export_dir}" in services[name]["volumes"]
    assert "exports" in compose["volumes"]
    # The image creates the folder owned by its user, so a new volume takes that owner.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"mkdir -p {export_dir}" in dockerfile
    assert "--uid 1000 app" in dockerfile


def test_the_image_is_built_by_ops_build() -> None:
    assert "RUN ops/build" in (ROOT / "Dockerfile").read_text()
    assert os.access(ROOT / "ops" / "build", os.X_OK)


WORKER_HEARTBEAT = "/app/var/worker-heartbeat"


def test_web_worker_and_beat_have_healthchecks_that_fit_their_commands() -> None:
    services = _compose()["services"]
    checks = {name: " ".join(services[name]["healthcheck"]["test"]) for name in services}
    assert "ops/healthcheck.py web" in checks["web"] and "/healthz" in checks["web"]
    # Not `celery inspect ping`: remote control is off (below); the worker's heartbeat task
    # (every 30 s from beat) and its start write the file the check reads.
    assert f"ops/healthcheck.py worker {WORKER_HEARTBEAT}" in checks["worker"]
    beat_command = services["beat"]["command"]
    schedule = beat_command[beat_command.index("--schedule") + 1]
    assert f"ops/healthcheck.py beat {schedule}" in checks["beat"]
    assert (ROOT / "ops" / "healthcheck.py").is_file()


def test_the_worker_has_no_remote_control_mailbox() -> None:
    # Its channel made the worker die when Redis went away (docs/operations.md, issue #14).
    from eskilstuna_trygghet.celery import app

    assert app.conf.worker_enable_remote_control is False
