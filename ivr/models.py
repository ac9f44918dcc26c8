from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.models import Interaction


class CallOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SELF_SERVED = "self_served", _("Self-served")
    TO_AGENT = "to_agent", _("Handed to a representative")
    CALLBACK = "callback", _("Callback requested")
    ABANDONED = "abandoned", _("Abandoned")
    AFTER_HOURS = "after_hours", _("After hours")


class Call(models.Model):
    """One phone call, keyed by Twilio's CallSid. The IVR's whole state lives here, not in memory."""

    call_sid = models.CharField(max_length=34)
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=2, blank=True)
    caller_time_zone = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=CallOutcome.choices, default=CallOutcome.IN_PROGRESS)
    twilio_status = models.CharField(max_length=20, blank=True)
    state = models.JSONField(default=dict, blank=True)
    step = models.PositiveIntegerField(default=0, help_text=_("Number of the last prompt sent."))
    path = models.JSONField(default=list, blank=True, help_text=_("Options the caller went through."))
    receipt_numbers = models.JSONField(default=list, blank=True)
    self_served = models.BooleanField(default=False, help_text=_("The caller got an answer from the IVR."))
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["started_at"]), models.Index(fields=["outcome", "started_at"])]
        # A constraint rather than unique=True: Postgres then keeps one index on call_sid, not a
        # second one for LIKE queries the webhooks never make.
        constraints = [models.UniqueConstraint(fields=["call_sid"], name="call_unique_sid")]

    def __str__(self) -> str:
        return self.call_sid


class CallEvent(models.Model):
    """One step of a call: what the caller entered (masked), what the IVR did, and the TwiML it
    answered with — replayed as is when Twilio retries the same step."""

    # The unique (call, step) index serves lookups by call: no index of its own.
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events", db_index=False)
    step = models.PositiveIntegerField()
    node = models.CharField(max_length=40)
    option = models.CharField(max_length=40, blank=True)
    input_masked = models.CharField(max_length=120, blank=True)
    result = models.CharField(max_length=200, blank=True)
    twiml = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "step"]
        constraints = [models.UniqueConstraint(fields=["call", "step"], name="call_event_unique_step")]

    def __str__(self) -> str:
        return f"{self.call_id}#{self.step} {self.node}"


class LookupAlert(models.Model):
    """Raised once per window when not-found case lookups across all callers went over
    IVR_NOT_FOUND_LOOKUPS_PER_HOUR (receipt numbers being walked from many, perhaps spoofed, numbers).
    Until the window ends the IVR answers no case lookup and offers a representative instead; the
    supervisors' wallboard shows it."""

    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    window_ends_at = models.DateTimeField()
    not_found_count = models.PositiveIntegerField()
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("case lookup alert")

    def __str__(self) -> str:
        return f"{self.not_found_count} not-found lookups (limit {self.limit}) at {self.raised_at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """An emergency announcement (a weather closure, an outage) every caller hears first, in English
    and Spanish, from `starts_at` until `ends_at`; supervisors enter and end it."""

    text_en = models.TextField(_("announcement in English"), max_length=600)
    text_es = models.TextField(_("announcement in Spanish"), max_length=600)
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("IVR announcement")
        indexes = [models.Index(fields=["ends_at"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} {self.text_en[:60]}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An announcement ends after it starts.")})

    def active_at(self, moment) -> bool:
        return self.starts_at <= moment < self.ends_at


class PromptOverride(models.Model):
    """A supervisor's wording of one of the IVR's prompts that change often (the hold messages), in
    place of the default in ivr/prompts.py; only the keys prompts.OVERRIDABLE names, with the same
    {placeholders} as the default."""

    key = models.CharField(_("prompt"), max_length=40, unique=True)
    text_en = models.TextField(_("text in English"), max_length=600)
    text_es = models.TextField(_("text in Spanish"), max_length=600)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("IVR prompt wording")

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .prompts import override_problems

        problems = override_problems(self.key, self.text_en, self.text_es)
        if problems:
            raise ValidationError(problems)
