"""The audit trail: one append-only row per write, and per view of PII (AU-2, AU-3, AU-9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditChannel(models.TextChoices):
    WEB = "web", _("Web console")
    API = "api", _("API")
    IVR = "ivr", _("IVR")
    TASK = "task", _("Background task")
    COMMAND = "command", _("Management command")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    ACCESS_DENIED = "access_denied", _("Access denied")


class AuditEvent(models.Model):
    """Who viewed or changed which PII-bearing record, when, from where, through which channel."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    channel = models.CharField(max_length=10, choices=AuditChannel.choices)
    target_type = models.CharField(max_length=100, blank=True, help_text=_("app_label.model"))
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text=_("Masked description."))
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username or 'system'} {self.action} {self.target_type}"
