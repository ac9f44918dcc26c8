"""The outreach API: reads scoped by selectors, writes as explicit actions calling services."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter.audit.context import AuditContext, AuditedReads
from contactcenter.common.drf import AllowedActionsField, query_filters
from contactcenter.models import AuditChannel, Language

from . import selectors, services
from .models import (
    AgencyOffice,
    CaseReferral,
    Contact,
    Engagement,
    EngagementLanguage,
    EngagementType,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Organisation,
    OrganisationLevel,
    OrganisationType,
    ReferralMode,
    ReferralOutcome,
)
from .permissions import OUTREACH_API_ROLES, OutreachRole
from .workflows import FEEDBACK, REFERRAL


def _ctx(request) -> AuditContext:
    return AuditContext.from_request(request, channel=AuditChannel.API)


class OutreachViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = OUTREACH_API_ROLES
    permission_classes = [OutreachRole]


# --- organisations ---------------------------------------------------------------------------
class OrganisationSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "level", "region", "district", "address_line", "city", "state",
                  "zip_code", "languages", "notes", "owner"]  # fmt: skip


class OrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationType.choices)
    level = serializers.ChoiceField(choices=OrganisationLevel.choices)
    region = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    district = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=5), required=False, default=list)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class OrganisationFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrganisationType.choices, required=False, allow_blank=True)
    region = serializers.CharField(max_length=80, required=False, allow_blank=True)
    language = serializers.CharField(max_length=5, required=False, allow_blank=True)


class OrganisationViewSet(OutreachViewSet):
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.organisation_list()
        return selectors.organisation_list(**query_filters(self.request, OrganisationFilters))

    @extend_schema(parameters=[OrganisationFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OrganisationInputSerializer, responses={201: OrganisationSerializer})
    def create(self, request):
        data = OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.organisation_create(context=_ctx(request), **data.validated_data)
        return Response(OrganisationSerializer(created).data, status=201)


# --- contacts ------------------------------------------------------------------------------------
class ContactSerializer(serializers.ModelSerializer):
    organisations = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "first_name", "last_name", "title", "official_role", "is_elected", "email", "phone",
                  "preferred_language", "preferred_channel", "consent_email", "consent_phone",
                  "consent_recorded_at", "merged_into", "organisations"]  # fmt: skip

    def get_organisations(self, obj) -> list[int]:
        return [membership.organisation_id for membership in obj.memberships.all()]


class ContactInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    email = serializers.CharField(max_length=254, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    title = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    official_role = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    consent_email = serializers.BooleanField(default=False)
    consent_phone = serializers.BooleanField(default=False)
    allow_possible_duplicate = serializers.BooleanField(default=False)


class MergeInputSerializer(serializers.Serializer):
    merge_id = serializers.IntegerField(min_value=1)


class ContactFilters(serializers.Serializer):
    q = serializers.CharField(max_length=80, required=False, allow_blank=True, help_text="Name or e-mail")


class ContactViewSet(AuditedReads, OutreachViewSet):
    audit_target_type = "outreach.contact"
    audit_label = "outreach contacts"
    serializer_class = ContactSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.contact_list()
        return selectors.contact_list(search=query_filters(self.request, ContactFilters).get("q", ""))

    @extend_schema(parameters=[ContactFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    def create(self, request):
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.contact_create(context=_ctx(request), **data.validated_data)
        return Response(ContactSerializer(selectors.contact_get(contact_id=created.pk)).data, status=201)

    @extend_schema(request=MergeInputSerializer, responses=ContactSerializer, summary="Merge a duplicate into this one")
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        keep = self.get_object()
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contact_merge(context=_ctx(request), keep_id=keep.pk, merge_id=data.validated_data["merge_id"])
        return Response(ContactSerializer(selectors.contact_get(contact_id=keep.pk)).data)


# --- engagements ---------------------------------------------------------------------------------
class EngagementSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)
    registered = serializers.IntegerField(read_only=True)
    waitlisted = serializers.IntegerField(read_only=True)

    class Meta:
        model = Engagement
        fields = ["id", "uid", "title", "kind", "starts_at", "ends_at", "time_zone", "venue", "address", "call_in",
                  "audience", "language", "capacity", "registration_closes_at", "region", "district", "topic",
                  "registered", "waitlisted", "cancelled_at", "cancellation_reason", "title_es", "description_es",
                  "state", "status", "published_at"]  # fmt: skip


class EventTimeField(serializers.DateTimeField):
    """Keeps a time as written: a naive time reaches the service, which refuses it with its reason,
    instead of being silently read in the server's zone."""

    def enforce_timezone(self, value):
        return value


class EngagementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=EngagementType.choices)
    starts_at = EventTimeField(help_text="ISO 8601 with the event zone's UTC offset")
    ends_at = EventTimeField()
    registration_closes_at = EventTimeField()
    time_zone = serializers.CharField(max_length=64)
    capacity = serializers.IntegerField(min_value=1)
    topic_code = serializers.CharField(max_length=50)
    venue = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    call_in = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    language = serializers.ChoiceField(choices=EngagementLanguage.choices, default=EngagementLanguage.ENGLISH)
    district = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    region = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    title_es = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description_es = serializers.CharField(required=False, default="", allow_blank=True)
    state = serializers.CharField(max_length=2, required=False, default="", allow_blank=True)


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation_name = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    attended = serializers.BooleanField()


class EngagementFilters(serializers.Serializer):
    district = serializers.CharField(max_length=80, required=False, allow_blank=True)


class EngagementViewSet(AuditedReads, OutreachViewSet):
    audit_target_type = "outreach.registration"
    audit_label = "engagement registrations"
    audit_actions = frozenset({"registrations"})  # engagements themselves are published events
    serializer_class = EngagementSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.engagement_list()
        return selectors.engagement_list(**query_filters(self.request, EngagementFilters))

    @extend_schema(parameters=[EngagementFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=EngagementInputSerializer, responses={201: EngagementSerializer})
    def create(self, request):
        data = EngagementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.engagement_create(context=_ctx(request), organiser=request.user, **data.validated_data)
        return Response(EngagementSerializer(selectors.engagement_get(engagement_id=created.pk)).data, status=201)

    @extend_schema(responses=RegistrationSerializer(many=True), summary="Registrations and attendance")
    @action(detail=True, methods=["get"], pagination_class=None)  # one engagement's list, whole
    def registrations(self, request, pk=None):
        engagement = self.get_object()
        rows = selectors.engagement_registrations(engagement=engagement)
        return Response(RegistrationSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=EngagementSerializer, summary="Publish a draft: it goes public")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        published = services.engagement_publish(context=_ctx(request), engagement_id=self.get_object().pk)
        return Response(EngagementSerializer(selectors.engagement_get(engagement_id=published.pk)).data)


# --- feedback ----------------------------------------------------------------------------------------
class FeedbackSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = FeedbackItem
        fields = ["id", "source", "engagement", "organisation", "topic", "summary", "detail", "received_at",
                  "status", "owning_office", "routed_at", "response", "responded_at", "reported_back_at"]  # fmt: skip


class FeedbackDetailSerializer(FeedbackSerializer):
    allowed_actions = AllowedActionsField(
        workflow=FEEDBACK, actions=lambda item, user: selectors.feedback_allowed_actions(item=item, user=user)
    )

    class Meta(FeedbackSerializer.Meta):
        fields = [*FeedbackSerializer.Meta.fields, "allowed_actions"]


class FeedbackInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=FeedbackSource.choices)
    topic_code = serializers.CharField(max_length=50)
    summary = serializers.CharField(max_length=300)
    detail = serializers.CharField(required=False, default="", allow_blank=True)
    engagement_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    organisation_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class RouteInputSerializer(serializers.Serializer):
    owning_office = serializers.ChoiceField(choices=AgencyOffice.choices)


class RespondInputSerializer(serializers.Serializer):
    response = serializers.CharField()


class VolumeSerializer(serializers.Serializer):
    topic = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    calls = serializers.IntegerField()
    inquiries = serializers.IntegerField()
    total = serializers.IntegerField()


class VolumeQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The end comes before the start."]})
        return data


class FeedbackFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=FeedbackStatus.choices, required=False, allow_blank=True)


class FeedbackViewSet(OutreachViewSet):
    serializer_class = FeedbackSerializer

    def get_serializer_class(self):
        return FeedbackDetailSerializer if self.action in ("retrieve", "route", "respond") else FeedbackSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.feedback_list()
        return selectors.feedback_list(**query_filters(self.request, FeedbackFilters))

    @extend_schema(parameters=[FeedbackFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FeedbackInputSerializer, responses={201: FeedbackSerializer})
    def create(self, request):
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.feedback_record(context=_ctx(request), recorded_by=request.user, **data.validated_data)
        return Response(FeedbackSerializer(created).data, status=201)

    @extend_schema(request=RouteInputSerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        data = RouteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_route(context=_ctx(request), feedback_id=self.get_object().pk, **data.validated_data)
        return Response(self.get_serializer(item).data)

    @extend_schema(request=RespondInputSerializer, responses=FeedbackDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        data = RespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.feedback_respond(context=_ctx(request), feedback_id=self.get_object().pk, **data.validated_data)
        return Response(self.get_serializer(item).data)

    @extend_schema(
        parameters=[VolumeQuerySerializer],
        responses=VolumeSerializer,
        summary="Contact-center calls and inquiries on the feedback's topic in a period (counts only)",
    )
    @action(detail=True, methods=["get"])
    def volume(self, request, pk=None):
        item = self.get_object()
        start, end = selectors.feedback_period(item=item)
        params = VolumeQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        zone = timezone.get_current_timezone()
        if params.validated_data.get("start"):
            start = datetime.combine(params.validated_data["start"], time.min, tzinfo=zone)
        if params.validated_data.get("end"):
            end = datetime.combine(params.validated_data["end"], time.min, tzinfo=zone) + timedelta(days=1)
        volume = selectors.contact_center_volume(topic=item.topic, start=start, end=end)
        return Response(
            VolumeSerializer(
                {
                    "topic": item.topic.code,
                    "start": start,
                    "end": end,
                    "calls": volume.calls,
                    "inquiries": volume.inquiries,
                    "total": volume.total,
                }
            ).data
        )


# --- referrals -----------------------------------------------------------------------------------------
class ReferralSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)
    callback_status = serializers.CharField(source="callback.status", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CaseReferral
        fields = ["id", "engagement", "person_name", "language", "topic", "mode", "consent", "consent_recorded_at",
                  "status", "callback_status", "created_at", "closed_at", "outcome", "close_note"]  # fmt: skip


class ReferralDetailSerializer(ReferralSerializer):
    allowed_actions = AllowedActionsField(
        workflow=REFERRAL,
        actions=lambda referral, user: selectors.referral_allowed_actions(referral=referral, user=user),
    )

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "allowed_actions"]


class ReferralInputSerializer(serializers.Serializer):
    person_name = serializers.CharField(max_length=160)
    topic_code = serializers.CharField(max_length=50)
    mode = serializers.ChoiceField(choices=ReferralMode.choices)
    consent = serializers.BooleanField()
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, default="", allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    engagement_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    receipt_number = serializers.CharField(
        max_length=20, required=False, default="", allow_blank=True, help_text="Kept only with receipt_consent"
    )
    receipt_consent = serializers.BooleanField(required=False, default=False)


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ReferralFilters(serializers.Serializer):
    open = serializers.BooleanField(required=False, default=False, help_text="Only referrals not yet closed")


class ReferralViewSet(AuditedReads, OutreachViewSet):
    audit_target_type = "outreach.casereferral"
    audit_label = "case referrals"
    serializer_class = ReferralSerializer

    def get_serializer_class(self):
        return ReferralDetailSerializer if self.action in ("retrieve", "close") else ReferralSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.referral_list()
        return selectors.referral_list(open_only=query_filters(self.request, ReferralFilters).get("open", False))

    @extend_schema(parameters=[ReferralFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReferralInputSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        data = ReferralInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.referral_create(context=_ctx(request), referred_by=request.user, **data.validated_data)
        return Response(ReferralSerializer(created).data, status=201)

    @extend_schema(request=CloseInputSerializer, responses=ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = CloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.referral_close(context=_ctx(request), referral_id=self.get_object().pk, **data.validated_data)
        return Response(self.get_serializer(closed).data)


# --- dashboards -------------------------------------------------------------------------------------------
class DashboardSerializer(serializers.Serializer):
    engagements_per_district_month = serializers.ListField(child=serializers.DictField())
    partners_by_type = serializers.ListField(child=serializers.DictField())
    feedback_pipeline = serializers.DictField(child=serializers.IntegerField())


class DashboardView(APIView):
    allowed_roles = OUTREACH_API_ROLES
    permission_classes = [OutreachRole]

    @extend_schema(responses=DashboardSerializer, summary="Engagements per district and month, partners, pipeline")
    def get(self, request):
        return Response(
            DashboardSerializer(
                {
                    "engagements_per_district_month": [
                        {
                            "district": row["district"],
                            "month": row["month"].strftime("%Y-%m"),
                            "engagements": row["engagements"],
                        }
                        for row in selectors.engagements_per_district_month()
                    ],
                    "partners_by_type": selectors.partners_by_type(),
                    "feedback_pipeline": {value: count for value, _label, count in selectors.feedback_pipeline()},
                }
            ).data
        )
