"""A staff member's own API tokens: minted from a signed-in browser session (never with a token, so
a leaked token cannot renew itself), shown once, revoked by their holder."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel
from contactcenter.staff import tokens
from contactcenter.staff.roles import ALL_ROLES


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`. Shown only this once.")
    expiry = serializers.DateTimeField()


class ApiTokenRevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class ApiTokenView(APIView):
    allowed_roles = ALL_ROLES
    throttle_scope = "api-token"

    def get_authenticators(self):
        if getattr(self.request, "method", None) == "POST":
            return [SessionAuthentication()]
        return [TokenAuthentication(), SessionAuthentication()]

    @extend_schema(
        request=None,
        responses={201: ApiTokenSerializer},
        summary="Create an API token for yourself (signed-in session only; it expires after API_TOKEN_TTL_HOURS)",
    )
    def post(self, request):
        token = tokens.api_token_create(
            user=request.user, context=AuditContext.from_request(request, channel=AuditChannel.API)
        )
        expiry = AuthToken.objects.only("expiry").get(digest=hash_token(token)).expiry
        return Response(ApiTokenSerializer({"token": token, "expiry": expiry}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ApiTokenRevokedSerializer},
        summary="Revoke the token this request carries; from a signed-in session, every token of yours",
    )
    def delete(self, request):
        presented = request.auth if isinstance(request.auth, AuthToken) else None
        revoked = tokens.api_token_revoke(
            user=request.user,
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            digest=presented.digest if presented else None,
        )
        return Response(ApiTokenRevokedSerializer({"revoked": revoked}).data)
