from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain said no. Views show `message`; the API answers 400 with it."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
