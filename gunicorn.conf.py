"""Gunicorn settings, read from the working directory by `make run` and the Docker image.

Access lines carry request paths, and paths can carry receipt numbers: they go through the same
PII mask as the application's own logs, and their query strings keep only the values of an
allow-list of parameters (contactcenter/common/access_log.py): a name or e-mail typed into a search is
logged as [redacted]."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two sync workers per core: each waits on Postgres for part of every request, and with one per core
# a 100 ms console page held half the server while webhooks queued behind it (docs/performance.md,
# "Peak hour": IVR p99 291 ms with 2 workers, 87 ms with 4, the same run on 2 cores).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
graceful_timeout = 10
timeout = 30
accesslog = "-"
logger_class = "contactcenter.common.access_log.RedactingAccessLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}o)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "contactcenter.common.logging.MaskPIIFilter"}},
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
