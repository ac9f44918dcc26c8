"""Staff: a profile beside each user account (tier, languages, time zone, the line an agent is reached on)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contactcenter.ledger.models import Language

US_TIME_ZONES = [
    ("America/New_York", _("Eastern")),
    ("America/Chicago", _("Central")),
    ("America/Denver", _("Mountain")),
    ("America/Phoenix", _("Mountain (Arizona)")),
    ("America/Los_Angeles", _("Pacific")),
    ("America/Anchorage", _("Alaska")),
    ("Pacific/Honolulu", _("Hawaii")),
    ("America/Puerto_Rico", _("Atlantic (Puerto Rico, USVI)")),
    ("Pacific/Guam", _("Chamorro (Guam, CNMI)")),
]


class Tier(models.IntegerChoices):
    NONE = 0, _("Not an agent")
    TIER1 = 1, _("Tier 1 (CSR)")
    TIER2 = 2, _("Tier 2 (ISO)")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.NONE)
    languages = models.JSONField(default=list, blank=True, help_text=_('Language codes spoken, e.g. ["en", "es"].'))
    skills = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            'Topic codes this agent is offered first when callers come about them, e.g. ["expedite", "naturalization"].'
        ),
    )
    time_zone = models.CharField(max_length=64, choices=US_TIME_ZONES, default="America/New_York")
    district = models.CharField(max_length=80, blank=True)
    title = models.CharField(max_length=120, blank=True)
    agent_line = models.CharField(
        _("desk phone or SIP line"),
        max_length=80,
        blank=True,
        help_text=_(
            "Leave empty to answer calls in the browser. Otherwise the U.S. phone number (e.g. +12025550123) "
            "or SIP address (e.g. sip:agent12@pbx.example.gov) that accepted calls are dialled to."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_tier_display()})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        bad = [code for code in self.languages if code not in Language.values]
        if bad:
            raise ValidationError({"languages": _("Unknown language codes: %(codes)s") % {"codes": ", ".join(bad)}})
        if self.agent_line:
            from contactcenter.routing.phones import agent_line_for

            line = agent_line_for(self.agent_line)
            if line is None:
                raise ValidationError(
                    {
                        "agent_line": _(
                            "Give a U.S. phone number (e.g. +12025550123) or a SIP address "
                            "(e.g. sip:agent12@pbx.example.gov), or leave it empty for the browser."
                        )
                    }
                )
            self.agent_line = line
