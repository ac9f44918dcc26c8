"""Settings for `make bench-ivr` only: the production settings, made safe for a local run.

Everything that matters is fixed here, whatever the caller's environment says, so the benchmark can
only ever touch its own database (ncsc_bench) and Redis db 14 on this machine. The secrets are
bench-only values, never valid anywhere else. BENCH_DATABASE and BENCH_REDIS_DB (make bench-peak)
choose another bench database (its name must start with ncsc_bench) and Redis db. ROOT_URLCONF adds
one route, /bench/bare/ (the baseline view); no other settings module routes it."""

import os

# Production refuses to import without these; set them (not setdefault) so a DATABASE_URL or
# REDIS_URL exported for something else can never point the benchmark at real data.
BENCH_PORT = int(os.environ.get("BENCH_PORT", "8099"))
# make bench-peak's own databases (the ledger at volume, and its empty baseline) and Redis db; only
# names of bench databases are accepted.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "ncsc_bench")
if not BENCH_DATABASE.startswith("ncsc_bench"):
    raise RuntimeError(f"BENCH_DATABASE must name a bench database (ncsc_bench…), not {BENCH_DATABASE!r}")
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "14"))
BENCH_ENV = {
    "SECRET_KEY": "bench-only-secret-key-for-make-bench-ivr-on-localhost-never-use-in-production",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}",
    "TWILIO_AUTH_TOKEN": "bench-only-twilio-auth-token",
    "TWILIO_ACCOUNT_SID": "",
    "TELEPHONY_BACKEND": "local",
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{BENCH_PORT}",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "60",
    "DEBUG": "False",
    "SECURE_SSL_REDIRECT": "False",
    "IVR_CASE_LOOKUPS_PER_HOUR": "1000000000",
    # A tenth of the bench's calls key an unknown receipt number: at 130 steps/s that passes the
    # center-wide alarm's 200 an hour within two minutes, and every lookup after it is refused.
    "IVR_NOT_FOUND_LOOKUPS_PER_HOUR": "1000000000",
    # bench-peak hands callers to agents whatever the hour of the run (off by default, as in production).
    "TIER1_ALWAYS_OPEN": os.environ.get("BENCH_TIER1_ALWAYS_OPEN", "False"),
}
os.environ.update(BENCH_ENV)

from contactcenter.settings.production import *  # noqa: E402
from contactcenter.settings.production import LOGGING, STATEMENT_TIMEOUT_MS, env, with_statement_timeout  # noqa: E402

DEBUG = False
SECRET_KEY = BENCH_ENV["SECRET_KEY"]
DATABASES = {"default": env.db_url_config(BENCH_ENV["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
with_statement_timeout(DATABASES["default"], STATEMENT_TIMEOUT_MS)
REDIS_URL = BENCH_ENV["REDIS_URL"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
TELEPHONY_BACKEND = "local"
TWILIO_ACCOUNT_SID = ""
TWILIO_AUTH_TOKEN = BENCH_ENV["TWILIO_AUTH_TOKEN"]
PUBLIC_BASE_URL = BENCH_ENV["PUBLIC_BASE_URL"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Plain HTTP on the loopback: no redirect to HTTPS (HSTS is only ever sent over HTTPS anyway).
SECURE_SSL_REDIRECT = False
# The benchmark's callers share a handful of numbers.
IVR_CASE_LOOKUPS_PER_HOUR = 10**9
IVR_NOT_FOUND_LOOKUPS_PER_HOUR = 10**9
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = LOG_LEVEL
LOGGING["loggers"]["celery"]["level"] = LOG_LEVEL

ROOT_URLCONF = "tests.load.urls"
