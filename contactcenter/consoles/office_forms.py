"""The forms of the office's service request pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contactcenter.common.forms import UswdsForm
from contactcenter.models import ServiceRequestStatus, ServiceRequestType

TEXT_ROWS = {"rows": 3}
OFFICE_STATUSES = [
    ServiceRequestStatus.ROUTED,
    ServiceRequestStatus.APPROVED,
    ServiceRequestStatus.IN_PROGRESS,
    ServiceRequestStatus.AWAITING_REPLY,
    ServiceRequestStatus.RESOLVED,
]


class OfficeQueueFilterForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *ServiceRequestType.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All open")), *[(s.value, s.label) for s in OFFICE_STATUSES]],
        required=False,
    )
    due = forms.ChoiceField(
        label=_("Due"),
        choices=[("", _("Any date")), ("overdue", _("Overdue")), ("soon", _("Due soon"))],
        required=False,
    )
    due_before = forms.DateField(
        label=_("Due before"),
        required=False,
        help_text=_("For example 2026-12-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    mine = forms.BooleanField(label=_("Claimed by me"), required=False)


class NoteForm(UswdsForm):
    text = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        error_messages={"required": _("Write the note.")},
    )


class AskForm(UswdsForm):
    question = forms.CharField(
        label=_("Question for the requester"),
        help_text=_("Sent by text and e-mail to the contact the requester gave, in their language."),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        error_messages={"required": _("Write the question for the requester.")},
    )


class ReplyForm(UswdsForm):
    reply = forms.CharField(
        label=_("The requester's reply"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        error_messages={"required": _("Write what the requester answered.")},
    )


class ResolveForm(UswdsForm):
    resolution = forms.CharField(
        label=_("Resolution"),
        help_text=_("What was done: the requester is sent this text."),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        error_messages={"required": _("Say how the request was resolved.")},
    )


class RerouteForm(UswdsForm):
    office_code = forms.ChoiceField(
        label=_("Office to send it to"), error_messages={"required": _("Choose the office to send it to.")}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        error_messages={"required": _("Give the reason for re-routing.")},
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_code"].choices = [("", _("- Select -")), *((o.code, o.name) for o in offices)]
