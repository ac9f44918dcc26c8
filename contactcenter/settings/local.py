"""Local development and the demo stack (`make run`): safe defaults, nothing secret."""

from contactcenter.settings.base import *
from contactcenter.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-a-secret-0f8b2c7d9e")
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# The simulator signs webhooks with this token when no Twilio account is configured.
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="local-simulator-token-not-a-secret")
