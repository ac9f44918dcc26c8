"""PED outreach: stakeholders, the CRO network, engagements, feedback and case referrals.

No row here holds an A-number; a receipt number only on a case referral, given by the person with
their consent to it being kept, so the contact center finds the referral on that case's history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.models import Interaction, Language, Topic, WaitingContact


class OrganisationType(models.TextChoices):
    COMMUNITY = "community", _("Community-based organisation")
    FAITH = "faith", _("Faith-based organisation")
    ADVOCACY = "advocacy", _("Advocacy group")
    EMPLOYER_ASSOCIATION = "employer_association", _("Employer association")
    EMPLOYEE_ASSOCIATION = "employee_association", _("Employee association")
    ESL_CIVICS = "esl_civics", _("ESL and civics instructors")
    INTERNATIONAL = "international", _("International organisation")
    BUSINESS = "business", _("Business")
    LEGAL = "legal", _("Legal services")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    STATE = "state", _("Intergovernmental: state")
    LOCAL = "local", _("Intergovernmental: local")
    TERRITORIAL = "territorial", _("Intergovernmental: territorial")
    TRIBAL = "tribal", _("Intergovernmental: tribal")
    ELECTED_OFFICE = "elected_office", _("Elected office")
    # Appended (stored values never change): the partner kinds PED's stakeholder lists name.
    DHS_COMPONENT = "dhs_component", _("DHS component")
    FEDERAL_AGENCY = "federal_agency", _("Other federal agency")
    ASSOCIATION = "association", _("Association")
    GOVERNORS_OFFICE = "governors_office", _("Intergovernmental: governor's office")
    STATE_LEGISLATURE = "state_legislature", _("Intergovernmental: state legislature")
    MAYORS_OFFICE = "mayors_office", _("Intergovernmental: mayor's office")


class OrganisationLevel(models.TextChoices):
    HEADQUARTERS = "hq", _("Headquarters")
    REGIONAL = "regional", _("Regional")
    DISTRICT = "district", _("District")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    level = models.CharField(_("level"), max_length=10, choices=OrganisationLevel.choices)
    region = models.CharField(_("region"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    address_line = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    languages = models.JSONField(_("languages served"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owning CRO"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_partners",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "district", name="outreach_organisation_unique_name_district"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OfficialRole(models.TextChoices):
    NONE = "", _("Not an official")
    GOVERNOR = "governor", _("Governor")
    GOVERNORS_OFFICE = "governors_office", _("Governor's office staff")
    STATE_LEGISLATOR = "state_legislator", _("State legislator")
    CONGRESSIONAL_OFFICE = "congressional_office", _("Congressional office staff")
    MAYOR = "mayor", _("Mayor")
    MAYORS_OFFICE = "mayors_office", _("Mayor's office staff")
    COUNTY_OFFICIAL = "county_official", _("County official")
    TRIBAL_LEADER = "tribal_leader", _("Tribal leader")
    APPOINTED_OFFICIAL = "appointed_official", _("Appointed official")


ELECTED_ROLES = frozenset(
    {
        OfficialRole.GOVERNOR,
        OfficialRole.STATE_LEGISLATOR,
        OfficialRole.MAYOR,
        OfficialRole.COUNTY_OFFICIAL,
        OfficialRole.TRIBAL_LEADER,
    }
)


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Telephone")
    MAIL = "mail", _("Postal mail")
    NONE = "none", _("Do not contact")


class Contact(models.Model):
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    title = models.CharField(_("title"), max_length=120, blank=True)
    official_role = models.CharField(_("official role"), max_length=30, choices=OfficialRole.choices, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Stored in lower case."))
    phone = models.CharField(_("telephone"), max_length=20, blank=True, help_text=_("Stored in E.164 form."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=PreferredChannel.choices, default=PreferredChannel.EMAIL
    )
    consent_email = models.BooleanField(_("agrees to e-mail"), default=False)
    consent_phone = models.BooleanField(_("agrees to calls"), default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    # Mailings (outreach/mailings.py): topic codes of the shared taxonomy the person asked to hear
    # about; an unsubscribe or a hard bounce stops every later mailing to them.
    interests = models.JSONField(_("interests"), default=list, blank=True)
    mail_unsubscribed_at = models.DateTimeField(_("unsubscribed from mailings"), null=True, blank=True)
    email_bounced_at = models.DateTimeField(_("e-mail address bounced"), null=True, blank=True)
    email_bounce_reason = models.CharField(_("bounce reason"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(merged_into__isnull=True) & ~Q(email=""),
                name="outreach_contact_unique_live_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_elected(self) -> bool:
        return self.official_role in ELECTED_ROLES


class Membership(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    position = models.CharField(_("position"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "organisation"], name="outreach_membership_unique")]

    def __str__(self) -> str:
        return f"{self.contact} — {self.organisation}"


class CroProfile(models.Model):
    """A Community Relations Officer and the districts they cover."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cro_profile")
    region = models.CharField(_("region"), max_length=80, blank=True)
    districts = models.JSONField(_("districts"), default=list, blank=True)

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Event")


class PartnerInteraction(models.Model):
    """One entry of a CRO's interaction log with a partner, with an optional follow-up."""

    cro = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="interactions")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.TextField(_("summary"))
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["cro", "follow_up_due"], name="outreach_followup_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class EngagementType(models.TextChoices):
    NATIONAL = "national", _("National engagement")
    LISTENING_SESSION = "listening_session", _("Listening session")
    WEBINAR = "webinar", _("Webinar")
    COMMUNITY_PRESENTATION = "community_presentation", _("Community presentation")
    INTERGOVERNMENTAL_BRIEFING = "intergovernmental_briefing", _("Intergovernmental briefing")
    PUBLIC_EDUCATION = "public_education", _("Public education initiative")


class ProgramKind(models.TextChoices):
    PROGRAM = "program", _("Outreach program")
    CAMPAIGN = "campaign", _("Public-education campaign")


class Program(models.Model):
    """An outreach program or public-education campaign: the engagements (and mailings) run under it
    and what it achieved."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ProgramKind.choices, default=ProgramKind.PROGRAM)
    goal = models.TextField(_("goal"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    results = models.TextField(_("results"), blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    materials_distributed = models.PositiveIntegerField(_("materials distributed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="outreach_program_ends"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EngagementLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    BILINGUAL = "en-es", _("English and Spanish")


class EngagementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Engagement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=EngagementType.choices)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    # A draft is seen by staff only: it is not on the public pages and takes no registration.
    status = models.CharField(
        _("status"), max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    venue = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    call_in = models.CharField(_("call-in or web link"), max_length=300, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=EngagementLanguage.choices, default=EngagementLanguage.ENGLISH
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    region = models.CharField(_("region"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, help_text=_("Where an in-person event is held."))
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="engagements")
    program = models.ForeignKey(
        Program, verbose_name=_("program"), null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text=_("iCalendar SEQUENCE, raised on every change."))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["district", "starts_at"], name="outreach_engagement_district")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="outreach_engagement_ends"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="outreach_engagement_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        """Held on a call or the web only: visitors read its time in their own zone."""
        return not self.venue and bool(self.call_in)

    @property
    def call_in_is_link(self) -> bool:
        return self.call_in.startswith(("https://", "http://"))

    def title_in(self, language: str) -> str:
        return self.title_es if language == Language.SPANISH and self.title_es else self.title

    def description_in(self, language: str) -> str:
        return self.description_es if language == Language.SPANISH and self.description_es else self.description


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=160)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    accommodation = models.CharField(_("accommodation needs"), max_length=300, blank=True)
    interpreter_language = models.CharField(_("interpreter language"), max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    attended = models.BooleanField(_("attended"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_status = models.CharField(
        max_length=10, blank=True, help_text=_("The status the last confirmation e-mail announced.")
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_notice_sent_at = models.DateTimeField(null=True, blank=True)
    # The last e-mail to this registrant that was given up on after its last try (cleared by the
    # next one delivered); the sweep does not resend while it is set.
    mail_failed_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=300, blank=True)
    notified_sequence = models.PositiveIntegerField(
        default=0, help_text=_("The engagement's SEQUENCE this registrant last heard about.")
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "email"],
                condition=~Q(status="cancelled"),
                name="outreach_registration_unique_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class AgencyOffice(models.TextChoices):
    FIELD_OPERATIONS = "fod", _("Field Operations Directorate")
    SERVICE_CENTERS = "scops", _("Service Center Operations")
    POLICY = "ops", _("Office of Policy and Strategy")
    CUSTOMER_SERVICE = "csped", _("Customer Service and Public Engagement")
    REFUGEE_ASYLUM = "raio", _("Refugee, Asylum and International Operations")
    FRAUD = "fdns", _("Fraud Detection and National Security")
    CITIZENSHIP = "oc", _("Office of Citizenship")
    CHIEF_FINANCIAL = "ocfo", _("Office of the Chief Financial Officer")
    EQUAL_OPPORTUNITY = "oeoi", _("Office of Equal Opportunity and Inclusion")


class FeedbackSource(models.TextChoices):
    ENGAGEMENT = "engagement", _("Engagement")
    PARTNER = "partner", _("Partner")
    CRO = "cro", _("CRO")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    RESPONSE_DRAFTED = "response_drafted", _("Response drafted")
    REPORTED_BACK = "reported_back", _("Reported back")


class FeedbackItem(models.Model):
    source = models.CharField(_("source"), max_length=12, choices=FeedbackSource.choices)
    engagement = models.ForeignKey(Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(_("what was heard"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    owning_office = models.CharField(_("owning office"), max_length=10, choices=AgencyOffice.choices, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("agency response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The owning office's inbox: first opened by one of its members (unread until then), and when its
    # members were e-mailed about the routing (behind routed_at: a notice is still owed).
    office_opened_at = models.DateTimeField(null=True, blank=True)
    office_notified_at = models.DateTimeField(null=True, blank=True)
    reported_back_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="outreach_feedback_status"),
            models.Index(fields=["owning_office", "routed_at"], name="outreach_feedback_office"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="engagement") | Q(engagement__isnull=False),
                name="outreach_feedback_engagement_source",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class ReportBack(models.Model):
    """What was heard at an engagement and what the agency answered, told back to its stakeholders."""

    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, related_name="report_back")
    introduction = models.TextField(_("introduction"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Report back: {self.engagement}"


class ReportBackDelivery(models.Model):
    report = models.ForeignKey(ReportBack, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "registration"], name="outreach_delivery_once_per_attendee")
        ]

    def __str__(self) -> str:
        return self.email


class AgencyOfficeMembership(models.Model):
    """A member of staff who answers, for an office of the agency, the feedback routed to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_office_memberships"
    )
    office = models.CharField(_("office"), max_length=10, choices=AgencyOffice.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["office", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "office"], name="outreach_agency_office_member_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_office_display()}"


class PartnerReportBack(models.Model):
    """Feedback heard from partners (not one engagement) and the agency's answers, told back to one
    organisation's contacts, or to every partner with feedback in a period."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="report_backs"
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    items = models.ManyToManyField(FeedbackItem, related_name="partner_report_backs")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | (Q(period_start__isnull=False) & Q(period_end__isnull=False)),
                name="outreach_partner_report_scope",
            )
        ]

    def __str__(self) -> str:
        return f"Report back #{self.pk}"


class PartnerReportBackDelivery(models.Model):
    report = models.ForeignKey(PartnerReportBack, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="outreach_partner_delivery_once_per_address")
        ]

    def __str__(self) -> str:
        return self.email


class ReferralMode(models.TextChoices):
    CALLBACK = "callback", _("Callback from the contact center")
    INQUIRY = "inquiry", _("Written inquiry to the contact center")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


class ReferralOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered by the contact center")
    UNREACHABLE = "unreachable", _("Person could not be reached")
    WITHDRAWN = "withdrawn", _("Person withdrew the request")


class CaseReferral(models.Model):
    """A person with a case-specific question, referred with consent to the contact center.

    Holds only what the contact center needs to reach them, and the receipt number only when the
    person gave it and agreed to it being kept (no A-number)."""

    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("name"), max_length=160)
    phone = models.CharField(_("telephone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("referral"), max_length=10, choices=ReferralMode.choices)
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    consent_recorded_at = models.DateTimeField()
    receipt_number = models.CharField(_("receipt number"), max_length=13, blank=True)
    receipt_consent = models.BooleanField(_("agrees to the receipt number being kept"), default=False)
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    callback = models.ForeignKey(WaitingContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReferralOutcome.choices, blank=True)
    close_note = models.CharField(_("close-out note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="outreach_referral_consent"),
            models.CheckConstraint(
                condition=~Q(mode="callback") | ~Q(phone=""), name="outreach_referral_callback_phone"
            ),
            models.CheckConstraint(
                condition=Q(receipt_number="") | Q(receipt_consent=True), name="outreach_referral_receipt_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk}"


# --- mailings ------------------------------------------------------------------------------------
class MailingSegment(models.Model):
    """A saved audience: contacts of the organisations of these types, levels and places, or with
    these interests. Blank criteria match everyone; who is actually written to is narrowed further
    (consent, unsubscribes, bounces) by outreach/mailings.py."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kinds = models.JSONField(_("organization types"), default=list, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    language = models.CharField(_("language served"), max_length=5, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MailingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class Mailing(models.Model):
    """One message to a segment, written in English and Spanish; each person gets their own language."""

    segment = models.ForeignKey(
        MailingSegment, verbose_name=_("segment"), on_delete=models.PROTECT, related_name="mailings"
    )
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    subject_es = models.CharField(_("subject (Spanish)"), max_length=200)
    body_es = models.TextField(_("message (Spanish)"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings"
    )
    status = models.CharField(max_length=10, choices=MailingStatus.choices, default=MailingStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outreach_mailing_status")]

    def __str__(self) -> str:
        return self.subject_en


class MailingAttachment(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="outreach/mailings/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")
    UNSUBSCRIBED = "unsubscribed", _("Skipped: unsubscribed")


class MailingRecipient(models.Model):
    """One person a mailing goes to: written once per mailing and contact, so a second click or a
    retried task never sends twice."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="mailings_received")
    email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED)
    detail = models.CharField(_("server reply or reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mailing", "id"]
        constraints = [models.UniqueConstraint(fields=["mailing", "contact"], name="outreach_mailing_recipient_once")]
        indexes = [models.Index(fields=["mailing", "status"], name="outreach_recipient_status")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class EngagementMessage(models.Model):
    """A message from staff to everyone registered or waitlisted for an engagement, e-mailed once each."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    subject_es = models.CharField(_("subject in Spanish"), max_length=200, blank=True)
    body_es = models.TextField(_("message in Spanish"), blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    def text_in(self, language: str) -> tuple[str, str]:
        """Spanish only when both Spanish texts were written: never a Spanish subject on English text."""
        if language == Language.SPANISH and self.subject_es and self.body_es:
            return self.subject_es, self.body_es
        return self.subject, self.body


class EngagementMessageDelivery(models.Model):
    message = models.ForeignKey(EngagementMessage, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "registration"], name="outreach_message_once_per_registrant")
        ]

    def __str__(self) -> str:
        return self.email
