from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

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
        given = {
            name: list(found) if isinstance(found, (list, tuple)) else [found] for name, found in (fields or {}).items()
        }
        # API clients have read {"extra": {"field", "fields"}} since before these were arguments: the
        # 400 keeps carrying exactly what the service named (contactcenter.common.drf.exception_handler).
        self.named: dict[str, Any] = {
            **({"field": field} if field is not None else {}),
            **({"fields": given} if fields is not None else {}),
        }
        problems = dict(given)
        if field is not None and field not in problems:
            problems = {field: [message], **problems}
        self.fields: dict[str, list[str]] = problems
        self.field: str | None = field or next(iter(problems), None)
        self.extra: dict[str, Any] = extra or {}

    @classmethod
    def from_validation(
        cls,
        error: ValidationError,
        *,
        rename: Mapping[str, str] | None = None,
        prefix: str = "",
        message: str | None = None,
        labelled: bool = False,
        once: bool = True,
        field_first: bool = False,
    ) -> ApplicationError:
        """A model's `full_clean` said no: the same refusal as any other rule, its problems by the
        service's own argument names (each model field renamed through `rename`, else `prefix` + its
        name) for a form to show by its field.

        The message joins the problems with spaces, each different one `once` (or every one); `labelled`
        instead names each model field before its problems, separated by semicolons; `message` (with
        `%(problems)s`) wraps them in a sentence. `field_first` names the first argument as the refusal's
        `field` too, as the live tier's and the queue settings' refusals always have (the API's 400 has
        carried it in "extra")."""
        found = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        names = rename or {}
        by_field: dict[str, list[str]] = {}
        for name, messages in found.items():
            by_field.setdefault(names.get(name, f"{prefix}{name}"), []).extend(messages)
        if labelled:
            problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in found.items())
        else:
            every = [str(problem) for messages in by_field.values() for problem in messages]
            problems = " ".join(dict.fromkeys(every) if once else every)
        field = next(iter(by_field)) if field_first else None
        return cls(message % {"problems": problems} if message else problems, field=field, fields=by_field)
