from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from contactcenter import services
from contactcenter.audit.context import AuditContext, record_list_view, record_view
from contactcenter.models import (
    AuditAction,
    AuditChannel,
    AuditEvent,
    Interaction,
    InteractionIdentifier,
    KnowledgeArticle,
    StaffProfile,
    Topic,
    WorkerHeartbeat,
)

User = get_user_model()


class RecordOnlyAdminMixin:
    """A record the system writes and keeps (audit rows, alerts): read in the admin, never added,
    edited or deleted there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedViewMixin:
    """A model admin of personal data audits what it shows and changes, like the consoles do: a
    changelist records the ids of the rows it listed, a change page a view, and a save the names
    of the fields it changed (never their values)."""

    audit_target_type = ""
    audit_summary = ""

    def _audit_target_type(self) -> str:
        return self.audit_target_type or self.model._meta.label_lower

    def _audit(self, request, *, action: str, target_id="", summary: str, detail: dict | None = None) -> None:
        services.audit_record(
            context=AuditContext.from_request(request, channel=AuditChannel.ADMIN),
            action=action,
            target_type=self._audit_target_type(),
            target_id=target_id,
            summary=summary,
            detail=detail,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            record_list_view(
                request,
                channel=AuditChannel.ADMIN,
                target_type=self._audit_target_type(),
                label=f"{self.model._meta.verbose_name_plural} in admin",
                ids=[obj.pk for obj in changelist.result_list],
                count=changelist.result_count,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # 200 is the page with the record on it (first open, or a form sent back with errors); a
        # saved edit redirects and is recorded with its changed fields instead.
        if response.status_code == 200:
            record_view(
                request,
                channel=AuditChannel.ADMIN,
                target_type=self._audit_target_type(),
                target_id=object_id,
                summary=self.audit_summary or f"{self.model._meta.verbose_name} opened in admin",
            )
        return response

    def construct_change_message(self, request, form, formsets, add=False):
        changed = list(form.changed_data)
        for formset in formsets or ():
            inline = formset.model._meta.model_name
            changed += [f"{inline}.{name}" for inline_form in formset.forms for name in inline_form.changed_data]
            changed += [f"{inline}:deleted" for _ in getattr(formset, "deleted_objects", ())]
        # The staff password form names its object `user`, every model form `instance`.
        instance = getattr(form, "instance", None) or getattr(form, "user", None)
        if instance is not None and instance.pk is not None:
            name, fields = self.model._meta.verbose_name, sorted(set(changed))
            self._audit(
                request,
                action=AuditAction.CREATE if add else AuditAction.UPDATE,
                target_id=instance.pk,
                summary=f"{name} {'added' if add else 'changed'} in admin: {', '.join(fields) or 'nothing'}",
                detail={"fields": fields},
            )
        return super().construct_change_message(request, form, formsets, add)

    def log_deletions(self, request, queryset):
        ids = [obj.pk for obj in queryset]
        self._audit(
            request,
            action=AuditAction.DELETE,
            target_id=ids[0] if len(ids) == 1 else "",
            summary=f"Deleted {len(ids)} {self.model._meta.verbose_name_plural} in admin",
            detail={"ids": ids},
        )
        return super().log_deletions(request, queryset)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ["tier", "languages", "skills", "time_zone", "district", "title", "agent_line"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(AuditedViewMixin, UserAdmin):
    audit_target_type = "auth.user"

    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "roles"]
    list_filter = ["is_active", "groups"]

    @admin.display(description="Roles")
    def roles(self, obj) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """The audit log can be read, never edited or deleted; who read it is itself recorded."""

    list_display = ["occurred_at", "actor_username", "action", "channel", "target_type", "target_id", "ip_address"]
    list_filter = ["action", "channel", "target_type"]
    search_fields = ["actor_username", "target_id", "request_id"]
    date_hierarchy = "occurred_at"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_es", "parent", "active", "sort_order"]
    list_filter = ["active"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "language", "topic", "status", "reviewed_at"]
    list_filter = ["kind", "language", "status", "topic"]
    search_fields = ["title", "body", "source"]
    raw_id_fields = ["translation_of", "created_by", "reviewed_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The consoles' search reads the vector the library's services write: keep it in step.
        services.knowledge_search_refresh(article_ids=[obj.pk])


class InteractionIdentifierInline(admin.TabularInline):
    model = InteractionIdentifier
    extra = 0


@admin.register(Interaction)
class InteractionAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "contactcenter.interaction"
    audit_summary = "Interaction opened in admin"
    list_display = ["occurred_at", "channel", "topic", "outcome", "language", "source_app", "source_id"]
    list_filter = ["channel", "outcome", "language", "topic"]
    search_fields = ["identifiers__value", "source_id"]
    list_select_related = ["topic"]
    raw_id_fields = ["parent", "handled_by"]
    inlines = [InteractionIdentifierInline]
    date_hierarchy = "occurred_at"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen", "hostname"]


# --- reference data -----------------------------------------------------------------------------
from django.db import models as db_models  # noqa: E402

from contactcenter.models import (  # noqa: E402
    BenefitCase,
    CaseStatusEvent,
    CivilSurgeon,
    FieldOffice,
    Form,
    FormOrder,
    MailingBatch,
    MailingBatchItem,
    OfficeClosure,
    ProcessingTime,
    StatusHeadline,
    VisaBulletinEntry,
    ZipCentroid,
)


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["number", "title_en", "fee", "edition", "active"]
    list_filter = ["active"]
    search_fields = ["number", "title_en", "title_es"]
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}


@admin.register(ZipCentroid)
class ZipCentroidAdmin(admin.ModelAdmin):
    list_display = ["zip_code", "city", "state", "latitude", "longitude", "time_zone"]
    list_filter = ["state", "time_zone"]
    search_fields = ["=zip_code", "city"]


class OfficeClosureInline(admin.TabularInline):
    model = OfficeClosure
    extra = 0


@admin.register(FieldOffice)
class FieldOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "city", "state", "zip_code", "time_zone"]
    list_filter = ["kind", "state", "time_zone"]
    search_fields = ["code", "name", "city", "zip_code"]
    inlines = [OfficeClosureInline]


@admin.register(OfficeClosure)
class OfficeClosureAdmin(admin.ModelAdmin):
    list_display = ["office", "starts_on", "ends_on", "reason_en"]
    list_filter = ["office__kind", "starts_on"]
    search_fields = ["office__name", "office__code", "reason_en", "reason_es"]
    list_select_related = ["office"]
    date_hierarchy = "starts_on"


@admin.register(CivilSurgeon)
class CivilSurgeonAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "city", "state", "zip_code", "phone"]
    list_filter = ["state"]
    search_fields = ["name", "practice", "city", "=zip_code"]


@admin.register(StatusHeadline)
class StatusHeadlineAdmin(admin.ModelAdmin):
    list_display = ["code", "headline_en", "headline_es", "terminal", "awaiting_decision"]
    list_filter = ["terminal", "awaiting_decision"]
    search_fields = ["code", "headline_en", "headline_es"]


class CaseStatusEventInline(admin.TabularInline):
    model = CaseStatusEvent
    extra = 0
    ordering = ["occurred_on", "id"]


@admin.register(BenefitCase)
class BenefitCaseAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["receipt_number", "form", "category", "office", "status", "status_on", "received_on"]
    list_filter = ["form", "status", "office__kind"]
    search_fields = ["=receipt_number", "=a_number", "applicant_name"]
    list_select_related = ["form", "office", "status"]
    inlines = [CaseStatusEventInline]
    date_hierarchy = "received_on"
    audit_target_type = "contactcenter.benefitcase"
    audit_summary = "Benefit case opened in admin"


@admin.register(CaseStatusEvent)
class CaseStatusEventAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["case", "status", "occurred_on"]
    list_filter = ["status"]
    search_fields = ["=case__receipt_number"]
    list_select_related = ["case", "status"]
    raw_id_fields = ["case"]


@admin.register(ProcessingTime)
class ProcessingTimeAdmin(admin.ModelAdmin):
    list_display = ["form", "category", "office", "months", "inquiry_receipt_date", "published_on"]
    list_filter = ["form", "published_on", "office__kind"]
    search_fields = ["category", "category_es", "office__name", "office__code"]
    list_select_related = ["form", "office"]


@admin.register(VisaBulletinEntry)
class VisaBulletinEntryAdmin(admin.ModelAdmin):
    list_display = ["bulletin_month", "chart", "category", "chargeability", "cell"]
    list_filter = ["bulletin_month", "chart", "category", "chargeability", "availability"]
    search_fields = ["category", "chargeability"]


@admin.register(FormOrder)
class FormOrderAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["created_at", "form", "channel", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "language", "form"]
    search_fields = ["=idempotency_key", "=case__receipt_number"]
    list_select_related = ["form"]
    raw_id_fields = ["case"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.formorder"
    audit_summary = "Form order opened in admin"


class MailingBatchItemInline(admin.TabularInline):
    model = MailingBatchItem
    fields = ["order", "form_number", "edition", "name", "address_line", "city", "state", "zip_code"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MailingBatch)
class MailingBatchAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """Made and confirmed only through the supervisors' Mailing batches page (the services keep an order
    in one batch and confirm a batch once): read here."""

    list_display = ["pk", "batch_date", "status", "created_at", "confirmed_at", "confirmed_by"]
    list_filter = ["status", "batch_date"]
    list_select_related = ["confirmed_by"]
    date_hierarchy = "created_at"
    inlines = [MailingBatchItemInline]
    audit_target_type = "contactcenter.mailingbatch"
    audit_summary = "Mailing batch opened in admin"


@admin.register(MailingBatchItem)
class MailingBatchItemAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "batch", "order", "form_number", "zip_code"]
    list_filter = ["form_number"]
    search_fields = ["=order__id", "=zip_code"]
    list_select_related = ["batch", "order"]
    audit_target_type = "contactcenter.mailingbatchitem"
    audit_summary = "Mailing batch item opened in admin"


# --- routing ------------------------------------------------------------------------------------
from contactcenter.models import (  # noqa: E402
    AgentState,
    AgentStateChange,
    CenterClosure,
    NotReadyReason,
    QueueConfig,
    WaitingContact,
)


@admin.register(CenterClosure)
class CenterClosureAdmin(AuditedViewMixin, admin.ModelAdmin):
    """Supervisors enter closures on their own page; here administrators see and correct them (audited)."""

    list_display = ["first_day", "last_day", "starts_at", "ends_at", "reason_en", "queues"]
    date_hierarchy = "first_day"
    search_fields = ["reason_en", "reason_es"]


@admin.register(NotReadyReason)
class NotReadyReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_es", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(QueueConfig)
class QueueConfigAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "tier",
        "language",
        "service_level_seconds",
        "offer_timeout_seconds",
        "overflow_after_seconds",
        "overflow_to",
        "opens_at",
        "closes_at",
        "hours_time_zone",
        "active",
    ]
    list_filter = ["tier", "language", "active"]
    list_editable = ["active"]
    fieldsets = [
        (None, {"fields": ["name", "tier", "language", "active"]}),
        (
            "Service level, offers and after-call work",
            {
                "fields": [
                    "service_level_seconds",
                    "service_level_target_percent",
                    "short_abandon_seconds",
                    "offer_timeout_seconds",
                    "after_call_work_seconds",
                ]
            },
        ),
        (
            "Wallboard colours",
            {
                "fields": [
                    "longest_wait_amber_seconds",
                    "longest_wait_red_seconds",
                    "abandonment_amber_percent",
                    "abandonment_red_percent",
                ]
            },
        ),
        ("Overflow", {"fields": ["overflow_after_seconds", "overflow_to"]}),
        ("Hours", {"fields": ["opens_at", "closes_at", "hours_time_zone", "open_on_weekends"]}),
    ]


# State and offers move only through the routing services (legal transitions, audited).
@admin.register(AgentState)
class AgentStateAdmin(admin.ModelAdmin):
    readonly_fields = ["state", "state_since", "last_available_at", "tier", "home_queue", "languages"]
    list_display = ["user", "state", "state_since", "home_queue", "languages", "last_available_at"]
    list_filter = ["state", "home_queue"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(AgentStateChange)
class AgentStateChangeAdmin(admin.ModelAdmin):
    readonly_fields = ["agent", "from_state", "to_state", "at", "reason", "contact"]
    list_display = ["at", "agent", "from_state", "to_state", "reason", "contact"]
    list_filter = ["to_state"]
    search_fields = ["agent__username"]
    list_select_related = ["agent"]
    date_hierarchy = "at"


@admin.register(WaitingContact)
class WaitingContactAdmin(AuditedViewMixin, admin.ModelAdmin):
    readonly_fields = ["status", "offered_to", "offered_at", "offer_expires_at", "answered_at", "attempts"]
    raw_id_fields = ["interaction"]
    list_display = ["enqueued_at", "queue_name", "kind", "status", "priority", "offered_to", "attempts"]
    list_filter = ["queue_name", "status", "kind"]
    search_fields = ["=call_sid"]
    list_select_related = ["offered_to"]
    date_hierarchy = "enqueued_at"
    audit_target_type = "contactcenter.waitingcontact"
    audit_summary = "Queued contact opened in admin"


# --- live tier ----------------------------------------------------------------------------------
from contactcenter.models import (  # noqa: E402
    CallerVerification,
    OfficeMembership,
    ServiceRequest,
    ServiceRequestEvent,
    ServiceRequestNotice,
)


class ServiceRequestEventInline(admin.TabularInline):
    model = ServiceRequestEvent
    fields = ["at", "kind", "by", "office", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# Taken, reviewed, worked and resolved only through the consoles' services (identity checks, review
# by another officer, the office's workflow, audit): the admin reads them.
@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id", "kind", "status", "receipt_number", "office", "due_on", "assigned_to", "escalated_at", "created_at",
    ]  # fmt: skip
    list_filter = ["kind", "status", "office"]
    search_fields = ["=receipt_number", "=a_number"]
    list_select_related = ["office", "created_by", "assigned_to"]
    date_hierarchy = "created_at"
    inlines = [ServiceRequestEventInline]
    audit_target_type = "contactcenter.servicerequest"


@admin.register(ServiceRequestEvent)
class ServiceRequestEventAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """A request's history, written by its services."""

    list_display = ["at", "request", "kind", "by", "office"]
    list_filter = ["kind"]
    search_fields = ["=request__id", "=request__receipt_number"]
    list_select_related = ["request", "by", "office"]
    raw_id_fields = ["interaction"]
    date_hierarchy = "at"
    audit_target_type = "contactcenter.servicerequestevent"


@admin.register(ServiceRequestNotice)
class ServiceRequestNoticeAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """The texts and e-mails sent about requests, and whether they went."""

    list_display = ["created_at", "request", "purpose", "channel", "status", "attempts", "sent_at"]
    list_filter = ["purpose", "channel", "status"]
    search_fields = ["=request__id", "=to"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.servicerequestnotice"


@admin.register(OfficeMembership)
class OfficeMembershipAdmin(AuditedViewMixin, admin.ModelAdmin):
    """Which offices a member of staff works (the office staff role sees only their requests), and
    who supervises each (told of overdue requests)."""

    list_display = ["user", "office", "is_supervisor"]
    list_filter = ["is_supervisor", "office"]
    search_fields = ["user__username", "office__code", "office__name"]
    list_select_related = ["user", "office"]
    autocomplete_fields = ["user"]
    audit_target_type = "contactcenter.officemembership"


@admin.register(CallerVerification)
class CallerVerificationAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """Every try to verify a caller, passed, failed or locked: which checks matched, never the answers."""

    list_display = ["created_at", "receipt_number", "outcome", "step", "agent", "contact"]
    list_filter = ["outcome", "step"]
    search_fields = ["=receipt_number"]
    list_select_related = ["agent"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.callerverification"


# Written by the tiers' services and the phone network's callbacks (each with its own audit row):
# the admin reads them, so a support engineer can follow a call without a database shell.
from contactcenter.models import (  # noqa: E402
    CallControl,
    CallRecording,
    ConferenceEvent,
    Escalation,
    MonitorSession,
    OutboundMessage,
)


@admin.register(Escalation)
class EscalationAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "reason", "language", "from_contact", "to_contact", "created_by"]
    list_filter = ["reason", "language"]
    list_select_related = ["created_by"]
    raw_id_fields = ["from_contact", "to_contact"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.escalation"
    audit_summary = "Tier 2 hand-off opened in admin"


@admin.register(CallControl)
class CallControlAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "status", "target", "backend", "attempts", "done_at"]
    list_filter = ["status", "action", "backend"]
    search_fields = ["=call_sid", "=provider_sid"]
    raw_id_fields = ["contact"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.callcontrol"


@admin.register(ConferenceEvent)
class ConferenceEventAdmin(RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "conference_sid", "event", "participant", "outcome"]
    list_filter = ["event", "participant"]
    search_fields = ["=conference_sid", "=call_sid"]
    raw_id_fields = ["contact"]
    date_hierarchy = "at"


# The audio is heard only on the supervisors' listening page (audited there); the admin shows the
# row without the phone network's media address.
@admin.register(CallRecording)
class CallRecordingAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "recording_sid", "status", "duration_seconds", "backend"]
    list_filter = ["status", "backend"]
    search_fields = ["=recording_sid", "=call_sid"]
    exclude = ["media_url"]
    raw_id_fields = ["contact", "interaction"]
    date_hierarchy = "started_at"
    audit_target_type = "contactcenter.callrecording"


@admin.register(MonitorSession)
class MonitorSessionAdmin(RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "supervisor", "agent", "mode", "ended_at"]
    list_filter = ["mode"]
    list_select_related = ["supervisor", "agent"]
    raw_id_fields = ["contact"]
    date_hierarchy = "started_at"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "purpose", "status", "backend", "attempts"]
    list_filter = ["status", "backend"]
    search_fields = ["=purpose", "=provider_sid"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.outboundmessage"
    audit_summary = "Text message opened in admin"


# The reports' counters: recomputed from the ledger and the queue's contacts by the rollup tasks
# (`manage.py rollups_rebuild`), never typed in.
from contactcenter.models import (  # noqa: E402
    LedgerRollup,
    LedgerRollupChannel,
    LedgerRollupDay,
    LedgerRollupDirty,
    QueueRollup,
    QueueRollupDay,
    QueueRollupDirty,
)


class RollupAdmin(RecordOnlyAdminMixin, admin.ModelAdmin):
    def get_list_display(self, request):
        return [field.name for field in self.model._meta.concrete_fields if field.name != "id"][:9]

    def get_list_filter(self, request):
        names = {field.name for field in self.model._meta.concrete_fields}
        return [name for name in ("channel", "queue_name", "language") if name in names]


for _rollup in (LedgerRollup, LedgerRollupChannel, LedgerRollupDay, LedgerRollupDirty):
    admin.site.register(_rollup, RollupAdmin)
for _rollup in (QueueRollup, QueueRollupDay, QueueRollupDirty):
    admin.site.register(_rollup, RollupAdmin)

# --- customer feedback survey ------------------------------------------------------------------
from contactcenter.models import SurveyResponse  # noqa: E402


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "queue_name", "language", "topic", "method", "satisfaction", "trust"]
    list_filter = ["channel", "language", "method", "satisfaction", "trust"]
    search_fields = ["=receipt_number", "=source_id"]
    list_select_related = ["topic"]
    raw_id_fields = ["interaction"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.surveyresponse"
    audit_summary = "Survey response opened in admin"


# --- case-status updates ------------------------------------------------------------------------
from contactcenter.models import StatusNotice, StatusSubscription  # noqa: E402
from contactcenter.staff import admin_tokens  # noqa: E402, F401  (the API-token admin replaces knox's own)


# Subscribed, confirmed and ended only through their services (the code, STOP, the unsubscribe link,
# audit): the admin reads them.
@admin.register(StatusSubscription)
class StatusSubscriptionAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "channel", "language", "source", "status", "confirmed_at", "ended_at"]
    list_filter = ["channel", "language", "source", "status"]
    search_fields = ["=case__receipt_number", "=to"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]
    exclude = ["confirm_code"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.statussubscription"


@admin.register(StatusNotice)
class StatusNoticeAdmin(AuditedViewMixin, RecordOnlyAdminMixin, admin.ModelAdmin):
    """The case-status updates sent, one per subscription and status change, and whether they went."""

    list_display = ["created_at", "subscription", "channel", "language", "status", "attempts", "sent_at"]
    list_filter = ["channel", "language", "status"]
    search_fields = ["=subscription__case__receipt_number", "=to"]
    list_select_related = ["subscription"]
    raw_id_fields = ["subscription", "event"]
    date_hierarchy = "created_at"
    audit_target_type = "contactcenter.statusnotice"
