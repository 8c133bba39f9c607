"""Settings for eskilstuna_trygghet, read from the environment (long because every setting is here).

With nothing configured the app runs on SQLite under `var/` with Celery tasks executed
eagerly in-process and a local-memory cache (the embedded default). `DATABASE_URL` and
`REDIS_URL` switch to PostgreSQL and Redis. Every variable is listed in `.env.example`.
"""

import hashlib
import hmac
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from whitenoise.compress import Compressor

from .env import env_bool, env_int, env_list, env_str, mail_settings

# Lets admin classes and querysets be subscripted for the type checker at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (see .env.example), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin site behind the same two-factor login as every staff page.
    "accounts.admin_config.AccountsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "surveys",
    "lagesbild",
    "accounts",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Marks a request for a pupil page: the "Staff…" middleware below (subclasses of
    # Django's, django-otp's and ours, in their usual places) pass it by; everything else
    # runs for every request (surveys.pupil_requests, docs/performance.md).
    "surveys.pupil_requests.PupilRequestMiddleware",
    # Right after a database outage, pupil pages answer 503 "try again" without waiting for
    # a connection (surveys.outage); before everything that reads the session.
    "surveys.outage.RecentOutageMiddleware",
    "surveys.pupil_requests.StaffSessionMiddleware",
    # Pupil pages other than the start page take their language from the pupil's cookie
    # or their URL.
    "surveys.pupil_requests.StaffLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "surveys.pupil_requests.StaffAuthenticationMiddleware",
    # Marks request.user as verified once the second factor passed (accounts.access).
    "surveys.pupil_requests.StaffOTPMiddleware",
    "surveys.pupil_requests.StaffMessageMiddleware",
    "surveys.pupil_requests.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A pupil view that loses the database answers 503 "try again" with the answers kept.
    "surveys.outage.DatabaseOutageMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "eskilstuna_trygghet.urls"
WSGI_APPLICATION = "eskilstuna_trygghet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.kommun",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1
if DATABASE_URL:
    # Health checks: after a PostgreSQL restart every pooled connection is dead; checking a
    # connection when it is handed out (an empty query) replaces it instead of failing the
    # next pupil's request with it (docs/operations.md, survey-day scenarios).
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # A server that does not answer (a host being restarted) fails the connection
        # attempt after 5 s instead of the operating system's minutes.
        _db["OPTIONS"] = {"connect_timeout": 5, **_db.get("OPTIONS", {})}
        # Prepared statements only where asked for: the pupil requests' few hand-written
        # statements (surveys.rows.cursor) are parsed and planned once per connection;
        # no other query is ever prepared (the count never reaches this). Django's
        # default, None, would refuse those too; DATABASE_PREPARED=0 keeps it (for a
        # connection pooler that cannot keep prepared statements).
        if env_bool("DATABASE_PREPARED", True):
            _db["OPTIONS"].setdefault("prepare_threshold", PREPARE_ONLY_WHEN_ASKED)
    if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
        # psycopg 3 connection pool, one per process (gunicorn worker, Celery child). While
        # the database is down a request waits at most `timeout` seconds for a connection,
        # then the pupil gets the 503 "try again" page (and /healthz answers "down").
        _db["OPTIONS"] = {
            **_db["OPTIONS"],
            "pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_MAX", 8), "timeout": 3},
        }
else:
    VAR_DIR.mkdir(exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "db.sqlite3"),
        # Several pupils submit at once even in a demo: wait for the write lock.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, Celery ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "et",
            # A Redis blip must not take pages down: fail fast and fall back to the database.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker (the embedded default) tasks run eagerly in-process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Publishing to the broker must never hang a pupil's request when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "socket_connect_timeout": 2,
    # Redis hands an unacknowledged message to another worker after this many seconds: it
    # must exceed every task's time limit, or a slow task would run twice at once.
    "visibility_timeout": 3600,
}
# Reliability (docs/operations.md). Tasks that are safe to run twice set acks_late=True
# themselves; for them a message is acknowledged only after the task finished, and a task
# whose worker process died (SIGKILL, out of memory) goes back to the queue.
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per worker process, so a long aggregation holds no others back.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When the worker loses Redis, the message of a running acks_late task goes back to the
# queue and runs again after the reconnect: stop the running copy instead of letting both
# run (Celery 6's default; the survey-day Redis scenario).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# No remote control (celery inspect/control; nothing here uses it, and our heartbeat task
# proves the worker alive). Its mailbox is a second broker channel with an auto-delete
# fanout queue; when Redis goes away, deleting that queue fails and stops kombu's teardown
# before it closes the task channel, and Celery's second close of that channel then builds
# a Redis pool from the already torn-down transport: the worker died of "AttributeError:
# 'NoneType' object has no attribute 'hostname'" (docs/operations.md).
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# No task may block a worker forever. Tasks set tighter limits (and a soft limit to clean
# up) themselves; a global soft limit would clash with a task's shorter hard limit.
CELERY_TASK_TIME_LIMIT = 15 * 60
# Keep retrying the broker at start-up: beat and worker start before Redis in a restart.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Results (export progress) are read within minutes; keep them a day.
CELERY_RESULT_EXPIRES = 24 * 3600
# Beat writes its schedule file after every task it sends (the worker heartbeat, every
# 30 s) instead of every 3 minutes: the compose healthcheck of beat reads the file's age.
CELERY_BEAT_SYNC_EVERY = 1
# The beat schedule, defined once, here.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "worker-heartbeat": {"task": "surveys.tasks.worker_heartbeat", "schedule": 30.0},
    "survey-housekeeping": {"task": "surveys.tasks.survey_housekeeping", "schedule": 3600.0},
    # Nightly, outside school hours: raw answer sheets past retention.
    "retention-purge": {
        "task": "surveys.tasks.retention_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    # Recompute the cells of waves with new sheets (Wave.indicators_dirty_at, set in the
    # submit transaction), so publishing finds the cells nearly up to date.
    "lagesbild-refresh-dirty-waves": {
        "task": "lagesbild.tasks.refresh_dirty_waves",
        "schedule": 180.0,
    },
    "export-purge": {"task": "lagesbild.exports.tasks.export_purge", "schedule": 3600.0},
    # PDF jobs asked for while Redis was down (their row waits in PostgreSQL).
    "export-resend": {"task": "lagesbild.exports.tasks.report_jobs_resend", "schedule": 60.0},
}
# Written by the worker when it starts and on every heartbeat task (every 30 s from beat):
# the compose healthcheck of the worker reads its age (ops/healthcheck.py worker).
WORKER_HEARTBEAT_FILE = Path(env_str("WORKER_HEARTBEAT_FILE") or VAR_DIR / "worker-heartbeat")
# Years raw answer sheets are kept after their wave closes (published cells are kept).
ANSWER_RETENTION_YEARS = env_int("ANSWER_RETENTION_YEARS", 5)

# --- Exports -------------------------------------------------------------------------------
# Generated report files: private storage, never served as static or media files; handed
# out only to the user who asked, and deleted by the hourly purge after this many hours.
EXPORT_DIR = Path(env_str("EXPORT_DIR") or VAR_DIR / "exports")
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)

# --- Sessions and auth -------------------------------------------------------------------
# Database-backed sessions: a Redis outage must not log people out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
AUTHENTICATION_BACKENDS = [
    # First: refuses (without checking the password) while the account+address is locked.
    "axes.backends.AxesStandaloneBackend",
    # Password login; model permissions from memberships (a role's group, never a user's).
    "accounts.backends.MembershipBackend",
]
# Brute-force protection, database-backed, keyed on account AND address together: an
# attacker can lock an account only from their own address, never a whole school or
# office behind one public IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_ip"
AXES_VERBOSE = False
# Staff sessions end after this many seconds without a request (pupils are not affected).
STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30) * 60
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
# The service's name where no kommun is known (the pupils' start page, the login, e-mail,
# authenticator apps); a kommun's staff pages say "Trygghet <kommun>".
# Empty: "Ungas trygghet" in the page's language.
SITE_NAME = env_str("SITE_NAME")
# The issuer shown in authenticator apps next to the username.
OTP_TOTP_ISSUER = SITE_NAME or "Ungas trygghet"
# The admin never shows a device's secret (TOTP key, its QR code, recovery codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Proxies in front of gunicorn whose X-Forwarded-For entry is trusted (audit log, lockout).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- One-time codes and the pupil flow -------------------------------------------------
# Key of the HMAC under which one-time codes are stored (never the codes themselves). Its
# own variable so that rotating SECRET_KEY does not invalidate slips already printed;
# derived from SECRET_KEY when unset.
ACCESS_CODE_KEY = (
    env_str("ACCESS_CODE_KEY")
    or hmac.new(SECRET_KEY.encode(), b"access-code-key", hashlib.sha256).hexdigest()
).encode()
# Codes a class may get in a wave beyond its number of pupils (SchoolClass.expected_size):
# spares for slips that get lost or torn. Response rates are sheets ÷ pupils, not ÷ codes.
CODES_EXTRA_PER_CLASS = env_int("CODES_EXTRA_PER_CLASS", 3)
# The address printed on code slips and in their QR codes; unset means the address the
# slips were requested from.
PUPIL_URL = env_str("PUPIL_URL")
# Contact e-mail of the open-data catalogue (DCAT-AP-SE contact point, read by
# dataportal.se); empty: the contact point is the kommun's open-data page only.
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL")
# The site's public address, e.g. https://trygghet.eskilstuna.se: printed on the posters
# and lesson guides of the young people's pages. Empty: the address of the request (fine
# for a demo; a server facing the internet sets it, so that no request's Host header
# ends up on a poster).
PUBLIC_URL = env_str("PUBLIC_URL").rstrip("/")
# Code guessing, never limited per IP (a whole school shares one address), and never by
# refusing a right code: wrong entries per window with one class key (the first group of
# the code, known or not) beyond CODE_GUESS_LIMIT_KEY are answered "too many attempts"
# after a pause (CODE_GUESS_DELAY_MILLISECONDS). Wrong entries per school (all its keys)
# and near misses of one code beyond their limits are written to the audit log and shown
# on the response-rate page; they change no answer (that would tell a guesser which keys
# belong together or that a guess is one typo from a real code).
CODE_GUESS_WINDOW_MINUTES = env_int("CODE_GUESS_WINDOW_MINUTES", 10)
CODE_GUESS_LIMIT_KEY = env_int("CODE_GUESS_LIMIT_KEY", 30)
CODE_GUESS_LIMIT_SCHOOL = env_int("CODE_GUESS_LIMIT_SCHOOL", 100)
CODE_GUESS_LIMIT_CODE = env_int("CODE_GUESS_LIMIT_CODE", 5)
CODE_GUESS_DELAY_SECONDS = env_int("CODE_GUESS_DELAY_MILLISECONDS", 1000) / 1000
# A pupil's session ends when the browser closes, and after this many minutes without a
# request (shared school computers). The answers stay in the draft; the code resumes them.
PUPIL_IDLE_TIMEOUT = env_int("PUPIL_IDLE_TIMEOUT_MINUTES", 20) * 60
# Days the unsent answers of a closed wave are kept (a wave closed by mistake and opened
# again keeps them); a published wave's go at the next housekeeping.
PUPIL_DRAFT_GRACE_DAYS = env_int("PUPIL_DRAFT_GRACE_DAYS", 7)

# --- Mail (password resets) ---------------------------------------------------------------
# EMAIL_URL and/or EMAIL_HOST etc. (eskilstuna_trygghet.env.mail_settings); nothing set
# means the console in DEBUG, and in production a warning from `manage.py check`.
_mail = mail_settings(debug=DEBUG)
EMAIL_BACKEND = _mail.backend
EMAIL_HOST = _mail.host
EMAIL_PORT = _mail.port
EMAIL_HOST_USER = _mail.user
EMAIL_HOST_PASSWORD = _mail.password
EMAIL_USE_TLS = _mail.use_tls
EMAIL_USE_SSL = _mail.use_ssl
EMAIL_TIMEOUT = _mail.timeout
EMAIL_CONFIGURED = _mail.configured
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or f"{OTP_TOTP_ISSUER} <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ---------------------------------------------------------------------
# Interface languages of the pupil pages whose translation a human translator has checked
# (surveys.languages). Unchecked ones work, marked as drafts, only in a wave whose
# coordinator turned them on.
PUPIL_LANGUAGES_CHECKED = env_list("PUPIL_LANGUAGES_CHECKED", ["sv", "en"])
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if DEBUG:
    # WhiteNoise serves from the finders in development but expects the folder to exist.
    STATIC_ROOT.mkdir(exist_ok=True)
# Bootstrap's files come from a registry package (django-bootstrap-static, the app
# "bootstrap" above), never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Plotly.js (the basic bundle) from the npm registry, installed by `make install`.
    ("vendor/plotly", BASE_DIR / "node_modules" / "plotly.js-basic-dist-min"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Source maps are fetched only by a browser's developer tools: no compressed copies (half
# of what `ops/build` would otherwise compress).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Pages link static files only by their hashed names (the manifest); an unhashed copy of
# each would double the image's static files and what the build compresses.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers ------------------------------------------------------------------
# A strict policy: our own scripts and styles only, no inline scripts, no external hosts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# A missing CSRF token gets a page in the pupil's language (answers already saved stay).
CSRF_FAILURE_VIEW = "surveys.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Health probes (compose, the TLS proxy) call gunicorn directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging -----------------------------------------------------------------------------
# Console only; the pupil pages never put a code in a URL, so access logs cannot hold one.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
if DEBUG:
    # Development (`make run`): Django logs every 403 and 404 as a warning, and runserver
    # each such request; keep the console for errors (5xx, with their tracebacks).
    # Django's own console handler is replaced by ours (no line printed twice).
    LOGGING["loggers"] = {
        "django": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    }
