from django.contrib import admin

from contactcenter.admin import AuditedViewMixin

from .models import (
    AgencyOfficeMembership,
    CaseReferral,
    Contact,
    CroProfile,
    Engagement,
    EngagementMessage,
    EngagementMessageDelivery,
    FeedbackItem,
    Mailing,
    MailingAttachment,
    MailingRecipient,
    MailingSegment,
    Membership,
    Organisation,
    PartnerInteraction,
    PartnerReportBack,
    PartnerReportBackDelivery,
    Program,
    Registration,
    ReportBack,
    ReportBackDelivery,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["contact"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "region", "district", "owner"]
    list_filter = ["kind", "level", "region"]
    search_fields = ["name", "district"]
    inlines = [MembershipInline]


@admin.register(Contact)
class ContactAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "outreach.contact"
    audit_summary = "Viewed an outreach contact in the admin"
    list_display = ["last_name", "first_name", "title", "official_role", "email", "merged_into"]
    list_filter = ["official_role", "preferred_language", "consent_email"]
    search_fields = ["last_name", "first_name", "email"]


@admin.register(CroProfile)
class CroProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "districts"]


@admin.register(PartnerInteraction)
class PartnerInteractionAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "cro", "organisation", "kind", "follow_up_due", "follow_up_done_at"]
    list_filter = ["kind"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "email", "language", "status", "attended"]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "starts_at", "time_zone", "district", "capacity"]
    list_filter = ["status", "kind", "language", "district"]
    search_fields = ["title"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "outreach.registration"
    audit_summary = "Viewed an engagement registration in the admin"
    list_display = ["name", "engagement", "status", "attended", "confirmation_sent_at", "reminder_sent_at"]
    list_filter = ["status", "language"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["summary", "topic", "source", "status", "owning_office", "received_at"]
    list_filter = ["status", "source", "owning_office", "topic"]


@admin.register(ReportBack)
class ReportBackAdmin(admin.ModelAdmin):
    list_display = ["engagement", "published_at"]


@admin.register(ReportBackDelivery)
class ReportBackDeliveryAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["report", "email", "created_at", "sent_at"]


@admin.register(CaseReferral)
class CaseReferralAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "outreach.casereferral"
    audit_summary = "Viewed a case referral in the admin"
    list_display = ["id", "mode", "topic", "status", "outcome", "created_at", "closed_at"]
    list_filter = ["mode", "status", "outcome"]


# --- mailings ------------------------------------------------------------------------------------
@admin.register(MailingSegment)
class MailingSegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kinds", "levels", "region", "state", "language", "created_at"]
    search_fields = ["name"]


class MailingAttachmentInline(admin.TabularInline):
    model = MailingAttachment
    extra = 0
    fields = ["filename", "content_type", "size", "created_at"]
    readonly_fields = fields


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject_en", "segment", "status", "created_at", "sent_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["subject_en", "subject_es"]
    inlines = [MailingAttachmentInline]
    # States move only through the mailing workflow's services.
    readonly_fields = ["status", "test_sent_at", "sent_by", "sent_at", "completed_at"]


@admin.register(MailingAttachment)
class MailingAttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "mailing", "content_type", "size", "created_at"]


@admin.register(MailingRecipient)
class MailingRecipientAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "outreach.mailingrecipient"
    audit_summary = "Viewed a mailing recipient in the admin"
    list_display = ["email", "mailing", "language", "status", "sent_at", "bounced_at"]
    list_filter = ["status", "language"]
    search_fields = ["email"]
    raw_id_fields = ["contact", "mailing"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "owner"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(AgencyOfficeMembership)
class AgencyOfficeMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "created_at"]
    list_filter = ["office"]
    autocomplete_fields = ["user"]


@admin.register(PartnerReportBack)
class PartnerReportBackAdmin(admin.ModelAdmin):
    list_display = ["pk", "organisation", "period_start", "period_end", "published_at", "published_by"]
    filter_horizontal = ["items"]


@admin.register(PartnerReportBackDelivery)
class PartnerReportBackDeliveryAdmin(AuditedViewMixin, admin.ModelAdmin):
    audit_target_type = "outreach.partnerreportbackdelivery"
    audit_summary = "Viewed a partner report-back e-mail in the admin"
    list_display = ["report", "email", "created_at", "sent_at", "failed_at"]


@admin.register(EngagementMessage)
class EngagementMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "engagement", "sent_by", "created_at"]


@admin.register(EngagementMessageDelivery)
class EngagementMessageDeliveryAdmin(AuditedViewMixin, admin.ModelAdmin):
    list_display = ["message", "email", "created_at", "sent_at", "failed_at"]
