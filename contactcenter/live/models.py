"""What happens once a person answers: service requests, Tier 2 hand-offs, dispositions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Interaction, Language
from contactcenter.reference.identifiers import US_STATE_CODES, ZIP5_RE
from contactcenter.reference.models import BenefitCase, FieldOffice, Form
from contactcenter.routing.models import WaitingContact


class ServiceRequestType(models.TextChoices):
    ADDRESS_CHANGE = "address_change", _("Change of address (AR-11)")
    NOTICE_NOT_RECEIVED = "notice_not_received", _("Notice not received")
    CARD_NOT_RECEIVED = "card_not_received", _("Card not received")
    DOCUMENT_NOT_RECEIVED = "document_not_received", _("Document not received")
    OUTSIDE_NORMAL = "outside_normal", _("Case outside normal processing time")
    ACCOMMODATION = "accommodation", _("Appointment accommodation")
    TYPO = "typographic_error", _("Typographic error")
    EXPEDITE = "expedite", _("Expedite request")
    EMERGENCY_APPOINTMENT = "emergency_appointment", _("Emergency appointment request")


# Due in 7 days rather than 15.
PRIORITY_REQUEST_TYPES = frozenset(
    {ServiceRequestType.ADDRESS_CHANGE, ServiceRequestType.EXPEDITE, ServiceRequestType.EMERGENCY_APPOINTMENT}
)
# Relayed by Tier 1, decided by a Tier 2 officer.
TIER2_REVIEW_TYPES = frozenset({ServiceRequestType.EXPEDITE, ServiceRequestType.EMERGENCY_APPOINTMENT})


# The fields only some request types use, by type; every other field (the case, the caller, the reply)
# is common to all. The console shows a type's own fields only, and a field another type uses is
# ignored when this one is taken (service_request_fields_ignored): one rule for the form and the service.
SERVICE_REQUEST_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    ServiceRequestType.ADDRESS_CHANGE: (
        "new_address_line",
        "new_city",
        "new_state",
        "new_zip",
        "moved_on",
        "written_request_id",
    ),
    ServiceRequestType.EXPEDITE: ("expedite_criterion",),
}
SERVICE_REQUEST_TYPED_FIELDS = tuple(
    dict.fromkeys(name for names in SERVICE_REQUEST_TYPE_FIELDS.values() for name in names)
)


def service_request_fields_ignored(kind: str) -> frozenset[str]:
    """The type-specific fields a request of `kind` does not use."""
    return frozenset(SERVICE_REQUEST_TYPED_FIELDS) - frozenset(SERVICE_REQUEST_TYPE_FIELDS.get(kind, ()))


def service_request_kinds_using(field: str) -> tuple[str, ...]:
    """The request types a type-specific field belongs to (none: a field every type uses)."""
    return tuple(kind for kind, names in SERVICE_REQUEST_TYPE_FIELDS.items() if field in names)


class ExpediteCriterion(models.TextChoices):
    FINANCIAL_LOSS = "financial_loss", _("Severe financial loss")
    HUMANITARIAN = "humanitarian", _("Urgent humanitarian reasons")
    NONPROFIT = "nonprofit", _("Nonprofit organisation furthering U.S. interests")
    GOVERNMENT_INTEREST = "government_interest", _("U.S. government interest")
    USCIS_ERROR = "uscis_error", _("Clear USCIS error")


class RequesterRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant or petitioner")
    REPRESENTATIVE = "representative", _("Attorney or accredited representative")


class ServiceRequestStatus(models.TextChoices):
    ROUTED = "routed", _("Routed to the office holding the case")
    PENDING_REVIEW = "pending_review", _("Awaiting Tier 2 review")
    APPROVED = "approved", _("Approved by Tier 2")
    DENIED = "denied", _("Denied by Tier 2")
    IN_PROGRESS = "in_progress", _("Being worked at the office")
    AWAITING_REPLY = "awaiting_reply", _("Awaiting the requester's reply")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


STATE_CODE_MESSAGE = _("Give the 2-letter code of a US state or territory, for example CA, NY or PR.")
ZIP_CODE_MESSAGE = _("A ZIP code is 5 digits, for example 90012.")
VERIFICATION_LOCKED_MESSAGE = _(
    "Verification is locked after too many failed tries: take no change by phone. "
    "Offer the caller a written request instead (Form AR-11 online or by mail)."
)


class ServiceRequest(models.Model):
    kind = models.CharField(max_length=24, choices=ServiceRequestType.choices)
    status = models.CharField(max_length=16, choices=ServiceRequestStatus.choices)
    case = models.ForeignKey(BenefitCase, on_delete=models.PROTECT, related_name="service_requests")
    receipt_number = models.CharField(max_length=13)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="service_requests")
    applicant_name = models.CharField(max_length=160)
    date_of_birth = models.DateField()
    a_number = models.CharField(max_length=10, blank=True)
    requester_role = models.CharField(max_length=16, choices=RequesterRole.choices)
    requester_name = models.CharField(max_length=160, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    details = models.TextField(blank=True)
    expedite_criterion = models.CharField(max_length=24, choices=ExpediteCriterion.choices, blank=True)
    new_address_line = models.CharField(max_length=200, blank=True)
    new_city = models.CharField(max_length=80, blank=True)
    new_state = models.CharField(max_length=2, blank=True)
    new_zip = models.CharField(max_length=5, blank=True)
    moved_on = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey(
        WaitingContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_requests"
    )
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # The office's work on it (contactcenter/live/office.py).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    # The one-time token of the form it was taken on: the same form posted twice is one request.
    submission_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["receipt_number"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["office", "status"]),
            models.Index(fields=["office", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"SR-{self.pk:08d}" if self.pk else "SR-(new)"

    @property
    def priority(self) -> bool:
        return self.kind in PRIORITY_REQUEST_TYPES

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind == ServiceRequestType.ADDRESS_CHANGE:
            for name in ("new_address_line", "new_city", "new_state", "new_zip"):
                if not getattr(self, name):
                    errors[name] = _("An address change needs the new address.")
        if self.new_state and self.new_state.upper() not in US_STATE_CODES:
            errors["new_state"] = STATE_CODE_MESSAGE
        if self.new_zip and not ZIP5_RE.match(self.new_zip):
            errors["new_zip"] = ZIP_CODE_MESSAGE
        if self.kind == ServiceRequestType.EXPEDITE and not self.expedite_criterion:
            errors["expedite_criterion"] = _("An expedite request names the criterion it meets.")
        if self.requester_role == RequesterRole.REPRESENTATIVE and not self.requester_name:
            errors["requester_name"] = _("Name the representative making the request.")
        if not (self.contact_phone or self.contact_email):
            errors["contact_phone"] = _("Give a telephone number or an e-mail address to reply to.")
        if errors:
            raise ValidationError(errors)


class OfficeMembership(models.Model):
    """A member of staff who works the service requests routed to an office; its supervisors are
    told of requests that go past their due date."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_memberships")
    office = models.ForeignKey(FieldOffice, on_delete=models.CASCADE, related_name="memberships")
    is_supervisor = models.BooleanField(default=False)

    class Meta:
        ordering = ["office__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "office"], name="office_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.office}" + (" (supervisor)" if self.is_supervisor else "")


class ServiceRequestEventKind(models.TextChoices):
    CREATED = "created", _("Taken")
    APPROVED = "approved", _("Approved by Tier 2")
    DENIED = "denied", _("Denied by Tier 2")
    CLAIMED = "claimed", _("Claimed")
    NOTE = "note", _("Note")
    ASKED = "asked", _("Requester asked for information")
    REPLY = "reply", _("Requester's reply recorded")
    RESOLVED = "resolved", _("Resolved")
    REROUTED = "rerouted", _("Re-routed")
    ESCALATED = "escalated", _("Escalated to the office supervisor")
    NOTICE = "notice", _("Notice to the requester")


class ServiceRequestEvent(models.Model):
    """One step in a service request's history, shown on its page oldest first. Written only by the
    services; `interaction` is the ledger entry of a contact with the requester the step was."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=ServiceRequestEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    office = models.ForeignKey(FieldOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class NoticePurpose(models.TextChoices):
    REFERENCE = "reference", _("Reference number")
    QUESTION = "question", _("Question to the requester")
    RESOLUTION = "resolution", _("Resolution")
    DENIAL = "denial", _("Tier 2 decision: not granted")
    ESCALATION = "escalation", _("Overdue: to the office supervisor")


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class ServiceRequestNotice(models.Model):
    """A text or e-mail about a service request, written in the step's transaction and sent after
    it commits: a text by the telephony gateway's text queue, an e-mail by its task. One per step
    and channel, so a step repeated or a task redelivered sends nothing more."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notices")
    event = models.ForeignKey(ServiceRequestEvent, on_delete=models.CASCADE, related_name="notices")
    purpose = models.CharField(max_length=12, choices=NoticePurpose.choices)
    channel = models.CharField(max_length=8, choices=NoticeChannel.choices)
    to = models.CharField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "channel", "to"], name="sr_notice_unique_step_channel")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_purpose_display()} by {self.get_channel_display()}"


class EscalationReason(models.TextChoices):
    COMPLEX_ELIGIBILITY = "complex_eligibility", _("Complex eligibility or legal question")
    CASE_SPECIFIC = "case_specific", _("Case-specific research needed")
    EXPEDITE_REVIEW = "expedite_review", _("Expedite or emergency appointment review")
    PRIOR_SR_UNRESOLVED = "prior_sr_unresolved", _("Earlier service request unresolved")
    SUPERVISOR = "supervisor", _("Caller asked for a supervisor")
    OTHER = "other", _("Other")


class Escalation(models.Model):
    """The structured hand-off a CSR writes when sending a caller to Tier 2."""

    from_contact = models.OneToOneField(WaitingContact, on_delete=models.CASCADE, related_name="escalation")
    to_contact = models.OneToOneField(WaitingContact, on_delete=models.CASCADE, related_name="escalated_from")
    reason = models.CharField(max_length=24, choices=EscalationReason.choices)
    tried = models.TextField(help_text=_("What Tier 1 already did."))
    summary = models.TextField()
    language = models.CharField(max_length=2, choices=Language.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.from_contact_id} → {self.to_contact_id})"


class Disposition(models.TextChoices):
    INFORMATION = "information", _("Information given")
    RESOLVED = "resolved", _("Resolved")
    SERVICE_REQUEST = "service_request", _("Service request taken")
    ESCALATED = "escalated", _("Escalated to Tier 2")
    REFERRED_CAO = "referred_cao", _("Referred to CAO casework")
    CALLBACK = "callback", _("Callback arranged")
    DISCONNECTED = "disconnected", _("Caller disconnected")
    NO_ANSWER = "no_answer", _("Callback not answered")


class VerificationOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    LOCKED = "locked", _("Refused: too many failed tries")


class VerificationStep(models.TextChoices):
    VERIFY = "verify", _("Verify the caller")
    SERVICE_REQUEST = "service_request", _("Service request identity check")


class CallerVerification(models.Model):
    """One try at proving that the person on the line (or the writer of a letter) is the person a case
    belongs to: who asked, about which receipt number, and which answers matched. What the caller
    answered is never stored, only whether each answer matched."""

    contact = models.ForeignKey(
        WaitingContact, null=True, blank=True, on_delete=models.PROTECT, related_name="verifications"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Only the console's verify step passes a caller; a service request's identity check that fails
    # counts towards the same limits.
    step = models.CharField(max_length=16, choices=VerificationStep.choices, default=VerificationStep.VERIFY)
    receipt_number = models.CharField(max_length=13)
    case = models.ForeignKey(BenefitCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=8, choices=VerificationOutcome.choices)
    # {"case_on_file": bool, "date_of_birth": bool, "a_number": bool | None, "receipt_number": bool | None}
    checks = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "outcome"]),
            models.Index(fields=["receipt_number", "outcome", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.outcome} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def a_number_matched(self) -> bool:
        return self.checks.get("a_number") is True
