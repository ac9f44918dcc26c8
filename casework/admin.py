from django.contrib import admin

from contactcenter.admin import AuditedViewMixin

from .models import (
    Attachment,
    Correspondent,
    Inquiry,
    InquiryActivity,
    Response,
    ResponseTemplate,
    SlaTarget,
    TripRedress,
)


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["source", "business_days", "due_soon_days", "sender_domains"]
    list_editable = ["business_days", "due_soon_days", "sender_domains"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "language", "title", "active"]
    list_filter = ["language", "active"]
    search_fields = ["code", "title", "subject"]


@admin.register(Correspondent)
class CorrespondentAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "casework.correspondent"
    audit_summary = "Correspondent opened in admin"
    list_display = ["name", "organisation", "role"]
    search_fields = ["name", "organisation", "email"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["filename", "content_type", "size", "file"]
    readonly_fields = fields


class ActivityInline(admin.TabularInline):
    model = InquiryActivity
    extra = 0
    fields = ["occurred_at", "actor", "kind", "from_status", "to_status", "text"]
    readonly_fields = fields
    can_delete = False


class ResponseInline(admin.StackedInline):
    model = Response
    extra = 0
    fields = ["kind", "status", "subject", "body", "drafted_by", "reviewed_by", "sent_at", "telephone_outcome"]
    readonly_fields = fields
    can_delete = False


@admin.register(Inquiry)
class InquiryAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "casework.inquiry"
    audit_summary = "Inquiry opened in admin"
    list_display = ["reference", "source", "channel", "status", "priority", "due_on", "assignee", "sensitive"]
    list_filter = ["status", "source", "channel", "priority", "sensitive"]
    search_fields = ["reference"]
    date_hierarchy = "received_at"
    raw_id_fields = ["correspondent", "interaction", "cases"]
    # Source (and with it the SLA clock), status and assignee move only through the console's services,
    # which check the workflow and review and record the activity; here they can be read, not changed.
    # So is who may see a sensitive inquiry: the supervisor or assigned analyst decides, audited.
    readonly_fields = [
        "reference",
        "message_id",
        "search",
        "source",
        "status",
        "status_before_hold",
        "hold_reason",
        "held_since",
        "hold_business_days",
        "due_on",
        "assignee",
        "sensitive",
        "sensitive_readers",
    ]
    inlines = [AttachmentInline, ResponseInline, ActivityInline]


@admin.register(Response)
class ResponseAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "casework.response"
    audit_summary = "Response opened in admin"

    list_display = ["inquiry", "kind", "status", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["inquiry", "drafted_by", "reviewed_by", "template"]
    # A response is drafted, edited, reviewed and sent in the console only (the services record who
    # edited it, and an editor may not approve it); here it can be read, not changed or added.
    readonly_fields = [
        "inquiry",
        "kind",
        "status",
        "template",
        "drafted_by",
        "reviewed_by",
        "subject",
        "body",
        "to_email",
        "review_note",
        "send_key",
        "send_attempts",
        "sent_at",
        "approved_at",
        "edited_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    # A response is part of the inquiry's record (what the agency wrote, who approved it): never deleted.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TripRedress)
class TripRedressAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "casework.tripredress"
    audit_summary = "DHS TRIP redress request opened in admin"
    list_display = ["redress_control_number", "traveller_name", "status", "determined_at"]
    list_filter = ["status"]
    search_fields = ["redress_control_number"]
    raw_id_fields = ["inquiry"]
