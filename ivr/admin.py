from django.contrib import admin

from contactcenter.admin import AuditedViewMixin, RecordOnlyAdminMixin

from .models import Announcement, Call, CallEvent, LookupAlert, PromptOverride


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    fields = ["step", "node", "option", "input_masked", "result", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Call)
class CallAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "ivr.call"
    audit_summary = "Call record opened in admin"
    list_display = ["call_sid", "started_at", "language", "caller_time_zone", "outcome", "duration_seconds"]
    list_filter = ["outcome", "language", "caller_time_zone"]
    search_fields = ["call_sid"]
    date_hierarchy = "started_at"
    inlines = [CallEventInline]
    readonly_fields = ["interaction"]


@admin.register(LookupAlert)
class LookupAlertAdmin(RecordOnlyAdminMixin, admin.ModelAdmin):
    """The record of each alert; raised only by the IVR, never edited."""

    list_display = ["raised_at", "window_ends_at", "not_found_count", "limit"]
    date_hierarchy = "raised_at"


@admin.register(Announcement)
class AnnouncementAdmin(AuditedViewMixin, admin.ModelAdmin):
    """Supervisors enter and end announcements on their own page; here administrators correct them (audited)."""

    list_display = ["starts_at", "ends_at", "text_en"]
    date_hierarchy = "starts_at"
    search_fields = ["text_en", "text_es"]


@admin.register(PromptOverride)
class PromptOverrideAdmin(AuditedViewMixin, admin.ModelAdmin):
    """A wording is checked by the model (a key supervisors may change, the default's placeholders)."""

    list_display = ["key", "text_en", "text_es", "updated_at"]
