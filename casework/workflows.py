"""The CAO workflows, each declared once: an inquiry's and a response's actions by state.

Services refuse what `selectors.inquiry_allowed_actions` / `response_allowed_actions` leave out;
the inquiry and response pages and the API show what they hold."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.staff.roles import CASEWORK_ROLES, Role

from .models import InquiryStatus, ResponseStatus

S = InquiryStatus
# Every action a person takes on an inquiry or a response is CAO's: a TSA liaison reads DHS TRIP
# inquiries and their responses and changes none (their own action is the redress record's).
CAO = CASEWORK_ROLES
# Triaged, assigned and worked on; on hold counts as open too (it may be re-triaged or reassigned).
WORKING = (S.TRIAGED, S.ASSIGNED, S.DRAFTING, S.IN_REVIEW)


def _has_assignee(inquiry, user) -> bool:
    return inquiry.assignee_id is not None


def _has_no_assignee(inquiry, user) -> bool:
    return inquiry.assignee_id is None


# received → triaged → assigned → drafting → in review → sent → closed; hold and reopen aside.
INQUIRY = Workflow(
    "inquiry",
    (
        Transition("triage", [S.RECEIVED], S.TRIAGED, roles=CAO),
        Transition("triage", [*WORKING, S.ON_HOLD], roles=CAO),
        Transition("assign", [S.TRIAGED], S.ASSIGNED, roles=CAO),
        Transition("assign", [S.ASSIGNED, S.DRAFTING, S.IN_REVIEW, S.ON_HOLD], roles=CAO),
        Transition("hold", [S.RECEIVED, *WORKING], S.ON_HOLD, roles=CAO),
        Transition("resume", [S.ON_HOLD], roles=CAO),  # back to the status it had before the hold
        Transition("close", [S.RECEIVED, *WORKING, S.SENT], S.CLOSED, roles=CAO),
        Transition("reopen", [S.SENT, S.CLOSED], S.ASSIGNED, roles=CAO, guard=_has_assignee),
        Transition("reopen", [S.SENT, S.CLOSED], S.TRIAGED, roles=CAO, guard=_has_no_assignee),
        Transition("draft", [S.ASSIGNED], S.DRAFTING, roles=CAO),
        Transition("draft", [S.DRAFTING], roles=CAO),
        # An answered call sends the inquiry on ("answer"), from the states that allows.
        Transition("telephone", WORKING, roles=CAO),
        # The correspondent writing again about an answered inquiry reopens it, as "reopen" does.
        Transition("reply", [S.SENT, S.CLOSED], S.ASSIGNED, guard=_has_assignee, automatic=True),
        Transition("reply", [S.SENT, S.CLOSED], S.TRIAGED, guard=_has_no_assignee, automatic=True),
        # What the inquiry's responses do to it.
        Transition("submit", [S.DRAFTING], S.IN_REVIEW, automatic=True),
        Transition("return", [S.IN_REVIEW], S.DRAFTING, automatic=True),
        Transition("answer", [S.ASSIGNED, S.DRAFTING, S.IN_REVIEW], S.SENT, automatic=True),
    ),
)

R = ResponseStatus
REVIEWERS = frozenset({Role.CAO_SUPERVISOR})


def _not_an_author(response, user) -> bool:
    """Four eyes: whoever drafted the text or changed it does not approve it."""
    if user is None or response.drafted_by_id == user.pk:
        return False
    return not response.edited_by.filter(pk=user.pk).exists()


RESPONSE = Workflow(
    "response",
    (
        Transition("edit", [R.DRAFT], roles=CAO),
        Transition("submit", [R.DRAFT], R.IN_REVIEW, roles=CAO),
        Transition("approve", [R.IN_REVIEW], R.APPROVED, roles=REVIEWERS, guard=_not_an_author),
        Transition("return", [R.IN_REVIEW], R.DRAFT, roles=REVIEWERS),
        # An approved letter is printed and posted by the mail room at once; an e-mail by the worker.
        Transition("send", [R.APPROVED], R.SENT, automatic=True),
        Transition("give_up", [R.APPROVED], R.FAILED, automatic=True),
        Transition("send_again", [R.FAILED], R.APPROVED, roles=REVIEWERS),
    ),
)
