# One image for web, worker and beat (see docker-compose.yml).

# Front-end files from the npm registry, locked in package-lock.json.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH"

# WeasyPrint's libraries (PDF reports) and fonts with Swedish and Arabic glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
COPY --from=assets /assets/node_modules ./node_modules
# Translations and static files with the production settings (ops/build, as CI runs it).
RUN ops/build

# The export folder (EXPORT_DIR in docker-compose.yml) is created here, owned by the app
# user, so that the named volume mounted on it starts with that owner.
RUN useradd --system --uid 1000 app \
    && mkdir -p /app/var/exports \
    && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "eskilstuna_trygghet.wsgi", "--bind", "0.0.0.0:8000"]
