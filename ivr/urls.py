from django.urls import path

from . import views, views_settings, views_simulator, views_survey

app_name = "ivr"

urlpatterns = [
    path("voice/", views.voice, name="voice"),
    path("step/", views.step, name="step"),
    path("status/", views.status, name="status"),
    path("fallback/", views.fallback, name="fallback"),
    path("queue/wait/", views.queue_wait, name="queue-wait"),
    path("queue/key/", views.queue_key, name="queue-key"),
    path("queue/done/", views.queue_done, name="queue-done"),
    path("conference/status/", views.conference_status, name="conference-status"),
    path("conference/hold/", views.conference_hold, name="conference-hold"),
    path("recording/status/", views.recording_status, name="recording-status"),
    path("agent/voice/", views.agent_voice, name="agent-voice"),
    path("sms/", views_survey.sms_reply, name="sms"),
]

urlpatterns += [
    path("simulator/", views_simulator.simulator, name="simulator"),
    path("simulator/line/", views_simulator.simulator_line, name="simulator-line"),
]

urlpatterns += [
    path("supervisor/announcements/", views_settings.announcement_list, name="supervisor-announcements"),
    path("supervisor/announcements/new/", views_settings.announcement_edit, name="supervisor-announcement-new"),
    path(
        "supervisor/announcements/<int:announcement_id>/",
        views_settings.announcement_edit,
        name="supervisor-announcement-edit",
    ),
    path(
        "supervisor/announcements/<int:announcement_id>/end/",
        views_settings.announcement_end,
        name="supervisor-announcement-end",
    ),
    path("supervisor/prompts/", views_settings.prompt_list, name="supervisor-prompts"),
    path("supervisor/prompts/<str:key>/", views_settings.prompt_edit, name="supervisor-prompt-edit"),
]
