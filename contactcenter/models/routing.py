"""Contacts waiting for a person: calls in a queue and callbacks that keep their place."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Interaction, Language


class ContactKind(models.TextChoices):
    CALL = "call", _("Call waiting in queue")
    CALLBACK = "callback", _("Callback")


class ContactStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered to an agent")
    CONNECTED = "connected", _("Connected")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CONTACT_STATUSES = (ContactStatus.WAITING, ContactStatus.OFFERED)


class WaitingContact(models.Model):
    kind = models.CharField(max_length=10, choices=ContactKind.choices, default=ContactKind.CALL)
    tier = models.PositiveSmallIntegerField(default=1)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    queue_name = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=ContactStatus.choices, default=ContactStatus.WAITING)
    priority = models.SmallIntegerField(default=0, help_text=_("Higher is served first."))
    enqueued_at = models.DateTimeField(default=timezone.now)
    call_sid = models.CharField(max_length=34, null=True, blank=True, unique=True)
    phone = models.CharField(max_length=20)
    caller_time_zone = models.CharField(max_length=40)
    receipt_numbers = models.JSONField(default=list, blank=True)
    ivr_path = models.JSONField(default=list, blank=True, help_text=_("The IVR steps that led here."))
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "enqueued_at", "id"]
        indexes = [models.Index(fields=["queue_name", "status", "priority", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.queue_name} {self.status}"
