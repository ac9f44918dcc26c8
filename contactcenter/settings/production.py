"""Production: every secret from the environment, HTTPS everywhere, nothing defaulted that matters."""

from django.core.exceptions import ImproperlyConfigured

from contactcenter.settings.base import *
from contactcenter.settings.base import STATEMENT_TIMEOUT_MS, env, with_statement_timeout

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
with_statement_timeout(DATABASES["default"], STATEMENT_TIMEOUT_MS)
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
if TELEPHONY_BACKEND == "twilio":
    _missing = [
        name
        for name in (
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_API_KEY_SID",
            "TWILIO_API_KEY_SECRET",
            "TWILIO_TWIML_APP_SID",
        )
        if not globals()[name]
    ]
    if _missing:
        # Without them no agent's browser can get a phone identity: calls would ring no one.
        raise ImproperlyConfigured(f"TELEPHONY_BACKEND=twilio needs {', '.join(_missing)} in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@ncsc.example.gov")
