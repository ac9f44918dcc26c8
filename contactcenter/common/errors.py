from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# A refusal's problems by the name of the argument (a form's field) each is about: one message or several.
FieldProblems = Mapping[str, str | Sequence[str]]


class ApplicationError(Exception):
    """A rule of the domain said no. Views show `message` (next to the field(s) it names, through
    `contactcenter.common.forms.form_refuse`); the API answers 400 with it.

    `field` names the one argument the refusal is about, `fields` each argument's own problems; both
    use the service's argument names. `extra` carries anything else a caller may act on."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        fields: FieldProblems | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # A lazy translation is not a str but one message, so only lists and tuples are many.
        problems = {
            name: list(found) if isinstance(found, (list, tuple)) else [found] for name, found in (fields or {}).items()
        }
        if field is not None and field not in problems:
            problems = {field: [message], **problems}
        self.fields: dict[str, list[str]] = problems
        self.field: str | None = field or next(iter(problems), None)
        self.extra: dict[str, Any] = extra or {}
