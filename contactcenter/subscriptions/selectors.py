"""Reads of case-status subscriptions and their notices (the case page and the timeline)."""

from __future__ import annotations

from django.db.models import QuerySet

from contactcenter.models import BenefitCase, StatusNotice, StatusSubscription, SubscriptionStatus

# A case page shows at most this many notices: a case followed for years by several people must not
# make the page read its whole history.
NOTICES_SHOWN = 50


def status_subscriptions_for_case(*, case: BenefitCase) -> QuerySet[StatusSubscription]:
    return StatusSubscription.objects.filter(case=case).exclude(status=SubscriptionStatus.ENDED).order_by("pk")


def status_notices_for_receipt_number(*, receipt_number: str) -> list[StatusNotice]:
    return list(
        StatusNotice.objects.filter(subscription__case__receipt_number=receipt_number)
        .select_related("event__status", "subscription")
        .order_by("-created_at", "-id")[:NOTICES_SHOWN]
    )


__all__ = ["status_notices_for_receipt_number", "status_subscriptions_for_case"]
