"""Agency reference data the IVR, the agent consoles and casework all read."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Language
from contactcenter.reference.identifiers import RECEIPT_RE

receipt_number_validator = RegexValidator(RECEIPT_RE, _("3 letters (a known prefix) and 10 digits."))
a_number_validator = RegexValidator(r"^A\d{9}$", _("A followed by 9 digits."))
zip5_validator = RegexValidator(r"^\d{5}$", _("5 digits."))


class Form(models.Model):
    number = models.CharField(max_length=12, unique=True, help_text="e.g. I-485")
    title_en = models.CharField(max_length=200)
    title_es = models.CharField(max_length=200)
    fee = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    edition = models.DateField(help_text=_("Edition date printed on the form."))
    url = models.URLField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title_en}"

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())

    def title_for(self, language: str) -> str:
        return self.title_es if language == Language.SPANISH else self.title_en


class ZipCentroid(models.Model):
    zip_code = models.CharField(max_length=5, primary_key=True, validators=[zip5_validator])
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()
    time_zone = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.zip_code} {self.city}, {self.state}"


class Located(models.Model):
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=5, validators=[zip5_validator])
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["latitude", "longitude"])]

    @property
    def one_line_address(self) -> str:
        return f"{self.address_line}, {self.city}, {self.state} {self.zip_code}"


class OfficeKind(models.TextChoices):
    FIELD_OFFICE = "field", _("Field office")
    SERVICE_CENTER = "service_center", _("Service center")
    ASC = "asc", _("Application support center")
    NBC = "nbc", _("National Benefits Center")


class FieldOffice(Located):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=OfficeKind.choices, default=OfficeKind.FIELD_OFFICE)
    phone = models.CharField(max_length=20, blank=True)
    time_zone = models.CharField(max_length=40)
    hours_en = models.CharField(max_length=200, help_text="e.g. Monday to Friday, 7:30 a.m. to 3:30 p.m.")
    hours_es = models.CharField(max_length=200)
    services = models.JSONField(default=list, blank=True, help_text=_("Service codes: interviews, biometrics, …"))
    zip_prefixes = models.JSONField(default=list, blank=True, help_text=_("3-digit ZIP prefixes it serves."))

    class Meta(Located.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def hours_for(self, language: str) -> str:
        return self.hours_es if language == Language.SPANISH else self.hours_en


class OfficeClosure(models.Model):
    office = models.ForeignKey(FieldOffice, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason_en = models.CharField(max_length=200)
    reason_es = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [models.UniqueConstraint(fields=["office", "starts_on"], name="office_closure_unique_start")]

    def __str__(self) -> str:
        return f"{self.office} closed {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A closure cannot end before it starts.")})


class CivilSurgeon(Located):
    name = models.CharField(max_length=120)
    practice = models.CharField(max_length=160)
    phone = models.CharField(max_length=20)
    languages = models.JSONField(default=list, blank=True, help_text=_('Language codes spoken, e.g. ["en", "es"].'))

    class Meta(Located.Meta):
        ordering = ["name"]
        # The designation list has no identifier of its own: a surgeon is known by name and ZIP code.
        constraints = [models.UniqueConstraint(fields=["name", "zip_code"], name="civil_surgeon_unique_name_zip")]

    def __str__(self) -> str:
        return f"{self.name}, {self.practice}"


class StatusHeadline(models.Model):
    """The fixed headlines of the case status service, in both languages."""

    code = models.SlugField(max_length=60, unique=True)
    headline_en = models.CharField(max_length=120)
    headline_es = models.CharField(max_length=160)
    description_en = models.TextField(help_text="May use {date}, {form} and {receipt_number}.")
    description_es = models.TextField()
    terminal = models.BooleanField(default=False, help_text=_("The case is decided or closed."))
    awaiting_decision = models.BooleanField(
        default=True,
        help_text=_(
            "The case still waits for a decision. Off once it is approved, denied or rejected, and for the "
            "steps after an approval (a card produced, mailed or delivered)."
        ),
    )

    def __str__(self) -> str:
        return self.headline_en

    def headline_for(self, language: str) -> str:
        return self.headline_es if language == Language.SPANISH else self.headline_en

    def description_for(self, language: str, **values) -> str:
        template = self.description_es if language == Language.SPANISH else self.description_en
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return template


class BenefitCase(models.Model):
    receipt_number = models.CharField(max_length=13, unique=True, validators=[receipt_number_validator])
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=160, blank=True, help_text=_("Processing-time category."))
    office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="cases")
    received_on = models.DateField()
    status = models.ForeignKey(StatusHeadline, on_delete=models.PROTECT, related_name="+")
    status_on = models.DateField()
    applicant_name = models.CharField(max_length=160)
    date_of_birth = models.DateField()
    a_number = models.CharField(max_length=10, blank=True, validators=[a_number_validator])
    mailing_address_line = models.CharField(max_length=200)
    mailing_city = models.CharField(max_length=80)
    mailing_state = models.CharField(max_length=2)
    mailing_zip = models.CharField(max_length=5, validators=[zip5_validator])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["a_number"]), models.Index(fields=["form", "category", "office"])]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def mailing_address(self) -> str:
        return f"{self.mailing_address_line}, {self.mailing_city}, {self.mailing_state} {self.mailing_zip}"

    def clean(self) -> None:
        if self.status_on and self.received_on and self.status_on < self.received_on:
            raise ValidationError({"status_on": _("A status cannot be dated before the case was received.")})


class CaseStatusEvent(models.Model):
    case = models.ForeignKey(BenefitCase, on_delete=models.CASCADE, related_name="history")
    status = models.ForeignKey(StatusHeadline, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["case", "occurred_on"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "status", "occurred_on"], name="case_status_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status.code} {self.occurred_on}"


class ProcessingTime(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="processing_times")
    category = models.CharField(max_length=160)
    category_es = models.CharField(max_length=200)
    office = models.ForeignKey(FieldOffice, on_delete=models.CASCADE, related_name="processing_times")
    months = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0)], help_text=_("80th percentile.")
    )
    inquiry_receipt_date = models.DateField(
        help_text=_("Cases received before this date are outside normal processing time.")
    )
    published_on = models.DateField()

    class Meta:
        ordering = ["form__number", "category", "office__name", "-published_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "category", "office", "published_on"], name="processing_time_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form.number} {self.category} @ {self.office.code}: {self.months} mo ({self.published_on})"

    def category_for(self, language: str) -> str:
        return self.category_es if language == Language.SPANISH else self.category


class VisaChart(models.TextChoices):
    FINAL_ACTION = "final_action", _("Final Action Dates")
    DATES_FOR_FILING = "dates_for_filing", _("Dates for Filing")


class VisaCategory(models.TextChoices):
    F1 = "F1", "F1"
    F2A = "F2A", "F2A"
    F2B = "F2B", "F2B"
    F3 = "F3", "F3"
    F4 = "F4", "F4"
    EB1 = "EB1", "EB1"
    EB2 = "EB2", "EB2"
    EB3 = "EB3", "EB3"
    EB4 = "EB4", "EB4"
    EB5 = "EB5", "EB5"


class Chargeability(models.TextChoices):
    ALL = "ALL", _("All Chargeability Areas")
    CHINA = "CHINA", _("China (mainland born)")
    INDIA = "INDIA", _("India")
    MEXICO = "MEXICO", _("Mexico")
    PHILIPPINES = "PHILIPPINES", _("Philippines")


class VisaBulletinEntry(models.Model):
    bulletin_month = models.DateField(help_text=_("First day of the bulletin's month."))
    chart = models.CharField(max_length=20, choices=VisaChart.choices)
    category = models.CharField(max_length=3, choices=VisaCategory.choices)
    chargeability = models.CharField(max_length=12, choices=Chargeability.choices)
    cutoff = models.DateField(null=True, blank=True)
    availability = models.CharField(
        max_length=1, choices=[("D", _("Date")), ("C", _("Current")), ("U", _("Unavailable"))], default="D"
    )

    class Meta:
        ordering = ["-bulletin_month", "chart", "category", "chargeability"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin_month", "chart", "category", "chargeability"], name="visa_bulletin_cell_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(availability="D", cutoff__isnull=False)
                    | models.Q(~models.Q(availability="D"), cutoff__isnull=True)
                ),
                name="visa_bulletin_cell_date_or_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_month:%Y-%m} {self.chart} {self.category} {self.chargeability}: {self.cell}"

    @property
    def cell(self) -> str:
        return self.cutoff.strftime("%d%b%y").upper() if self.availability == "D" else self.availability


class FormOrderChannel(models.TextChoices):
    SMS = "sms", _("Text message with a link")
    MAIL = "mail", _("Mailed to the address on file")


class FormOrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    QUEUED = "queued", _("Queued for mailing")
    BATCHED = "batched", _("In a mailing batch")
    MAILED = "mailed", _("Mailed")


class FormOrder(models.Model):
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(max_length=5, choices=FormOrderChannel.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    phone = models.CharField(max_length=20, blank=True)
    case = models.ForeignKey(BenefitCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=FormOrderStatus.choices, default=FormOrderStatus.PENDING)
    idempotency_key = models.CharField(max_length=100, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    mailed_to = models.CharField(
        max_length=300, blank=True, help_text=_("The address on file the form was sent to for mailing.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.form.number} by {self.channel} ({self.status})"


class MailingBatchStatus(models.TextChoices):
    MADE = "made", _("Made, awaiting printing")
    CONFIRMED = "confirmed", _("Printed and mailed")


class MailingBatch(models.Model):
    """A day's mail form orders, printed as address labels and sent to the print vendor as a CSV."""

    batch_date = models.DateField()
    status = models.CharField(max_length=10, choices=MailingBatchStatus.choices, default=MailingBatchStatus.MADE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Mailing batch {self.pk} of {self.batch_date} ({self.status})"


class MailingBatchItem(models.Model):
    """One mail order in a batch, with the name and address it is printed with (the case's at the time)."""

    batch = models.ForeignKey(MailingBatch, on_delete=models.PROTECT, related_name="items")
    # One batch per order, enforced by the database whatever two workers do at once.
    order = models.OneToOneField(FormOrder, on_delete=models.PROTECT, related_name="mailing_item")
    form_number = models.CharField(max_length=12)
    edition = models.DateField()
    name = models.CharField(max_length=160)
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=5)

    class Meta:
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.form_number} order {self.order_id} in batch {self.batch_id}"
