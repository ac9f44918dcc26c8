"""A service's refusal names the field(s) it is about; pages put it there, the API says which."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from contactcenter.common.drf import exception_handler
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from tests.conftest import ROOT


class _Form(forms.Form):
    name = forms.CharField()
    email = forms.CharField()


def _form() -> _Form:
    form = _Form({"name": "Ana", "email": "ana@example.gov"})
    assert form.is_valid()
    return form


def test_a_refusal_keeps_its_message_and_names_its_fields():
    plain = ApplicationError("No.", extra={"code": "closed"})
    assert (plain.field, plain.fields, plain.extra) == (None, {}, {"code": "closed"})

    one = ApplicationError("Give your name.", field="name")
    assert one.field == "name" and one.fields == {"name": ["Give your name."]} and one.extra == {}

    many = ApplicationError("Both wrong.", fields={"email": "Not an address.", "name": ["Too long.", "Blank."]})
    assert many.field == "email"
    assert many.fields == {"email": ["Not an address."], "name": ["Too long.", "Blank."]}


def test_a_models_validation_error_becomes_a_refusal_by_the_services_names():
    error = ValidationError({"zip": ["Blank.", "Too short."], "state": ["Blank."], "__all__": ["No such place."]})

    spoken = ApplicationError.from_validation(error, rename={"zip": "new_zip"})
    assert spoken.message == "Blank. Too short. No such place."
    assert spoken.fields == {"new_zip": ["Blank.", "Too short."], "state": ["Blank."], "__all__": ["No such place."]}
    assert spoken.field == "new_zip"

    every = ApplicationError.from_validation(error, prefix="mailing_", message="Not kept: %(problems)s", once=False)
    assert every.message == "Not kept: Blank. Too short. Blank. No such place."
    assert set(every.fields) == {"mailing_zip", "mailing_state", "mailing___all__"}

    labelled = ApplicationError.from_validation(error, labelled=True)
    assert labelled.message == "zip: Blank. Too short.; state: Blank.; __all__: No such place."
    assert labelled.fields == error.message_dict

    without_fields = ApplicationError.from_validation(ValidationError(["Out of range.", "Out of range."]))
    assert (without_fields.message, without_fields.fields) == (
        "Out of range.",
        {"__all__": ["Out of range.", "Out of range."]},
    )


def test_the_refusal_goes_next_to_the_field_it_names():
    form = _form()
    form_refuse(form, ApplicationError("Give your name.", field="name"))
    assert form.errors == {"name": ["Give your name."]}


def test_each_fields_own_problems_go_next_to_it_through_the_forms_names():
    form = _form()
    error = ApplicationError("Both wrong.", fields={"correspondent_email": ["Not an address."], "name": "Too long."})
    form_refuse(form, error, names={"correspondent_email": "email"})
    assert form.errors == {"email": ["Not an address."], "name": ["Too long."]}


def test_a_refusal_about_no_field_of_the_form_goes_above_it():
    for error in (ApplicationError("The call has ended."), ApplicationError("No such queue.", field="queue")):
        form = _form()
        form_refuse(form, error)
        assert form.errors == {"__all__": [error.message]}


def test_a_refusal_partly_about_other_fields_is_also_said_above_the_form():
    form = _form()
    form_refuse(form, ApplicationError("Name too long; topic unknown.", fields={"name": "Too long.", "topic": "?"}))
    assert form.errors == {"name": ["Too long."], "__all__": ["Name too long; topic unknown."]}


def test_the_api_answer_names_the_fields_only_when_the_refusal_does():
    plain = exception_handler(ApplicationError("No.", extra={"code": "closed"}), {})
    assert plain.status_code == 400 and plain.data == {"message": "No.", "extra": {"code": "closed"}}

    named = exception_handler(ApplicationError("Give your name.", field="name", extra={"code": "x"}), {})
    assert named.status_code == 400
    assert named.data == {
        "message": "Give your name.",
        "extra": {"field": "name", "code": "x"},
        "fields": {"name": ["Give your name."]},
    }


def test_the_api_answer_keeps_extras_field_and_fields_as_the_service_gave_them():
    """Clients read extra.field / extra.fields from before the top-level "fields" was added."""
    many = exception_handler(ApplicationError("Both wrong.", fields={"email": "Bad.", "name": ["Long."]}), {})
    assert many.data == {
        "message": "Both wrong.",
        "extra": {"fields": {"email": ["Bad."], "name": ["Long."]}},
        "fields": {"email": ["Bad."], "name": ["Long."]},
    }

    both = exception_handler(ApplicationError("Zip.", field="new_zip", fields={"new_zip": ["5 digits."]}), {})
    assert both.data["extra"] == {"field": "new_zip", "fields": {"new_zip": ["5 digits."]}}
    assert both.data["fields"] == {"new_zip": ["5 digits."]}

    # A model's refusal: the live tier's and queue settings' named their first field, the others did not.
    error = ValidationError({"zip": ["5 digits."]})
    live = exception_handler(ApplicationError.from_validation(error, rename={"zip": "new_zip"}, field_first=True), {})
    assert live.data["extra"] == {"field": "new_zip", "fields": {"new_zip": ["5 digits."]}}
    outreach = exception_handler(ApplicationError.from_validation(error, labelled=True), {})
    assert outreach.data["extra"] == {"fields": {"zip": ["5 digits."]}}

    # A model's non-field refusal named no field: its extra said so with an empty "fields".
    none = exception_handler(ApplicationError("Could not be recorded.", fields={}), {})
    assert none.data == {"message": "Could not be recorded.", "extra": {"fields": {}}}


def test_a_django_validation_error_has_the_same_shape():
    by_field = exception_handler(ValidationError({"name": ["Too long."]}), {})
    assert by_field.status_code == 400
    assert by_field.data == {
        "message": "Invalid input.",
        "extra": {"fields": {"name": ["Too long."]}},
        "fields": {"name": ["Too long."]},
    }
    whole = exception_handler(ValidationError("Nothing to save."), {})
    assert whole.data["extra"] == {"fields": {"non_field_errors": ["Nothing to save."]}}
    assert whole.data["fields"] == {"non_field_errors": ["Nothing to save."]}


def test_refusals_name_their_fields_only_through_field_and_fields():
    by_hand = [
        str(path.relative_to(ROOT))
        for app in ("contactcenter", "ivr", "casework", "outreach")
        for path in (ROOT / app).rglob("*.py")
        if any(text in path.read_text() for text in ('extra={"field', 'extra.get("field', 'extra["field'))
    ]
    assert by_hand == []
