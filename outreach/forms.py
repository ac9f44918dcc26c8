from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from contactcenter.common.forms import UswdsForm
from contactcenter.consoles.forms import DateRangeForm, TopicChoiceField
from contactcenter.models import US_TIME_ZONES, Language, Topic
from contactcenter.staff.roles import Role

from .models import (
    AgencyOffice,
    Contact,
    Engagement,
    EngagementLanguage,
    EngagementType,
    FeedbackSource,
    InteractionKind,
    OfficialRole,
    Organisation,
    OrganisationLevel,
    OrganisationType,
    PreferredChannel,
    ProgramKind,
    ReferralMode,
    ReferralOutcome,
)
from .regions import DISTRICT_CHOICES, REGION_CHOICES, US_STATES


class _OrganisationLabel:
    """Same-named organisations told apart in a picker: "Casa Latina (Chicago · Aurora, IL)"."""

    def label_from_instance(self, obj) -> str:
        place = ", ".join(part for part in (obj.city, obj.state) if part)
        where = " · ".join(part for part in (obj.district, place) if part)
        return f"{obj.name} ({where})" if where else obj.name


class OrganisationChoiceField(_OrganisationLabel, forms.ModelChoiceField):
    pass


class OrganisationMultipleChoiceField(_OrganisationLabel, forms.ModelMultipleChoiceField):
    pass


def _topic_field(label):
    return TopicChoiceField(
        label=label, queryset=Topic.objects.filter(active=True), to_field_name="code", empty_label=None
    )


CRO_USERS = (
    get_user_model()
    .objects.filter(groups__name=Role.CRO.value, is_active=True)
    .order_by("last_name", "first_name", "username")
)


class CroChoiceField(forms.ModelChoiceField):
    """A CRO by full name, as the tables name them; the username only for an account with no name."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class RegistrationForm(UswdsForm):
    name = forms.CharField(label=_("Full name"), max_length=160, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send your confirmation and a link to cancel here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telephone (optional)"),
        max_length=20,
        required=False,
        help_text=_("For example 202-555-0142."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    organisation_name = forms.CharField(label=_("Organization (optional)"), max_length=200, required=False)
    accommodation = forms.CharField(
        label=_("Accommodations you need (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example a sign language interpreter, captions or wheelchair access."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    interpreter_language = forms.CharField(
        label=_("Language interpreter you need (optional)"),
        max_length=60,
        required=False,
        help_text=_("The language, if you need an interpreter other than English or Spanish."),
    )


class OrganisationForm(UswdsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    level = forms.ChoiceField(label=_("Level"), choices=OrganisationLevel.choices)
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    district = forms.CharField(label=_("District"), max_length=80, required=False)
    address_line = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    state = forms.CharField(label=_("State"), max_length=2, required=False)
    zip_code = forms.RegexField(label=_("ZIP code"), regex=r"^\d{5}(-\d{4})?$", required=False)
    languages = forms.CharField(
        label=_("Languages served"), required=False, help_text=_("Language codes separated by commas, e.g. en, es, vi.")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = CroChoiceField(label=_("Owning CRO"), queryset=CRO_USERS, required=False)

    def clean_languages(self) -> list[str]:
        return [code.strip().lower() for code in self.cleaned_data["languages"].split(",") if code.strip()]


class ContactForm(UswdsForm):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    official_role = forms.ChoiceField(label=_("Official role"), choices=OfficialRole.choices, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=20, required=False, help_text=_("With area code."))
    organisation = OrganisationChoiceField(
        label=_("Organization"), queryset=Organisation.objects.order_by("name", "district"), required=False
    )
    position = forms.CharField(label=_("Position in the organization"), max_length=120, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=PreferredChannel.choices)
    consent_email = forms.BooleanField(label=_("Agrees to receive e-mail"), required=False)
    consent_phone = forms.BooleanField(label=_("Agrees to receive calls"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    confirm_different = forms.BooleanField(
        label=_("I checked: this is a different person from the possible duplicates listed"), required=False
    )


class PreferencesForm(UswdsForm):
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=PreferredChannel.choices)
    consent_email = forms.BooleanField(label=_("Agrees to receive e-mail"), required=False)
    consent_phone = forms.BooleanField(label=_("Agrees to receive calls"), required=False)


class OwnerForm(UswdsForm):
    owner = CroChoiceField(label=_("Owning CRO"), queryset=CRO_USERS, required=False)


class MemberForm(UswdsForm):
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.filter(merged_into__isnull=True).order_by("last_name")
    )
    position = forms.CharField(label=_("Position in the organization"), max_length=120, required=False)


class MergeForm(UswdsForm):
    merge_id = forms.IntegerField(label=_("Contact number to merge into this one"), min_value=1)


class CroProfileForm(UswdsForm):
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    districts = forms.CharField(label=_("Districts"), help_text=_("Separated by commas."), max_length=400)


class InteractionLogForm(UswdsForm):
    organisation = OrganisationChoiceField(
        label=_("Partner"), queryset=Organisation.objects.order_by("name", "district")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("Follow-up"), max_length=300, required=False)
    follow_up_due = forms.DateField(
        label=_("Follow-up due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class _EngagementScheduleForm(UswdsForm):
    """The fields an engagement is created with and can still change once people have registered."""

    title = forms.CharField(label=_("Title"), max_length=200)
    title_es = forms.CharField(
        label=_("Title in Spanish"),
        max_length=200,
        required=False,
        help_text=_("Needed when the engagement is held in Spanish or in both languages."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    description_es = forms.CharField(
        label=_("Description in Spanish"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    registration_closes = forms.DateTimeField(
        label=_("Registration closes"),
        help_text=_("Date and time in the event's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    venue = forms.CharField(label=_("Place"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    call_in = forms.CharField(label=_("Call-in number or web link"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)


class EngagementForm(_EngagementScheduleForm):
    kind = forms.ChoiceField(label=_("Type"), choices=EngagementType.choices)
    topic = _topic_field(_("Topic"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=US_TIME_ZONES, help_text=_("The times are wall-clock times in this zone.")
    )
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=EngagementLanguage.choices)
    region = forms.ChoiceField(label=_("Region"), choices=REGION_CHOICES, required=False)
    district = forms.ChoiceField(label=_("District"), choices=DISTRICT_CHOICES, required=False)
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Online only")), *US_STATES],
        required=False,
        help_text=_("Where an in-person event is held: the public list filters by it."),
    )
    partners = OrganisationMultipleChoiceField(
        label=_("Partners"), queryset=Organisation.objects.order_by("name", "district"), required=False
    )

    field_order = [
        "title", "title_es", "kind", "topic", "description", "description_es", "day", "start", "end", "time_zone",
        "registration_closes", "venue", "address", "state", "call_in", "audience", "language", "capacity", "region",
        "district", "partners",
    ]  # fmt: skip


class FeedbackForm(UswdsForm):
    source = forms.ChoiceField(label=_("Heard from"), choices=FeedbackSource.choices)
    topic = _topic_field(_("Topic"))
    summary = forms.CharField(label=_("What was heard"), max_length=300)
    detail = forms.CharField(label=_("Detail"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    organisation = OrganisationChoiceField(
        label=_("Partner"), queryset=Organisation.objects.order_by("name", "district"), required=False
    )


class RouteForm(UswdsForm):
    owning_office = forms.ChoiceField(label=_("Owning office"), choices=AgencyOffice.choices)


class RespondForm(UswdsForm):
    response = forms.CharField(label=_("Agency response"), widget=forms.Textarea(attrs={"rows": 4}))


class VolumePeriodForm(DateRangeForm):
    pass


class ReportBackForm(UswdsForm):
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReferralForm(UswdsForm):
    person_name = forms.CharField(label=_("Name of the person"), max_length=160)
    phone = forms.CharField(label=_("Telephone"), max_length=20, required=False, help_text=_("Needed for a callback."))
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    topic = _topic_field(_("Topic of the question"))
    mode = forms.ChoiceField(label=_("Refer as"), choices=ReferralMode.choices)
    consent = forms.BooleanField(
        label=_("The person agrees to be contacted by the contact center about their case"), required=True
    )
    receipt_number = forms.CharField(
        label=_("Receipt number (optional)"),
        max_length=20,
        required=False,
        help_text=_("Only if the person gives it and agrees below: 3 letters and 10 digits, e.g. EAC2190000001."),
    )
    receipt_consent = forms.BooleanField(
        label=_("The person agrees that the receipt number is kept with this referral"), required=False
    )


class ReferralCloseForm(UswdsForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices)
    note = forms.CharField(label=_("Close-out note"), max_length=300, required=False)


class SegmentForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *OrganisationType.choices], required=False)
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    language = forms.CharField(label=_("Language code"), max_length=5, required=False)


class EngagementCancelForm(UswdsForm):
    reason = forms.CharField(
        label=_("Why it is cancelled"),
        help_text=_("Registrants read this in their e-mail and on the public page."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EngagementChangeForm(_EngagementScheduleForm):
    """What can change once people have registered: when, where, the title and the seats."""

    @classmethod
    def initial_for(cls, engagement) -> dict:
        from django.utils import timezone as tz

        zone = ZoneInfo(engagement.time_zone)
        starts, ends = tz.localtime(engagement.starts_at, zone), tz.localtime(engagement.ends_at, zone)
        closes = tz.localtime(engagement.registration_closes_at, zone)
        return {
            "title": engagement.title,
            "title_es": engagement.title_es,
            "description": engagement.description,
            "description_es": engagement.description_es,
            "day": starts.date(),
            "start": starts.strftime("%H:%M"),
            "end": ends.strftime("%H:%M"),
            "registration_closes": closes.strftime("%Y-%m-%dT%H:%M"),
            "venue": engagement.venue,
            "address": engagement.address,
            "call_in": engagement.call_in,
            "capacity": engagement.capacity,
        }


def _date_field(label, required=True):
    # A date input reads and writes YYYY-MM-DD whatever the page's language.
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ProgramForm(UswdsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    starts_on = _date_field(_("Starts"))
    ends_on = _date_field(_("Ends"), required=False)
    owner = CroChoiceField(
        label=_("Owner"),
        queryset=get_user_model()
        .objects.filter(groups__name__in=[Role.CRO.value, Role.OUTREACH_STAFF.value], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username"),
    )
    results = forms.CharField(label=_("Results"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    people_reached = forms.IntegerField(label=_("People reached"), min_value=0, required=False)
    materials_distributed = forms.IntegerField(label=_("Materials distributed"), min_value=0, required=False)

    @classmethod
    def initial_for(cls, program) -> dict:
        return {name: getattr(program, name) for name in cls.base_fields if name != "owner"} | {
            "owner": program.owner_id
        }


class ProgramEngagementForm(UswdsForm):
    engagement = forms.ModelChoiceField(
        label=_("Engagement"), queryset=Engagement.objects.filter(program__isnull=True).order_by("-starts_at")
    )


class PartnerReportBackForm(UswdsForm):
    organisation = OrganisationChoiceField(
        label=_("Organization"),
        queryset=Organisation.objects.order_by("name", "district"),
        required=False,
        help_text=_("Leave empty to report back to every partner with feedback in the period."),
    )
    period_start = _date_field(_("From"), required=False)
    period_end = _date_field(_("To"), required=False)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class EngagementMessageForm(UswdsForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    subject_es = forms.CharField(label=_("Subject in Spanish (optional)"), max_length=200, required=False)
    body_es = forms.CharField(
        label=_("Message in Spanish (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("People who registered in Spanish get the Spanish text when both Spanish fields are given."),
    )


class PublicEventFilterForm(UswdsForm):
    """The public events list's filters and the time zone online events are shown in (a GET form)."""

    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states and online")), *US_STATES], required=False)
    language = forms.ChoiceField(
        label=_("Language of the event"),
        choices=[("", _("Any language")), ("en", _("English")), ("es", _("Spanish"))],
        required=False,
    )
    tz = forms.ChoiceField(
        label=_("Show online events in my time zone"),
        choices=[("", _("The event's own time zone")), *US_TIME_ZONES],
        required=False,
    )
