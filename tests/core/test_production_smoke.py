"""The production image's steps, run here (CI has no Docker): a clean copy of the repository
built by `ops/build`, then gunicorn, a Celery worker and beat started with the commands of
docker-compose.yml and the real production settings (DEBUG off, the compressed manifest
storage, HTTPS as the TLS proxy reports it), against the test database and a Redis server
of their own. Every kind of page is fetched over HTTP, and the compose
healthchecks run against the processes.

No settings are swapped here: a harness that swaps them hid a 500 on every page once.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Role
from harness.stack import Service, TcpProbe
from surveys import services
from surveys.models import Municipality, School, SchoolClass, Wave
from tests.accounts.accounts_helpers import make_staff
from tests.lagesbild.dashboard_factories import build_cube, demo_districts, make_wave

# As in tests/conftest.py: under CI a missing tool is an error, never a skip.
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "smoke-test-password-4711"
WAVE = "rokprov"
# Bounds on waiting for a process or a job; a test never asserts how fast anything is.
START_TIMEOUT = 120.0
JOB_TIMEOUT = 300.0


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _repo_copy(dest: Path) -> Path:
    """The checkout's files, tracked or new but not ignored (about what the image's build
    context holds), with this checkout's virtual environment and node_modules linked in,
    as the image installs them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / ".venv").symlink_to(VENV_BIN.parent)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def _free_port() -> int:
    # An ephemeral loopback port chosen by the kernel (never the harness's 8601–8699).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _redis_server(port: int, work: Path) -> Service:
    """A Redis server of the test's own on a loopback port: the shared server's database
    numbers belong to other people's suites, and a worker here must take no task of
    theirs (nor they of ours)."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "needs Debian's redis-server for a private Redis (apt-get install redis-server)"
        if CI:
            pytest.fail(f"CI must run this test: {reason}")
        pytest.skip(reason)
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)]
    return Service(
        "redis", argv, {"PATH": os.environ.get("PATH", "")}, work / "redis.log", cwd=work
    )


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@dataclass
class Production:
    """The processes of the compose file, started from `root` on loopback."""

    root: Path
    work: Path
    port: int
    env: dict[str, str]
    services: list[Service]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def export_dir(self) -> Path:
        return Path(self.env["EXPORT_DIR"])

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.tail(40)}" for s in self.services)

    def check_running(self) -> None:
        for service in self.services:
            if service.process is not None and not service.running:
                pytest.fail(f"{service.name} exited:\n{self.logs()}")

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=self.root,
            env={**self.env, "HOSTNAME": socket.gethostname()},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _argv(service: str, port: int, schedule: Path) -> list[str]:
    """The service's command from docker-compose.yml, with this machine's paths and port."""
    command = [str(part) for part in _compose()["services"][service]["command"]]
    command[0] = str(VENV_BIN / command[0])
    replaced = [
        part.replace("0.0.0.0:8000", f"127.0.0.1:{port}").replace(
            "/tmp/celerybeat-schedule",  # noqa: S108 - the compose file's path, replaced
            str(schedule),
        )
        for part in command
    ]
    return [*replaced, "--workers", "2"] if service == "web" else replaced


@contextlib.contextmanager
def production(
    root: Path, work: Path, *, access_code_key: str, with_celery: bool
) -> Iterator[Production]:
    """gunicorn (and worker and beat) on `root`; every process group killed on exit."""
    port = _free_port()
    exports = work / "exports"
    exports.mkdir()
    logs = work / "logs"
    logs.mkdir()
    redis_port = _free_port()
    env = {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "eskilstuna_trygghet.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ACCESS_CODE_KEY": access_code_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL_MAX": "2",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        # One folder for web and worker, as the compose file's `exports` volume.
        "EXPORT_DIR": str(exports),
        "LOG_LEVEL": "WARNING",
    }
    names = ["web", "worker", "beat"] if with_celery else ["web"]
    schedule = work / "celerybeat-schedule"
    services_ = [
        _redis_server(redis_port, work),
        *(
            Service(name, _argv(name, port, schedule), env, logs / f"{name}.log", cwd=root)
            for name in names
        ),
    ]
    stack = Production(root, work, port, env, services_)
    try:
        services_[0].start()
        poll("Redis", TcpProbe(redis_port), START_TIMEOUT, stack)
        for service in services_[1:]:
            service.start()
        yield stack
    finally:
        for service in reversed(services_):
            service.stop(timeout=20)


def poll(what: str, probe: Callable[[], bool], timeout: float, stack: Production) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_running()
        if probe():
            return
        time.sleep(0.3)
    pytest.fail(f"{what} not within {timeout:.0f} s:\n{stack.logs()}")


class Browser:
    """An HTTP client as a browser behind the TLS proxy: X-Forwarded-Proto https, and
    cookies kept by hand because they carry the Secure flag (the proxy speaks HTTPS to the
    browser; this client speaks plain HTTP to gunicorn)."""

    def __init__(self, stack: Production) -> None:
        self.origin = f"https://127.0.0.1:{stack.port}"
        self.http = httpx.Client(
            base_url=stack.base_url, headers={"X-Forwarded-Proto": "https"}, timeout=60
        )
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Accept-Encoding": "br, gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": f"{self.origin}{path}"}
        response = self.http.request(method, path, data=data, headers=headers)
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        self.http.cookies.clear()
        return response

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post_form(self, path: str, page: httpx.Response, data: dict[str, str]) -> httpx.Response:
        """Submit the form of `page` (its CSRF token) with `data`."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, page.text[:500]
        return self.request("POST", path, {"csrfmiddlewaretoken": token[1], **data})


@dataclass(frozen=True)
class Seeded:
    code: str
    username: str
    device: TOTPDevice
    kommun: str  # the published wave's kommun code (its public pages)


def _seed(access_code_key: str) -> Seeded:
    """A published wave with a cube of cells, an open wave with one pupil code, and an
    analyst with an authenticator app: what the pages need, in a second or two."""
    districts = demo_districts()
    now = timezone.now()
    published = make_wave(
        municipality=districts[0].municipality,
        slug=WAVE,
        name="Röktest",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=40),
        published_at=now - timedelta(days=20),
        analysis_text="Analys.",
        youth_page=True,
    )
    Municipality.objects.filter(pk=published.municipality_id).update(open_data=True)
    build_cube(published, districts)
    open_wave = Wave.objects.create(
        municipality=published.municipality,
        name="Röktest öppen",
        slug=f"{WAVE}-oppen",
        questionnaire=published.questionnaire,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
    )
    school = School.objects.create(district=districts[0], name="Röktestskolan")
    school_class = SchoolClass.objects.create(school=school, name="9A", grade=9)
    with override_settings(ACCESS_CODE_KEY=access_code_key.encode()):
        [code] = services.codes_issue(wave=open_wave, school_class=school_class, count=1)
    user = make_staff(Role.ANALYST, organisation="polis")
    # The tests' fast hasher is not one production accepts: the production default.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return Seeded(
        code=code, username=user.username, device=device, kommun=published.municipality.code
    )


def _totp(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean copy of the repository, built by ops/build as the Dockerfile builds it."""
    root = _repo_copy(tmp_path_factory.mktemp("built"))
    done = subprocess.run(
        [str(root / "ops" / "build")],
        cwd=root,
        env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (root / "staticfiles" / "staticfiles.json").is_file()
    return root


def _healthcheck(stack: Production, service: str) -> subprocess.CompletedProcess[str]:
    """Run the compose healthcheck of `service` against the processes here."""
    test = [str(part) for part in _compose()["services"][service]["healthcheck"]["test"]]
    local = [
        part.replace("127.0.0.1:8000", f"127.0.0.1:{stack.port}")
        .replace("/tmp/celerybeat-schedule", str(stack.work / "celerybeat-schedule"))  # noqa: S108
        .replace("/app/var/worker-heartbeat", str(stack.root / "var" / "worker-heartbeat"))
        .replace("$$", "$")  # compose's escape of a literal $
        for part in test
    ]
    if local[0] == "CMD-SHELL":
        return stack.run(["sh", "-c", local[1]])
    assert local[0] == "CMD"
    argv = local[1:]
    if argv[0] == "python":
        argv[0] = sys.executable
    return stack.run(argv)


def test_every_kind_of_page_answers_in_production(built: Path, tmp_path: Path) -> None:
    key = secrets.token_urlsafe(32)
    seeded = _seed(key)
    with production(built, tmp_path, access_code_key=key, with_celery=True) as stack:
        browser = Browser(stack)
        poll("gunicorn", lambda: _answers(stack), START_TIMEOUT, stack)

        health = browser.get("/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["static"] == "ok" and health.json()["database"] == "ok"
        assert browser.request("HEAD", "/healthz").status_code == 200
        assert browser.request("HEAD", "/").status_code == 200

        # The pupil's start page links the hashed static files and takes the code.
        start = browser.get("/")
        assert start.status_code == 200, start.text[:2000]
        assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', start.text)
        entered = browser.post_form("/", start, {"code": seeded.code})
        # The code's answer is the first question page; the language page works too.
        assert entered.status_code == 200, entered.text[:2000]
        assert 'action="/sida/1/"' in entered.text
        assert browser.get("/sprak/").status_code == 200

        # A static file by its hashed name, compressed, cached for good.
        manifest = json.loads((built / "staticfiles" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        static = browser.get(f"/static/{hashed}")
        assert static.status_code == 200
        assert static.headers["Content-Encoding"] in {"br", "gzip"}
        assert "immutable" in static.headers["Cache-Control"]
        assert static.text == (built / "static" / "css" / "site.css").read_text()

        # The public pages of the kommun: the young people's page with its own hashed
        # stylesheet, its poster rendered by the web process, and the open data.
        youth = browser.get(f"/{seeded.kommun}/vad-sa-unga/{WAVE}/")
        assert youth.status_code == 200, youth.text[:500]
        assert f"/static/{manifest['paths']['youth/youth.css']}" in youth.text
        assert browser.get(f"/static/{manifest['paths']['youth/youth.css']}").status_code == 200
        poster = browser.get(f"/{seeded.kommun}/vad-sa-unga/{WAVE}/sv/affisch.pdf")
        assert poster.status_code == 200
        assert poster.content.startswith(b"%PDF")
        open_csv = browser.get(f"/{seeded.kommun}/oppna-data/{WAVE}.csv")
        assert open_csv.status_code == 200
        assert "share_pct" in open_csv.text

        # Staff: password, then the second factor, then a dashboard.
        staff = Browser(stack)
        login = staff.get("/konto/logga-in/")
        assert login.status_code == 200
        password_ok = staff.post_form(
            "/konto/logga-in/", login, {"username": seeded.username, "password": PASSWORD}
        )
        assert password_ok.status_code == 302, password_ok.text[:2000]
        verify_path = password_ok.headers["Location"]
        assert verify_path.startswith("/konto/verifiera/")
        verify = staff.get(verify_path)
        verified = staff.post_form(verify_path, verify, {"token": _totp(seeded.device)})
        assert verified.status_code == 302, verified.text[:2000]
        dashboard = staff.get(f"/0484/lagesbild/?wave={WAVE}")
        assert dashboard.status_code == 200, dashboard.text[:2000]
        assert re.search(
            r"/static/vendor/plotly/plotly-basic\.min\.[0-9a-f]{12}\.js", dashboard.text
        )

        csv_file = staff.get(f"/0484/lagesbild/export/celler.csv?wave={WAVE}")
        assert csv_file.status_code == 200
        assert csv_file.headers["Content-Type"].startswith("text/csv")
        assert csv_file.content.startswith("\ufeff".encode())

        # The PDF: asked for on the web, made by the worker, downloaded through the web.
        form = staff.get(f"/0484/lagesbild/export/rapport/?wave={WAVE}")
        assert form.status_code == 200
        queued = staff.post_form("/0484/lagesbild/export/rapport/", form, {"wave": WAVE})
        assert queued.status_code == 302, queued.text[:2000]
        job_path = queued.headers["Location"]
        assert staff.get(job_path).status_code == 200
        status: dict[str, Any] = {}

        def finished() -> bool:
            status.update(staff.get(f"{job_path}status/").json())
            return bool(status["finished"])

        poll("the PDF report", finished, JOB_TIMEOUT, stack)
        assert status["status"] == "done", status
        pdf = staff.get(status["download_url"])
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert [p.name for p in stack.export_dir.iterdir()], "the worker wrote no file"

        # The compose healthchecks, run against these processes.
        for service in ("web", "worker", "beat"):
            result = _healthcheck(stack, service)
            assert result.returncode == 0, (service, result.stdout, result.stderr)


def _answers(stack: Production) -> bool:
    try:
        httpx.get(f"{stack.base_url}/healthz", timeout=5)
    except httpx.TransportError:
        return False
    return True


def test_without_the_static_manifest_healthz_fails_as_the_pages_do(tmp_path: Path) -> None:
    # The image as it was built before ops/build: no manifest.
    root = _repo_copy(tmp_path / "unbuilt")
    work = tmp_path / "work"
    work.mkdir()
    key = secrets.token_urlsafe(32)
    with production(root, work, access_code_key=key, with_celery=False) as stack:
        poll("gunicorn", lambda: _answers(stack), START_TIMEOUT, stack)
        browser = Browser(stack)
        health = browser.get("/healthz")
        assert health.status_code == 503
        assert health.json()["static"] == "down"
        assert browser.get("/").status_code == 500
        assert _healthcheck(stack, "web").returncode == 1
