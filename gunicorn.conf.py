"""gunicorn settings for the web service (compose and the survey-day harness).

The address comes from the command line (--bind); command-line flags override these.
"""

import os

# Sync workers: a pupil page is short and CPU-bound; 2 × cores + 1 keeps both cores busy
# while one worker waits for PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
# A request that takes longer than this is stuck: the worker is killed and replaced (the
# pupil's retry carries the same submission id, so nothing is stored twice).
timeout = 30
# On HUP or shutdown, in-flight requests get this long to finish.
graceful_timeout = 30
# Behind the TLS proxy connections are reused; shorter than the proxy's own keepalive.
keepalive = 5
# Recycle workers now and then (memory growth), staggered so they never restart together.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file on tmpfs: a slow disk cannot make the master think a worker hangs.
SHM = "/dev/shm"  # noqa: S108 - a fixed system directory, not a temporary file name
worker_tmp_dir = SHM if os.path.isdir(SHM) else None  # noqa: PTH112
# Access log without query strings: the pupil pages never put a code in a URL, and a stray
# query string must not end up in a log either.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
