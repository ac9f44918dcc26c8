"""A workflow declared once: the table of a record's actions, the states each may start from, the
state it leads to, who may take it and any other condition.

Each app keeps one module-level `Workflow` per record (next to its models); its selectors answer
`allowed_actions`, its services refuse an action not in that set, and pages and the API show what
the set holds. No template compares a status by hand (`scripts/lint_templates.py` fails one that does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contactcenter.staff.roles import has_any_role

Guard = Callable[[Any, Any], bool]


class Refusal(StrEnum):
    """Why an action is not allowed, in the order it is asked: a service picks its message by it."""

    ROLE = "role"
    STATE = "state"
    GUARD = "guard"


@dataclass(frozen=True)
class Transition:
    """One row: `action` from any of `sources` to `target`.

    `target` None: the action leaves the state as it is, or its service restores a state it saved
    (an inquiry taken off hold). An action may have several rows, one per source and target.
    `roles` None: anyone who may reach the record (views and the API admit them); a role-gated
    action is never allowed to the system (`user` None). `guard(obj, user)`: any other condition.
    `automatic`: taken by the system (a task, the phone network, another action), never offered."""

    action: str
    sources: frozenset[str]
    target: str | None = None
    roles: frozenset[str] | None = None
    guard: Guard | None = None
    automatic: bool = False

    def __init__(
        self,
        action: str,
        sources: Iterable[str],
        target: str | None = None,
        *,
        roles: Iterable[str] | None = None,
        guard: Guard | None = None,
        automatic: bool = False,
    ) -> None:
        object.__setattr__(self, "action", str(action))
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", None if target is None else str(target))
        object.__setattr__(self, "roles", None if roles is None else frozenset(roles))
        object.__setattr__(self, "guard", guard)
        object.__setattr__(self, "automatic", automatic)

    def admits(self, user: Any) -> bool:
        """Whether `user`'s roles let them take this row's action (the system, None, only an ungated one)."""
        return self.roles is None or (user is not None and has_any_role(user, self.roles))

    def refusal(self, obj: Any, state: str, user: Any) -> Refusal | None:
        if not self.admits(user):
            return Refusal.ROLE
        if state not in self.sources:
            return Refusal.STATE
        if self.guard is not None and not self.guard(obj, user):
            return Refusal.GUARD
        return None


@dataclass(frozen=True)
class Workflow:
    name: str
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    _by_action: dict[str, tuple[Transition, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_action: dict[str, tuple[Transition, ...]] = {}
        for row in self.transitions:
            by_action[row.action] = (*by_action.get(row.action, ()), row)
        object.__setattr__(self, "_by_action", by_action)

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self._by_action)

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.state_field))

    def rows(self, action: str) -> tuple[Transition, ...]:
        try:
            return self._by_action[action]
        except KeyError:
            raise ValueError(f"{self.name} has no action {action!r}") from None

    def refusal(self, action: str, obj: Any, user: Any) -> Refusal | None:
        """None when `user` (None: the system) may take `action` on `obj` now; otherwise the first
        reason it may not, over all of the action's rows (a role, then the state, then a guard)."""
        state = self.state_of(obj)
        reasons = []
        for row in self.rows(action):
            reason = row.refusal(obj, state, user)
            if reason is None:
                return None
            reasons.append(reason)
        return min(reasons, key=list(Refusal).index)

    def row(self, action: str, obj: Any, user: Any) -> Transition | None:
        """The row `action` takes from `obj`'s state now, if it is allowed."""
        state = self.state_of(obj)
        return next((r for r in self.rows(action) if r.refusal(obj, state, user) is None), None)

    def allowed_actions(self, obj: Any, user: Any) -> frozenset[str]:
        """The actions a person (or, with `user` None, the system) may take on `obj` now; automatic
        ones are never among a person's."""
        state = self.state_of(obj)
        return frozenset(
            row.action
            for row in self.transitions
            if (user is None or not row.automatic) and row.refusal(obj, state, user) is None
        )

    def offers_actions_to(self, user: Any) -> bool:
        """Whether `user`'s roles let them take any action a person takes, in some state: whether a
        page shows them the record's actions at all."""
        return any(not row.automatic and row.admits(user) for row in self.transitions)

    def sources(self, action: str) -> frozenset[str]:
        """Every state `action` may start from (whatever the role or guard)."""
        return frozenset().union(*(row.sources for row in self.rows(action)))

    def leads(self, source: str, target: str) -> bool:
        """Whether any action goes from `source` to `target`: the graph a service that sets a state
        directly checks its step against."""
        return any(source in row.sources and row.target == target for row in self.transitions)

    def states(self) -> frozenset[str]:
        return frozenset().union(*(row.sources for row in self.transitions)) | {
            row.target for row in self.transitions if row.target is not None
        }

    def diagram(self) -> str:
        """The table as a Mermaid state diagram (docs/architecture.md shows it, a test keeps it true)."""
        lines = ["stateDiagram-v2"]
        for row in self.transitions:
            if row.target is None:
                continue
            label = row.action + (" (automatic)" if row.automatic else "")
            if row.roles:
                label += " — " + ", ".join(sorted(row.roles))
            for source in sorted(row.sources):
                line = f"    {source} --> {row.target}: {label}"
                if line not in lines:
                    lines.append(line)
        return "\n".join(lines)
