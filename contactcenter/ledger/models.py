"""The interaction ledger: every contact on any channel, one row each, with its topic, outcome and the
receipt numbers and A-numbers it was about; and the rollups the cross-channel figures read."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class Topic(models.Model):
    """The one topic taxonomy every channel (IVR, agents, casework, outreach) records against."""

    code = models.SlugField(max_length=50, unique=True)
    name_en = models.CharField(max_length=120)
    name_es = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_en

    def name_for(self, language: str) -> str:
        return self.name_es if language == Language.SPANISH else self.name_en


class Channel(models.TextChoices):
    IVR = "ivr", _("IVR self-service")
    TIER1 = "tier1", _("Tier 1 live (CSR)")
    TIER2 = "tier2", _("Tier 2 live (ISO)")
    WRITTEN = "written", _("Written correspondence (CAO)")
    OUTREACH = "outreach", _("Outreach referral (PED)")
    WEB = "web", _("Web self-service")
    OFFICE = "office", _("Service center / field office")


class Outcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SELF_SERVED = "self_served", _("Self-served")
    RESOLVED = "resolved", _("Resolved")
    TRANSFERRED = "transferred", _("Transferred to a representative")
    ESCALATED = "escalated", _("Escalated to Tier 2")
    REFERRED = "referred", _("Referred to another office")
    SERVICE_REQUEST = "service_request", _("Service request taken")
    ABANDONED = "abandoned", _("Abandoned")
    AFTER_HOURS = "after_hours", _("After hours")
    CALLBACK = "callback", _("Callback scheduled")


RESOLVING_OUTCOMES = frozenset({Outcome.SELF_SERVED, Outcome.RESOLVED, Outcome.SERVICE_REQUEST})
# A contact about a receipt number followed by another first contact about it within this window
# was not resolved at first contact.
REPEAT_WINDOW = timedelta(days=7)


class Interaction(models.Model):
    """One customer contact on any channel: the ledger every cross-channel question reads."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    # Indexed by (topic, occurred_at) below: an index of its own would only slow every insert.
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="interactions", db_index=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handoffs",
        help_text=_("The contact this one was handed off from (IVR → Tier 1 → Tier 2 → CAO)."),
    )
    source_app = models.CharField(max_length=30)
    source_model = models.CharField(max_length=50)
    source_id = models.CharField(max_length=64)
    source_url = models.CharField(max_length=300, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    # The channel limits who may read the contact itself (a sensitive CAO inquiry): every ledger
    # reader but the roles whose scope reads confidential entries sees only that it exists.
    confidential = models.BooleanField(default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Another first contact about one of its receipt numbers came within REPEAT_WINDOW after it:
    # decided when contacts are recorded (ledger.services), so FCR never scans the week on a read.
    followed_by_repeat = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_app", "source_model", "source_id"], name="interaction_unique_source"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "occurred_at"]),
            models.Index(fields=["topic", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
            # First-contact resolution over a period: first contacts only, covering all it reads (an
            # index-only scan: the hand-off probe needs the id; a key column, SQLite has no INCLUDE).
            models.Index(
                fields=["occurred_at", "outcome", "followed_by_repeat", "id"],
                condition=models.Q(parent__isnull=True),
                name="interaction_first_contact_idx",
            ),
            # A caller's timeline: every contact from one phone number.
            models.Index(
                fields=["contact_phone", "occurred_at"],
                condition=~models.Q(contact_phone=""),
                name="interaction_phone_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M} {self.topic.code}"


class LedgerRollup(models.Model):
    """The ledger's counters for one 15-minute interval (UTC) x channel x language x topic, so a
    period's figures are sums of a few hundred rows, not a scan of every contact in it. Each
    counter's rule is contactcenter.ledger.rollups.COUNTERS; the rows are recomputed from `Interaction`,
    never incremented, so a lost update cannot skew them."""

    interval_start = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_index=False)
    contacts = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    self_served = models.PositiveIntegerField(default=0)
    tier2_escalated = models.PositiveIntegerField(default=0)
    firsts = models.PositiveIntegerField(default=0)
    firsts_resolved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interval_start", "channel", "language", "topic"], name="ledger_rollup_unique_key"
            )
        ]
        # No index of its own on interval_start: the unique key's index leads with it.

    def __str__(self) -> str:
        return f"{self.interval_start:%Y-%m-%d %H:%M} {self.channel} {self.language} {self.topic_id}"


class LedgerRollupChannel(models.Model):
    """`LedgerRollup` summed over language and topic: what the rates read, a handful of rows per
    interval however many topics a busy interval touches. Written with it, in the same transaction."""

    interval_start = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contacts = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    self_served = models.PositiveIntegerField(default=0)
    tier2_escalated = models.PositiveIntegerField(default=0)
    firsts = models.PositiveIntegerField(default=0)
    firsts_resolved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interval_start", "channel"], name="ledger_rollup_channel_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.interval_start:%Y-%m-%d %H:%M} {self.channel}"


class LedgerRollupDay(models.Model):
    """`LedgerRollup` summed over one local day (settings.TIME_ZONE) x channel x language x topic,
    written with it in the same transaction: a week or a year of figures reads whole days from
    here and only the partial days at its edges by interval, so a read stays a few hundred rows
    however dense the history. A changed TIME_ZONE needs `manage.py rollups_rebuild --all`."""

    day = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", db_index=False)
    contacts = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    self_served = models.PositiveIntegerField(default=0)
    tier2_escalated = models.PositiveIntegerField(default=0)
    firsts = models.PositiveIntegerField(default=0)
    firsts_resolved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "language", "topic"], name="ledger_rollup_day_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.channel} {self.language} {self.topic_id}"


class LedgerRollupDirty(models.Model):
    """A mark that the rollup rows of one interval may be stale, written in the transaction of the
    change. One row per write, never a shared row per interval: a refresh deletes exactly the marks
    it read, so a write committing while it runs keeps its own mark, and writers never wait on each
    other for a hot row."""

    interval_start = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"dirty {self.interval_start:%Y-%m-%d %H:%M}"


class IdentifierKind(models.TextChoices):
    RECEIPT_NUMBER = "receipt", _("Receipt number")
    A_NUMBER = "a_number", _("A-number")


class InteractionIdentifier(models.Model):
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=13)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interaction", "kind", "value"], name="interaction_identifier_unique")
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
