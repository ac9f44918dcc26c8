"""The outreach workflows, each declared once: a registration's, a case referral's, a feedback
item's and an engagement's actions by state.

Services refuse what the selectors' `*_allowed_actions` leave out; the pages and the API show
what they hold."""

from __future__ import annotations

from django.utils import timezone

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.staff.roles import OUTREACH_ROLES, has_any_role

from .models import (
    AgencyOfficeMembership,
    Engagement,
    EngagementStatus,
    FeedbackStatus,
    MailingStatus,
    ReferralStatus,
    RegistrationStatus,
)


def attendance_open(engagement: Engagement) -> bool:
    """Attendance is taken once the engagement has begun."""
    return engagement.starts_at <= timezone.now()


def _engagement_begun(registration, user) -> bool:
    return attendance_open(registration.engagement)


REGISTRATION = Workflow(
    "registration",
    (
        Transition(
            "cancel", [RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED], RegistrationStatus.CANCELLED
        ),
        Transition("attend", [RegistrationStatus.REGISTERED], guard=_engagement_begun),
        # A seat freed (a cancellation, more capacity) goes to the first on the waitlist.
        Transition("promote", [RegistrationStatus.WAITLISTED], RegistrationStatus.REGISTERED, automatic=True),
    ),
)

REFERRAL = Workflow(
    "referral",
    (Transition("close", [ReferralStatus.REFERRED], ReferralStatus.CLOSED),),
)


def agency_offices_of(user) -> frozenset[str]:
    """The offices of the agency whose feedback inbox `user` answers, read once per user object."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ncsc_agency_offices", None)
    if cached is None:
        cached = frozenset(AgencyOfficeMembership.objects.filter(user=user).values_list("office", flat=True))
        user._ncsc_agency_offices = cached
    return cached


def _answerable_by(item, user) -> bool:
    """Outreach staff record an office's answer for it; anyone else answers only for their own office."""
    return user is None or has_any_role(user, OUTREACH_ROLES) or item.owning_office in agency_offices_of(user)


F = FeedbackStatus
FEEDBACK = Workflow(
    "feedback",
    (
        # Re-routing while under review is allowed; once answered it stays with its office.
        Transition("route", [F.NEW, F.UNDER_REVIEW], F.UNDER_REVIEW),
        Transition("respond", [F.UNDER_REVIEW, F.RESPONSE_DRAFTED], F.RESPONSE_DRAFTED, guard=_answerable_by),
        # Publishing the engagement's report back, or a report back to partners, reports every answered item.
        Transition("report_back", [F.RESPONSE_DRAFTED], F.REPORTED_BACK, automatic=True),
    ),
)

MAILING = Workflow(
    "mailing",
    (
        Transition("edit", [MailingStatus.DRAFT]),
        Transition("test_send", [MailingStatus.DRAFT]),
        Transition("send", [MailingStatus.DRAFT], MailingStatus.SENDING),
        # The last recipient's send (delivered, bounced or given up on) ends the mailing.
        Transition("complete", [MailingStatus.SENDING], MailingStatus.SENT, automatic=True),
    ),
)


def _not_cancelled(engagement, user) -> bool:
    return engagement.cancelled_at is None


ENGAGEMENT = Workflow(
    "engagement",
    # A draft is seen by staff only; publishing puts it on the public pages and opens registration.
    (Transition("publish", [EngagementStatus.DRAFT], EngagementStatus.PUBLISHED, guard=_not_cancelled),),
)
