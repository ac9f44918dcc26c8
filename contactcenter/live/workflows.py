"""The live tier's workflow: a service request from its review to its end at the office (a live
contact's and an agent's own are the router's, in `contactcenter/routing/workflows.py`).

Services refuse what the selectors' `*_allowed_actions` leave out; the console shows what they hold."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.live.models import OfficeMembership, ServiceRequestStatus
from contactcenter.staff.roles import Role

S = ServiceRequestStatus


def _not_taken_by(request, user) -> bool:
    """Never decided by the officer who took it."""
    return user is not None and request.created_by_id != user.pk


def office_ids_of(user) -> frozenset[int]:
    """The offices a member of staff works, read once per user object (a request's)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ncsc_office_ids", None)
    if cached is None:
        cached = frozenset(OfficeMembership.objects.filter(user=user).values_list("office_id", flat=True))
        user._ncsc_office_ids = cached
    return cached


def _at_its_office(request, user) -> bool:
    return request.office_id in office_ids_of(user)


def _held_by(request, user) -> bool:
    return _at_its_office(request, user) and request.assigned_to_id == user.pk


def _held_by_another(request, user) -> bool:
    return _at_its_office(request, user) and request.assigned_to_id != user.pk


def _not_escalated(request, user) -> bool:
    return request.escalated_at is None


REVIEWERS = frozenset({Role.ISO})
OFFICE = frozenset({Role.OFFICE_STAFF})
# Waiting at the office: routed there, or an expedite Tier 2 approved.
AT_OFFICE = (S.ROUTED, S.APPROVED)
OPEN_AT_OFFICE = (*AT_OFFICE, S.IN_PROGRESS, S.AWAITING_REPLY)
SERVICE_REQUEST = Workflow(
    "service request",
    (
        # Expedite and emergency-appointment requests wait for Tier 2; every other is routed at once.
        Transition("approve", [S.PENDING_REVIEW], S.APPROVED, roles=REVIEWERS, guard=_not_taken_by),
        Transition("deny", [S.PENDING_REVIEW], S.DENIED, roles=REVIEWERS, guard=_not_taken_by),
        # The office's work: a member claims it (or takes it over from a colleague), asks the
        # requester, records the reply, resolves it, or sends it on to the office that should have it.
        Transition("claim", AT_OFFICE, S.IN_PROGRESS, roles=OFFICE, guard=_at_its_office),
        Transition("claim", [S.IN_PROGRESS, S.AWAITING_REPLY], None, roles=OFFICE, guard=_held_by_another),
        Transition("note", [*OPEN_AT_OFFICE, S.RESOLVED], None, roles=OFFICE, guard=_at_its_office),
        Transition("ask", [S.IN_PROGRESS], S.AWAITING_REPLY, roles=OFFICE, guard=_held_by),
        Transition("record_reply", [S.AWAITING_REPLY], S.IN_PROGRESS, roles=OFFICE, guard=_held_by),
        Transition("resolve", [S.IN_PROGRESS, S.AWAITING_REPLY], S.RESOLVED, roles=OFFICE, guard=_held_by),
        Transition("reroute", OPEN_AT_OFFICE, S.ROUTED, roles=OFFICE, guard=_at_its_office),
        # Past its due date (the service's check): its office's supervisors are told, once.
        Transition("escalate", OPEN_AT_OFFICE, None, guard=_not_escalated, automatic=True),
    ),
)  # fmt: skip
