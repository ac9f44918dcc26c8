from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contactcenter.common.forms import UswdsForm
from contactcenter.models import (
    STATE_CODE_MESSAGE,
    ZIP_CODE_MESSAGE,
    AgentStatus,
    Disposition,
    EscalationReason,
    ExpediteCriterion,
    Language,
    RequesterRole,
    ServiceRequestType,
    Tier,
    Topic,
    service_request_fields_ignored,
    service_request_kinds_using,
)
from contactcenter.reference.identifiers import US_STATE_CODES, ZIP5_RE, InvalidIdentifier, normalize_receipt_number

SUBMISSION_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


class ReceiptLookupForm(forms.Form):
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=20,
        help_text=_("3 letters and 10 digits, for example EAC2190000001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "usa-input"}),
    )

    def clean_receipt_number(self) -> str:
        try:
            return normalize_receipt_number(self.cleaned_data["receipt_number"])
        except InvalidIdentifier as error:
            raise forms.ValidationError(
                _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
            ) from error


# --- live tier ----------------------------------------------------------------------------------


class TopicChoiceField(forms.ModelChoiceField):
    """A topic of the taxonomy, named in the language of the page."""

    def label_from_instance(self, obj) -> str:
        return obj.name_for((get_language() or "en")[:2])


class DateRangeForm(UswdsForm):
    """A period of whole days, both ends included: every report's filter."""

    # A date input reads and writes YYYY-MM-DD whatever the page's language.
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned


AGENT_CHOOSABLE = [
    (AgentStatus.AVAILABLE, _("Available")),
    (AgentStatus.BREAK, _("On break")),
    (AgentStatus.OFFLINE, _("Offline")),
]


class AgentStateForm(UswdsForm):
    state = forms.ChoiceField(choices=[*AGENT_CHOOSABLE, (AgentStatus.NOT_READY, _("Not ready"))])
    # Checked against the center's active reasons by the service.
    reason_code = forms.SlugField(label=_("Reason"), max_length=30, required=False)


class CallerVerificationForm(UswdsForm):
    """What the caller answers, typed by the agent; checked against the case, never stored."""

    prefix = "verify"  # beside the service request form's fields of the same names on one page
    receipt_number = forms.CharField(
        label=_("Receipt number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth the caller gives"),
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    a_number = forms.CharField(
        label=_("A-number the caller gives"),
        help_text=_("Leave it empty only when the caller has none: the receipt number then proves the case."),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ServiceRequestForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Request type"), choices=ServiceRequestType.choices)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=20)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), help_text=_("YYYY-MM-DD"), widget=forms.DateInput(attrs={"type": "date"})
    )
    a_number = forms.CharField(label=_("A-number (if known)"), max_length=12, required=False)
    requester_role = forms.ChoiceField(label=_("The caller is"), choices=RequesterRole.choices)
    requester_name = forms.CharField(label=_("Representative's name"), max_length=160, required=False)
    contact_phone = forms.CharField(label=_("Telephone for the reply"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("E-mail for the reply"), required=False)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expedite_criterion = forms.ChoiceField(
        label=_("Expedite criterion"), choices=[("", "—"), *ExpediteCriterion.choices], required=False
    )
    new_address_line = forms.CharField(label=_("New street address"), max_length=200, required=False)
    new_city = forms.CharField(label=_("City"), max_length=80, required=False)
    new_state = forms.CharField(label=_("State"), max_length=2, required=False)
    new_zip = forms.CharField(label=_("ZIP code"), max_length=5, required=False)
    moved_on = forms.DateField(
        label=_("Date of the move"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    written_request_id = forms.IntegerField(
        label=_("Written request (ledger number)"),
        help_text=_(
            "For an address change without a verified caller on the line: the ledger number of the written "
            "request that asks for it."
        ),
        min_value=1,
        required=False,
    )
    # One per rendered form: posting the same form twice takes one request.
    submission_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = uuid.uuid4().hex
        # static/js/service-request-fields.js shows a type's own fields only (all show without it).
        self.fields["kind"].widget.attrs["data-sr-kind"] = ""

    def visible_field_rows(self) -> list[tuple]:
        """Each visible field with the request types it belongs to ("" for a field every type uses)."""
        return [(field, " ".join(service_request_kinds_using(field.name))) for field in self.visible_fields()]

    def clean(self):
        cleaned = super().clean()
        # What the type does not use is ignored, not refused: the form may have been shown whole.
        for name in service_request_fields_ignored(cleaned.get("kind") or self.data.get("kind", "")):
            field = self.fields[name]
            cleaned[name] = "" if isinstance(field, (forms.CharField, forms.ChoiceField)) else None
            self.errors.pop(name, None)
        return cleaned

    def clean_submission_token(self) -> str:
        value = self.cleaned_data["submission_token"].strip().lower()
        return value if SUBMISSION_TOKEN_RE.match(value) else ""

    def clean_new_state(self) -> str:
        value = self.cleaned_data["new_state"].strip().upper()
        if value and value not in US_STATE_CODES:
            raise forms.ValidationError(STATE_CODE_MESSAGE, code="state")
        return value

    def clean_new_zip(self) -> str:
        value = self.cleaned_data["new_zip"].strip()
        if value and not ZIP5_RE.match(value):
            raise forms.ValidationError(ZIP_CODE_MESSAGE, code="zip")
        return value


class EscalationForm(UswdsForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=EscalationReason.choices)
    tried = forms.CharField(label=_("What you tried"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("Summary for the officer"), widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Caller's language"), choices=Language.choices)


class WrapUpForm(UswdsForm):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    more_dispositions = forms.MultipleChoiceField(
        label=_("Also happened"),
        help_text=_("Tick everything else the call did, for example a service request taken and an escalation."),
        choices=Disposition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        help_text=_("What the caller really called about: correct the IVR's guess if it was wrong."),
        queryset=Topic.objects.filter(active=True),
        to_field_name="code",
        required=False,
    )
    notes = forms.CharField(label=_("Wrap-up notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_state = forms.ChoiceField(label=_("Then"), choices=AGENT_CHOOSABLE)

    def __init__(self, *args, tier: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if tier == Tier.TIER2:  # Tier 2 is where escalations end: an officer does not escalate further
            for name in ("disposition", "more_dispositions"):
                self.fields[name].choices = [
                    (value, label) for value, label in Disposition.choices if value != Disposition.ESCALATED
                ]

    def clean_topic(self) -> str:
        topic = self.cleaned_data.get("topic")
        return topic.code if topic else ""


class ReviewForm(UswdsForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("deny", _("Deny"))],
        error_messages={"required": _("Choose approve or deny."), "invalid_choice": _("Choose approve or deny.")},
    )
    note = forms.CharField(
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the decision.")},
    )


class ZipLookupForm(UswdsForm):
    zip_code = forms.RegexField(label=_("ZIP code"), regex=r"^\d{5}$", max_length=5)


def with_default_period(params) -> dict:
    """The query's values, a date left out (or cleared) taking the reports' default period (the
    wallboard's "last 7 days") rather than refusing the whole report."""
    from django.utils import timezone

    from contactcenter.consoles.wallboard_figures import default_report_days

    start, end = default_report_days(timezone.localdate())
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        **{key: value for key, value in params.items() if value},
    }


class HistoryReportForm(DateRangeForm):
    """A report's period, queue (picked from the queues) and language."""

    MAX_DAYS = 367  # days in the period, both ends included
    queue_name = forms.ChoiceField(label=_("Queue"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("All")), *Language.choices], required=False)

    def __init__(self, *args, queue_names: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue_name"].choices = [("", _("All queues")), *((name, name) for name in queue_names)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and (cleaned["end"] - cleaned["start"]).days + 1 > self.MAX_DAYS:
            if self.MAX_DAYS > 31:
                raise forms.ValidationError(_("Ask for at most a year at a time."))
            raise forms.ValidationError(_("Ask for at most 31 days at a time."))
        return cleaned


class IntervalReportForm(HistoryReportForm):
    MAX_DAYS = 31
    minutes = forms.TypedChoiceField(
        label=_("Interval"),
        coerce=int,
        choices=[(30, _("30 minutes")), (15, _("15 minutes"))],
        initial=30,
        required=False,
        empty_value=30,
    )


class AgentReportForm(HistoryReportForm):
    MAX_DAYS = 31

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["language"]


class ContactRatesReportForm(DateRangeForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and (cleaned["end"] - cleaned["start"]).days > 366:
            raise forms.ValidationError(_("Ask for at most a year at a time."))
        return cleaned


class SurveyReportForm(DateRangeForm):
    @classmethod
    def for_params(cls, params) -> SurveyReportForm:
        """The period asked for; a date left out takes the queue report's default (the last 7 days)."""
        from datetime import timedelta

        from django.utils import timezone

        from contactcenter.consoles.wallboard_figures import REPORT_DEFAULT_DAYS

        today = timezone.localdate()
        defaults = {"start": (today - timedelta(days=REPORT_DEFAULT_DAYS - 1)).isoformat(), "end": today.isoformat()}
        return cls({**defaults, **{key: value for key, value in params.items() if value}})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and (cleaned["end"] - cleaned["start"]).days > 366:
            raise forms.ValidationError(_("Ask for at most a year at a time."))
        return cleaned


class QueueSettingsForm(UswdsForm):
    """A queue's settings a supervisor changes; the service validates them as a whole."""

    opens_at = forms.TimeField(
        label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), help_text=_("HH:MM")
    )
    closes_at = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), help_text=_("HH:MM")
    )
    hours_time_zone = forms.CharField(
        label=_("Time zone of the hours"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to use each caller's own time zone; else a zone such as America/New_York."),
    )
    open_on_weekends = forms.BooleanField(label=_("Open on weekends"), required=False)
    service_level_seconds = forms.IntegerField(
        label=_("Service-level threshold (seconds)"),
        min_value=1,
        max_value=3600,
        help_text=_("A call answered within this many seconds counts as within the service level."),
    )
    service_level_target_percent = forms.IntegerField(
        label=_("Service-level target (%)"),
        min_value=1,
        max_value=100,
        help_text=_("The wallboard raises an alert when today's service level falls below this percentage."),
    )
    short_abandon_seconds = forms.IntegerField(
        label=_("Short abandon (seconds)"),
        min_value=0,
        max_value=60,
        help_text=_(
            "A caller who hangs up within this many seconds is a short abandon: left out of the abandonment rate "
            "and the service level."
        ),
    )
    longest_wait_amber_seconds = forms.IntegerField(
        label=_("Longest wait, amber from (seconds)"), min_value=1, max_value=7200
    )
    longest_wait_red_seconds = forms.IntegerField(
        label=_("Longest wait, red from (seconds)"), min_value=1, max_value=7200
    )
    abandonment_amber_percent = forms.IntegerField(label=_("Abandonment, amber from (%)"), min_value=0, max_value=100)
    abandonment_red_percent = forms.IntegerField(label=_("Abandonment, red from (%)"), min_value=0, max_value=100)
    offer_timeout_seconds = forms.IntegerField(
        label=_("Offer timeout (seconds)"),
        min_value=5,
        max_value=300,
        help_text=_("How long an agent has to accept a contact offered to them."),
    )
    after_call_work_seconds = forms.IntegerField(
        label=_("After-call time (seconds)"),
        min_value=0,
        max_value=3600,
        help_text=_(
            "Wrap-up longer than this is closed by itself and the agent goes available; they may extend it once."
        ),
    )
    overflow_after_seconds = forms.IntegerField(
        label=_("Overflow after (seconds)"),
        min_value=0,
        max_value=3600,
        required=False,
        help_text=_("Leave empty for no overflow."),
    )
    overflow_to = forms.MultipleChoiceField(
        label=_("Overflow to queues"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Bilingual agents of these queues may take this queue's contacts after the overflow wait."),
    )

    def __init__(self, *args, queue_names: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["overflow_to"].choices = [(name, name) for name in queue_names]


class NotReadyReasonForm(UswdsForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        help_text=_("Lower-case letters, digits and underscores, e.g. training. An existing code changes that reason."),
    )
    label_en = forms.CharField(label=_("Name in English"), max_length=80)
    label_es = forms.CharField(label=_("Name in Spanish"), max_length=80)
    order = forms.IntegerField(label=_("Position in the list"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_("Agents may choose it"), required=False, initial=True)


class ClosureForm(UswdsForm):
    """A one-off closure of live help; the service checks it as a whole (the days' order, the queues)."""

    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last_day = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for a one-day closure."),
    )
    starts_at = forms.TimeField(
        label=_("Closed from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("HH:MM on the first day, in each queue's hours' time zone. Leave empty for the whole day."),
    )
    ends_at = forms.TimeField(
        label=_("Open again at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("HH:MM on the last day. Leave empty to stay closed to the end of the day."),
    )
    reason_en = forms.CharField(
        label=_("Reason in English"),
        max_length=200,
        help_text=_("Said to callers, e.g. “our offices are closed because of severe weather”."),
    )
    reason_es = forms.CharField(
        label=_("Reason in Spanish"),
        max_length=200,
        help_text=_("Said to callers in Spanish, e.g. “nuestras oficinas están cerradas por mal tiempo”."),
    )
    queues = forms.MultipleChoiceField(
        label=_("Queues closed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unchecked to close every queue."),
    )

    def __init__(self, *args, queue_names: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queues"].choices = [(name, name) for name in queue_names]

    def clean(self):
        data = super().clean()
        if data.get("first_day") and not data.get("last_day"):
            data["last_day"] = data["first_day"]
        return data


class AgentLineForm(UswdsForm):
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int)
    line = forms.CharField(
        label=_("Desk phone or SIP line"),
        max_length=80,
        required=False,
        help_text=_(
            "Leave empty to answer calls in the browser. Otherwise the U.S. phone number (e.g. +12025550123) "
            "or SIP address (e.g. sip:agent12@pbx.example.gov) that accepted calls are dialled to."
        ),
    )

    def __init__(self, *args, agents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [
            (
                profile.user_id,
                f"{profile.user.get_full_name() or profile.user.get_username()} ({profile.user.get_username()})",
            )
            for profile in agents
        ]
