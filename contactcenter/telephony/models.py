"""Text messages the center sends, each a durable row so a broker outage loses none."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundMessage(models.Model):
    """A text message the telephony gateway sent (or tried to), whatever the backend."""

    to_number = models.CharField(max_length=20)
    body = models.TextField()
    backend = models.CharField(max_length=10)
    provider_sid = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboundMessageStatus.choices, default=OutboundMessageStatus.QUEUED
    )
    error = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=60, blank=True, help_text=_("e.g. form-order:42"))
    # Tries begun, each counted (and committed) before the REST call: a second try first looks at
    # Twilio for the text an earlier, interrupted one may have sent.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose"])]

    def __str__(self) -> str:
        return f"SMS {self.status} {self.purpose}"
