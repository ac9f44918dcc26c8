from django.contrib import admin

from contactcenter.admin import AuditedViewMixin

from .models import Call, CallEvent


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
