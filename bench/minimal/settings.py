"""Settings of the bench-only minimal Django page (never part of the product's URLs).

The yardstick of `bench/bench_flow.py`: what a small, well-written Django page costs on
this machine. DEBUG off, the same PostgreSQL pool as the product, CSRF on, no sessions,
no accounts, no staff middleware.
"""

import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.minimal.urls"
WSGI_APPLICATION = "bench.minimal.wsgi.application"
INSTALLED_APPS = ["bench.minimal"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
    }
]
_db = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0, conn_health_checks=True)
_db["OPTIONS"] = {
    "connect_timeout": 5,
    "prepare_threshold": 2**31 - 1,  # as the product's (nothing here asks to prepare)
    "pool": {"min_size": 1, "max_size": 8, "timeout": 3},
}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
