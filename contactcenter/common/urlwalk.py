"""Walk every URL pattern of the project with the roles its view admits.

Shared by the system check (no view may go undeclared) and the role × URL matrix test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from contactcenter.staff.roles import view_allowed_roles


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    callback: Any
    allowed_roles: Any
    converters: dict


def iter_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = "", converters: dict | None = None
) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    converters = dict(converters or {})
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_routes(
                entry, prefix + str(entry.pattern), child_ns, {**converters, **entry.pattern.converters}
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(
                pattern=prefix + str(entry.pattern),
                name=name,
                callback=entry.callback,
                allowed_roles=view_allowed_roles(entry.callback),
                converters={**converters, **entry.pattern.converters},
            )
