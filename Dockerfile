# Production image: one image runs the web server, the Celery worker, Celery beat and migrations.
# Build:  docker build -t ncsc-contact-center .
# Run:    docker compose up -d   (see docker-compose.yml and .env.example)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=contactcenter.settings.production

# An unprivileged user that owns only what must be written at run time (var/: media, scratch).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Every package is a prebuilt wheel
# (psycopg2-binary, argon2-cffi), so no compiler is needed.
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .

# Static files are collected at build time into var/staticfiles and served by WhiteNoise.
# Production settings refuse to load without a SECRET_KEY of 50+ characters and a DATABASE_URL:
# this step gets a throwaway key (the build arg, or a random one when it is empty) and a dummy
# SQLite URL, and neither is stored in the image's environment. The real ones come at run time.
ARG COLLECTSTATIC_SECRET_KEY=""
RUN SECRET_KEY="${COLLECTSTATIC_SECRET_KEY:-$(python -c 'import secrets;print(secrets.token_urlsafe(64))')}" \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3* \
    && mkdir -p var/media var/celery-broker \
    && chown app:app var \
    && find var -mindepth 1 -maxdepth 1 ! -name staticfiles -exec chown -R app:app {} +

# Collected static files stay owned by root (read-only to the app); the rest of var/ is the app's.
USER app

EXPOSE 8000

# gunicorn also reads /app/gunicorn.conf.py (PII-masked access log, timeouts, FORWARDED_ALLOW_IPS);
# WEB_CONCURRENCY sets the worker count (default: two per core).
CMD ["gunicorn", "contactcenter.wsgi:application", "--bind", "0.0.0.0:8000"]
