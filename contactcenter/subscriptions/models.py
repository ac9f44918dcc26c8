"""Case-status updates a person asked for: a receipt number followed by text or e-mail, and each
notice sent when an import moves the case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Language
from contactcenter.reference.identifiers import mask_phone
from contactcenter.reference.models import BenefitCase, CaseStatusEvent


class UpdateChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")


class UpdateStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class SubscriptionSource(models.TextChoices):
    IVR = "ivr", _("Phone (IVR)")
    CONSOLE = "console", _("Contact center agent")
    WEB = "web", _("Public web page")


class SubscriptionStatus(models.TextChoices):
    # Asked on the public page: nothing but the confirmation code goes out until it is entered.
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    ENDED = "ended", _("Ended")


class StatusSubscription(models.Model):
    """One address (a phone number or an e-mail) following one case. Asking again re-opens the same row."""

    case = models.ForeignKey(BenefitCase, on_delete=models.CASCADE, related_name="subscriptions")
    channel = models.CharField(max_length=8, choices=UpdateChannel.choices)
    to = models.CharField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    source = models.CharField(max_length=8, choices=SubscriptionSource.choices)
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING)
    confirm_code = models.CharField(max_length=6, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_tries = models.PositiveSmallIntegerField(default=0)
    # The e-mail of the current code went out (a redelivered task sends it no more).
    code_mailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "channel", "to"], name="status_subscription_unique_address")
        ]
        indexes = [
            models.Index(fields=["to", "status"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_channel_display()} {self.get_status_display()}"

    @property
    def masked_to(self) -> str:
        """The address as pages and audit rows show it: the last digits, or the e-mail's domain."""
        if self.channel == UpdateChannel.SMS:
            return mask_phone(self.to)
        name, _at, domain = self.to.partition("@")
        return f"{name[:1]}***@{domain}"


class StatusNotice(models.Model):
    """One text or e-mail telling a subscriber their case moved: one per subscription and status
    change (the constraint), so a task run twice sends nothing more."""

    subscription = models.ForeignKey(StatusSubscription, on_delete=models.CASCADE, related_name="notices")
    event = models.ForeignKey(CaseStatusEvent, on_delete=models.CASCADE, related_name="notices")
    channel = models.CharField(max_length=8, choices=UpdateChannel.choices)
    to = models.CharField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=UpdateStatus.choices, default=UpdateStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="status_notice_once_per_change")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()} for {self.subscription_id}"
