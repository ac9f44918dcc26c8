"""Where each role works. The core lists its own consoles; each app registers its own in
`AppConfig.ready()`, so the core never imports a channel app."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contactcenter.staff.roles import Role


@dataclass(frozen=True)
class Console:
    key: str
    title: str
    url_name: str
    description: str
    roles: frozenset
    home_for: frozenset = field(default_factory=frozenset)
    order: int = 50

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_REGISTRY: dict[str, Console] = {}


def register(console: Console) -> None:
    _REGISTRY[console.key] = console


def all_consoles() -> list[Console]:
    return sorted(_REGISTRY.values(), key=lambda console: (console.order, console.key))


def consoles_for(roles: frozenset) -> list[Console]:
    return [console for console in all_consoles() if console.roles & roles]


def landing_console(roles: frozenset) -> Console | None:
    """The console a user lands on after signing in: the home of their first role."""
    for role in Role:
        if role in roles:
            for console in all_consoles():
                if role in console.home_for:
                    return console
    return None


register(
    Console(
        "agent",
        _("Agent console"),
        "agent-console",
        _("Look up cases across every channel; live calls, service requests, escalations."),
        roles=frozenset({Role.CSR, Role.ISO}),
        home_for=frozenset({Role.CSR, Role.ISO}),
        order=10,
    )
)
register(
    Console(
        "wallboard",
        _("Supervisor wallboard"),
        "wallboard",
        _("Contact volume, IVR containment, Tier 2 transfers and first-contact resolution."),
        roles=frozenset({Role.SUPERVISOR}),
        home_for=frozenset({Role.SUPERVISOR}),
        order=20,
    )
)
register(
    Console(
        "office",
        _("Service requests at my office"),
        "office-queue",
        _("The service requests routed to your office: claim, ask the requester, resolve, re-route."),
        roles=frozenset({Role.OFFICE_STAFF}),
        home_for=frozenset({Role.OFFICE_STAFF}),
        order=25,
    )
)
register(
    Console(
        "admin",
        _("Administration"),
        "admin:index",
        _("Staff accounts, roles, reference data and the audit log."),
        roles=frozenset({Role.ADMINISTRATOR}),
        home_for=frozenset({Role.ADMINISTRATOR}),
        order=90,
    )
)
register(
    Console(
        "knowledge",
        _("Knowledge library"),
        "knowledge-library",
        _("Policy articles and approved answers, in English and Spanish."),
        roles=frozenset({Role.CSR, Role.ISO, Role.SUPERVISOR, Role.CAO_ANALYST, Role.CAO_SUPERVISOR}),
        order=60,
    )
)
