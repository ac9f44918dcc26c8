from django.urls import path

from . import mailing_urls, views, views_public

app_name = "outreach"

urlpatterns = [
    # Public: registration, calendars, cancellation, reports back (English and Spanish).
    path("events/", views_public.engagement_list, name="engagement-list-public"),
    path("events/calendar.ics", views_public.calendar_feed, name="engagement-feed"),
    path("events/<int:engagement_id>/", views_public.engagement_register, name="engagement-public"),
    path("events/<int:engagement_id>/calendar.ics", views_public.engagement_ics, name="engagement-ics"),
    path("events/registered/<str:token>/", views_public.registration_done, name="registration-done"),
    path("events/cancel/<str:token>/", views_public.registration_cancel, name="registration-cancel"),
    path("reports/<uuid:uid>/", views_public.report_public, name="report-public"),
    # Staff console.
    path("", views.console, name="console"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation-detail"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:contact_id>/merge/", views.contact_merge, name="contact-merge"),
    path("contacts/duplicates/", views.contact_duplicates, name="contact-duplicates"),
    path("cros/", views.cros, name="cros"),
    path("cros/<int:user_id>/", views.cro_detail, name="cro-detail"),
    path("follow-ups/<int:interaction_id>/done/", views.follow_up_done, name="follow-up-done"),
    path("engagements/", views.engagements, name="engagements"),
    path("engagements/<int:engagement_id>/", views.engagement_detail, name="engagement-detail"),
    path("engagements/<int:engagement_id>/attendance/", views.engagement_attendance, name="engagement-attendance"),
    path("engagements/<int:engagement_id>/feedback/", views.engagement_feedback, name="engagement-feedback"),
    path("engagements/<int:engagement_id>/cancel/", views.engagement_cancel, name="engagement-cancel"),
    path("engagements/<int:engagement_id>/change/", views.engagement_change, name="engagement-change"),
    path(
        "engagements/<int:engagement_id>/send-again/",
        views.engagement_mail_send_again,
        name="engagement-mail-send-again",
    ),
    path("engagements/<int:engagement_id>/referrals/", views.engagement_referral, name="engagement-referral"),
    path("engagements/<int:engagement_id>/report/", views.report_back, name="report-back"),
    path("engagements/<int:engagement_id>/publish/", views.engagement_publish, name="engagement-publish"),
    path("engagements/<int:engagement_id>/message/", views.engagement_message, name="engagement-message"),
    path(
        "engagements/<int:engagement_id>/registrants.csv",
        views.engagement_registrants_csv,
        name="engagement-registrants-csv",
    ),
    path("feedback/", views.feedback_pipeline, name="feedback"),
    path("feedback/<int:feedback_id>/", views.feedback_detail, name="feedback-detail"),
    path("programs/", views.programs, name="programs"),
    path("programs/<int:program_id>/", views.program_detail, name="program-detail"),
    path("programs/<int:program_id>/edit/", views.program_edit, name="program-edit"),
    path("inbox/", views.office_inbox, name="office-inbox"),
    path("inbox/<int:feedback_id>/", views.office_inbox_item, name="office-inbox-item"),
    path("partner-reports/", views.partner_report_backs, name="partner-report-backs"),
    path("partner-reports/<int:report_id>/", views.partner_report_back_detail, name="partner-report-back-detail"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral-detail"),
    path("dashboards/", views.dashboards, name="dashboards"),
    path("segments.csv", views.segments_csv, name="segments-csv"),
]
urlpatterns += mailing_urls.urlpatterns
