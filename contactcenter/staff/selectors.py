"""Reads of staff: profiles and the agents' phone lines."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from contactcenter.models import (
    StaffProfile,
    Tier,
)


def staff_profile_for(*, user) -> StaffProfile | None:
    return StaffProfile.objects.select_related("user").filter(user=user).first()


def staff_agent_lines() -> QuerySet[StaffProfile]:
    """Tier 1 and Tier 2 agents with where their calls ring (a desk phone or SIP line, or the browser)."""
    return StaffProfile.objects.exclude(tier=Tier.NONE).select_related("user").order_by("user__username")


__all__ = [
    "staff_agent_lines",
    "staff_profile_for",
]
