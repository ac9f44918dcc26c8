"""Settings for `make bench-ivr`: production-shaped (DEBUG off, Postgres, Redis, gunicorn), local
addresses, fixed bench-only secrets, and one extra route — the bare baseline view."""

import os

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-never-used-for-anything-else-3f9a1c"
DATABASES = {
    "default": env.db_url_config(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ncsc_bench"))
}
DATABASES["default"]["CONN_MAX_AGE"] = 60
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
TWILIO_AUTH_TOKEN = "benchmark-twilio-token"
PUBLIC_BASE_URL = os.environ.get("BENCH_PUBLIC_BASE_URL", "http://127.0.0.1:8099")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
IVR_CASE_LOOKUPS_PER_HOUR = 10**9
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"
ROOT_URLCONF = "tests.load.bench_urls"
