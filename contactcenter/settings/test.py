"""Test settings: real Postgres and Redis when they answer on their local ports, else SQLite.

`tests/conftest.py` skips (or, under REQUIRE_SERVICES=1, fails) the tests that need a service
that is not there.
"""

import hashlib
import os
import socket

from contactcenter.settings.base import *
from contactcenter.settings.base import STATEMENT_TIMEOUT_MS, TWILIO_HTTP_CLIENT, env, with_statement_timeout


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = bool(os.environ.get("DATABASE_URL", "").startswith("postgres")) or (
    not os.environ.get("DATABASE_URL") and _port_open("127.0.0.1", 5432)
)
REDIS_AVAILABLE = bool(os.environ.get("REDIS_URL")) or _port_open("127.0.0.1", 6379)

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-7d1f3a9c5b2e"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif POSTGRES_AVAILABLE:
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/ncsc")}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}}
# One test database per checkout, so two clones (a developer's and CI's) never clobber each other.
_checkout = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:6]  # noqa: S324
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Durability is not under test: commits need not wait for the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
with_statement_timeout(DATABASES["default"], STATEMENT_TIMEOUT_MS)
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", f"test_ncsc_{_checkout}")}

REDIS_URL = os.environ.get("REDIS_URL") or ("redis://127.0.0.1:6379/15" if REDIS_AVAILABLE else "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"ncsc-test-{os.getpid()}")

# A worker process started by a test may be told to write mail to files the test can read.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("TEST_EMAIL_FILE_PATH", str(VAR_DIR / "test-mail"))
# ... or to an SMTP server the test runs (or a port where none listens), retrying quickly.
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("TEST_EMAIL_PORT", "25"))
EMAIL_TIMEOUT = int(os.environ.get("TEST_EMAIL_TIMEOUT", "30"))
MAIL_SEND_MAX_RETRIES = int(os.environ.get("TEST_MAIL_SEND_MAX_RETRIES", "6"))
MAIL_RETRY_BACKOFF_SECONDS = int(os.environ.get("TEST_MAIL_RETRY_BACKOFF_SECONDS", "30"))
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = str(VAR_DIR / "test-media")
LOG_FORMAT = "text"
LOGGING["handlers"]["console"]["formatter"] = "text"
LOGGING["root"]["level"] = "WARNING"
TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
# A worker started by a fault test talks to a fake Twilio API (at Twilio's HTTP client).
TWILIO_HTTP_CLIENT = os.environ.get("TEST_TWILIO_HTTP_CLIENT", TWILIO_HTTP_CLIENT)
PUBLIC_BASE_URL = "https://ncsc.test"
# The console's softphone runs against a recording double of Twilio.Device (tests/e2e/static/), a
# directory only the test settings serve.
VOICE_DEVICE_DOUBLE = True
STATICFILES_DIRS = [*STATICFILES_DIRS, BASE_DIR / "tests" / "e2e" / "static"]
TWILIO_API_KEY_SID = "SK00000000000000000000000000000000"
TWILIO_API_KEY_SECRET = "test-twilio-api-key-secret"
TWILIO_TWIML_APP_SID = "AP00000000000000000000000000000000"
# The receiving server named in the .eml fixtures' Authentication-Results headers.
CASEWORK_AUTHSERV_ID = "mx.uscis.example.gov"
# Off unless a test turns it on: the texts would be extra requests in every live-call test's fake Twilio.
SURVEY_TEXT_AFTER_CONVERSATION = False
