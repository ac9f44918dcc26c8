from django.contrib import admin

from contactcenter import services
from contactcenter.audit import AuditContext
from contactcenter.models import AuditAction, AuditChannel

from .models import Call, CallEvent


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    fields = ["step", "node", "option", "input_masked", "result", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["call_sid", "started_at", "language", "caller_time_zone", "outcome", "duration_seconds"]
    list_filter = ["outcome", "language", "caller_time_zone"]
    search_fields = ["call_sid"]
    date_hierarchy = "started_at"
    inlines = [CallEventInline]
    readonly_fields = ["interaction"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        services.audit_record(
            context=AuditContext.from_request(request, channel=AuditChannel.ADMIN),
            action=AuditAction.VIEW,
            target_type="ivr.call",
            target_id=object_id,
            summary="Call record opened in admin",
        )
        return super().change_view(request, object_id, form_url, extra_context)
