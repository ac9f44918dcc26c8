"""CAO written inquiries: who wrote, about what, where they are in the workflow, and the replies."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.models import BenefitCase, Interaction, KnowledgeArticle, Language


class Source(models.TextChoices):
    WHITE_HOUSE = "white_house", _("White House")
    DIRECTOR = "director", _("Office of the Director")
    DHS = "dhs", _("Department of Homeland Security")
    CIS_OMBUDSMAN = "cis_ombudsman", _("CIS Ombudsman")
    CRCL = "crcl", _("Office for Civil Rights and Civil Liberties")
    OSI = "osi", _("Office of Special Investigations")
    CONGRESSIONAL = "congressional", _("Congressional")
    TSA_TRIP = "tsa_trip", _("TSA / DHS TRIP")
    PUBLIC = "public", _("General public")
    OTHER = "other", _("Other")


class InquiryChannel(models.TextChoices):
    MAIL_SCAN = "mail_scan", _("Mail scan upload")
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Public web form")
    API = "api", _("API")
    ISO_REFERRAL = "iso_referral", _("Referral from an ISO")
    CSR_REFERRAL = "csr_referral", _("Referral from a CSR")
    TELEPHONE = "telephone", _("Telephone call")


class InquiryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    DRAFTING = "drafting", _("Drafting")
    IN_REVIEW = "in_review", _("In review")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")


OPEN_STATUSES = frozenset(
    {
        InquiryStatus.RECEIVED,
        InquiryStatus.TRIAGED,
        InquiryStatus.ASSIGNED,
        InquiryStatus.DRAFTING,
        InquiryStatus.IN_REVIEW,
        InquiryStatus.ON_HOLD,
    }
)


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class CorrespondentRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    REPRESENTATIVE = "representative", _("Representative")
    OFFICE = "office", _("Office writing on someone's behalf")


class SlaTarget(models.Model):
    """How many business days CAO has to answer a source, and which senders are that source."""

    source = models.CharField(max_length=20, choices=Source.choices, unique=True)
    business_days = models.PositiveSmallIntegerField()
    due_soon_days = models.PositiveSmallIntegerField(
        default=2, help_text=_("Business days before the due date when the inquiry shows as due soon.")
    )
    sender_domains = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Comma-separated e-mail domains whose mail is from this source, e.g. cisomb.dhs.gov."),
    )

    class Meta:
        ordering = ["source"]
        verbose_name = _("SLA target")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.business_days} business days"

    def domains(self) -> list[str]:
        return [d.strip().lower() for d in self.sender_domains.split(",") if d.strip()]


class Correspondent(models.Model):
    name = models.CharField(max_length=160)
    organisation = models.CharField(max_length=160, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.TextField(blank=True)
    role = models.CharField(max_length=20, choices=CorrespondentRole.choices, default=CorrespondentRole.APPLICANT)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class Inquiry(models.Model):
    reference = models.CharField(max_length=16, unique=True, help_text=_("Confirmation number, e.g. CAO-7K3M9QX2."))
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    channel = models.CharField(max_length=20, choices=InquiryChannel.choices)
    correspondent = models.ForeignKey(Correspondent, on_delete=models.PROTECT, related_name="inquiries")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    body_html = models.TextField(blank=True, help_text=_("Sanitised HTML of an e-mailed inquiry."))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    topic_code = models.SlugField(max_length=50, default="general")
    receipt_numbers = models.JSONField(default=list, blank=True)
    a_numbers = models.JSONField(default=list, blank=True)
    cases = models.ManyToManyField(BenefitCase, blank=True, related_name="cao_inquiries")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.RECEIVED)
    status_before_hold = models.CharField(max_length=20, choices=InquiryStatus.choices, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    held_since = models.DateTimeField(null=True, blank=True)
    hold_business_days = models.PositiveIntegerField(
        default=0, help_text=_("Business days spent on hold; they push the due date back.")
    )
    received_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cao_inquiries"
    )
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="cao_inquiry"
    )
    message_id = models.CharField(max_length=300, null=True, blank=True, unique=True)
    submission_token = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The public form's one-time token: the same form sent twice is one inquiry."),
    )
    sender_claimed_source = models.CharField(
        max_length=20,
        choices=Source.choices,
        blank=True,
        editable=False,
        help_text=_(
            "The source the sender's e-mail domain claims, which the receiving server did not verify "
            "(DMARC/DKIM): not trusted for the source or its SLA."
        ),
    )
    refers_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="referring_inquiries",
        help_text=_("The inquiry whose reference this message quoted, from someone other than its correspondent."),
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the confirmation e-mail was given up on after its last try: the sweep leaves it alone.
    confirmation_failed_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text=_("Only the named analysts and CAO supervisors may see a sensitive inquiry."),
    )
    sensitive_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="cao_sensitive_inquiries",
        help_text=_("The analysts who may see this inquiry while it is sensitive."),
    )
    # Maintained by a Postgres trigger (migration 0002) from subject, body and the correspondent.
    search = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "priority", "id"]
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["status", "due_on", "priority"]),
            # The queue's order: a search for a common word walks it and stops at the first page.
            models.Index(fields=["due_on", "priority", "id"], name="casework_inquiry_queue_order"),
            models.Index(fields=["source", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sender_domain(self) -> str:
        return self.correspondent.email.rsplit("@", 1)[-1].lower() if "@" in self.correspondent.email else ""


class Attachment(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="casework/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class ActivityKind(models.TextChoices):
    STATUS = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    NOTE = "note", _("Note")
    REPLY = "reply", _("Correspondent wrote again")
    RESPONSE = "response", _("Response")
    SLA = "sla", _("SLA reminder or escalation")
    EDIT = "edit", _("Details changed")


class InquiryActivity(models.Model):
    """The inquiry's activity log: every change and every note, oldest first."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="activities")
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name_plural = _("inquiry activities")

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def from_status_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    """A status's label in the reader's language (the code itself for one no longer defined)."""
    return str(InquiryStatus(value).label) if value in InquiryStatus.values else value


class ResponseTemplate(models.Model):
    """A reply text with merge fields: {{ name }}, {{ reference }}, {{ receipt_numbers }}, {{ subject }},
    {{ case_status }}, {{ today }}, {{ analyst }}."""

    code = models.SlugField(max_length=50)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    title = models.CharField(max_length=120)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "language"]
        constraints = [models.UniqueConstraint(fields=["code", "language"], name="response_template_code_language")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class ResponseKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Printed letter")
    TELEPHONE = "telephone", _("Telephone call")


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In supervisor review")
    APPROVED = "approved", _("Approved, sending")
    SENT = "sent", _("Sent")
    LOGGED = "logged", _("Logged (telephone)")
    FAILED = "failed", _("Delivery failed")


class TelephoneOutcome(models.TextChoices):
    ANSWERED = "answered", _("Spoke with the correspondent")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Response(models.Model):
    """Every reply CAO drafts, reviews and sends (or calls), kept for the record."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=10, choices=ResponseKind.choices, default=ResponseKind.EMAIL)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    template = models.ForeignKey(ResponseTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    to_email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text=_("Everyone who changed the text after it was drafted; none of them may approve it."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)
    knowledge_articles = models.ManyToManyField(
        KnowledgeArticle,
        blank=True,
        related_name="+",
        help_text=_("The library's approved answers inserted into this response's text."),
    )
    telephone_outcome = models.CharField(max_length=20, choices=TelephoneOutcome.choices, blank=True)
    send_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "approved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.status} for {self.inquiry_id}"

    @property
    def delivery_failed(self) -> bool:
        return self.status == ResponseStatus.FAILED

    @property
    def delivery_retrying(self) -> bool:
        """Approved, tried and not delivered yet: the worker tries it again."""
        return self.status == ResponseStatus.APPROVED and self.send_attempts > 0


class TripStatus(models.TextChoices):
    IN_PROCESS = "in_process", _("In process")
    PENDING_PAPERWORK = "pending_paperwork", _("Pending paperwork")
    COMPLETED = "completed", _("Completed")


TRIP_DOCUMENTS = [
    ("form_591", _("DHS Form 591 (Traveler Inquiry Form)")),
    ("passport", _("Copy of passport or other government photo ID")),
    ("second_id", _("Copy of a second identity document")),
    ("travel_itinerary", _("Travel itinerary or boarding pass of the incident")),
    ("name_change", _("Proof of any name change")),
]


class TripRedress(models.Model):
    """A DHS TRIP redress request (DHS Form 591) worked with TSA."""

    inquiry = models.OneToOneField(Inquiry, on_delete=models.CASCADE, related_name="trip")
    redress_control_number = models.CharField(max_length=20, unique=True)
    traveller_name = models.CharField(max_length=160)
    traveller_date_of_birth = models.DateField(null=True, blank=True)
    documents_received = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=TripStatus.choices, default=TripStatus.IN_PROCESS)
    determination_letter = models.TextField(blank=True)
    determined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("DHS TRIP redress request")

    def __str__(self) -> str:
        return f"TRIP {self.redress_control_number}"

    def missing_documents(self) -> list[str]:
        return [code for code, _label in TRIP_DOCUMENTS if code not in self.documents_received]
