from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext, AuditedReads, record_view
from contactcenter.common.drf import AllowedActionsField, StandardPagination, query_filters
from contactcenter.live.workflows import SERVICE_REQUEST
from contactcenter.models import (
    AuditChannel,
    Channel,
    Interaction,
    Language,
    RequesterRole,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceRequestType,
    Topic,
)
from contactcenter.reference.identifiers import InvalidIdentifier, mask_receipt_number, normalize_receipt_number
from contactcenter.staff.roles import ALL_ROLES, CASE_PII_ROLES, Role, user_roles


class SchemaView(SpectacularAPIView):
    allowed_roles = ALL_ROLES


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is a separate request (?script), not inline: it runs under the
    strict Content-Security-Policy."""

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
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Topic
        fields = ["code", "name_en", "name_es", "parent", "active"]


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = TopicSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return selectors.topic_list(active_only=False)

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$")])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class InteractionSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receipt_numbers = serializers.SerializerMethodField()
    a_numbers = serializers.SerializerMethodField()
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    restricted = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="Your role sees only that this contact exists: summary, link, handler and source id are blank.",
    )

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
            "restricted",
        ]

    def get_receipt_numbers(self, obj) -> list[str]:
        return [i.value for i in obj.identifiers.all() if i.kind == "receipt"]

    def get_a_numbers(self, obj) -> list[str]:
        return [i.value for i in obj.identifiers.all() if i.kind == "a_number"]


class InteractionFilters(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)


class InteractionPagination(StandardPagination):
    # Every page names receipt numbers and A-numbers; a smaller cap than the default keeps one request
    # from reading the ledger wholesale.
    max_page_size = 100


class InteractionViewSet(viewsets.ReadOnlyModelViewSet):
    """The interaction ledger. Every read of it (list, one interaction, a receipt number's history)
    is audited: each names receipt numbers and A-numbers."""

    allowed_roles = CASE_PII_ROLES
    serializer_class = InteractionSerializer
    pagination_class = InteractionPagination

    def get_queryset(self):
        return selectors.interactions_visible_to(user=self.request.user)

    @extend_schema(parameters=[InteractionFilters])
    def list(self, request, *args, **kwargs):
        channel = query_filters(request, InteractionFilters).get("channel")
        queryset = self.get_queryset()
        if channel:
            queryset = queryset.filter(channel=channel)
        page = self.paginate_queryset(queryset)
        paginator = self.paginator
        count = paginator.page.paginator.count
        record_view(
            request,
            channel=AuditChannel.API,
            target_type="interaction_list",
            summary=f"Listed {len(page)} of {count} interactions through the API",
            detail={
                "count": count,
                "shown": len(page),
                "page": paginator.page.number,
                "page_size": paginator.get_page_size(request),
                "channel": request.query_params.get("channel") or "",
            },
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        interaction = self.get_object()
        record_view(
            request,
            channel=AuditChannel.API,
            target_type="interaction",
            target_id=interaction.pk,
            summary=f"Viewed interaction #{interaction.pk} through the API",
        )
        return Response(self.get_serializer(interaction).data)

    @extend_schema(
        parameters=[OpenApiParameter("receipt_number", str, OpenApiParameter.PATH)],
        responses=InteractionSerializer(many=True),
        summary="Every contact about a receipt number, on any channel",
    )
    @action(detail=False, methods=["get"], url_path=r"by-receipt/(?P<receipt_number>[^/.]+)")
    def by_receipt(self, request, receipt_number: str):
        value = normalize_receipt_number(receipt_number)
        interactions = selectors.interactions_for_receipt_number(user=request.user, receipt_number=value)
        page = self.paginate_queryset(interactions)
        record_view(
            request,
            channel=AuditChannel.API,
            target_type="receipt_number",
            target_id=value,
            summary=f"Viewed the contact history of {mask_receipt_number(value)} through the API",
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- live tier ----------------------------------------------------------------------------------
class AgentStateSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_since = serializers.DateTimeField(allow_null=True)
    reason_code = serializers.CharField()
    home_queue = serializers.CharField()
    contact_id = serializers.IntegerField(allow_null=True)
    contact_status = serializers.CharField(allow_null=True)


class AgentStateInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["available", "break", "not_ready", "offline"])
    reason_code = serializers.SlugField(max_length=30, required=False, default="")


class AgentStateView(APIView):
    """The signed-in agent's own state: read it, or go available, on break, not ready (with a
    reason code) or offline."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    def _payload(self, request) -> dict:
        state = selectors.console_state(user=request.user)
        return {
            "state": state.agent.state if state.agent else "offline",
            "state_since": state.agent.state_since if state.agent else None,
            "reason_code": state.agent.reason_code if state.agent else "",
            "home_queue": state.agent.home_queue if state.agent else "",
            "contact_id": state.contact.pk if state.contact else None,
            "contact_status": state.contact.status if state.contact else None,
        }

    @extend_schema(responses=AgentStateSerializer, summary="Your agent state and current contact")
    def get(self, request):
        return Response(AgentStateSerializer(self._payload(request)).data)

    @extend_schema(request=AgentStateInputSerializer, responses=AgentStateSerializer, summary="Change your state")
    def post(self, request):
        data = AgentStateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agent_state_set(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            state=data.validated_data["state"],
            reason_code=data.validated_data["reason_code"],
        )
        return Response(AgentStateSerializer(self._payload(request)).data)


class CallControlsSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    on_hold = serializers.BooleanField()
    on_hold_since = serializers.DateTimeField(allow_null=True)
    muted = serializers.BooleanField()


class HoldInputSerializer(serializers.Serializer):
    hold = serializers.BooleanField()


class MuteInputSerializer(serializers.Serializer):
    mute = serializers.BooleanField()


def _call_controls(contact) -> dict:
    return {
        "contact_id": contact.pk,
        "on_hold": contact.on_hold_since is not None,
        "on_hold_since": contact.on_hold_since,
        "muted": contact.muted,
    }


class ContactHoldView(APIView):
    """Put the caller of your own connected call on hold (music in their language), or take them off."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    @extend_schema(request=HoldInputSerializer, responses=CallControlsSerializer, summary="Hold or resume your caller")
    def post(self, request, contact_id: int):
        data = HoldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_hold(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
            hold=data.validated_data["hold"],
        )
        return Response(CallControlsSerializer(_call_controls(contact)).data)


class ContactMuteView(APIView):
    """Mute or unmute your own line on your connected call."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    @extend_schema(request=MuteInputSerializer, responses=CallControlsSerializer, summary="Mute or unmute yourself")
    def post(self, request, contact_id: int):
        data = MuteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_mute(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
            mute=data.validated_data["mute"],
        )
        return Response(CallControlsSerializer(_call_controls(contact)).data)


class RecordingInputSerializer(serializers.Serializer):
    paused = serializers.BooleanField()


class RecordingStateSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    recording_paused = serializers.BooleanField()


class ContactRecordingView(APIView):
    """Pause the recording of your own connected call while the caller gives sensitive data, or resume it."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    @extend_schema(
        request=RecordingInputSerializer, responses=RecordingStateSerializer, summary="Pause or resume the recording"
    )
    def post(self, request, contact_id: int):
        data = RecordingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_recording_pause(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
            paused=data.validated_data["paused"],
        )
        return Response(
            RecordingStateSerializer({"contact_id": contact.pk, "recording_paused": contact.recording_paused}).data
        )


class TransferInputSerializer(serializers.Serializer):
    queue_name = serializers.CharField(max_length=40)


class TransferSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField(help_text="The caller's new place in line.")
    queue_name = serializers.CharField()
    status = serializers.CharField()


class ContactTransferView(APIView):
    """Cold-transfer the caller of your own connected call to another queue; you go to wrap-up."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    @extend_schema(request=TransferInputSerializer, responses=TransferSerializer, summary="Transfer your caller")
    def post(self, request, contact_id: int):
        data = TransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        onward = services.contact_transfer(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
            queue_name=data.validated_data["queue_name"],
        )
        return Response(
            TransferSerializer({"contact_id": onward.pk, "queue_name": onward.queue_name, "status": onward.status}).data
        )


class ConsultInputSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(
        choices=["iso", "supervisor"],
        help_text="`iso`: consult an available ISO (Tier 2); `supervisor`: the caller asked for a supervisor.",
    )


class ConsultSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField(help_text="Your call.")
    on_hold = serializers.BooleanField()
    consult_id = serializers.IntegerField(allow_null=True, help_text="The consulted person's part of the call.")
    consult_status = serializers.CharField(
        allow_blank=True, help_text="offered, connected, completed, cancelled; blank when no consult was asked."
    )
    consult_answered = serializers.BooleanField(help_text="False once the person did not answer.")
    consulted = serializers.CharField(allow_blank=True, help_text="Who was asked (their user name).")
    holder_id = serializers.IntegerField(help_text="The contact holding the caller now (the consult's after leaving).")


def _consult_answer(contact, *, holder=None) -> dict:
    consult = selectors.consult_latest(contact=contact)
    return {
        "contact_id": contact.pk,
        "on_hold": contact.on_hold_since is not None,
        "consult_id": consult.pk if consult else None,
        "consult_status": consult.status if consult else "",
        "consult_answered": not (consult and consult.disposition == "no_answer"),
        "consulted": consult.offered_to.get_username() if consult and consult.offered_to else "",
        "holder_id": (holder or contact).pk,
    }


class ContactConsultView(APIView):
    """Bring an available ISO, or (the caller asked for one) a supervisor, into your connected call:
    the caller goes on hold and the person's console rings. Nobody available: 409, the caller stays
    with you."""

    allowed_roles = frozenset({Role.CSR, Role.ISO})

    @extend_schema(request=ConsultInputSerializer, responses=ConsultSerializer, summary="Start a consult")
    def post(self, request, contact_id: int):
        data = ConsultInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consult = services.contact_consult_start(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
            purpose=data.validated_data["purpose"],
        )
        return Response(ConsultSerializer(_consult_answer(consult.consult_of)).data)


class _ConsultActionView(APIView):
    allowed_roles = frozenset({Role.CSR, Role.ISO})
    service = None

    def post(self, request, contact_id: int):
        result = type(self).service(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            contact_id=contact_id,
        )
        contact = result.consult_of if result.pk != contact_id else result
        return Response(ConsultSerializer(_consult_answer(contact, holder=result)).data)


class ContactConsultJoinView(_ConsultActionView):
    """The consulted person joined: take the caller off hold into a three-way call."""

    service = staticmethod(services.contact_consult_join)

    @extend_schema(request=None, responses=ConsultSerializer, summary="Join the caller to the consult")
    def post(self, request, contact_id: int):
        return super().post(request, contact_id)


class ContactConsultCompleteView(_ConsultActionView):
    """Warm transfer: leave the call to the consulted person; you go to wrap-up."""

    service = staticmethod(services.contact_consult_complete)

    @extend_schema(request=None, responses=ConsultSerializer, summary="Leave the call to the consulted person")
    def post(self, request, contact_id: int):
        return super().post(request, contact_id)


class ContactConsultCancelView(_ConsultActionView):
    """Call the consult off: the caller is back with you, off hold."""

    service = staticmethod(services.contact_consult_cancel)

    @extend_schema(request=None, responses=ConsultSerializer, summary="Cancel the consult")
    def post(self, request, contact_id: int):
        return super().post(request, contact_id)


class VoiceTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Give it to `Twilio.Device` (or `device.updateToken`). With TELEPHONY_BACKEND=local it is "
        "a token for the local device, not a Twilio token."
    )
    identity = serializers.CharField(help_text="The identity calls are put through to (`agent-<user id>`).")
    expires_at = serializers.DateTimeField(help_text="At most an hour from now; fetch a new one before then.")


class VoiceTokenView(APIView):
    """The signed-in agent's softphone access token (a VoiceGrant for their own identity); a
    supervisor's, for the phone the wallboard joins calls with (listen, whisper, barge)."""

    allowed_roles = frozenset({Role.CSR, Role.ISO, Role.SUPERVISOR})
    throttle_scope = "voice-token"

    @extend_schema(responses=VoiceTokenSerializer, summary="An access token for your softphone")
    def get(self, request):
        from contactcenter.telephony.softphone import voice_token_for

        issued = voice_token_for(user=request.user)
        response = Response(VoiceTokenSerializer(asdict(issued)).data)
        response["Cache-Control"] = "no-store"  # a credential: never kept by a browser or proxy cache
        return response


class LiveCallSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    agent = serializers.CharField(help_text="The agent's username.")
    queue_name = serializers.CharField()
    language = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    on_hold_since = serializers.DateTimeField(allow_null=True)
    supervisors = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Supervisors in the call: username and mode (listen, whisper, barge).",
    )


class LiveCallsView(APIView):
    """The calls agents are on now (the wallboard's live monitor): queue, language, since when, on
    hold since when, and the supervisors in each. No caller's details."""

    allowed_roles = frozenset({Role.SUPERVISOR})

    @extend_schema(responses=LiveCallSerializer(many=True), summary="Calls agents are on now")
    def get(self, request):
        monitors: dict[int, list[dict]] = {}
        for session in selectors.monitor_sessions_open():
            monitors.setdefault(session.contact_id, []).append(
                {"username": session.supervisor.get_username(), "mode": session.mode}
            )
        rows = [
            {
                "contact_id": call.pk,
                "agent": call.offered_to.get_username(),
                "queue_name": call.queue_name,
                "language": call.language,
                "answered_at": call.answered_at,
                "on_hold_since": call.on_hold_since,
                "supervisors": monitors.get(call.pk, []),
            }
            for call in selectors.calls_connected()
        ]
        return Response(LiveCallSerializer(rows, many=True).data)


class MonitorInputSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["listen", "whisper", "barge", "leave"])


class MonitorSerializer(serializers.Serializer):
    contact_id = serializers.IntegerField()
    mode = serializers.CharField(allow_null=True, help_text="listen, whisper, barge; null once you left.")
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class MonitorView(APIView):
    """Join an agent's live call from the wallboard's phone: listen (muted, coaching the agent),
    whisper (only the agent hears you), barge (caller and agent hear you), or leave. Each is a REST
    call on the call's conference and an audit row."""

    allowed_roles = frozenset({Role.SUPERVISOR})

    @extend_schema(request=MonitorInputSerializer, responses=MonitorSerializer, summary="Listen, whisper, barge, leave")
    def post(self, request, contact_id: int):
        data = MonitorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        context = AuditContext.from_request(request, channel=AuditChannel.API)
        mode = data.validated_data["mode"]
        if mode == "leave":
            session = services.monitor_leave(context=context, user=request.user, contact_id=contact_id)
            payload = {"contact_id": contact_id, "mode": None, "started_at": None, "ended_at": None}
            if session is not None:
                payload.update(started_at=session.started_at, ended_at=session.ended_at)
            return Response(MonitorSerializer(payload).data)
        service = {
            "listen": services.monitor_listen,
            "whisper": services.monitor_whisper,
            "barge": services.monitor_barge,
        }[mode]
        session = service(context=context, user=request.user, contact_id=contact_id)
        return Response(
            MonitorSerializer(
                {
                    "contact_id": session.contact_id,
                    "mode": session.mode,
                    "started_at": session.started_at,
                    "ended_at": None,
                }
            ).data
        )


class ForceStateInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["not_ready", "break", "offline"])
    reason = serializers.CharField(max_length=160, help_text="Why: recorded in the audit log.")
    reason_code = serializers.SlugField(
        max_length=30, required=False, default="", help_text="A not-ready reason code (required for not_ready)."
    )


class ForcedStateSerializer(serializers.Serializer):
    agent_id = serializers.IntegerField()
    state = serializers.CharField()
    state_since = serializers.DateTimeField()
    reason_code = serializers.CharField()


class AgentStateForceView(APIView):
    """Set an agent's state as their supervisor (not ready with a reason code, on break, or offline),
    saying why. An agent on a call cannot be taken off it; a call offered to them goes back in line."""

    allowed_roles = frozenset({Role.SUPERVISOR})

    @extend_schema(request=ForceStateInputSerializer, responses=ForcedStateSerializer, summary="Set an agent's state")
    def post(self, request, agent_id: int):
        data = ForceStateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agent = services.agent_state_force(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            agent_id=agent_id,
            **data.validated_data,
        )
        return Response(
            ForcedStateSerializer(
                {
                    "agent_id": agent.user_id,
                    "state": agent.state,
                    "state_since": agent.state_since,
                    "reason_code": agent.reason_code,
                }
            ).data
        )


class QueueStatsSerializer(serializers.Serializer):
    name = serializers.CharField()
    service_level_seconds = serializers.IntegerField()
    waiting = serializers.IntegerField()
    offered = serializers.IntegerField()
    callbacks_pending = serializers.IntegerField()
    longest_wait_seconds = serializers.IntegerField()
    agents = serializers.DictField(child=serializers.IntegerField())
    answered = serializers.IntegerField()
    answered_within_service_level = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    service_level_percent = serializers.FloatField(allow_null=True)
    abandonment_percent = serializers.FloatField(allow_null=True)
    average_speed_of_answer_seconds = serializers.FloatField(allow_null=True)
    average_handle_seconds = serializers.FloatField(
        allow_null=True, help_text="Talk + hold + after-call work of today's completed conversations."
    )
    service_level_target_percent = serializers.IntegerField()
    abandoned_short = serializers.IntegerField(
        help_text="Callers who hung up within short_abandon_seconds: out of the service level and abandonment rate."
    )
    short_abandon_seconds = serializers.IntegerField()


class QueueStatsView(APIView):
    """Every queue's real-time figures, as the wallboard shows them."""

    allowed_roles = frozenset({Role.SUPERVISOR})

    @extend_schema(responses=QueueStatsSerializer(many=True), summary="Real-time queue statistics")
    def get(self, request):
        return Response(QueueStatsSerializer([asdict(row) for row in selectors.queue_stats()], many=True).data)


class ServiceRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "receipt_number",
            "form",
            "office",
            "requester_role",
            "language",
            "expedite_criterion",
            "due_on",
            "created_at",
            "reviewed_at",
            "review_note",
        ]


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    allowed_actions = AllowedActionsField(
        workflow=SERVICE_REQUEST,
        actions=lambda request, user: selectors.service_request_allowed_actions(request=request, user=user),
    )

    class Meta(ServiceRequestSerializer.Meta):
        fields = [*ServiceRequestSerializer.Meta.fields, "allowed_actions"]


class ServiceRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceRequestType.choices)
    receipt_number = serializers.CharField(max_length=20)
    date_of_birth = serializers.DateField()
    requester_role = serializers.ChoiceField(choices=RequesterRole.choices)
    a_number = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    requester_name = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    expedite_criterion = serializers.CharField(required=False, allow_blank=True, default="")
    new_address_line = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    new_city = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    new_state = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    new_zip = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    moved_on = serializers.DateField(required=False, allow_null=True, default=None)
    contact_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The live contact the request is taken on (yours, connected). An address change needs one "
        "whose caller passed verification in the console, or `written_request_id`.",
    )
    written_request_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="For an address change without a verified caller: the ledger id of the written request "
        "(channel written) that names the receipt number or its A-number.",
    )


class ReceiptNumberFilterField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            return normalize_receipt_number(value)
        except InvalidIdentifier as error:
            raise serializers.ValidationError(str(error)) from error


class ServiceRequestFilters(serializers.Serializer):
    receipt_number = ReceiptNumberFilterField(max_length=20, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ServiceRequestStatus.choices, required=False, allow_blank=True)


class ServiceRequestViewSet(AuditedReads, viewsets.ReadOnlyModelViewSet):
    """Service requests: agents and supervisors list them (by receipt number or status) and take
    new ones; every read (list or one) is audited, as they carry case PII."""

    audit_target_type = "contactcenter.servicerequest"
    audit_label = "service requests"
    allowed_roles = frozenset({Role.CSR, Role.ISO, Role.SUPERVISOR})
    serializer_class = ServiceRequestSerializer

    def get_serializer_class(self):
        return ServiceRequestDetailSerializer if self.action == "retrieve" else ServiceRequestSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.service_requests_list()
        return selectors.service_requests_list(**query_filters(self.request, ServiceRequestFilters))

    @extend_schema(parameters=[ServiceRequestFilters], summary="List service requests")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ServiceRequestInputSerializer, responses={201: ServiceRequestSerializer})
    def create(self, request):
        data = ServiceRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.service_request_create(
            context=AuditContext.from_request(request, channel=AuditChannel.API),
            user=request.user,
            **data.validated_data,
        )
        return Response(ServiceRequestSerializer(created).data, status=201)


# --- customer feedback survey (OMB Circular A-11 §280) ---------------------------------------------
class SurveyFiguresSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The channel, queue, language or topic code (all: 'all').")
    label = serializers.CharField()
    responses = serializers.IntegerField(help_text="Contacts that answered at least one question.")
    satisfaction_answers = serializers.IntegerField()
    satisfaction_mean = serializers.FloatField(allow_null=True, help_text="1 (strongly disagree) to 5.")
    satisfaction_percent = serializers.IntegerField(allow_null=True, help_text="Answers of 4 or 5, in %.")
    trust_answers = serializers.IntegerField()
    trust_mean = serializers.FloatField(allow_null=True)
    trust_percent = serializers.IntegerField(allow_null=True)


class SurveyReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    all = SurveyFiguresSerializer(allow_null=True)
    by_channel = SurveyFiguresSerializer(many=True)
    by_queue = SurveyFiguresSerializer(many=True)
    by_language = SurveyFiguresSerializer(many=True)
    by_topic = SurveyFiguresSerializer(many=True)


class SurveyFiguresView(APIView):
    """The survey's answers over a period of whole days (default: the last 7), as the supervisors'
    survey report shows them. Aggregates only."""

    allowed_roles = frozenset({Role.SUPERVISOR})

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="First day, YYYY-MM-DD"),
            OpenApiParameter("end", str, description="Last day, YYYY-MM-DD"),
        ],
        responses=SurveyReportSerializer,
        summary="Customer feedback survey figures by channel, queue, language and topic",
    )
    def get(self, request):
        from rest_framework.exceptions import ValidationError

        from contactcenter.consoles.forms import SurveyReportForm

        form = SurveyReportForm.for_params(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = selectors.survey_figures(start=start, end=end, language=request.LANGUAGE_CODE or "en")
        data = {
            "start": start,
            "end": end,
            "all": asdict(figures["all"][0]) if figures["all"] else None,
            **{f"by_{key}": [asdict(row) for row in figures[key]] for key in selectors.DIMENSIONS},
        }
        return Response(SurveyReportSerializer(data).data)
