"""Contacts waiting for a person: calls in a queue and callbacks that keep their place."""

from __future__ import annotations

import zoneinfo
from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Interaction, Language


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


class ConsultPurpose(models.TextChoices):
    """Why an agent brings a second person into their call (a consult, or a warm transfer after it)."""

    ISO = "iso", _("Consult an ISO")
    SUPERVISOR = "supervisor", _("Caller asked for a supervisor")


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
    skill = models.CharField(
        max_length=50,
        blank=True,
        help_text=_("The topic the caller came about (a topic code): an agent with that skill is offered it first."),
    )
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Times offered to an agent."))
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text=_("A callback is not dialled before."))
    # The primary disposition (reports and the ledger's outcome read it); `dispositions` holds it first,
    # then whatever else the conversation also did (a service request taken and an escalation, say).
    disposition = models.CharField(max_length=20, blank=True)
    dispositions = models.JSONField(default=list, blank=True)
    # The topic the agent found the caller came about, when the IVR's guess (the IVR entry's topic,
    # kept for containment analysis) was wrong: the conversation's ledger entry takes this one.
    wrap_up_topic = models.CharField(max_length=50, blank=True)
    wrap_up_notes = models.TextField(blank=True)
    wrap_up_seconds = models.PositiveIntegerField(null=True, blank=True)
    agent_interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The live conversation's own entry in the ledger."),
    )  # fmt: skip
    conference_sid = models.CharField(
        max_length=34, blank=True, help_text=_("The conference caller and agent meet in, once the phone network says.")
    )
    on_hold_since = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False, help_text=_("The agent's line is muted in the conference."))
    recording_paused = models.BooleanField(
        default=False, help_text=_("The agent paused the call's recording while the caller gives sensitive data.")
    )
    # A consult: the second person's part of another contact's call. They join that contact's
    # conference; on a warm transfer the caller's call moves to this contact.
    consult_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consults",
        help_text=_("The contact whose call this person was brought into."),
    )
    consult_purpose = models.CharField(max_length=10, choices=ConsultPurpose.choices, blank=True)

    class Meta:
        ordering = ["-priority", "enqueued_at", "id"]
        indexes = [
            models.Index(fields=["queue_name", "status", "priority", "enqueued_at"]),
            # The router's order: highest priority, then longest waiting.
            models.Index(
                fields=["queue_name", "status", "-priority", "enqueued_at", "id"], name="waitingcontact_route_idx"
            ),
            models.Index(fields=["status", "offer_expires_at"], name="waitingcontact_offer_idx"),
            models.Index(fields=["answered_at"], name="waitingcontact_answered_idx"),
            models.Index(fields=["ended_at"], name="waitingcontact_ended_idx"),
            # The queue report's edges and stale intervals, and the wallboard's contacts by hour.
            models.Index(fields=["enqueued_at"], name="waitingcontact_enqueued_idx"),
        ]
        constraints = [
            # An agent holds at most one contact at a time, whatever races the router loses.
            models.UniqueConstraint(
                fields=["offered_to"],
                condition=models.Q(status__in=["offered", "connected"]),
                name="waitingcontact_one_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.queue_name} {self.status}"


class QueueRollup(models.Model):
    """The queue report's counters for one 15-minute interval (UTC, by `enqueued_at`) × queue ×
    language, so a week is a sum of a few thousand rows, not a scan of every contact in it. Each
    counter's rule is contactcenter.routing.queue_rollups.COUNTERS; rows are recomputed from WaitingContact,
    never incremented. `answered_within` counts with the queue's service level at the recompute,
    kept in `service_level_seconds` (`abandoned_short` likewise, in `short_abandon_seconds`): a row
    whose thresholds are no longer the queue's is read as stale (counted from the contacts) until a
    refresh recomputes it with the new ones."""

    interval_start = models.DateTimeField()
    queue_name = models.CharField(max_length=40)
    language = models.CharField(max_length=2, choices=Language.choices)
    service_level_seconds = models.PositiveIntegerField()
    short_abandon_seconds = models.PositiveSmallIntegerField(default=5, db_default=5)
    contacts = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_within = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    abandoned_short = models.PositiveIntegerField(default=0, db_default=0)
    wait_sum = models.BigIntegerField(default=0)
    wait_count = models.PositiveIntegerField(default=0)
    handle_sum = models.BigIntegerField(default=0)
    handle_count = models.PositiveIntegerField(default=0)
    wrap_sum = models.BigIntegerField(default=0)
    wrap_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interval_start", "queue_name", "language"], name="queue_rollup_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.interval_start:%Y-%m-%d %H:%M} {self.queue_name} {self.language}"


class QueueRollupDay(models.Model):
    """`QueueRollup` summed over one local day (settings.TIME_ZONE) x queue x language, written
    with it in the same transaction, so a month of the queue report reads whole days from here.
    `service_level_seconds` (and `short_abandon_seconds`) is the threshold every interval of the
    day was counted with, NULL when they differ (the day is then read by interval until a refresh recomputes it)."""

    day = models.DateField()
    queue_name = models.CharField(max_length=40)
    language = models.CharField(max_length=2, choices=Language.choices)
    service_level_seconds = models.PositiveIntegerField(null=True)
    short_abandon_seconds = models.PositiveSmallIntegerField(null=True)
    contacts = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_within = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    abandoned_short = models.PositiveIntegerField(default=0, db_default=0)
    wait_sum = models.BigIntegerField(default=0)
    wait_count = models.PositiveIntegerField(default=0)
    handle_sum = models.BigIntegerField(default=0)
    handle_count = models.PositiveIntegerField(default=0)
    wrap_sum = models.BigIntegerField(default=0)
    wrap_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "queue_name", "language"], name="queue_rollup_day_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.queue_name} {self.language}"


class QueueRollupDirty(models.Model):
    """A mark that one interval's queue rollups may be stale, written in the transaction of the
    change: one row per write (no hot row writers wait on); a refresh deletes exactly the marks it
    read, so a write committing meanwhile keeps its own."""

    interval_start = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"dirty {self.interval_start:%Y-%m-%d %H:%M}"


# --- routing ------------------------------------------------------------------------------------
class AgentStatus(models.TextChoices):
    OFFLINE = "offline", _("Offline")
    AVAILABLE = "available", _("Available")
    OFFERED = "offered", _("Offered")
    ON_CALL = "on_call", _("On a call")
    WRAP_UP = "wrap_up", _("Wrap-up")
    BREAK = "break", _("On break")
    NOT_READY = "not_ready", _("Not ready")


class NotReadyReason(models.Model):
    """Why an agent is not taking contacts (break, meal, training, device problem, …): the center's
    supervisors keep the list; the agent picks one when going not ready."""

    code = models.SlugField(max_length=30, unique=True)
    label_en = models.CharField(max_length=80)
    label_es = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("not-ready reason")

    def __str__(self) -> str:
        return self.code

    def label_for(self, language: str) -> str:
        return self.label_es if (language or "").startswith("es") else self.label_en


class AgentState(models.Model):
    """Where an agent is in the routing cycle. Tier, languages and skills are copied from the staff
    profile whenever the agent becomes available, so routing reads one table."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state")
    state = models.CharField(max_length=10, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    state_since = models.DateTimeField(default=timezone.now)
    last_available_at = models.DateTimeField(null=True, blank=True, help_text=_("Longest idle is served first."))
    tier = models.PositiveSmallIntegerField(default=1)
    home_queue = models.CharField(
        max_length=40, blank=True, help_text=_("The queue of the agent's tier and first language.")
    )
    languages = models.CharField(max_length=40, blank=True, help_text=_('Spoken languages as ",en,es,".'))
    skills = models.CharField(
        max_length=600, blank=True, help_text=_('Skills (topic codes) as ",expedite,naturalization,".')
    )
    # A NotReadyReason code while not ready (or on a break: "break" or "meal"); blank otherwise.
    reason_code = models.CharField(max_length=30, blank=True, default="", db_default="")
    # The agent took their one extension of the queue's after-call time for this wrap-up.
    wrap_up_extended = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [models.Index(fields=["state", "home_queue", "last_available_at"], name="agentstate_idle_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.state}"


class AgentStateChange(models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state_changes")
    from_state = models.CharField(max_length=10, choices=AgentStatus.choices)
    to_state = models.CharField(max_length=10, choices=AgentStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)
    reason_code = models.CharField(max_length=30, blank=True, default="", db_default="")
    contact = models.ForeignKey(WaitingContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agent", "at"])]

    def __str__(self) -> str:
        return f"{self.agent} {self.from_state} → {self.to_state} {self.at:%H:%M:%S}"


class QueueConfig(models.Model):
    name = models.CharField(max_length=40, unique=True, help_text='e.g. "tier1-en"')
    tier = models.PositiveSmallIntegerField(default=1)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    service_level_seconds = models.PositiveIntegerField(default=60)
    service_level_target_percent = models.PositiveSmallIntegerField(
        default=80,
        db_default=80,
        help_text=_("The wallboard raises an alert when today's service level falls below this percentage."),
    )
    short_abandon_seconds = models.PositiveSmallIntegerField(
        default=5,
        db_default=5,
        help_text=_(
            "A caller who hangs up within this many seconds is a short abandon: left out of the abandonment "
            "rate and the service level."
        ),
    )
    longest_wait_amber_seconds = models.PositiveIntegerField(
        default=60, db_default=60, help_text=_("The wallboard shows the longest wait in amber from this many seconds.")
    )
    longest_wait_red_seconds = models.PositiveIntegerField(
        default=120, db_default=120, help_text=_("The wallboard shows the longest wait in red from this many seconds.")
    )
    abandonment_amber_percent = models.PositiveSmallIntegerField(
        default=5, db_default=5, help_text=_("The wallboard shows today's abandonment rate in amber from this rate.")
    )
    abandonment_red_percent = models.PositiveSmallIntegerField(
        default=10, db_default=10, help_text=_("The wallboard shows today's abandonment rate in red from this rate.")
    )
    offer_timeout_seconds = models.PositiveIntegerField(default=20)
    after_call_work_seconds = models.PositiveIntegerField(
        default=120, db_default=120, help_text=_("Wrap-up longer than this ends by itself (unless extended once).")
    )
    overflow_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    overflow_to = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Queues whose bilingual agents may also take this queue's contacts after the overflow wait."),
    )
    opens_at = models.TimeField(default=time(8, 0))
    closes_at = models.TimeField(default=time(20, 0))
    hours_time_zone = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("Blank: each caller's own time zone (Tier 1's rule); else one zone, e.g. America/New_York."),
    )
    open_on_weekends = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue configuration")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.overflow_to, list) or not all(isinstance(name, str) for name in self.overflow_to):
            raise ValidationError({"overflow_to": _('A list of queue names, e.g. ["tier1-en"].')})
        if self.name in self.overflow_to:
            raise ValidationError({"overflow_to": _("A queue cannot overflow to itself.")})
        errors = {}
        if self.opens_at is not None and self.closes_at is not None and self.opens_at >= self.closes_at:
            errors["closes_at"] = _("A queue closes after it opens, on the same day.")
        if self.hours_time_zone and self.hours_time_zone not in zoneinfo.available_timezones():
            errors["hours_time_zone"] = _("Not a time zone name, e.g. America/New_York.")
        if (
            self.longest_wait_amber_seconds is not None
            and self.longest_wait_red_seconds is not None
            and self.longest_wait_red_seconds < self.longest_wait_amber_seconds
        ):
            errors["longest_wait_red_seconds"] = _("Red starts at or after amber.")
        if (
            self.abandonment_amber_percent is not None
            and self.abandonment_red_percent is not None
            and self.abandonment_red_percent < self.abandonment_amber_percent
        ):
            errors["abandonment_red_percent"] = _("Red starts at or after amber.")
        if errors:
            raise ValidationError(errors)

    @property
    def hours(self):
        from contactcenter.routing.opening_hours import QueueHours

        return QueueHours(
            opens=self.opens_at, closes=self.closes_at, time_zone=self.hours_time_zone, weekends=self.open_on_weekends
        )


class CenterClosure(models.Model):
    """A one-off closure of live help (weather, an emergency, a shutdown) that supervisors enter: the
    named queues (none: all) take no calls from `starts_at` on the first day to `ends_at` on the last,
    in the zone each queue's hours are kept in; the IVR says the reason."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    starts_at = models.TimeField(_("closed from"), null=True, blank=True, help_text=_("Blank: the whole first day."))
    ends_at = models.TimeField(_("open again at"), null=True, blank=True, help_text=_("Blank: the whole last day."))
    reason_en = models.CharField(_("reason in English"), max_length=200)
    reason_es = models.CharField(_("reason in Spanish"), max_length=200)
    queues = models.JSONField(
        _("queues"), default=list, blank=True, help_text=_('Queue names, e.g. ["tier1-es"]; empty: every queue.')
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_day", "starts_at", "id"]
        verbose_name = _("center closure")
        indexes = [models.Index(fields=["last_day"])]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} {self.reason_en}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if not isinstance(self.queues, list) or not all(isinstance(name, str) for name in self.queues):
            errors["queues"] = _('A list of queue names, e.g. ["tier1-en"].')
        if self.first_day and self.last_day:
            if self.last_day < self.first_day:
                errors["last_day"] = _("The last day is on or after the first day.")
            elif self.last_day == self.first_day and self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
                errors["ends_at"] = _("On a one-day closure, the queues open again after they close.")
        if errors:
            raise ValidationError(errors)

    def applies_to(self, queue_name: str) -> bool:
        return not self.queues or queue_name in self.queues

    @property
    def closure(self):
        from contactcenter.routing.opening_hours import Closure

        return Closure(
            first_day=self.first_day,
            last_day=self.last_day,
            starts=self.starts_at,
            ends=self.ends_at,
            reason_en=self.reason_en,
            reason_es=self.reason_es,
        )


class CallControlAction(models.TextChoices):
    CONNECT_AGENT = "connect_agent", _("Put the caller through to the agent")
    TRANSFER = "transfer", _("Warm transfer to another queue")
    DIAL_CALLBACK = "dial_callback", _("Dial the caller back for the agent")
    HOLD = "hold", _("Put the caller on hold")
    RESUME = "resume", _("Take the caller off hold")
    MUTE = "mute", _("Mute the agent")
    UNMUTE = "unmute", _("Unmute the agent")
    REQUEUE = "requeue", _("Put the caller back in line")
    END_CONFERENCE = "end_conference", _("End the call")
    QUEUE_TRANSFER = "queue_transfer", _("Cold transfer to another queue")
    RECORD_START = "record_start", _("Start recording the call")
    RECORD_PAUSE = "record_pause", _("Pause the recording")
    RECORD_RESUME = "record_resume", _("Resume the recording")
    CONSULT_DIAL = "consult_dial", _("Ring the consulted person into the call")
    LINE_REMOVE = "line_remove", _("Take a line out of the call")
    MONITOR_JOIN = "monitor_join", _("Bring a supervisor into the call, listening")
    MONITOR_LISTEN = "monitor_listen", _("Supervisor listens only")
    MONITOR_WHISPER = "monitor_whisper", _("Supervisor speaks to the agent only")
    MONITOR_BARGE = "monitor_barge", _("Supervisor speaks to the caller and the agent")
    MONITOR_LEAVE = "monitor_leave", _("Supervisor leaves the call")
    DIAL_AGENT = "dial_agent", _("Dial the agent's desk phone or SIP line")


class CallControlStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CallControl(models.Model):
    """One instruction to the phone network about a live contact, carried out after commit by a
    worker (the local backend records it; Twilio's is a REST call)."""

    contact = models.ForeignKey(WaitingContact, on_delete=models.CASCADE, related_name="call_controls")
    action = models.CharField(max_length=16, choices=CallControlAction.choices)
    call_sid = models.CharField(max_length=34, blank=True)
    target = models.CharField(max_length=80, help_text=_("Agent identity, line or queue name."))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    backend = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=8, choices=CallControlStatus.choices, default=CallControlStatus.PENDING)
    provider_sid = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} → {self.target} ({self.status})"

    @property
    def failed(self) -> bool:
        """Given up on after its last try: the console tells the agent what to do instead."""
        return self.status == CallControlStatus.FAILED


class ConferenceEvent(models.Model):
    """One status callback of a contact's conference, kept once however often Twilio posts it (the
    key is Twilio's SequenceNumber in the conference, or the participant's CallSid and the event)."""

    contact = models.ForeignKey(WaitingContact, on_delete=models.CASCADE, related_name="conference_events")
    key = models.CharField(max_length=120, unique=True)
    conference_sid = models.CharField(max_length=34)
    event = models.CharField(max_length=30)
    call_sid = models.CharField(max_length=34, blank=True)
    participant = models.CharField(max_length=10, blank=True, help_text=_("caller or agent"))
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=200, blank=True, help_text=_("What the event changed, if anything."))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.conference_sid} {self.event} {self.participant}"


class RecordingStatus(models.TextChoices):
    IN_PROGRESS = "in-progress", _("Recording")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("No audio")
    FAILED = "failed", _("Failed")


class CallRecording(models.Model):
    """One dual-channel recording of a live call (the caller on one channel, the conference on the
    other), as the phone network's recording status callbacks describe it. The media stays with the
    phone network and is only ever streamed through our server to a permitted, audited listener;
    `media_url` is never handed to a browser. Rows and media are deleted after
    RECORDING_RETENTION_DAYS."""

    contact = models.ForeignKey(WaitingContact, on_delete=models.CASCADE, related_name="recordings")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The live conversation's entry in the ledger."),
    )  # fmt: skip
    recording_sid = models.CharField(max_length=34, unique=True)
    call_sid = models.CharField(max_length=34, blank=True)
    status = models.CharField(max_length=12, choices=RecordingStatus.choices, default=RecordingStatus.IN_PROGRESS)
    channels = models.PositiveSmallIntegerField(default=2)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    media_url = models.URLField(max_length=300, blank=True, help_text=_("At the phone network; never shown."))
    backend = models.CharField(max_length=10, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "id"]
        indexes = [models.Index(fields=["started_at"], name="callrecording_started_idx")]

    def __str__(self) -> str:
        return f"{self.recording_sid} ({self.status})"

    @property
    def playable(self) -> bool:
        """The phone network has the whole recording (the local backend's silence is there at once)."""
        return self.status == RecordingStatus.COMPLETED or self.backend == "local"


class MonitorMode(models.TextChoices):
    LISTEN = "listen", _("Listening")
    WHISPER = "whisper", _("Whispering to the agent")
    BARGE = "barge", _("Speaking to the caller and the agent")


class MonitorSession(models.Model):
    """A supervisor in a live call's conference from the wallboard: listening (muted, coaching the
    agent), whispering (coaching: only the agent hears) or barged in (everyone hears). Open while
    `ended_at` is empty; a supervisor is in at most one call at a time."""

    contact = models.ForeignKey(WaitingContact, on_delete=models.CASCADE, related_name="monitor_sessions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conference = models.CharField(max_length=40, help_text=_("The conference's name when the supervisor joined."))
    mode = models.CharField(max_length=10, choices=MonitorMode.choices, default=MonitorMode.LISTEN)
    started_at = models.DateTimeField(default=timezone.now)
    mode_since = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor"], condition=models.Q(ended_at__isnull=True), name="monitorsession_one_open"
            )
        ]
        indexes = [
            models.Index(fields=["contact"], condition=models.Q(ended_at__isnull=True), name="monitorsession_open_idx")
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} {self.mode} contact {self.contact_id}"
