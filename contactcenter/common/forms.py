"""A service's refusal on the form that asked for it: every app's views put it there the same way."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from contactcenter.common.errors import ApplicationError


def form_refuse(form: forms.BaseForm, error: ApplicationError, *, names: Mapping[str, str] | None = None) -> None:
    """Put `error` on `form`: each problem next to the field it names (`names` maps a service's argument
    to the form's field where the two are named differently), and the message above the form when it
    names no field of the form or one of its problems has no field here."""
    names = names or {}
    placed = missed = False
    for argument, problems in error.fields.items():
        name = names.get(argument, argument)
        if name in form.fields:
            form.add_error(name, problems)
            placed = True
        else:
            missed = True
    if missed or not placed:
        form.add_error(None, error.message)
