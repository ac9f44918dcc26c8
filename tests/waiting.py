"""Waiting for what another process (a Celery worker, a browser, a live server) does."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.2) -> bool:
    """True as soon as `predicate()` is true; False when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
