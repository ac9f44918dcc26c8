"""Reads of PED outreach that views, the API and tasks share. No case PII is read here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contactcenter import selectors as core_selectors
from contactcenter.models import Channel, Topic
from contactcenter.staff.roles import Role

from .models import (
    AgencyOffice,
    CaseReferral,
    Contact,
    CroProfile,
    Engagement,
    EngagementLanguage,
    EngagementMessage,
    EngagementMessageDelivery,
    EngagementStatus,
    FeedbackItem,
    FeedbackStatus,
    Mailing,
    Membership,
    Organisation,
    PartnerInteraction,
    PartnerReportBack,
    PartnerReportBackDelivery,
    Program,
    Registration,
    RegistrationStatus,
    ReportBack,
    ReportBackDelivery,
)
from .workflows import ENGAGEMENT, FEEDBACK, REFERRAL, REGISTRATION, agency_offices_of

CALL_CHANNELS = [Channel.IVR, Channel.TIER1, Channel.TIER2]
INQUIRY_CHANNELS = [Channel.WRITTEN, Channel.WEB]


def _speaking(qs: QuerySet, *, field: str, language: str) -> QuerySet:
    """Rows whose JSON list of language codes (stored lower-case) holds `language`. JSON containment
    where the database has it; elsewhere (SQLite, the embedded dev database) the JSON-quoted code
    inside the list's text, so "e" does not match "en"."""
    code = language.strip().lower()
    if not code:
        return qs
    if connections[qs.db].features.supports_json_field_contains:
        return qs.filter(**{f"{field}__contains": [code]})
    return qs.filter(**{f"{field}__icontains": json.dumps(code)})


def organisation_list(
    *, kind: str = "", region: str = "", language: str = "", district: str = ""
) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("owner").annotate(member_count=Count("memberships"))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__iexact=region)
    if district:
        qs = qs.filter(district__iexact=district)
    if language:
        qs = _speaking(qs, field="languages", language=language)
    return qs.order_by("name")


def organisation_get(*, organisation_id: int) -> Organisation:
    return (
        Organisation.objects.select_related("owner")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("contact")),
            Prefetch("interactions", queryset=PartnerInteraction.objects.select_related("cro", "contact")),
        )
        .get(pk=organisation_id)
    )


def contact_list(*, search: str = "", include_merged: bool = False) -> QuerySet[Contact]:
    qs = Contact.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
    )
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if search:
        qs = qs.filter(Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(email__icontains=search))
    return qs


def contact_get(*, contact_id: int) -> Contact:
    return contact_list(include_merged=True).select_related("merged_into").get(pk=contact_id)


def contact_duplicates(*, contact: Contact) -> list[Contact]:
    """Other live contacts sharing this one's e-mail, telephone or full name."""
    match = Q(first_name__iexact=contact.first_name, last_name__iexact=contact.last_name)
    if contact.email:
        match |= Q(email=contact.email)
    if contact.phone:
        match |= Q(phone=contact.phone)
    return list(contact_list().filter(match).exclude(pk=contact.pk))


def contact_duplicate_groups() -> list[list[Contact]]:
    """Live contacts that share a telephone number or a full name, grouped."""
    groups: dict[tuple, list[Contact]] = {}
    for contact in contact_list().order_by("pk"):
        for key in (("phone", contact.phone), ("name", contact.first_name.lower(), contact.last_name.lower())):
            if key[1]:
                groups.setdefault(key, []).append(contact)
    seen: set[frozenset[int]] = set()
    result = []
    for members in groups.values():
        ids = frozenset(c.pk for c in members)
        if len(members) > 1 and ids not in seen:
            seen.add(ids)
            result.append(members)
    return result


def cro_list() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(groups__name=Role.CRO.value, is_active=True)
        .select_related("cro_profile")
        .annotate(
            partner_count=Count("outreach_partners", distinct=True),
        )
        .order_by("last_name", "first_name")
        .distinct()
    )


def cro_get(*, user_id: int):
    return get_user_model().objects.select_related("cro_profile").get(pk=user_id, groups__name=Role.CRO.value)


def cro_partners(*, cro) -> QuerySet[Organisation]:
    return organisation_list().filter(owner=cro)


def cro_interactions(*, cro) -> QuerySet[PartnerInteraction]:
    return PartnerInteraction.objects.filter(cro=cro).select_related("organisation", "contact")


def follow_ups_due(*, cro=None, on_or_before: date | None = None) -> QuerySet[PartnerInteraction]:
    on_or_before = on_or_before or timezone.localdate() + timedelta(days=7)
    qs = PartnerInteraction.objects.filter(
        follow_up_due__isnull=False, follow_up_done_at__isnull=True, follow_up_due__lte=on_or_before
    ).select_related("organisation", "contact", "cro")
    return (qs.filter(cro=cro) if cro is not None else qs).order_by("follow_up_due")


def cro_profile_for(*, user) -> CroProfile | None:
    return CroProfile.objects.filter(user=user).first()


def engagement_list(*, district: str = "", upcoming_only: bool = False) -> QuerySet[Engagement]:
    qs = Engagement.objects.select_related("topic", "organiser").annotate(
        registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)),
        waitlisted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )
    if district:
        qs = qs.filter(district__iexact=district)
    if upcoming_only:  # still to happen: not over, not cancelled
        qs = qs.filter(ends_at__gte=timezone.now(), cancelled_at__isnull=True)
    return qs.order_by("starts_at")


def engagement_get(*, engagement_id: int) -> Engagement:
    return engagement_list().prefetch_related("partners").get(pk=engagement_id)


def engagement_public_list(*, now: datetime | None = None, state: str = "", language: str = "") -> QuerySet[Engagement]:
    """What the public sees: published engagements not yet over, by state and by the language they
    are held in (a bilingual one is held in both)."""
    qs = engagement_list().filter(status=EngagementStatus.PUBLISHED, ends_at__gte=now or timezone.now())
    if state:
        qs = qs.filter(state=state)
    if language in (EngagementLanguage.ENGLISH, EngagementLanguage.SPANISH):
        qs = qs.filter(language__in=[language, EngagementLanguage.BILINGUAL])
    return qs


def engagement_public_get(*, engagement_id: int) -> Engagement:
    """A published engagement; a draft does not exist for the public (Engagement.DoesNotExist)."""
    return (
        engagement_list().prefetch_related("partners").filter(status=EngagementStatus.PUBLISHED).get(pk=engagement_id)
    )


def engagement_allowed_actions(*, engagement: Engagement, user) -> frozenset[str]:
    return ENGAGEMENT.allowed_actions(engagement, user)


def engagement_messages(*, engagement: Engagement) -> QuerySet[EngagementMessage]:
    return engagement.messages.select_related("sent_by").annotate(
        recipients=Count("deliveries"), delivered=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False))
    )


def engagement_registrations(*, engagement: Engagement) -> QuerySet[Registration]:
    return engagement.registrations.order_by("status", "created_at", "id")


def registration_allowed_actions(*, registration: Registration, user) -> frozenset[str]:
    """What `user` (None: the system or the registrant's own link) may do to the registration now."""
    return REGISTRATION.allowed_actions(registration, user)


def engagement_mail_failures(*, engagement: Engagement) -> int:
    """E-mails about this engagement given up on after their last try (registrants, messages, report back)."""
    return (
        engagement.registrations.filter(mail_failed_at__isnull=False).count()
        + ReportBackDelivery.objects.filter(
            report__engagement=engagement, failed_at__isnull=False, sent_at__isnull=True
        ).count()
        + EngagementMessageDelivery.objects.filter(
            message__engagement=engagement, failed_at__isnull=False, sent_at__isnull=True
        ).count()
    )


def feedback_list(*, status: str = "", engagement: Engagement | None = None) -> QuerySet[FeedbackItem]:
    qs = FeedbackItem.objects.select_related("topic", "engagement", "organisation", "recorded_by", "responded_by")
    if status:
        qs = qs.filter(status=status)
    if engagement is not None:
        qs = qs.filter(engagement=engagement)
    return qs


def feedback_reported_back(*, engagement: Engagement) -> QuerySet[FeedbackItem]:
    """What a report back tells the public and the attendees: the items it published, never
    feedback still new, under review or only drafted."""
    return feedback_list(status=FeedbackStatus.REPORTED_BACK, engagement=engagement).order_by("received_at", "pk")


def feedback_get(*, feedback_id: int) -> FeedbackItem:
    return feedback_list().get(pk=feedback_id)


def feedback_allowed_actions(*, item: FeedbackItem, user) -> frozenset[str]:
    return FEEDBACK.allowed_actions(item, user)


def feedback_pipeline() -> list[tuple[str, str, int]]:
    counts = dict(FeedbackItem.objects.values_list("status").annotate(n=Count("id")))
    return [(value, label, counts.get(value, 0)) for value, label in FeedbackStatus.choices]


@dataclass
class TopicVolume:
    topic: Topic
    start: datetime
    end: datetime
    calls: int = 0
    inquiries: int = 0
    by_month: list[tuple[datetime, int, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.calls + self.inquiries


def contact_center_volume(*, topic: Topic, start: datetime, end: datetime) -> TopicVolume:
    """Calls (IVR and live) and written inquiries on a topic and its subtopics in a period, from
    the core's interaction ledger; outreach's own referrals are not counted."""
    codes = [
        topic.code,
        *core_selectors.topic_list(active_only=False).filter(parent=topic).values_list("code", flat=True),
    ]
    rows = core_selectors.contact_volume_by_topic(
        start=start, end=end, period="month", topic_codes=codes, channels=[*CALL_CHANNELS, *INQUIRY_CHANNELS]
    )
    volume = TopicVolume(topic=topic, start=start, end=end)
    months: dict[datetime, list[int]] = {}
    for row in rows:
        slot = months.setdefault(row["period"], [0, 0])
        if row["channel"] in CALL_CHANNELS:
            volume.calls += row["contacts"]
            slot[0] += row["contacts"]
        else:
            volume.inquiries += row["contacts"]
            slot[1] += row["contacts"]
    volume.by_month = [(month, calls, inquiries) for month, (calls, inquiries) in sorted(months.items())]
    return volume


def feedback_period(*, item: FeedbackItem) -> tuple[datetime, datetime]:
    """The period set beside a feedback item by default: the 90 days up to the day it was heard."""
    end = timezone.localtime(item.received_at).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return end - timedelta(days=91), end


def report_back_get(*, engagement: Engagement) -> ReportBack | None:
    return ReportBack.objects.filter(engagement=engagement).prefetch_related("deliveries").first()


def report_back_by_uid(*, uid) -> ReportBack | None:
    return (
        ReportBack.objects.select_related("engagement", "engagement__topic")
        .filter(engagement__uid=uid, published_at__isnull=False)
        .first()
    )


def referral_list(*, open_only: bool = False) -> QuerySet[CaseReferral]:
    qs = CaseReferral.objects.select_related("topic", "engagement", "referred_by", "callback", "interaction")
    return qs.filter(status="referred") if open_only else qs


def referral_allowed_actions(*, referral: CaseReferral, user) -> frozenset[str]:
    return REFERRAL.allowed_actions(referral, user)


def engagements_per_district_month() -> list[dict]:
    return list(
        Engagement.objects.annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("district", "month")
        .annotate(engagements=Count("id"))
        .order_by("month", "district")
    )


def partners_by_type() -> list[dict]:
    return list(Organisation.objects.values("kind").annotate(partners=Count("id")).order_by("-partners", "kind"))


def segment_members(*, kind: str = "", region: str = "", language: str = "") -> QuerySet[Membership]:
    """Contacts of the organisations in a segment, for export (live contacts only)."""
    qs = Membership.objects.filter(contact__merged_into__isnull=True).select_related("contact", "organisation")
    if kind:
        qs = qs.filter(organisation__kind=kind)
    if region:
        qs = qs.filter(organisation__region__iexact=region)
    if language:
        qs = _speaking(qs, field="organisation__languages", language=language)
    return qs.order_by("organisation__name", "contact__last_name")


# --- the owning office's inbox ------------------------------------------------------------------
def office_inbox(*, user, unread_only: bool = False) -> QuerySet[FeedbackItem]:
    """Feedback routed to the offices `user` answers for, newest routing first."""
    qs = feedback_list().filter(owning_office__in=agency_offices_of(user), routed_at__isnull=False)
    if unread_only:
        qs = qs.filter(office_opened_at__isnull=True)
    return qs.order_by("-routed_at", "-pk")


def agency_offices_for(*, user) -> list[str]:
    """The names of the offices of the agency `user` answers feedback for."""
    return [label for value, label in AgencyOffice.choices if value in agency_offices_of(user)]


def office_inbox_unread_count(*, user) -> int:
    return office_inbox(user=user, unread_only=True).count()


def office_inbox_item(*, user, feedback_id: int) -> FeedbackItem:
    """One item of `user`'s inbox; another office's feedback does not exist for them."""
    return office_inbox(user=user).get(pk=feedback_id)


# --- programs -------------------------------------------------------------------------------------
def program_list() -> QuerySet[Program]:
    return (
        Program.objects.select_related("owner")
        .annotate(engagement_count=Count("engagements", distinct=True))
        .order_by("-starts_on", "name")
    )


def program_get(*, program_id: int) -> Program:
    return Program.objects.select_related("owner").get(pk=program_id)


def program_engagements(*, program: Program) -> list[tuple[Engagement, int]]:
    """The program's engagements with their registration and attendance counts, and each one's
    feedback count (counted apart: a second join would multiply the registration counts)."""
    engagements = list(
        engagement_list()
        .filter(program=program)
        .annotate(
            attended=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.REGISTERED, registrations__attended=True),
            )
        )
    )
    feedback = dict(
        FeedbackItem.objects.filter(engagement__program=program).values_list("engagement_id").annotate(n=Count("id"))
    )
    return [(engagement, feedback.get(engagement.pk, 0)) for engagement in engagements]


def program_mailings(*, program: Program) -> QuerySet[Mailing]:
    """The program's mailings, newest first, each with how many people it went (or goes) to."""
    return (
        Mailing.objects.filter(program=program)
        .annotate(recipient_count=Count("recipients"))
        .order_by("-created_at", "-id")
    )


@dataclass
class ProgramTotals:
    engagements: int
    registered: int
    waitlisted: int
    attended: int
    feedback: list[tuple[str, str, int]]

    @property
    def feedback_total(self) -> int:
        return sum(count for _value, _label, count in self.feedback)


def program_totals(*, program: Program) -> ProgramTotals:
    registrations = Registration.objects.filter(engagement__program=program).aggregate(
        registered=Count("id", filter=Q(status=RegistrationStatus.REGISTERED)),
        waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        attended=Count("id", filter=Q(status=RegistrationStatus.REGISTERED, attended=True)),
    )
    counts = dict(
        FeedbackItem.objects.filter(engagement__program=program).values_list("status").annotate(n=Count("id"))
    )
    return ProgramTotals(
        engagements=Engagement.objects.filter(program=program).count(),
        feedback=[(value, label, counts.get(value, 0)) for value, label in FeedbackStatus.choices],
        **registrations,
    )


# --- report back to partners ----------------------------------------------------------------------
def partner_report_back_list() -> QuerySet[PartnerReportBack]:
    return (
        PartnerReportBack.objects.select_related("organisation", "published_by")
        .annotate(item_count=Count("items", distinct=True), delivery_count=Count("deliveries", distinct=True))
        .order_by("-published_at")
    )


def partner_report_back_get(*, report_id: int) -> PartnerReportBack:
    return (
        PartnerReportBack.objects.select_related("organisation", "published_by")
        .prefetch_related(Prefetch("deliveries", queryset=PartnerReportBackDelivery.objects.order_by("email")))
        .get(pk=report_id)
    )


def partner_report_back_items(*, report: PartnerReportBack) -> QuerySet[FeedbackItem]:
    return report.items.select_related("topic", "organisation").order_by("received_at", "pk")
