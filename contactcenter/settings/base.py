"""Settings shared by every environment. Configuration comes only from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "contactcenter.apps.ContactCenterConfig",
    "ivr.apps.IvrConfig",
    "casework.apps.CaseworkConfig",
    "outreach.apps.OutreachConfig",
    "contactcenter.admin_apps.NcscAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, found by the project's template engine (FORM_RENDERER).
    "django.forms",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "contactcenter.common.middleware.RequestIdMiddleware",
    # Before the idle timeout, which answers htmx requests its own way: it reads request.htmx.
    "django_htmx.middleware.HtmxMiddleware",
    # A statement cancelled by the statement timeout answers 503 "busy", not a 500.
    "contactcenter.common.statement_timeout.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view (and CSRF's process_view) reads the body.
    "contactcenter.common.middleware.RequestSizeLimitMiddleware",
    # Before anything loads the session (request.user is lazy) or a view reads input: a NUL is
    # refused unread, and the 400 page still has the user and the language.
    "contactcenter.common.middleware.NulRefusalMiddleware",
    # After the NUL refusal: it reads the session.
    "contactcenter.staff.session_idle.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in that django-axes locked out into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "contactcenter.urls"
WSGI_APPLICATION = "contactcenter.wsgi.application"
ASGI_APPLICATION = "contactcenter.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contactcenter.common.context_processors.roles",
            ],
        },
    },
]

# Forms render with the project's templates, so a field draws with contactcenter/forms/field.html.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ncsc.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The IVR's hot statements are prepared once per session (contactcenter/common/prepared.py); off behind a
# pooler that hands one session to many clients (PgBouncer in transaction mode).
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No page can hold the system: a web request's statements are cancelled after a few seconds;
# Celery's batch jobs and management commands get longer (0 = none). The role is set by
# contactcenter/wsgi.py and asgi.py (and `runserver`), so anything else is a worker. The limit
# travels in the connection's startup packet: no extra round trip per request or connection.
PROCESS_ROLE = env("NCSC_PROCESS_ROLE", default="worker")
WEB_STATEMENT_TIMEOUT_MS = env.int("WEB_STATEMENT_TIMEOUT_MS", default=5000)
WORKER_STATEMENT_TIMEOUT_MS = env.int("WORKER_STATEMENT_TIMEOUT_MS", default=300000)
STATEMENT_TIMEOUT_MS = WEB_STATEMENT_TIMEOUT_MS if PROCESS_ROLE == "web" else WORKER_STATEMENT_TIMEOUT_MS


def with_statement_timeout(database: dict, timeout_ms: int) -> dict:
    """`database` with Postgres told to cancel any statement running longer than `timeout_ms`,
    and never to JIT-compile a plan: JIT starts on a plan's *estimated* cost, and a figure's query
    over a few hundred rows whose ranges the planner cannot size spent 0.5 s compiling (issue 19)."""
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c statement_timeout={int(timeout_ms)} -c jit=off".strip()
    return database


with_statement_timeout(DATABASES["default"], STATEMENT_TIMEOUT_MS)

# --- Authentication and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "auth.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Federal systems lock idle sessions: 30 minutes without activity ends the session
# (contactcenter/staff/session_idle.py; polls are not activity). The page warns SESSION_IDLE_WARNING_SECONDS before.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=2 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=SESSION_IDLE_SECONDS)
# Sessions live in the database, never only in the cache: a Redis outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Saved when changed only: a poll changes nothing, so it no longer pushes the expiry back.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A strict Content-Security-Policy on every response, the admin and the API docs included: scripts and
# styles only from this site's own files, never inline (templates carry no <script> body, <style> or
# style/on* attribute; tests/contactcenter/test_csp.py walks every page to keep it so). Django 5.2's
# admin needs no exception: its one inline <style> (a change list with both action bars turned off) is
# never rendered here, and the same test walks every admin page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Reverse proxies in front of the app that each append to X-Forwarded-For; the client's address is that
# many hops from the right (0: no proxy, the header is ignored and REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sign-in lockout (django-axes, contactcenter/staff/lockout.py): LOGIN_FAILURE_LIMIT failures per username at one
# address and per address over all usernames; LOGIN_ACCOUNT_FAILURE_LIMIT per account from every address
# (higher, since anyone can fail as anyone). Locked until LOGIN_FAILURE_WINDOW_SECONDS after the last failure.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "contactcenter.staff.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_CLIENT_IP_CALLABLE = "contactcenter.audit.context.client_ip"
AXES_USERNAME_CALLABLE = "contactcenter.staff.lockout.username_key"
AXES_LOCKOUT_CALLABLE = "contactcenter.staff.lockout.lockout_response"
# A success does not clear the address's count: signing in to one's own account between guesses at
# others' would reset it.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Sign-ins and sign-outs are already AuditEvent rows (append-only); axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Español"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WhiteNoise serves .wav as application/octet-stream; Twilio plays the hold music only as audio.
WHITENOISE_MIMETYPES = {".wav": "audio/wav"}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Cache, broker and background work -------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The database cache table (`createcachetable`): the cache without Redis, and the fallback while Redis is down.
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ncsc_cache"}
if REDIS_URL:
    # A Redis outage falls back to the database cache (contactcenter/common/cache.py): rate limits and
    # sign-in keep working. Short timeouts: an unreachable Redis costs a request one second, not minutes.
    CACHES = {
        "default": {
            "BACKEND": "contactcenter.common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "FALLBACK": "fallback",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "fallback": DATABASE_CACHE,
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    # No Redis: a database cache keeps rate limits shared between processes, and Celery's
    # filesystem transport lets a real worker and beat run beside the web server.
    CACHES = {"default": DATABASE_CACHE}
    CELERY_BROKER_URL = "filesystem://localhost//"  # the host is ignored; without one kombu warns on every use
CELERY_BROKER_FILESYSTEM_FOLDER = Path(env("CELERY_FILESYSTEM_FOLDER", default=str(VAR_DIR / "celery-broker")))
# A task a worker took but never acknowledged (the worker was killed) goes to another worker after
# this many seconds. It must exceed the longest retry countdown, or a waiting retry runs twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if REDIS_URL
    else {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_FOLDER / "out"),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_FOLDER / "out"),
        "processed_folder": str(CELERY_BROKER_FILESYSTEM_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FILESYSTEM_FOLDER / "control"),
        "store_processed": False,
    }
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="ncsc")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "contactcenter.heartbeat_record", "schedule": 60.0},
    "session-cleanup": {"task": "contactcenter.clearsessions", "schedule": 6 * 3600.0},
    "form-orders-sweep": {"task": "contactcenter.form_orders_sweep", "schedule": 120.0},
    "status-notices-sweep": {"task": "contactcenter.status_notices_sweep", "schedule": 120.0},
    # The day's mail form orders, as labels and a vendor file for the supervisor to print and confirm.
    "mailing-batch-daily": {"task": "contactcenter.mailing_batch_make", "schedule": crontab(hour=15, minute=0)},
    "routing-sweep": {"task": "contactcenter.routing_sweep", "schedule": 5.0},
    # While a wallboard is open; a run the worker could not start within its interval is dropped.
    "wallboard-prefill": {"task": "contactcenter.wallboard_prefill", "schedule": 5.0, "options": {"expires": 5}},
    "wrap-ups-expire": {"task": "contactcenter.wrap_ups_expire", "schedule": 15.0},
    "recordings-expire": {"task": "contactcenter.recordings_expire", "schedule": 3600.0},
    "agent-joins-expire": {"task": "contactcenter.agent_joins_expire", "schedule": 10.0},
    "queue-rollups-refresh": {"task": "contactcenter.queue_rollups_refresh", "schedule": 60.0},
    "queue-rollups-reconcile": {"task": "contactcenter.queue_rollups_reconcile", "schedule": 3600.0},
    # Every write marks its intervals stale; reads count those from the ledger until this runs.
    "ledger-rollups-refresh": {"task": "contactcenter.ledger_rollups_refresh", "schedule": 10.0},
    "ledger-rollups-reconcile": {"task": "contactcenter.ledger_rollups_reconcile", "schedule": 3600.0},
    "casework-sweep": {"task": "casework.sweep", "schedule": 300.0},
    # Overdue service requests to their office's supervisors (once each), lost notice e-mails resent.
    "service-requests-escalate": {"task": "contactcenter.service_requests_escalate", "schedule": 900.0},
    "outreach-reminders-and-sweep": {"task": "outreach.reminders_and_sweep", "schedule": 300.0},
    # Mailing recipients whose send task never reached the broker (each send guards itself).
    "outreach-mailings-sweep": {"task": "outreach.mailings_sweep", "schedule": 900.0},
    # TELEPHONY_BACKEND=local only: a simulated caller whose page closed hangs up (it does nothing otherwise).
    "simulator-lines-hang-up": {"task": "ivr.simulator_lines_hang_up", "schedule": 10.0},
    "ivr-steps-expire": {"task": "ivr.call_steps_expire", "schedule": 3600.0},
}
# Callbacks: how many times an agent dials a caller who does not answer, and how long apart.
# Training and demo only: representatives answer at any hour (production keeps 8 a.m.–8 p.m. local).
TIER1_ALWAYS_OPEN = env.bool("TIER1_ALWAYS_OPEN", default=False)
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=3)
CALLBACK_RETRY_MINUTES = env.int("CALLBACK_RETRY_MINUTES", default=15)
# Outreach: how many hours before an engagement its registrants get their one reminder e-mail.
OUTREACH_REMINDER_LEAD_HOURS = env.int("OUTREACH_REMINDER_LEAD_HOURS", default=24)
# Outreach mailings: recipients per send task, attachments' size and count, and the address bounces
# come back to (each message's envelope sender is this address tagged with its recipient: VERP).
OUTREACH_MAILING_BATCH_SIZE = env.int("OUTREACH_MAILING_BATCH_SIZE", default=50)
OUTREACH_MAILING_ATTACHMENT_MAX_BYTES = env.int("OUTREACH_MAILING_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
OUTREACH_MAILING_ATTACHMENTS_MAX = env.int("OUTREACH_MAILING_ATTACHMENTS_MAX", default=5)
OUTREACH_MAILING_BOUNCE_ADDRESS = env("OUTREACH_MAILING_BOUNCE_ADDRESS", default="")
OUTREACH_MAILING_UNSUBSCRIBE_ADDRESS = env("OUTREACH_MAILING_UNSUBSCRIBE_ADDRESS", default="")
# The name the public pages give the agency in their header (translated when it is the default), and
# the business days within which public engagement staff answer a registrant's question.
AGENCY_PUBLIC_NAME = env("AGENCY_PUBLIC_NAME", default="U.S. Citizenship and Immigration Services")
OUTREACH_REPLY_BUSINESS_DAYS = env.int("OUTREACH_REPLY_BUSINESS_DAYS", default=2)

# Outgoing mail: a silent SMTP server must not hold a worker (and the row it locked) for ever; a
# refused or failed send is retried MAIL_SEND_MAX_RETRIES times, waiting MAIL_RETRY_BACKOFF_SECONDS
# doubled each time (at most MAIL_RETRY_BACKOFF_MAX), then shown to staff as not delivered.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
MAIL_SEND_MAX_RETRIES = env.int("MAIL_SEND_MAX_RETRIES", default=6)
MAIL_RETRY_BACKOFF_SECONDS = env.int("MAIL_RETRY_BACKOFF_SECONDS", default=30)
MAIL_RETRY_BACKOFF_MAX = env.int("MAIL_RETRY_BACKOFF_MAX", default=900)

# --- Telephony -------------------------------------------------------------------------------
TELEPHONY_BACKEND = env("TELEPHONY_BACKEND", default="local")
# The call simulator (local backend): a caller whose page has not shown their line for this long
# hung up, as a real caller who stops listening does.
SIMULATOR_LINE_TIMEOUT_SECONDS = env.int("SIMULATOR_LINE_TIMEOUT_SECONDS", default=30)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_PHONE_NUMBER = env("TWILIO_PHONE_NUMBER", default="")
# Seconds a REST call to Twilio may take before it counts as failed (and is retried by its task).
TWILIO_HTTP_TIMEOUT = env.int("TWILIO_HTTP_TIMEOUT", default=10)
TWILIO_HTTP_CLIENT = "twilio.http.http_client.TwilioHttpClient"
# Seconds an accepted call waits for the agent's line to join its conference (counted from the
# accept, or from the caller's move into the conference when Twilio took longer); then the caller
# goes back to the front of the line and the agent to not ready (device problem). 0: never.
AGENT_JOIN_TIMEOUT_SECONDS = env.int("AGENT_JOIN_TIMEOUT_SECONDS", default=30)
# The agents' softphone (Voice JavaScript SDK): access tokens are signed with an API key and carry a
# VoiceGrant for the TwiML App. Twilio refuses tokens living over 24 h; we keep them to an hour at most
# (the browser renews one before it ends), so a token copied off a screen is soon worthless.
TWILIO_API_KEY_SID = env("TWILIO_API_KEY_SID", default="")
TWILIO_API_KEY_SECRET = env("TWILIO_API_KEY_SECRET", default="")
TWILIO_TWIML_APP_SID = env("TWILIO_TWIML_APP_SID", default="")
TWILIO_VOICE_TOKEN_TTL_SECONDS = max(60, min(env.int("TWILIO_VOICE_TOKEN_TTL_SECONDS", default=3600), 3600))
# Tests load a recording double of Twilio.Device instead (settings/test.py); never in production.
VOICE_DEVICE_DOUBLE = False
if TELEPHONY_BACKEND == "twilio":
    # The SDK signals over Twilio's websockets, reports call quality to its event gateway and plays
    # its ring sounds from sdk.twilio.com; its script itself stays ours ('self').
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"] += ["wss://*.twilio.com", "https://*.twilio.com"]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"] = ["'self'", "https://sdk.twilio.com"]
# Live calls are recorded (dual-channel, announced to the caller in their language) unless this is
# false; recordings and their media at Twilio are deleted RECORDING_RETENTION_DAYS after they start
# (a beat task, hourly). 0 keeps them until deleted by hand.
CALL_RECORDING = env.bool("CALL_RECORDING", default=True)
RECORDING_RETENTION_DAYS = max(0, env.int("RECORDING_RETENTION_DAYS", default=90))
# After a live conversation (not escalated), the caller's number is texted the customer feedback
# survey (OMB Circular A-11 §280) when it is one the center can reach; false sends none.
SURVEY_TEXT_AFTER_CONVERSATION = env.bool("SURVEY_TEXT_AFTER_CONVERSATION", default=True)
# Case-status lookups one calling number may make per hour (stops receipt-number enumeration).
IVR_CASE_LOOKUPS_PER_HOUR = env.int("IVR_CASE_LOOKUPS_PER_HOUR", default=10)
# A menu choice heard with a lower recogniser confidence (Twilio's Confidence, 0-1) is confirmed first.
IVR_SPEECH_CONFIDENCE_MIN = env.float("IVR_SPEECH_CONFIDENCE_MIN", default=0.4)
# Failed caller verifications (wrong date of birth, A-number or receipt number) before verification
# locks: per live contact, and per receipt number across all contacts in 24 hours.
CALLER_VERIFICATION_FAILURES_PER_CONTACT = env.int("CALLER_VERIFICATION_FAILURES_PER_CONTACT", default=3)
CALLER_VERIFICATION_FAILURES_PER_RECEIPT = env.int("CALLER_VERIFICATION_FAILURES_PER_RECEIPT", default=5)
# Not-found case lookups per hour across ALL callers (caller IDs are spoofable): over it the IVR answers
# no lookup until the hour is out, offers a representative, and raises one alert (log + wallboard).
# Sized for a national peak hour (issue 19's bench-peak): ~6,800 calls, of which a few hundred key a
# number that is not found (typos, cases not yet in our data); 200 an hour shut case status for
# everyone within two minutes. 2,000 is about three peak hours' honest misses in one hour.
IVR_NOT_FOUND_LOOKUPS_PER_HOUR = env.int("IVR_NOT_FOUND_LOOKUPS_PER_HOUR", default=2000)
# Days each IVR step's record (what was asked and answered, the TwiML) is kept; then an hourly task
# deletes it, keeping the call's row and its ledger entry. 0 keeps them until deleted by hand.
IVR_STEP_RETENTION_DAYS = max(0, env.int("IVR_STEP_RETENTION_DAYS", default=90))

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["contactcenter.staff.permissions.HasRole"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "contactcenter.common.drf.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "contactcenter.common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "contactcenter.common.drf.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "contactcenter.common.throttles.UserThrottle",
        "contactcenter.common.throttles.AnonThrottle",
        "contactcenter.common.throttles.WriteThrottle",
        "contactcenter.common.throttles.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_RATE_USER", default="600/min"),
        "anon": env("API_RATE_ANON", default="60/min"),
        "write": env("API_RATE_WRITE", default="60/min"),
        "api-token": "10/hour",
        # A console page load fetches one, and the SDK renews it before it ends.
        "voice-token": env("API_RATE_VOICE_TOKEN", default="120/hour"),
    },
}
# API tokens (django-rest-knox): stored as digests, each valid this many hours from its creation.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=8)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NCSC Contact Center API",
    "DESCRIPTION": "Contact-center API of the National Customer Service Center. Every endpoint is role-checked.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["contactcenter.staff.permissions.HasRole"],
    # The apps' choice sets share field names (kind, channel, outcome, source, language): name each.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "contactcenter.models.Language",
        # Five records expose a "status" now that their detail answers carry allowed_actions.
        "InquiryStatusEnum": "casework.models.InquiryStatus",
        "ResponseStatusEnum": "casework.models.ResponseStatus",
        "FeedbackStatusEnum": "outreach.models.FeedbackStatus",
        "ReferralStatusEnum": "outreach.models.ReferralStatus",
        "ServiceRequestStatusEnum": "contactcenter.models.ServiceRequestStatus",
        # Two fields named "mode": a supervisor's monitor action and an outreach referral's.
        "MonitorActionEnum": ["listen", "whisper", "barge", "leave"],
        "ReferralModeEnum": "outreach.models.ReferralMode",
        "ChannelEnum": "contactcenter.models.Channel",
        "OutcomeEnum": "contactcenter.models.Outcome",
        "ServiceRequestTypeEnum": "contactcenter.models.ServiceRequestType",
        "InquiryChannelEnum": "casework.models.InquiryChannel",
        "InquirySourceEnum": "casework.models.Source",
        "ResponseKindEnum": "casework.models.ResponseKind",
        "TelephoneOutcomeEnum": "casework.models.TelephoneOutcome",
        "OrganisationTypeEnum": "outreach.models.OrganisationType",
        "EngagementTypeEnum": "outreach.models.EngagementType",
        "EngagementLanguageEnum": "outreach.models.EngagementLanguage",
        "ReferralOutcomeEnum": "outreach.models.ReferralOutcome",
        "FeedbackSourceEnum": "outreach.models.FeedbackSource",
    },
}
# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_pii": {"()": "contactcenter.common.logging.MaskPIIFilter"},
        "request_id": {"()": "contactcenter.common.logging.RequestIdFilter"},
        "one_line_refusals": {"()": "contactcenter.common.logging.OneLineRefusalFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["one_line_refusals", "request_id", "mask_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The development server's request lines, through the same masks (Django gives them their own handler).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "celery": {"level": LOG_LEVEL},
    },
}

# --- CAO casework ----------------------------------------------------------------------------
CASEWORK_ATTACHMENT_MAX_BYTES = env.int("CASEWORK_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Inquiries one address may submit through the public form per hour (spam).
CASEWORK_FORM_PER_HOUR = env.int("CASEWORK_FORM_PER_HOUR", default=5)
# The public status page: checks per address and per confirmation number asked about, each an hour.
CASEWORK_STATUS_PER_ADDRESS_PER_HOUR = env.int("CASEWORK_STATUS_PER_ADDRESS_PER_HOUR", default=20)
CASEWORK_STATUS_PER_REFERENCE_PER_HOUR = env.int("CASEWORK_STATUS_PER_REFERENCE_PER_HOUR", default=5)
# Files of refused public forms one address may have kept on disk for the next try, per hour.
CASEWORK_STAGED_FILES_PER_ADDRESS_PER_HOUR = env.int("CASEWORK_STAGED_FILES_PER_ADDRESS_PER_HOUR", default=30)
# The largest request body accepted anywhere (413 before it is read): ten attachments of the largest size
# and a margin for the typed fields. DATA_UPLOAD_MAX_MEMORY_SIZE does not count files.
UPLOAD_REQUEST_MAX_BYTES = env.int("UPLOAD_REQUEST_MAX_BYTES", default=10 * CASEWORK_ATTACHMENT_MAX_BYTES + 1024 * 1024)
CASEWORK_IMAP_HOST = env("CASEWORK_IMAP_HOST", default="")
CASEWORK_IMAP_PORT = env.int("CASEWORK_IMAP_PORT", default=993)
CASEWORK_IMAP_SSL = env.bool("CASEWORK_IMAP_SSL", default=True)
CASEWORK_IMAP_USER = env("CASEWORK_IMAP_USER", default="")
CASEWORK_IMAP_PASSWORD = env("CASEWORK_IMAP_PASSWORD", default="")
CASEWORK_IMAP_FOLDER = env("CASEWORK_IMAP_FOLDER", default="INBOX")
# PEM file of the CA that signed the IMAP server's certificate (a private CA), used instead of the
# system's store; the certificate and the host name are always verified.
CASEWORK_IMAP_CA_FILE = env("CASEWORK_IMAP_CA_FILE", default="")
# The authserv-id our receiving mail server writes in its Authentication-Results header: only its
# DMARC/DKIM verdict makes a sender's domain trusted (empty: no sender domain is trusted).
CASEWORK_AUTHSERV_ID = env("CASEWORK_AUTHSERV_ID", default="")

# The public case-status updates page (contactcenter/subscriptions/views.py): requests and code tries
# per client address per hour, and codes sent to one phone or e-mail address per hour.
STATUS_UPDATES_ASKS_PER_HOUR = env.int("STATUS_UPDATES_ASKS_PER_HOUR", default=10)
STATUS_UPDATES_CONFIRMS_PER_HOUR = env.int("STATUS_UPDATES_CONFIRMS_PER_HOUR", default=20)
STATUS_UPDATES_CODES_PER_ADDRESS = env.int("STATUS_UPDATES_CODES_PER_ADDRESS", default=3)
