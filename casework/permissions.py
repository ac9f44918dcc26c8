from rest_framework.permissions import BasePermission

from contactcenter.staff.roles import CASEWORK_ROLES, Role, has_any_role


class CaseworkWrite(BasePermission):
    """Reading is scoped by the viewset; changing an inquiry or a response takes a CAO role, and
    reviewing a response takes a CAO supervisor."""

    message = "Your role does not allow this change."

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        needed = getattr(view, "write_roles", {}).get(getattr(view, "action", None), CASEWORK_ROLES)
        return has_any_role(request.user, needed)


SUPERVISOR_ONLY = frozenset({Role.CAO_SUPERVISOR})
