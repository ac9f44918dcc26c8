from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from contactcenter.staff.roles import Role, has_any_role


class NcscAdminSite(AdminSite):
    """The admin admits the administrator role only; anyone else signed in gets 403."""

    site_header = _("NCSC Contact Center administration")
    site_title = _("NCSC administration")
    index_title = _("Administration")
    allowed_roles = frozenset({Role.ADMINISTRATOR})

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and has_any_role(user, self.allowed_roles)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        guarded.allowed_roles = self.allowed_roles
        return guarded

    def login(self, request, extra_context=None):
        from django.contrib.auth.views import redirect_to_login

        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", "/admin/"))
