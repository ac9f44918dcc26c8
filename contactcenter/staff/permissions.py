from rest_framework.permissions import BasePermission

from contactcenter.staff.roles import PUBLIC, has_any_role


class HasRole(BasePermission):
    """DRF side of `allowed_roles`: a view that declares no roles admits no one."""

    message = "Your role does not give access to this resource."

    def has_permission(self, request, view) -> bool:
        admitted = getattr(view, "allowed_roles", None)
        if admitted is PUBLIC:
            return True
        if not admitted:
            return False
        return bool(request.user and request.user.is_authenticated and has_any_role(request.user, admitted))
