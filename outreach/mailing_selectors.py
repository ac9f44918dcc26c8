"""Reads of outreach mailings: who a segment reaches, a mailing's recipients and what may be done now."""

from __future__ import annotations

import json

from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    Contact,
    Mailing,
    MailingRecipient,
    MailingSegment,
    Membership,
    Organisation,
    RecipientStatus,
)
from .workflows import MAILING


def _holding(qs: QuerySet, *, field: str, codes: list[str]) -> QuerySet:
    """Rows whose JSON list `field` holds any of `codes` (containment where the database has it)."""
    codes = [code.strip().lower() for code in codes if code.strip()]
    if not codes:
        return qs
    contains = connections[qs.db].features.supports_json_field_contains
    match = Q()
    for code in codes:
        match |= Q(**{f"{field}__contains": [code]}) if contains else Q(**{f"{field}__icontains": json.dumps(code)})
    return qs.filter(match)


def segment_organisations(*, segment: MailingSegment) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if segment.kinds:
        qs = qs.filter(kind__in=segment.kinds)
    if segment.levels:
        qs = qs.filter(level__in=segment.levels)
    if segment.region:
        qs = qs.filter(region__iexact=segment.region)
    if segment.state:
        qs = qs.filter(state__iexact=segment.state)
    if segment.language:
        qs = _holding(qs, field="languages", codes=[segment.language])
    return qs


def segment_contacts(*, segment: MailingSegment) -> QuerySet[Contact]:
    """Live contacts of the segment's organisations (and interests), whether or not they may be mailed."""
    organisations = segment_organisations(segment=segment)
    members = Membership.objects.filter(organisation__in=organisations).values("contact_id")
    qs = Contact.objects.filter(merged_into__isnull=True, pk__in=members)
    return _holding(qs, field="interests", codes=segment.interests)


def mailable(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """The only people a mailing is ever sent to: consented to e-mail, an address that has not
    bounced, not unsubscribed, not merged into another contact."""
    return qs.filter(
        merged_into__isnull=True,
        consent_email=True,
        mail_unsubscribed_at__isnull=True,
        email_bounced_at__isnull=True,
    ).exclude(email="")


def segment_recipients(*, segment: MailingSegment) -> QuerySet[Contact]:
    return mailable(segment_contacts(segment=segment)).order_by("last_name", "first_name", "pk")


def segment_preview(*, segment: MailingSegment, sample_size: int = 10) -> dict:
    contacts = segment_contacts(segment=segment)
    recipients = segment_recipients(segment=segment)
    sample = list(
        recipients.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
        )[:sample_size]
    )
    return {"matching": contacts.count(), "recipients": recipients.count(), "sample": sample}


def segment_list() -> QuerySet[MailingSegment]:
    return MailingSegment.objects.annotate(mailing_count=Count("mailings")).order_by("name")


def segment_get(*, segment_id: int) -> MailingSegment:
    return MailingSegment.objects.get(pk=segment_id)


def mailing_list() -> QuerySet[Mailing]:
    return Mailing.objects.select_related("segment", "created_by").annotate(
        recipient_count=Count("recipients"),
        sent_count=Count("recipients", filter=Q(recipients__status=RecipientStatus.SENT)),
    )


def mailing_get(*, mailing_id: int) -> Mailing:
    return (
        Mailing.objects.select_related("segment", "program", "created_by", "sent_by")
        .prefetch_related("attachments")
        .get(pk=mailing_id)
    )


def mailing_recipients(*, mailing: Mailing) -> QuerySet[MailingRecipient]:
    return mailing.recipients.select_related("contact").order_by("id")


def mailing_status_counts(*, mailing: Mailing) -> dict[str, int]:
    counts = dict(mailing.recipients.values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in RecipientStatus.values}


def mailing_allowed_actions(*, mailing: Mailing, user) -> frozenset[str]:
    return MAILING.allowed_actions(mailing, user)
