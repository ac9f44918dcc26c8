from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from rest_framework.routers import SimpleRouter

from contactcenter import api, views
from contactcenter.consoles import (
    agent_views,
    knowledge_views,
    lookup_views,
    mailing_views,
    office_views,
    report_views,
    subscription_views,
    supervisor_views,
)
from contactcenter.staff import api_tokens
from contactcenter.staff.roles import public
from contactcenter.subscriptions import views as subscription_public_views

router = SimpleRouter()
router.register("interactions", api.InteractionViewSet, basename="interaction")
router.register("topics", api.TopicViewSet, basename="topic")
router.register("service-requests", api.ServiceRequestViewSet, basename="service-request")

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("auth/token/", api_tokens.ApiTokenView.as_view(), name="api-token"),
    path("agent/state/", api.AgentStateView.as_view(), name="api-agent-state"),
    path("agent/contacts/<int:contact_id>/hold/", api.ContactHoldView.as_view(), name="api-contact-hold"),
    path("agent/contacts/<int:contact_id>/mute/", api.ContactMuteView.as_view(), name="api-contact-mute"),
    path(
        "agent/contacts/<int:contact_id>/recording/", api.ContactRecordingView.as_view(), name="api-contact-recording"
    ),
    path("agent/contacts/<int:contact_id>/transfer/", api.ContactTransferView.as_view(), name="api-contact-transfer"),
    path("agent/contacts/<int:contact_id>/consult/", api.ContactConsultView.as_view(), name="api-contact-consult"),
    path(
        "agent/contacts/<int:contact_id>/consult/join/",
        api.ContactConsultJoinView.as_view(),
        name="api-contact-consult-join",
    ),
    path(
        "agent/contacts/<int:contact_id>/consult/complete/",
        api.ContactConsultCompleteView.as_view(),
        name="api-contact-consult-complete",
    ),
    path(
        "agent/contacts/<int:contact_id>/consult/cancel/",
        api.ContactConsultCancelView.as_view(),
        name="api-contact-consult-cancel",
    ),
    path("agent/voice-token/", api.VoiceTokenView.as_view(), name="api-voice-token"),
    path("queues/stats/", api.QueueStatsView.as_view(), name="api-queue-stats"),
    path("surveys/figures/", api.SurveyFiguresView.as_view(), name="api-survey-figures"),
    path("supervisor/calls/", api.LiveCallsView.as_view(), name="api-live-calls"),
    path("supervisor/contacts/<int:contact_id>/monitor/", api.MonitorView.as_view(), name="api-monitor"),
    path("supervisor/agents/<int:agent_id>/state/", api.AgentStateForceView.as_view(), name="api-agent-state-force"),
    path("schema/", api.SchemaView.as_view(), name="api-schema"),
    path("docs/", api.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    path("outreach/", include("outreach.api_urls")),
]

urlpatterns = [
    # Twilio's webhooks first: every step of over a million calls a month is resolved here.
    path("ivr/", include("ivr.urls")),
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", views.session_status, name="session-status"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/js/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("console/", agent_views.console, name="agent-console"),
    path("console/work/", agent_views.console_work, name="console-work"),
    path("console/state/", agent_views.state_set, name="console-state"),
    path("console/device-problem/", agent_views.device_problem, name="console-device-problem"),
    path("console/contacts/<int:contact_id>/accept/", agent_views.offer_accept, name="console-accept"),
    path("console/contacts/<int:contact_id>/decline/", agent_views.offer_decline, name="console-decline"),
    path("console/contacts/<int:contact_id>/timeline/", agent_views.caller_timeline, name="console-caller-timeline"),
    path("console/contacts/<int:contact_id>/receipt/", agent_views.contact_receipt, name="console-receipt"),
    path("console/contacts/<int:contact_id>/verify/", agent_views.contact_verify, name="console-verify"),
    path("console/contacts/<int:contact_id>/end/", agent_views.contact_end, name="console-end"),
    path("console/contacts/<int:contact_id>/hold/", agent_views.contact_hold, name="console-hold"),
    path("console/contacts/<int:contact_id>/mute/", agent_views.contact_mute, name="console-mute"),
    path("console/contacts/<int:contact_id>/recording/", agent_views.contact_recording, name="console-recording"),
    path("console/contacts/<int:contact_id>/transfer/", agent_views.contact_transfer, name="console-transfer"),
    path("console/contacts/<int:contact_id>/consult/", agent_views.contact_consult, name="console-consult"),
    path(
        "console/contacts/<int:contact_id>/consult/<str:step>/",
        agent_views.contact_consult_step,
        name="console-consult-step",
    ),
    path("console/contacts/<int:contact_id>/escalate/", agent_views.contact_escalate, name="console-escalate"),
    path("console/contacts/<int:contact_id>/wrap-up/", agent_views.contact_wrap_up, name="console-wrap-up"),
    path("console/wrap-up/extend/", agent_views.wrap_up_extend, name="console-wrap-up-extend"),
    path("console/service-requests/", agent_views.service_request, name="console-service-request"),
    path(
        "console/service-requests/<int:request_id>/review/",
        agent_views.service_request_review,
        name="console-review",
    ),
    path("console/lookup/zip/", agent_views.lookup_zip, name="console-lookup-zip"),
    path("console/lookup/forms/", lookup_views.forms_lookup, name="console-lookup-forms"),
    path("console/lookup/forms/<int:form_id>/order/", lookup_views.form_order, name="console-form-order"),
    path(
        "console/lookup/processing-times/",
        lookup_views.processing_times_lookup,
        name="console-lookup-processing-times",
    ),
    path("console/lookup/visa-bulletin/", lookup_views.visa_bulletin_lookup, name="console-lookup-visa-bulletin"),
    path("knowledge/", knowledge_views.library, name="knowledge-library"),
    path("knowledge/new/", knowledge_views.article_edit, name="knowledge-article-new"),
    path("knowledge/<int:pk>/", knowledge_views.article, name="knowledge-article"),
    path("knowledge/<int:pk>/edit/", knowledge_views.article_edit, name="knowledge-article-edit"),
    path("knowledge/<int:pk>/<str:action>/", knowledge_views.article_action, name="knowledge-article-action"),
    path("office/", office_views.office_queue, name="office-queue"),
    path("office/requests/<int:request_id>/", office_views.office_request, name="office-request"),
    path(
        "office/requests/<int:request_id>/<str:action>/",
        office_views.office_request_action,
        name="office-request-action",
    ),
    path("cases/<str:receipt_number>/", views.case_history, name="case-history"),
    path(
        "cases/<str:receipt_number>/updates/",
        subscription_views.case_status_subscribe,
        name="case-status-subscribe",
    ),
    path("case-updates/", subscription_public_views.subscribe, name="status-subscribe"),
    path(
        "case-updates/confirm/<str:token>/",
        subscription_public_views.confirm,
        name="status-subscribe-confirm",
    ),
    path(
        "case-updates/unsubscribe/<str:token>/",
        subscription_public_views.unsubscribe,
        name="status-unsubscribe",
    ),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/live/", views.wallboard_live, name="wallboard-live"),
    path("wallboard/calls/<int:contact_id>/monitor/", supervisor_views.monitor, name="wallboard-monitor"),
    path("wallboard/agents/state/", supervisor_views.agent_state_force, name="wallboard-agent-state"),
    path("reports/queues/", views.queue_report, name="queue-report"),
    path("reports/surveys/", supervisor_views.survey_report, name="survey-report"),
    path("reports/intervals/", report_views.interval_report, name="interval-report"),
    path("reports/agents/", report_views.agent_report, name="agent-report"),
    path("reports/contact-rates/", report_views.contact_rates_report, name="contact-rates-report"),
    path("supervisor/queues/", supervisor_views.queue_list, name="supervisor-queues"),
    path("supervisor/queues/<str:name>/", supervisor_views.queue_edit, name="supervisor-queue-edit"),
    path("supervisor/recordings/<int:recording_id>/", supervisor_views.recording_listen, name="recording-listen"),
    path("supervisor/recordings/<int:recording_id>/audio/", supervisor_views.recording_media, name="recording-media"),
    path("supervisor/not-ready-reasons/", supervisor_views.not_ready_reasons, name="supervisor-reasons"),
    path("supervisor/closures/", supervisor_views.closure_list, name="supervisor-closures"),
    path("supervisor/closures/new/", supervisor_views.closure_edit, name="supervisor-closure-new"),
    path("supervisor/closures/<int:closure_id>/", supervisor_views.closure_edit, name="supervisor-closure-edit"),
    path(
        "supervisor/closures/<int:closure_id>/delete/",
        supervisor_views.closure_delete,
        name="supervisor-closure-delete",
    ),
    path("supervisor/agent-lines/", supervisor_views.agent_lines, name="supervisor-agent-lines"),
    path("supervisor/mailing-batches/", mailing_views.mailing_batches, name="supervisor-mailing-batches"),
    path("supervisor/mailing-batches/make/", mailing_views.mailing_batch_make, name="supervisor-mailing-batch-make"),
    path(
        "supervisor/mailing-batches/<int:batch_id>/confirm/",
        mailing_views.mailing_batch_confirm,
        name="supervisor-mailing-batch-confirm",
    ),
    path(
        "supervisor/mailing-batches/<int:batch_id>/labels.pdf",
        mailing_views.mailing_batch_labels,
        name="supervisor-mailing-batch-labels",
    ),
    path(
        "supervisor/mailing-batches/<int:batch_id>/orders.csv",
        mailing_views.mailing_batch_csv,
        name="supervisor-mailing-batch-csv",
    ),
    path("api/casework/", include("casework.api_urls")),
    path("api/", include(api_urlpatterns)),
    path("casework/", include("casework.urls")),
    path("outreach/", include("outreach.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "contactcenter.views.bad_request"
handler403 = "contactcenter.views.permission_denied"
handler404 = "contactcenter.views.page_not_found"
handler500 = "contactcenter.views.server_error"
