from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def broker_status(timeout: float = 2.0) -> tuple[bool, str]:
    """Whether the Celery broker accepts connections now, and which transport it is."""
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0]
    if transport == "filesystem":
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        ok = folder.is_dir() and _writable(folder)
        return ok, transport
    if transport == "memory":
        return True, transport
    try:
        with Connection(
            url, connect_timeout=timeout, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        return True, transport
    except Exception as error:  # unreachable broker is a health fact, not an exception
        logger.error("broker unavailable: %s", error)
        return False, transport


def _writable(folder: Path) -> bool:
    probe = folder / ".healthz"
    try:
        probe.write_text("ok")
        probe.unlink()
        return True
    except OSError:
        return False


def ensure_filesystem_broker_folders() -> None:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
