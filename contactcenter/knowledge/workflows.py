"""A library article's workflow: CAO analysts and supervisors write and edit drafts; a CAO supervisor
publishes one (the review), and only then do agents see it. Editing a published article takes it
back to draft, so no wording reaches the consoles unreviewed."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.knowledge.models import ArticleStatus
from contactcenter.staff.roles import Role

EDITORS = frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR})
PUBLISHERS = frozenset({Role.CAO_SUPERVISOR})
READERS = frozenset({Role.CSR, Role.ISO, Role.SUPERVISOR, *EDITORS})

ARTICLE = Workflow(
    "knowledge article",
    (
        Transition("edit", [ArticleStatus.DRAFT], roles=EDITORS),
        Transition("edit", [ArticleStatus.PUBLISHED], ArticleStatus.DRAFT, roles=EDITORS),
        Transition("publish", [ArticleStatus.DRAFT], ArticleStatus.PUBLISHED, roles=PUBLISHERS),
        Transition("unpublish", [ArticleStatus.PUBLISHED], ArticleStatus.DRAFT, roles=PUBLISHERS),
    ),
)

__all__ = ["ARTICLE", "EDITORS", "PUBLISHERS", "READERS"]
