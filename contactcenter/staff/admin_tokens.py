"""The API-token admin: who holds a token and until when, and revoking one. Never a token's value
(only its digest is stored) and never creating one: an administrator minting a token for someone
else could act under their name. Staff mint their own (POST /api/auth/token/)."""

from __future__ import annotations

import knox.admin  # noqa: F401  knox registers its own admin (which creates tokens for anyone); replaced here
from django.contrib import admin
from knox.models import AuthToken

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel
from contactcenter.staff import tokens

admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["-created"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def _revoke(self, request, token: AuthToken) -> None:
        tokens.api_token_revoke(
            user=token.user,
            context=AuditContext.from_request(request, channel=AuditChannel.ADMIN),
            digest=token.digest,
        )

    def delete_model(self, request, obj) -> None:
        self._revoke(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            self._revoke(request, token)
