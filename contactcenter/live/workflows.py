"""The live tier's workflow: a service request's review (a live contact's and an agent's own are the
router's, in `contactcenter/routing/workflows.py`).

Services refuse what the selectors' `*_allowed_actions` leave out; the console shows what they hold."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.live.models import ServiceRequestStatus
from contactcenter.staff.roles import Role


def _not_taken_by(request, user) -> bool:
    """Never decided by the officer who took it."""
    return user is not None and request.created_by_id != user.pk


REVIEWERS = frozenset({Role.ISO})
SERVICE_REQUEST = Workflow(
    "service request",
    (
        # Expedite and emergency-appointment requests wait for Tier 2; every other is routed at once.
        Transition("approve", [ServiceRequestStatus.PENDING_REVIEW], ServiceRequestStatus.APPROVED,
                   roles=REVIEWERS, guard=_not_taken_by),
        Transition("deny", [ServiceRequestStatus.PENDING_REVIEW], ServiceRequestStatus.DENIED,
                   roles=REVIEWERS, guard=_not_taken_by),
    ),
)  # fmt: skip
