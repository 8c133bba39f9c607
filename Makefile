# The project's commands. `make run` and `make test` are contracts other tools rely on.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000

# uv never downloads a Python of its own: the project uses the machine's Python 3.12.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run test lint typecheck security audit messages bench faults faults-bench survey-day attack clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(BIN)/python
	@touch $@

# Front-end files (Plotly.js, axe-core) from the npm registry, locked in package-lock.json.
node_modules/.installed: package-lock.json package.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed ## Create .venv and node_modules from the lock files

# Compiled translations are build output (*.mo is not committed).
# Statistics only when asked for by name (`make run` stays quiet).
messages: install ## Compile the translations
	@$(BIN)/pybabel $(if $(filter messages,$(MAKECMDGOALS)),,-q) compile --domain django \
	  --directory locale $(if $(filter messages,$(MAKECMDGOALS)),--statistics,) 2>&1 \
	  | grep -v '^$$' || true
	@test -f locale/en/LC_MESSAGES/django.mo

# Quiet on purpose: what it did, the demo logins with their second factor, the address.
# The first run seeds three published waves and takes a few minutes.
run: messages ## Migrate, seed the demo and serve http://127.0.0.1:8000 (SQLite, eager tasks)
	@echo "Migrating and seeding the demo (SQLite in var/; the first run takes a few minutes) ..."
	@DEBUG=1 LOG_LEVEL=WARNING $(BIN)/python manage.py migrate --no-input -v 0
	@DEBUG=1 LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo --address http://$(HOST):$(PORT)
	@echo "Serving http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@DEBUG=1 LOG_LEVEL=WARNING $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed ## mypy --strict
	DEBUG=1 $(BIN)/mypy .

# Production settings must pass Django's deployment checks (a throwaway key, DEBUG off),
# and bandit must find nothing of high severity in our code (lower ones are printed).
security: $(VENV)/.installed ## check --deploy with production settings, and bandit
	DEBUG=0 ALLOWED_HOSTS=trygghet.example.org EMAIL_URL="smtp://mail.example.org:587/?tls=1" TRUSTED_PROXY_COUNT=1 \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/bandit -q -r . -x ./.venv,./node_modules,./tests,./bench,./var,./staticfiles \
	  --severity-level high

audit: $(VENV)/.installed ## pip-audit of uv.lock (needs PyPI's vulnerability API)
	.ci/pip-audit

# The suite runs in TEST_PROCESSES processes (pytest-xdist), a test file at a time each:
# every process has its own test database and Redis database (settings_test.py).
TEST_PROCESSES ?= 2
test: messages lint typecheck security ## Run the whole suite (uses DATABASE_URL / REDIS_URL when set)
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile --durations=25

bench: messages ## Run the benchmarks in bench/ (numbers go into docs/performance.md)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The independent LP reader against many more random cubes than the test suite's forty
# (well under a second a cube).
attack: messages ## The LP reader against EXAMPLES random cubes (default 300)
	HYPOTHESIS_EXAMPLES=$(or $(EXAMPLES),300) $(BIN)/python -m pytest -q \
	  tests/lagesbild/test_disclosure_attack.py

# The survey-day fault matrix: every scenario of tests/reliability/ (CI runs only the
# Redis outage), each on a private PostgreSQL, Redis, gunicorn, worker and beat on ports
# 8601–8699 (harness/stack.py), reconciled and asserted. The tests are marked postgres and
# redis like the rest of the suite, so they need DATABASE_URL and REDIS_URL as `make test`
# does; CI=true turns a missing service into a failure instead of a quiet skip.
faults: messages ## Survey day under every fault, each reconciled and asserted (FAULTS=all)
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || \
	  { echo "make faults: set DATABASE_URL and REDIS_URL (PostgreSQL, Redis) as for make test"; exit 2; }
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null)
	FAULTS=all CI=true $(BIN)/python -m pytest -ra --durations=0 \
	  tests/reliability/test_survey_day_faults.py tests/reliability/test_survey_day_proxy.py

# The same faults at a larger size, one fresh stack per scenario, as a report (no pytest).
FAULT_ARGS ?= --pupils 300 --classes 10 --start-window 20 --think 0.5 2 --fault-at 15 \
	--outage 15 --beat-interval 10 --synth 100000
faults-bench: messages ## Every fault at 300 pupils, one stack each, reconciled (about 10 minutes)
	$(BIN)/python harness/survey_day.py --scenario all $(FAULT_ARGS)

# nginx (Debian's nginx-light) plays the production proxy in front of gunicorn: it reads
# whole requests, so 2,000 clients in one load-generator process never hold a sync worker.
survey-day: messages ## The survey-day load benchmark; SCENARIO=redis etc. (docs/performance.md)
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null)
	$(BIN)/python harness/survey_day.py --scenario $(or $(SCENARIO),baseline) --pupils 2000 \
	  --classes 60 --start-window 60 --proxy $(ARGS)

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) node_modules var staticfiles
