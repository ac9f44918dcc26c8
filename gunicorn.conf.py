"""Gunicorn settings, read from the working directory by `make run` and the Docker image.

Access lines carry request paths, and paths can carry receipt numbers: they go through the same
PII mask as the application's own logs, and their query strings keep only the values of an
allow-list of parameters (contactcenter/access_log.py): a name or e-mail typed into a search is
logged as [redacted]."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
graceful_timeout = 10
timeout = 30
accesslog = "-"
logger_class = "contactcenter.access_log.RedactingAccessLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "contactcenter.logging.MaskPIIFilter"}},
    "formatters": {
        "access": {"format": "%(asctime)s access %(message)s"},
        "error": {"format": "%(asctime)s %(levelname)s gunicorn %(message)s"},
    },
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["mask_pii"],
            "formatter": "access",
        },
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["mask_pii"],
            "formatter": "error",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}
