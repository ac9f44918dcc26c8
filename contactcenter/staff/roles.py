"""Staff roles, and the one way a page or endpoint declares which of them it admits.

Every view carries `allowed_roles`: a frozenset of `Role`, or `PUBLIC`. The system check in
`checks.py` refuses a URL whose view declares nothing, and the role × URL matrix test walks
every pattern against every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CSR = "csr", _("CSR (Tier 1)")
    ISO = "iso", _("ISO (Tier 2)")
    CAO_ANALYST = "cao_analyst", _("CAO analyst")
    CAO_SUPERVISOR = "cao_supervisor", _("CAO supervisor")
    TSA_LIAISON = "tsa_liaison", _("TSA liaison")
    OUTREACH_STAFF = "outreach_staff", _("Outreach staff")
    CRO = "cro", _("Community Relations Officer")
    SUPERVISOR = "supervisor", _("Contact center supervisor")
    OFFICE_STAFF = "office_staff", _("Service center / field office staff")
    ADMINISTRATOR = "administrator", _("Administrator")


# Group names are the role values: stable identifiers that translation never changes.
ALL_ROLES: frozenset[Role] = frozenset(Role)
CASE_PII_ROLES = frozenset({Role.CSR, Role.ISO, Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.SUPERVISOR})
CASEWORK_ROLES = frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR})
OUTREACH_ROLES = frozenset({Role.OUTREACH_STAFF, Role.CRO})
# Who may listen to call recordings (a caller's voice and what they said: quality review is the
# contact center supervisors' work; agents, CAO and administrators do not listen).
RECORDING_LISTENER_ROLES = frozenset({Role.SUPERVISOR})


class _Public:
    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC: Any = _Public()


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, cached on the instance for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ncsc_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._ncsc_roles = cached
    return cached


def has_any_role(user: Any, roles: Iterable[Role]) -> bool:
    return bool(user_roles(user) & frozenset(roles))


def roles_required(*roles: Role) -> Callable:
    """Decorate a function view: anonymous users go to login, users without a role get 403."""
    admitted = frozenset(roles)
    if not admitted:
        raise ValueError("roles_required needs at least one role; use @public for open views")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_any_role(request.user, admitted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = admitted
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone (login page, health check, public forms, signed webhooks)."""
    view.allowed_roles = PUBLIC
    return view


def view_allowed_roles(view: Callable) -> Any:
    """What a resolved URL callback admits, for function views, class views and DRF viewsets."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        if candidate is not None and hasattr(candidate, "allowed_roles"):
            return candidate.allowed_roles
    # Admin URLs: the site's wrappers carry the site or the ModelAdmin, whose site decides.
    site = getattr(view, "admin_site", None) or getattr(getattr(view, "model_admin", None), "admin_site", None)
    site = site or getattr(view, "__self__", None)
    return getattr(site, "allowed_roles", None)
