"""The project's forms drawn with the U.S. Web Design System, and a service's refusal on the form that
asked for it: every app's views put it there the same way."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.forms.boundfield import BoundField

from contactcenter.common.errors import ApplicationError

FIELD_TEMPLATE = "contactcenter/forms/field.html"


class UswdsBoundField(BoundField):
    """A field drawn as USWDS draws it: each widget gets the class of its kind (and the error class
    when refused) and is linked to its hint and its error (aria-describedby; Django adds
    aria-invalid), so a screen reader says why it was refused. `{{ field.as_field_group }}` draws
    the label, hint, error and widget (contactcenter/forms/field.html, which gives those ids)."""

    @property
    def template_name(self) -> str:
        return self.field.template_name or FIELD_TEMPLATE

    def get_context(self) -> dict:
        return {"field": self, "required": self.field.required}

    def uswds_class(self, widget: forms.Widget) -> str:
        """A class the form declares on the widget stands (a file input); else the class of its kind."""
        if widget.attrs.get("class"):
            return widget.attrs["class"]
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            return "usa-checkbox__input"
        if isinstance(widget, forms.RadioSelect):
            return "usa-radio__input"
        kind = (
            "usa-select"
            if isinstance(widget, forms.Select)
            else "usa-textarea"
            if isinstance(widget, forms.Textarea)
            else "usa-input"
        )
        return f"{kind} usa-input--error" if self.errors else kind

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        # First, where the form's own attributes stood when the form set them on the widget.
        styled = {"class": self.uswds_class(widget)}
        if self.aria_describedby and not self.use_fieldset:
            styled["aria-describedby"] = self.aria_describedby
        return super().build_widget_attrs({**styled, **attrs}, widget)

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = [f"{self.auto_id}_hint"] if self.help_text else []
        if self.errors:
            ids.append(f"{self.auto_id}_error")
        return " ".join(ids) if self.auto_id and not self.is_hidden else ""


class UswdsForm(forms.Form):
    bound_field_class = UswdsBoundField


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input: a list of cleaned files (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]
