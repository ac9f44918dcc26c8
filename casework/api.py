from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from contactcenter.audit.context import AuditContext, AuditedReads
from contactcenter.common.drf import AllowedActionsField, query_filters
from contactcenter.models import AuditChannel, Language
from contactcenter.staff.permissions import HasRole
from contactcenter.staff.roles import CASEWORK_ROLES, Role

from . import selectors, services
from .auditing import record_sensitive_views
from .models import (
    CorrespondentRole,
    Inquiry,
    InquiryChannel,
    InquiryStatus,
    Priority,
    Response,
    ResponseKind,
    ResponseTemplate,
    Source,
    TelephoneOutcome,
)
from .permissions import SUPERVISOR_ONLY, CaseworkWrite
from .workflows import INQUIRY, RESPONSE

User = get_user_model()
CAO_AND_TSA = frozenset({*CASEWORK_ROLES, Role.TSA_LIAISON})


def _context(request) -> AuditContext:
    return AuditContext.from_request(request, channel=AuditChannel.API)


class InquirySerializer(serializers.ModelSerializer):
    correspondent = serializers.StringRelatedField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField()
    # Blank when the sender's domain claimed nothing: a read-only model field would not say so.
    sender_claimed_source = serializers.ChoiceField(choices=Source.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "reference",
            "source",
            "sender_claimed_source",
            "channel",
            "status",
            "priority",
            "subject",
            "body",
            "language",
            "correspondent",
            "receipt_numbers",
            "a_numbers",
            "received_at",
            "due_on",
            "sla",
            "assignee",
            "hold_reason",
            "responded_at",
            "closed_at",
            "sensitive",
        ]

    def get_sla(self, inquiry: Inquiry) -> str:
        # A page of inquiries reads the SLA targets once, not once per row.
        if "sla_targets" not in self.context:
            self.context["sla_targets"] = selectors.sla_targets()
        return selectors.sla_state(inquiry=inquiry, targets=self.context["sla_targets"])


class InquiryDetailSerializer(InquirySerializer):
    allowed_actions = AllowedActionsField(
        workflow=INQUIRY,
        actions=lambda inquiry, user: selectors.inquiry_allowed_actions(inquiry=inquiry, user=user),
    )

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "allowed_actions"]


class InquiryCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    channel = serializers.ChoiceField(choices=InquiryChannel.choices, default=InquiryChannel.API)
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    correspondent_name = serializers.CharField(max_length=160)
    correspondent_organisation = serializers.CharField(max_length=160, required=False, default="")
    correspondent_email = serializers.EmailField(max_length=254, required=False, default="")
    correspondent_phone = serializers.CharField(max_length=30, required=False, default="")
    correspondent_address = serializers.CharField(required=False, default="")
    correspondent_role = serializers.ChoiceField(choices=CorrespondentRole.choices, default=CorrespondentRole.APPLICANT)
    referred_from_interaction_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class TriageSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField()


class DraftSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResponseKind.choices, default=ResponseKind.EMAIL)
    template = serializers.PrimaryKeyRelatedField(
        queryset=ResponseTemplate.objects.filter(active=True), required=False, allow_null=True
    )
    subject = serializers.CharField(max_length=300, required=False, default="")
    body = serializers.CharField(required=False, default="")


class TelephoneSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=TelephoneOutcome.choices)
    notes = serializers.CharField()


class ResponseSerializer(serializers.ModelSerializer):
    inquiry = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    drafted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "inquiry",
            "kind",
            "language",
            "status",
            "subject",
            "body",
            "to_email",
            "telephone_outcome",
            "drafted_by",
            "reviewed_by",
            "review_note",
            "approved_at",
            "sent_at",
        ]


class ResponseDetailSerializer(ResponseSerializer):
    allowed_actions = AllowedActionsField(
        workflow=RESPONSE,
        actions=lambda response, user: selectors.response_allowed_actions(response=response, user=user),
    )

    class Meta(ResponseSerializer.Meta):
        fields = [*ResponseSerializer.Meta.fields, "allowed_actions"]


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class SensitivitySerializer(serializers.Serializer):
    sensitive = serializers.BooleanField()
    readers = serializers.SlugRelatedField(
        slug_field="username", many=True, queryset=User.objects.filter(is_active=True), required=False, default=list
    )


class InquiryFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=InquiryStatus.choices, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False, allow_blank=True)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Full-text search")


class InquiryViewSet(AuditedReads, viewsets.ReadOnlyModelViewSet):
    """CAO inquiries (a TSA liaison sees DHS TRIP ones only). ?q= full-text search, ?status=, ?source=."""

    audit_target_type = "casework.inquiry"
    audit_label = "inquiries"
    allowed_roles = CAO_AND_TSA
    permission_classes = [HasRole, CaseworkWrite]
    serializer_class = InquirySerializer

    def get_serializer_class(self):
        return InquiryDetailSerializer if self.action == "retrieve" else InquirySerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.inquiry_queue(user=self.request.user, open_only=False)
        found = query_filters(self.request, InquiryFilters)
        return selectors.inquiry_queue(
            user=self.request.user,
            status=found.get("status"),
            source=found.get("source"),
            search=found.get("q"),
            open_only=False,
        )

    @extend_schema(parameters=[InquiryFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _audit_read(self, request, data, kwargs) -> None:
        super()._audit_read(request, data, kwargs)
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        shown = [row["id"] for row in rows if isinstance(row, dict) and row.get("sensitive")]
        if shown:
            record_sensitive_views(request, Inquiry.objects.filter(pk__in=shown), channel=AuditChannel.API)

    @extend_schema(request=SensitivitySerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def sensitivity(self, request, pk=None):
        serializer = SensitivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            services.inquiry_sensitivity_set(
                context=_context(request), inquiry=self.get_object(), **serializer.validated_data
            )
        )

    def _done(self, inquiry: Inquiry, code=status.HTTP_200_OK) -> ApiResponse:
        inquiry = selectors.inquiry_get(user=self.request.user, pk=inquiry.pk)
        return ApiResponse(InquiryDetailSerializer(inquiry, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=InquiryCreateSerializer, responses={201: InquiryDetailSerializer})
    def create(self, request):
        serializer = InquiryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry = services.inquiry_create(context=_context(request), **serializer.validated_data)
        return self._done(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=TriageSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        serializer = TriageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            services.inquiry_triage(context=_context(request), inquiry=self.get_object(), **serializer.validated_data)
        )

    @extend_schema(request=AssignSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            services.inquiry_assign(context=_context(request), inquiry=self.get_object(), **serializer.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            services.inquiry_hold(context=_context(request), inquiry=self.get_object(), **serializer.validated_data)
        )

    @extend_schema(request=None, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._done(services.inquiry_resume(context=_context(request), inquiry=self.get_object()))

    @extend_schema(request=None, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._done(services.inquiry_close(context=_context(request), inquiry=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._done(
            services.inquiry_reopen(context=_context(request), inquiry=self.get_object(), **serializer.validated_data)
        )

    @extend_schema(request=NoteSerializer, responses={201: InquiryDetailSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry = self.get_object()
        services.inquiry_note_add(context=_context(request), inquiry=inquiry, **serializer.validated_data)
        return self._done(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=DraftSerializer, responses={201: ResponseSerializer})
    @action(detail=True, methods=["post"])
    def responses(self, request, pk=None):
        serializer = DraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = services.response_draft(
            context=_context(request), inquiry=self.get_object(), **serializer.validated_data
        )
        return ApiResponse(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TelephoneSerializer, responses={201: ResponseSerializer})
    @action(detail=True, methods=["post"])
    def telephone(self, request, pk=None):
        serializer = TelephoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = services.response_telephone_log(
            context=_context(request), inquiry=self.get_object(), **serializer.validated_data
        )
        return ApiResponse(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class ResponseViewSet(AuditedReads, viewsets.ReadOnlyModelViewSet):
    """Every response kept; drafts go to review, a CAO supervisor approves or returns them."""

    audit_target_type = "casework.response"
    audit_label = "responses"
    allowed_roles = CAO_AND_TSA
    permission_classes = [HasRole, CaseworkWrite]
    write_roles = {"review": SUPERVISOR_ONLY}
    serializer_class = ResponseSerializer

    def get_serializer_class(self):
        return ResponseDetailSerializer if self.action == "retrieve" else ResponseSerializer

    def get_queryset(self):
        return selectors.response_list_for(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=ResponseDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        response = services.response_submit(context=_context(request), response=self.get_object())
        return ApiResponse(ResponseDetailSerializer(response, context=self.get_serializer_context()).data)

    @extend_schema(request=ReviewSerializer, responses=ResponseDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = services.response_review(
            context=_context(request), response=self.get_object(), **serializer.validated_data
        )
        return ApiResponse(ResponseDetailSerializer(response, context=self.get_serializer_context()).data)
