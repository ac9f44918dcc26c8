from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .audit import AuditContext
from .identifiers import mask_receipt_number, normalize_receipt_number
from .models import AuditAction, AuditChannel, Interaction, Topic
from .roles import ALL_ROLES, CASE_PII_ROLES, user_roles


class SchemaView(SpectacularAPIView):
    allowed_roles = ALL_ROLES


class SwaggerView(SpectacularSwaggerView):
    allowed_roles = ALL_ROLES


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    tier = serializers.IntegerField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField(allow_null=True)


class MeView(APIView):
    allowed_roles = ALL_ROLES

    @extend_schema(responses=MeSerializer, summary="The signed-in staff member and their roles")
    def get(self, request):
        profile = selectors.staff_profile_for(user=request.user)
        data = {
            "username": request.user.get_username(),
            "full_name": request.user.get_full_name(),
            "roles": sorted(role.value for role in user_roles(request.user)),
            "tier": profile.tier if profile else None,
            "languages": profile.languages if profile else [],
            "time_zone": profile.time_zone if profile else None,
        }
        return Response(MeSerializer(data).data)


class TopicSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Topic
        fields = ["code", "name_en", "name_es", "parent", "active"]


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = TopicSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.topic_list(active_only=False)


class InteractionSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receipt_numbers = serializers.SerializerMethodField()
    a_numbers = serializers.SerializerMethodField()
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "channel",
            "occurred_at",
            "ended_at",
            "language",
            "topic",
            "outcome",
            "parent",
            "source_app",
            "source_model",
            "source_id",
            "source_url",
            "summary",
            "handled_by",
            "receipt_numbers",
            "a_numbers",
        ]

    def get_receipt_numbers(self, obj) -> list[str]:
        return [i.value for i in obj.identifiers.all() if i.kind == "receipt"]

    def get_a_numbers(self, obj) -> list[str]:
        return [i.value for i in obj.identifiers.all() if i.kind == "a_number"]


class InteractionViewSet(viewsets.ReadOnlyModelViewSet):
    """The interaction ledger. Reading a receipt number's history is audited."""

    allowed_roles = CASE_PII_ROLES
    serializer_class = InteractionSerializer

    def get_queryset(self):
        channel = self.request.query_params.get("channel")
        return selectors.interaction_list(channels=[channel] if channel else None)

    @extend_schema(
        parameters=[OpenApiParameter("receipt_number", str, OpenApiParameter.PATH)],
        responses=InteractionSerializer(many=True),
        summary="Every contact about a receipt number, on any channel",
    )
    @action(detail=False, methods=["get"], url_path=r"by-receipt/(?P<receipt_number>[^/.]+)")
    def by_receipt(self, request, receipt_number: str):
        value = normalize_receipt_number(receipt_number)
        interactions = selectors.interactions_for_receipt_number(receipt_number=value)
        page = self.paginate_queryset(interactions)
        services.audit_record(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            action=AuditAction.VIEW,
            target_type="receipt_number",
            target_id=value,
            summary=f"Viewed the contact history of {mask_receipt_number(value)} through the API",
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
