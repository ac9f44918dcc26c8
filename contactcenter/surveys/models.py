"""Customer feedback after a contact (OMB Circular A-11 §280): the standard satisfaction and trust
questions, answered on a 1-5 scale by keypad at the end of an IVR call or by text after a live one."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Channel, Interaction, Language, Topic
from contactcenter.reference.models import receipt_number_validator

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
# A-11 §280 reports the share of answers that agree (4 "agree" or 5 "strongly agree").
SATISFIED_FROM = 4
# A text reply counts for the latest invitation sent to the number within this many hours.
SURVEY_TEXT_REPLY_HOURS = 72


class SurveyMethod(models.TextChoices):
    KEYPAD = "keypad", _("Phone keypad or voice, at the end of the call")
    TEXT = "text", _("Text message, after the call")


class SurveyQuestion(models.TextChoices):
    SATISFACTION = "satisfaction", _("I am satisfied with the service I received")
    TRUST = "trust", _("This interaction increased my trust in USCIS")


class SurveyResponse(models.Model):
    """One contact's answers, keyed by the channel's own record (an IVR call's CallSid, a live
    contact's id), so a retried submission finds its row instead of adding one. A row whose
    questions are all unanswered is an invitation sent by text and not (yet) answered."""

    source_app = models.CharField(max_length=30)
    source_model = models.CharField(max_length=50)
    source_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    queue_name = models.CharField(max_length=40, blank=True, help_text=_("The queue the caller reached, if any."))
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt_number = models.CharField(max_length=13, blank=True, validators=[receipt_number_validator])
    interaction = models.ForeignKey(Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=10, choices=SurveyMethod.choices)
    # Where the text invitation went: the reply from this number is the answer. Blank for keypad.
    text_to = models.CharField(max_length=20, blank=True)
    # The MessageSid of the last text reply taken: Twilio retrying that webhook is not a second answer.
    last_reply_sid = models.CharField(max_length=34, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    trust = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_app", "source_model", "source_id"], name="survey_response_unique_source"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__range=(1, 5)),
                name="survey_response_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(trust__isnull=True) | models.Q(trust__range=(1, 5)),
                name="survey_response_trust_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["receipt_number"], condition=~models.Q(receipt_number=""), name="survey_receipt_idx"),
            models.Index(fields=["text_to", "created_at"], condition=~models.Q(text_to=""), name="survey_text_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} survey {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def answered(self) -> bool:
        return self.satisfaction is not None or self.trust is not None
