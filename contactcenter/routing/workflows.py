"""The router's workflows, each declared once: a live contact's (a call or callback waiting,
offered, on the line) and an agent's own state changes.

Services refuse what the selectors' `*_allowed_actions` leave out; the console shows what they hold."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.routing.models import AgentStatus, ContactStatus


def _held_by(contact, user) -> bool:
    """Offered to, or on the line with, this agent."""
    return user is not None and contact.offered_to_id == user.pk


def _asked_by(consult, user) -> bool:
    # The consult's own side (the person asked) does not step it; the asking agent does, and their
    # services reach the consult only through the call they hold.
    return consult.consult_of_id is not None and not _held_by(consult, user)


C = ContactStatus
LIVE_CONTACT = Workflow(
    "live contact",
    (
        Transition("offer", [C.WAITING], C.OFFERED, automatic=True),  # the router
        Transition("accept", [C.OFFERED], C.CONNECTED, guard=_held_by),
        # Back in line in its place (a consult ends instead: the asking agent gets the caller back).
        Transition("decline", [C.OFFERED], C.WAITING, guard=_held_by),
        Transition("expire", [C.OFFERED], C.WAITING, automatic=True),
        # On the line: what the console does with the caller; the state stays.
        Transition("add_receipt", [C.CONNECTED], guard=_held_by),
        Transition("verify", [C.CONNECTED], guard=_held_by),
        Transition("take_service_request", [C.CONNECTED], guard=_held_by),
        Transition("escalate", [C.CONNECTED], guard=_held_by),
        Transition("control", [C.CONNECTED], guard=_held_by),  # hold, mute, transfer, recording
        Transition("consult", [C.CONNECTED], guard=_held_by),
        # Ended by the agent; a callback not answered waits again for its next dial.
        Transition("end", [C.CONNECTED], C.COMPLETED, guard=_held_by),
        # The steps of a consult (a second person's contact in the call), by the agent who asked.
        Transition("consult_join", [C.CONNECTED], guard=_asked_by),
        Transition("consult_complete", [C.CONNECTED], C.COMPLETED, guard=_asked_by),
        Transition("consult_cancel", [C.OFFERED, C.CONNECTED], C.CANCELLED, guard=_asked_by),
        # After the conversation (or a callback's unanswered dial): the agent's after-call work on it.
        Transition("wrap_up", [C.COMPLETED, C.CANCELLED, C.WAITING]),
        # The caller hung up, or the person no longer wants the callback.
        Transition("abandon", [C.WAITING, C.OFFERED], C.ABANDONED, automatic=True),
        Transition("withdraw", [C.WAITING, C.OFFERED], C.CANCELLED, automatic=True),
    ),
)

A = AgentStatus
# What an agent chooses for themselves, by the state it leads to. Offered, on a call and wrap-up
# are entered only through the router, accepting, declining or missing an offer and ending a
# contact; wrap-up with a contact still to wrap up is left through its own form.
AGENT = Workflow(
    "agent",
    (
        Transition(A.AVAILABLE, [A.OFFLINE, A.BREAK, A.NOT_READY, A.WRAP_UP], A.AVAILABLE),
        Transition(A.BREAK, [A.OFFLINE, A.AVAILABLE, A.NOT_READY, A.WRAP_UP], A.BREAK),
        Transition(A.OFFLINE, [A.AVAILABLE, A.BREAK, A.NOT_READY, A.WRAP_UP], A.OFFLINE),
        # Not ready again: another reason.
        Transition(A.NOT_READY, [A.AVAILABLE, A.BREAK, A.NOT_READY, A.WRAP_UP], A.NOT_READY),
    ),
    state_field="state",
)
