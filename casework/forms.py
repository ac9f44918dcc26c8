from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import ClassVar

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contactcenter.common.forms import MultipleFileField, UswdsForm
from contactcenter.consoles.forms import DateRangeForm
from contactcenter.models import Language
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_a_number, normalize_receipt_number

from .attachments import AttachmentIn, attachment_problem, attachment_size_problem
from .models import (
    TRIP_DOCUMENTS,
    CorrespondentRole,
    InquiryStatus,
    Priority,
    ResponseKind,
    Source,
    TelephoneOutcome,
    TripStatus,
)


class AttachmentsMixin:
    # The files of this try that passed their checks, even when another one did not (kept for the
    # next try by casework.staging).
    attachments_that_passed: tuple[AttachmentIn, ...] = ()

    def clean_attachments(self) -> list[AttachmentIn]:
        items, problems = [], []
        for upload in self.cleaned_data.get("attachments") or []:
            too_large = attachment_size_problem(filename=upload.name, size=upload.size)
            if too_large:  # refused by its declared size, never read into memory
                problems.append(too_large)
                continue
            content = upload.read()
            problem = attachment_problem(filename=upload.name, content=content)
            if problem:
                problems.append(problem)
            else:
                items.append(AttachmentIn(filename=upload.name, content=content))
        self.attachments_that_passed = tuple(items)
        if problems:
            raise forms.ValidationError(problems)
        return items


SUBMITTED_FIELDS = ("name", "email", "phone", "role", "subject", "message", "receipt_number")


def submission_key(data, *, files: Iterable[tuple[str, int]] = (), day: date | None = None) -> str:
    """What the public form sent, as one digest: what was typed, the names and sizes of the files
    attached (new uploads and staged files kept), and the UTC date. The same person sending the
    same text and files on the same day (Back, then Send again, even after the page was fetched
    again) is one inquiry; a changed message, other files, another sender (name and e-mail are
    typed) or another day is a new one. 64 hexadecimal characters (Inquiry.submission_token)."""
    day = day or datetime.now(UTC).date()
    typed = [data.get(name, "").strip() for name in SUBMITTED_FIELDS]
    attached = [f"{name}\x1e{size}" for name, size in sorted(files)]
    parts = [day.isoformat(), *typed, "\x1d", *attached]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def file_input_strings() -> dict[str, str]:
    """The USWDS file input's texts in the request's language (static/js/file-input.js puts them in
    place of the English ones USWDS writes)."""
    return {
        "drag": gettext("Drag files here or"),
        "choose": gettext("choose from folder"),
        "choose_first": gettext("Choose from folder"),
        "none": gettext("No files selected."),
        "selected_one": gettext("You have selected the file: %(name)s"),
        "selected_many": gettext("You have selected %(count)s files: %(names)s"),
        "heading_one": gettext("Selected file"),
        "heading_many": gettext("%(count)s files selected"),
        "change_one": gettext("Change file"),
        "change_many": gettext("Change files"),
        "refused": gettext(
            "Error: not added, its type is not accepted: %(names)s. "
            "Choose PDF, JPEG, PNG, TIFF, Word (.docx) or text files."
        ),
    }


class PublicInquiryForm(AttachmentsMixin, UswdsForm):
    # inquiry_create's arguments that this form names otherwise: its refusals come back by them.
    service_names: ClassVar[dict[str, str]] = {
        "correspondent_name": "name",
        "correspondent_email": "email",
        "correspondent_phone": "phone",
        "body": "message",
    }
    name = forms.CharField(label=_("Your full name"), max_length=160)
    # The lengths are the model's (Correspondent, Inquiry): a longer value is a field error here.
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, help_text=_("We send your confirmation number here.")
    )
    phone = forms.CharField(label=_("Telephone (optional)"), max_length=30, required=False)
    role = forms.ChoiceField(
        label=_("You are writing as"),
        choices=[
            (CorrespondentRole.APPLICANT, _("The applicant")),
            (CorrespondentRole.REPRESENTATIVE, _("A representative")),
        ],
    )
    receipt_number = forms.CharField(
        label=_("Receipt number (optional)"),
        max_length=20,
        required=False,
        help_text=_("3 letters and 10 digits, for example EAC2190000001."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, JPEG, PNG, TIFF, Word (.docx) or text; up to 10 MB each."),
    )
    # Left empty by people (it is hidden); bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["attachments"].widget
        widget.attrs["class"] = "usa-file-input"
        widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.docx,.txt"
        widget.attrs["data-errormessage"] = gettext("Error: This is not a valid file type.")
        widget.attrs["data-file-strings"] = json.dumps(file_input_strings(), ensure_ascii=False)

    def clean_receipt_number(self) -> str:
        value = self.cleaned_data.get("receipt_number", "")
        if not value:
            return ""
        try:
            return normalize_receipt_number(value)
        except InvalidIdentifier as error:
            raise forms.ValidationError(
                _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
            ) from error


class StatusCheckForm(UswdsForm):
    reference = forms.CharField(label=_("Confirmation number"), max_length=20, help_text=_("For example CAO-7K3M9QX2."))
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, help_text=_("The address you sent your inquiry from.")
    )


class InquiryStaffForm(AttachmentsMixin, UswdsForm):
    """A mail scan upload or a referral entered by CAO staff."""

    service_names: ClassVar[dict[str, str]] = {
        "correspondent_name": "name",
        "correspondent_organisation": "organisation",
        "correspondent_role": "role",
        "correspondent_email": "email",
        "correspondent_phone": "phone",
        "correspondent_address": "address",
    }

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[
            ("mail_scan", _("Mail scan upload")),
            ("iso_referral", _("Referral from an ISO")),
            ("csr_referral", _("Referral from a CSR")),
        ],
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    name = forms.CharField(label=_("Correspondent"), max_length=160)
    organisation = forms.CharField(label=_("Organisation"), max_length=160, required=False)
    role = forms.ChoiceField(
        label=_("Writing as"), choices=CorrespondentRole.choices, initial=CorrespondentRole.APPLICANT
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    address = forms.CharField(label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text of the inquiry"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label=_("Scanned pages and attachments"), required=False)
    referral = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TelephoneInquiryForm(UswdsForm):
    """A telephone call an analyst logs as an inquiry: the same intake, clock and workflow as mail."""

    service_names: ClassVar[dict[str, str]] = {
        "correspondent_name": "name",
        "correspondent_email": "email",
        "correspondent_phone": "phone",
        "body": "asked",
    }

    name = forms.CharField(label=_("Caller's name"), max_length=160)
    phone = forms.CharField(label=_("Callback telephone"), max_length=30)
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        help_text=_("The caller is sent the confirmation number here, and may check the status with it."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.PUBLIC)
    receipt_number = forms.CharField(label=_("Receipt number (optional)"), max_length=20, required=False)
    a_number = forms.CharField(label=_("A-number (optional)"), max_length=20, required=False)
    asked = forms.CharField(label=_("What the caller asked"), widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def clean_receipt_number(self) -> str:
        value = self.cleaned_data.get("receipt_number", "")
        try:
            return normalize_receipt_number(value) if value else ""
        except InvalidIdentifier as error:
            raise forms.ValidationError(str(error)) from error

    def clean_a_number(self) -> str:
        value = self.cleaned_data.get("a_number", "")
        try:
            return normalize_a_number(value) if value else ""
        except InvalidIdentifier as error:
            raise forms.ValidationError(str(error)) from error

    def subject(self) -> str:
        """The queue's one line for the call: the start of what was asked."""
        first = self.cleaned_data["asked"].strip().splitlines()[0]
        return first if len(first) <= 120 else first[:119] + "…"


class QueueFilterForm(UswdsForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All open")), *InquiryStatus.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All")), *Source.choices], required=False)
    sla = forms.ChoiceField(
        label=_("SLA"),
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("on_track", _("On track")),
            ("paused", _("On hold")),
        ],
        required=False,
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)


class _ChoicesFromQuerysetForm(UswdsForm):
    def __init__(self, *args, querysets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in querysets.items():
            self.fields[name].queryset = queryset


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(_ChoicesFromQuerysetForm):
    assignee = StaffChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, querysets={"assignee": staff}, **kwargs)


class SensitiveForm(_ChoicesFromQuerysetForm):
    sensitive = forms.BooleanField(
        label=_("Sensitive: only the analysts named and CAO supervisors see it"), required=False
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("Analysts who may see it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, analysts=None, **kwargs):
        super().__init__(*args, querysets={"readers": analysts}, **kwargs)


class TriageForm(UswdsForm):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


class HoldForm(UswdsForm):
    reason = forms.CharField(label=_("Reason for the hold"), max_length=300)


class ReasonForm(UswdsForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NoteForm(UswdsForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class DraftForm(_ChoicesFromQuerysetForm):
    kind = forms.ChoiceField(
        label=_("Reply by"), choices=[(ResponseKind.EMAIL, _("E-mail")), (ResponseKind.LETTER, _("Printed letter"))]
    )
    template = forms.ModelChoiceField(label=_("Template"), queryset=None, required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            "Leave empty to start from the template. Merge fields: {{ name }}, {{ reference }}, "
            "{{ receipt_numbers }}, {{ case_status }}, {{ analyst }}, {{ today }}."
        ),
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, querysets={"template": templates}, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("template") and not (cleaned.get("body") or "").strip():
            raise forms.ValidationError(_("Choose a template or write the text."))
        return cleaned


class ResponseEditForm(UswdsForm):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class InsertAnswerForm(UswdsForm):
    """The draft as typed, and the library answer to append to it."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, required=False)
    article = forms.IntegerField(min_value=1)


class LetterDayForm(UswdsForm):
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReviewForm(UswdsForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and send")), ("return", _("Return to the analyst"))],
        # No decision is chosen for the supervisor: an unread review must not be one click from approval.
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the analyst"), max_length=500, required=False)


class TelephoneForm(UswdsForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=TelephoneOutcome.choices)
    notes = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}))


class TripOpenForm(UswdsForm):
    redress_control_number = forms.CharField(label=_("Redress control number"), max_length=20)
    traveller_name = forms.CharField(label=_("Traveller"), max_length=160)
    traveller_date_of_birth = forms.DateField(
        label=_("Traveller's date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TripUpdateForm(UswdsForm):
    documents_received = forms.MultipleChoiceField(
        label=_("Documents received"), choices=TRIP_DOCUMENTS, widget=forms.CheckboxSelectMultiple, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=TripStatus.choices)
    determination_letter = forms.CharField(
        label=_("Determination letter"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class ReportForm(DateRangeForm):
    pass
