"""The CAO workflows, each declared once: an inquiry's and a response's actions by state.

Services refuse what `selectors.inquiry_allowed_actions` / `response_allowed_actions` leave out;
the inquiry and response pages and the API show what they hold."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.staff.roles import Role

from .models import InquiryStatus, ResponseStatus

S = InquiryStatus
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
        Transition("triage", [S.RECEIVED], S.TRIAGED),
        Transition("triage", [*WORKING, S.ON_HOLD]),
        Transition("assign", [S.TRIAGED], S.ASSIGNED),
        Transition("assign", [S.ASSIGNED, S.DRAFTING, S.IN_REVIEW, S.ON_HOLD]),
        Transition("hold", [S.RECEIVED, *WORKING], S.ON_HOLD),
        Transition("resume", [S.ON_HOLD]),  # back to the status it had before the hold
        Transition("close", [S.RECEIVED, *WORKING, S.SENT], S.CLOSED),
        Transition("reopen", [S.SENT, S.CLOSED], S.ASSIGNED, guard=_has_assignee),
        Transition("reopen", [S.SENT, S.CLOSED], S.TRIAGED, guard=_has_no_assignee),
        Transition("draft", [S.ASSIGNED], S.DRAFTING),
        Transition("draft", [S.DRAFTING]),
        # An answered call sends the inquiry on ("answer"), from the states that allows.
        Transition("telephone", WORKING),
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
        Transition("edit", [R.DRAFT]),
        Transition("submit", [R.DRAFT], R.IN_REVIEW),
        Transition("approve", [R.IN_REVIEW], R.APPROVED, roles=REVIEWERS, guard=_not_an_author),
        Transition("return", [R.IN_REVIEW], R.DRAFT, roles=REVIEWERS),
        # An approved letter is printed and posted by the mail room at once; an e-mail by the worker.
        Transition("send", [R.APPROVED], R.SENT, automatic=True),
        Transition("give_up", [R.APPROVED], R.FAILED, automatic=True),
        Transition("send_again", [R.FAILED], R.APPROVED, roles=REVIEWERS),
    ),
)
