"""A private production-like stack for the survey-day harness.

PostgreSQL, Redis, gunicorn, one Celery worker and Celery beat, each started here in a
temporary directory on its own loopback port, so that faults (a stopped Redis, a
restarted PostgreSQL, killed processes) can be injected without disturbing the shared
services. Every process runs in its own process group and is stopped, and the directory
removed, when the `Stack` context exits, also after an error.

The Celery worker and beat are supervised as compose's `restart: unless-stopped` does in
production: whichever exits without the stack stopping it is started again at once, and
each restart is logged (`logs/supervisor.log`, stderr) and kept in `Stack.restarts`.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_BIN_DIRS = [Path("/usr/local/bin"), Path("/usr/lib/postgresql/15/bin")]
# Ports of this harness: loopback only, never the shared 5432 / 6379.
PORT_RANGE = range(8601, 8700)
DB_NAME = "trygghet"
DB_USER = "trygghet"
# As in docker-compose.yml: no start-up sync with other workers (mingle) and no
# subscription to their events (gossip). Neither is used here, and a worker that loses
# Redis during mingle can reconnect and then never consume again (celery/celery#8030,
# #8091); the survey-day Redis scenario is exactly that.
WORKER_FLAGS = ("--without-mingle", "--without-gossip")
# The application name of the worker's database sessions, to see its queries in pg_stat_activity.
WORKER_APP_NAME = "harness-worker"
# Supervision of the worker and beat: how often to look, and the pause before a restart,
# doubled (up to the maximum) while the service keeps exiting soon after each start.
SUPERVISE_EVERY = 0.5
RESTART_DELAY = 1.0
RESTART_DELAY_MAX = 16.0
RUN_LONG_ENOUGH = 10.0


class StackError(RuntimeError):
    pass


def _pg_tool(name: str) -> str:
    for directory in PG_BIN_DIRS:
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise StackError(f"{name} not found (looked in {', '.join(map(str, PG_BIN_DIRS))})")
    return found


def free_ports(count: int, taken: Sequence[int] = ()) -> list[int]:
    """`count` ports of PORT_RANGE that nothing listens on right now."""
    ports: list[int] = []
    start = secrets.randbelow(len(PORT_RANGE))
    for offset in range(len(PORT_RANGE)):
        port = PORT_RANGE[(start + offset) % len(PORT_RANGE)]
        if port in taken or port in ports:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise StackError(f"no {count} free ports in {PORT_RANGE.start}–{PORT_RANGE.stop - 1}")


# initdb and postgres refuse to run as root; a non-root user runs them as itself.
POSTGRES_USER = "postgres" if os.geteuid() == 0 else None


def children_of(pid: int) -> list[int]:
    """Direct child processes of `pid` (Linux /proc)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Service:
    """One long-running process in its own process group, with its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    user: str | None = None
    stop_signal: int = signal.SIGTERM
    cwd: Path = REPO
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = 0.0
    # Stopped on purpose (stop()): the supervisor leaves it stopped, as `unless-stopped` does.
    stopped: bool = False
    # Killed on purpose (kill_group(), a fault): the supervisor restarts it, as a crash.
    kill_expected: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise StackError(f"{self.name} is not running")
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with self.lock:
            if self.running:
                return
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: signals reach its children
                    user=self.user,
                )
            self.started_at = time.monotonic()
            self.stopped = False

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill_group(self) -> None:
        """SIGKILL the process and every process of its group (a crash, not a shutdown)."""
        with self.lock:
            self.kill_expected = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            if self.process is not None:
                self.process.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        with self.lock:
            self.stopped = True
            if self.process is None or self.process.poll() is not None:
                return
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
            # Children that outlived their parent (a pool process) go too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass(frozen=True)
class Restart:
    """A supervised service that exited and was started again."""

    service: str
    pid: int
    returncode: int | None
    at: float  # time.monotonic() when the exit was seen
    ran_for: float  # seconds since its previous start
    expected: bool  # killed on purpose by a fault (kill_group), not a crash
    log_tail: str  # the end of its log before the restart: why it exited

    def describe(self) -> str:
        how = "was killed on purpose" if self.expected else f"exited (code {self.returncode})"
        return f"{self.service} (pid {self.pid}) {how} after {self.ran_for:.0f} s; restarted"


class Supervisor:
    """Restart the given services whenever they exit without being stopped on purpose,
    like compose's `restart: unless-stopped`; log and keep a record of every restart."""

    def __init__(self, services: Sequence[Service], log: Path) -> None:
        self.services = list(services)
        self.log = log
        self.restarts: list[Restart] = []
        self._delays = {service.name: RESTART_DELAY for service in self.services}
        self._due: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stack-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(SUPERVISE_EVERY):
            for service in self.services:
                try:
                    self.check(service)
                except Exception as error:  # keep supervising the others
                    self._write(f"supervising {service.name}: {error!r}")

    def check(self, service: Service) -> None:
        """Restart `service` if it exited and nobody stopped it (after its back-off delay)."""
        with service.lock:
            process = service.process
            if self._stop.is_set() or service.stopped or process is None:
                return
            if process.poll() is None:
                return
            now = time.monotonic()
            ran_for = now - service.started_at
            due = self._due.setdefault(service.name, now + self._delay(service, ran_for))
            if now < due:
                return
            del self._due[service.name]
            record = Restart(
                service=service.name,
                pid=process.pid,
                returncode=process.returncode,
                at=now,
                ran_for=ran_for,
                expected=service.kill_expected,
                log_tail=service.tail(25),
            )
            service.kill_expected = False
            service.start()
            self.restarts.append(record)
        self._write(f"{record.describe()} as pid {service.pid}")
        if not record.expected:
            self._write(f"end of the {service.name} log before the restart:\n{record.log_tail}")

    def _delay(self, service: Service, ran_for: float) -> float:
        if service.kill_expected or ran_for >= RUN_LONG_ENOUGH:
            self._delays[service.name] = RESTART_DELAY
            return 0.0 if service.kill_expected else RESTART_DELAY
        # Exiting again soon after a start: wait longer each time, as compose does.
        delay = self._delays[service.name]
        self._delays[service.name] = min(delay * 2, RESTART_DELAY_MAX)
        return delay

    def _write(self, message: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())} supervisor: {message}"
        print(line, file=sys.stderr, flush=True)
        with contextlib.suppress(OSError), self.log.open("a") as out:
            out.write(line + "\n")


def _wait_for(what: str, probe: "Probe", timeout: float, service: Service | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        if service is not None and service.process is not None and not service.running:
            raise StackError(f"{what} exited early:\n{service.tail()}")
        time.sleep(0.2)
    tail = f":\n{service.tail()}" if service is not None else ""
    raise StackError(f"{what} did not come up within {timeout:.0f} s{tail}")


class Probe:
    def __call__(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class TcpProbe(Probe):
    def __init__(self, port: int) -> None:
        self.port = port

    def __call__(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0


class PostgresProbe(Probe):
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True


@dataclass(frozen=True)
class StackOptions:
    web_workers: int = 5
    worker_concurrency: int = 2
    # Seconds between beat's dirty-wave scans; None keeps the production schedule.
    beat_interval: float | None = None
    pool_max: int = 4
    log_level: str = "WARNING"
    keep_dir: bool = False
    # Put nginx (Debian's nginx-light) in front of gunicorn, as in production: it reads
    # each whole request before a sync worker sees it, so a slow client (or a load
    # generator that falls behind) never holds a worker.
    proxy: bool = False


def nginx_binary() -> str | None:
    """Debian's nginx, also where PATH lacks /usr/sbin (as for a non-root user)."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if Path(found).exists() else None


_OPEN: list["Stack"] = []


def stop_all_and_exit(signum: int, _frame: object) -> None:
    """Signal handler: stop every private service and leave at once.

    An interrupted asyncio run may take long to unwind thousands of pupil tasks; the
    private services must not outlive the harness either way.
    """
    for stack in list(_OPEN):
        stack.close()
    os._exit(128 + signum)


class Stack:
    """PostgreSQL, Redis, gunicorn, a Celery worker and beat on private loopback ports."""

    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        self.root = Path(tempfile.mkdtemp(prefix="survey-day-"))
        self.root.chmod(0o755)
        self.pg_port, self.redis_port, self.web_port, self.proxy_port = free_ports(4)
        self.pg_data = self.root / "pg"
        self.redis_dir = self.root / "redis"
        self.redis_dir.mkdir()
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.socket_dir = self.root / "sock"
        self.socket_dir.mkdir()
        if os.geteuid() == 0:  # postgres (another user) creates its lock file there
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self.secret = secrets.token_urlsafe(40)
        self.postgres = Service(
            "postgres",
            [
                _pg_tool("postgres"),
                "-D",
                str(self.pg_data),
                "-p",
                str(self.pg_port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.socket_dir),
                "-c",
                "max_connections=120",
                "-c",
                "shared_buffers=128MB",
            ],
            {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            self.logs / "postgres.log",
            user=POSTGRES_USER,
            stop_signal=signal.SIGINT,  # "fast" shutdown: roll back open transactions
        )
        self.redis = Service(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--maxmemory-policy",
                "noeviction",
                "--dir",
                str(self.redis_dir),
            ],
            {"PATH": os.environ.get("PATH", "")},
            self.logs / "redis.log",
        )
        env = self.app_env()
        celery = str(VENV_BIN / "celery")
        self.web = Service(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "eskilstuna_trygghet.wsgi",
                "--config",
                str(REPO / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.options.web_workers),
            ],
            env,
            self.logs / "gunicorn.log",
        )
        worker_env = {**env, "DATABASE_URL": self.database_url(app_name=WORKER_APP_NAME)}
        self.worker = Service(
            "worker",
            [
                celery,
                "-A",
                "eskilstuna_trygghet",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.options.worker_concurrency),
                "--hostname",
                f"harness-{self.web_port}@%h",
                *WORKER_FLAGS,
            ],
            worker_env,
            self.logs / "worker.log",
            stop_signal=signal.SIGTERM,
        )
        self.beat = Service(
            "beat",
            [
                celery,
                "-A",
                "eskilstuna_trygghet",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.root / "beat-schedule"),
            ],
            env,
            self.logs / "beat.log",
        )
        self.proxy = self._nginx() if self.options.proxy else None
        self.supervisor = Supervisor([self.worker, self.beat], self.logs / "supervisor.log")

    def _nginx(self) -> Service:
        binary = nginx_binary()
        if binary is None:
            raise StackError("the proxy needs nginx: apt-get install nginx-light")
        temp = self.root / "nginx"
        temp.mkdir()
        config = temp / "nginx.conf"
        # Loopback only; the whole request is buffered before gunicorn sees it (nginx's
        # default), responses too; no access log (it would carry nothing we need).
        config.write_text(
            f"""daemon off;
user root;
worker_processes 1;
pid {temp}/nginx.pid;
error_log {self.logs}/nginx.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{self.proxy_port};
        location / {{
            proxy_pass http://127.0.0.1:{self.web_port};
            proxy_set_header Host $http_host;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""
        )
        return Service(
            "nginx",
            [binary, "-c", str(config), "-p", str(temp)],
            {"PATH": os.environ.get("PATH", "")},
            self.logs / "nginx-stdout.log",
            stop_signal=signal.SIGQUIT,  # graceful: finish the requests under way
        )

    # --- addresses and environment -------------------------------------------------------

    def database_url(self, *, app_name: str | None = None) -> str:
        url = f"postgres://{DB_USER}:{DB_USER}@127.0.0.1:{self.pg_port}/{DB_NAME}"
        return f"{url}?application_name={app_name}" if app_name else url

    @property
    def superuser_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/{DB_NAME}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def base_url(self) -> str:
        port = self.proxy_port if self.options.proxy else self.web_port
        return f"http://127.0.0.1:{port}"

    def app_env(self) -> dict[str, str]:
        env = {
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "harness.settings",
            "DEBUG": "0",
            "SECRET_KEY": self.secret,
            "ACCESS_CODE_KEY": self.secret[::-1],
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url(),
            "DATABASE_POOL_MAX": str(self.options.pool_max),
            "REDIS_URL": self.redis_url,
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": self.options.log_level,
            "DEMO_PASSWORD": secrets.token_urlsafe(16),
        }
        if self.options.beat_interval is not None:
            env["HARNESS_BEAT_SECONDS"] = str(self.options.beat_interval)
        return env

    # --- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> "Stack":
        _OPEN.append(self)
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        self._init_postgres()
        self.start_postgres()
        self._create_database()
        self.start_redis()
        self.manage("migrate", "--no-input")
        self.start_web()
        if self.proxy is not None:
            self.proxy.start()
            _wait_for("nginx", TcpProbe(self.proxy_port), 30, self.proxy)
        self.start_worker()
        self.beat.start()
        self.supervisor.start()

    @property
    def restarts(self) -> list[Restart]:
        """Every restart of the worker or beat by the supervisor so far, oldest first."""
        return list(self.supervisor.restarts)

    def close(self) -> None:
        if self in _OPEN:
            _OPEN.remove(self)
        self.supervisor.stop()
        proxy = [self.proxy] if self.proxy is not None else []
        for service in (*proxy, self.beat, self.worker, self.web, self.redis, self.postgres):
            try:
                service.stop(timeout=20)
            except Exception as error:
                print(f"stopping {service.name}: {error}", file=sys.stderr)
        if self.options.keep_dir:
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def _init_postgres(self) -> None:
        self.pg_data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.pg_data, "postgres", "postgres")
        subprocess.run(
            [
                _pg_tool("initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            user=POSTGRES_USER,
        )

    def start_postgres(self) -> None:
        self.postgres.start()
        url = f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres"
        _wait_for("PostgreSQL", PostgresProbe(url), 60, self.postgres)

    def stop_postgres(self) -> None:
        self.postgres.stop(timeout=60)

    def _create_database(self) -> None:
        url = f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_USER}' CREATEDB")
            conn.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")

    def start_redis(self) -> None:
        self.redis.start()
        _wait_for("Redis", TcpProbe(self.redis_port), 30, self.redis)

    def stop_redis(self) -> None:
        self.redis.stop(timeout=30)

    def start_web(self) -> None:
        self.web.start()
        _wait_for("gunicorn", TcpProbe(self.web_port), 60, self.web)

    def start_worker(self) -> None:
        self.worker.start()

    def web_workers(self) -> list[int]:
        return children_of(self.web.pid)

    def worker_children(self) -> list[int]:
        return children_of(self.worker.pid)

    def manage(self, *args: str, timeout: float = 600) -> str:
        """Run a management command against the private stack; return its output."""
        result = subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=self.app_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def manage_async(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=self.app_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @contextlib.contextmanager
    def db(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """A superuser connection to the private database (reconciliation, inspection)."""
        with psycopg.connect(self.superuser_url, autocommit=True, connect_timeout=5) as conn:
            yield conn

    def pid_alive(self, pid: int) -> bool:
        return _alive(pid)
