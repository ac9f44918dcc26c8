"""Call recordings: announced to the caller in their language before the agent joins, started
dual-channel on the caller's call when the agent joins, paused and resumed by the agent, kept from
Twilio's signed recording status callbacks (once however often posted), listened to by supervisors
only through our server (audited), and deleted with their audio when the retention period is over.

Twilio's REST API is the fake HTTP server of tests/fake_twilio.py: the tests assert the exact REST
calls a real account would receive."""

from __future__ import annotations

import base64
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from contactcenter import services, tasks
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    AuditAction,
    AuditEvent,
    CallControl,
    CallRecording,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from tests.contactcenter.test_conference import (
    ACCOUNT,
    AGENT_LEG_SID,
    API,
    BASE,
    CALL_SID,
    _connected,
    _event,
    _send_all,
    _signed_post,
)
from tests.fake_twilio import Recorded
from tests.markup import tight

pytestmark = [pytest.mark.django_db]

RECORDING_SID = "RE" + "3" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}"


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _joined(user) -> WaitingContact:
    """A Spanish caller put through, and the agent's line joined the conference."""
    contact = _connected(user)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)
    _event(contact, "participant-join", 3, label="agent", call_sid=AGENT_LEG_SID)
    return contact


def _recording_status(contact, status: str, *, signed: bool = True, contact_id: int | None = None, **extra):
    params = {
        "AccountSid": ACCOUNT,
        "CallSid": CALL_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": status,
        "RecordingSource": "StartCallRecordingAPI",
        "RecordingTrack": "both",
        "RecordingChannels": "2",
        "RecordingStartTime": "Sat, 05 Dec 2026 01:00:00 +0000",
        **extra,
    }
    path = reverse("ivr:recording-status") + f"?contact={contact_id or contact.pk}"
    return _signed_post(path, params, signed=signed)


def _completed(contact) -> CallRecording:
    _recording_status(contact, "in-progress")
    _recording_status(contact, "completed", RecordingDuration="42", RecordingUrl=MEDIA_URL)
    return CallRecording.objects.get(recording_sid=RECORDING_SID)


def _recording_audits(recording_id) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(target_type="contactcenter.callrecording", target_id=str(recording_id))
        .order_by("id")
        .values_list("action", "summary")
    )


# --- the announcement ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "notice", "voice"),
    [
        ("es", "Esta llamada se graba para fines de calidad y capacitación.", ("Polly.Lupe-Neural", "es-US")),
        ("en", "This call is recorded for quality and training.", ("Polly.Joanna-Neural", "en-US")),
    ],
)
def test_the_caller_is_told_of_the_recording_in_their_language_before_the_agent_joins(language, notice, voice):
    contact = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550142",
        language=language,
        caller_time_zone="America/Los_Angeles",
        call_sid=CALL_SID,
    )
    control = CallControl(contact=contact, action="connect_agent", target="agent-1", language=language)
    root = ET.fromstring(telephony.control_twiml(control))
    assert [child.tag for child in root] == ["Say", "Say", "Dial"]
    assert (root[1].text, root[1].get("voice"), root[1].get("language")) == (notice, *voice)


def test_no_notice_when_calls_are_not_recorded(settings, spanish_csr, fake_twilio):
    settings.CALL_RECORDING = False
    contact = _joined(spanish_csr)
    (request,) = [r for r in fake_twilio.requests if r.path == f"{API}/Calls/{CALL_SID}.json"]
    assert "se graba" not in request.params["Twiml"]
    assert not CallControl.objects.filter(contact=contact, action="record_start").exists()


# --- starting ---------------------------------------------------------------------------------------
def test_the_recording_starts_dual_channel_once_when_the_agent_joins(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    fake_twilio.clear()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)
    assert not CallControl.objects.filter(action="record_start").exists()  # not before the agent is there

    for _delivery in range(2):  # Twilio posts the agent's join twice
        assert _event(contact, "participant-join", 3, label="agent", call_sid=AGENT_LEG_SID)[0] == 204
    _event(contact, "participant-join", 4, label="agent", call_sid=AGENT_LEG_SID)  # joined again, same call
    (control,) = _send_all()
    assert (control.action, control.status, control.call_sid) == ("record_start", "done", CALL_SID)
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Calls/{CALL_SID}/Recordings.json",
            {
                "RecordingChannels": "dual",
                "RecordingTrack": "both",
                "RecordingStatusCallback": f"{BASE}/ivr/recording/status/?contact={contact.pk}",
                "RecordingStatusCallbackEvent": "in-progress completed absent",
                "RecordingStatusCallbackMethod": "POST",
            },
        )
    ]
    assert control.provider_sid.startswith("RE")


def test_a_start_tried_again_after_a_failure_looks_for_the_recording_first(fake_twilio, spanish_csr):
    _joined(spanish_csr)
    fake_twilio.clear()
    fake_twilio.fail_next()
    with pytest.raises(telephony.TelephonyError):
        _send_all()
    (control,) = _send_all()
    assert (control.action, control.status, control.attempts) == ("record_start", "done", 2)
    assert [(r.method, r.path) for r in fake_twilio.requests] == [
        ("POST", f"{API}/Calls/{CALL_SID}/Recordings.json"),
        ("GET", f"{API}/Calls/{CALL_SID}/Recordings.json"),
        ("POST", f"{API}/Calls/{CALL_SID}/Recordings.json"),
    ]


# --- the status callback ------------------------------------------------------------------------------
def test_the_recording_status_callback_is_stored_once_however_often_posted(fake_twilio, spanish_csr):
    contact = _joined(spanish_csr)
    for _delivery in range(2):
        assert _recording_status(contact, "in-progress")[0] == 204
    recording = CallRecording.objects.get()
    assert (recording.recording_sid, recording.status, recording.contact_id) == (
        RECORDING_SID,
        "in-progress",
        contact.pk,
    )
    assert recording.interaction_id == contact.agent_interaction_id
    assert recording.started_at.isoformat() == "2026-12-05T01:00:00+00:00"

    for _delivery in range(2):
        assert _recording_status(contact, "completed", RecordingDuration="42", RecordingUrl=MEDIA_URL)[0] == 204
    _recording_status(contact, "in-progress")  # a late retry of the first callback changes nothing
    recording = CallRecording.objects.get()
    assert (recording.status, recording.duration_seconds, recording.channels, recording.media_url) == (
        "completed",
        42,
        2,
        MEDIA_URL,
    )
    assert recording.completed_at is not None
    assert _recording_audits(recording.pk) == [
        ("create", f"Recording {RECORDING_SID} of contact {contact.pk}: in-progress"),
        ("update", f"Recording {RECORDING_SID} of contact {contact.pk}: completed (42 s)"),
    ]


def test_an_unsigned_or_misdirected_recording_callback_changes_nothing(fake_twilio, spanish_csr, make_staff):
    contact = _joined(spanish_csr)
    assert _recording_status(contact, "in-progress", signed=False)[0] == 403
    assert not CallRecording.objects.exists()
    _recording_status(contact, "in-progress")
    # The same recording named with another contact in the URL is not believed.
    other = WaitingContact.objects.create(
        queue_name="tier1-en", phone="+12025550100", caller_time_zone="America/New_York"
    )
    _recording_status(contact, "completed", contact_id=other.pk, RecordingDuration="9")
    recording = CallRecording.objects.get()
    assert (recording.contact_id, recording.status) == (contact.pk, "in-progress")
    assert _recording_status(contact, "not-a-status")[0] == 204
    assert CallRecording.objects.count() == 1


# --- pause and resume -------------------------------------------------------------------------------
def test_the_agent_pauses_and_resumes_the_recording_from_the_console(fake_twilio, spanish_csr, client):
    contact = _joined(spanish_csr)
    _send_all()
    fake_twilio.clear()
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'aria-describedby="call-recording-state">Pausar la grabación</button>' in tight(page)

    response = client.post(reverse("console-recording", args=[contact.pk]), {"paused": "on"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<p role="status" id="call-recording-state" data-recording-paused="true">' in page
    assert "Grabación en pausa" in page
    assert 'aria-pressed="true" aria-describedby="call-recording-state">Reanudar la grabación</button>' in tight(page)
    (control,) = _send_all()
    assert (control.action, control.status) == ("record_pause", "done")
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Calls/{CALL_SID}/Recordings/Twilio.CURRENT.json",
            {"Status": "paused", "PauseBehavior": "skip"},
        )
    ]

    fake_twilio.clear()
    client.post(reverse("console-recording", args=[contact.pk]), {"paused": "off"})
    (control,) = _send_all()
    assert control.action == "record_resume"
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Calls/{CALL_SID}/Recordings/Twilio.CURRENT.json", {"Status": "in-progress"})
    ]
    assert list(
        AuditEvent.objects.filter(
            target_type="contactcenter.waitingcontact", target_id=str(contact.pk), summary__startswith="Recording"
        )
        .order_by("id")
        .values_list("summary", flat=True)
    ) == ["Recording paused", "Recording resumed"]


def test_the_api_pauses_only_the_agents_own_call_and_a_repeat_changes_nothing(
    fake_twilio, spanish_csr, make_staff, client
):
    contact = _joined(spanish_csr)
    _send_all()
    client.force_login(spanish_csr)
    url = reverse("api-contact-recording", args=[contact.pk])
    for _repeat in range(2):
        response = client.post(url, {"paused": True}, content_type="application/json")
        assert response.status_code == 200
        assert response.json() == {"contact_id": contact.pk, "recording_paused": True}
    assert CallControl.objects.filter(contact=contact, action="record_pause").count() == 1

    client.force_login(make_staff(Role.CSR))
    response = client.post(url, {"paused": False}, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"] == "This contact is not yours to take."
    assert WaitingContact.objects.get(pk=contact.pk).recording_paused is True

    client.force_login(spanish_csr)
    with override_settings(CALL_RECORDING=False):
        response = client.post(url, {"paused": False}, content_type="application/json")
    assert response.status_code == 400 and "not recorded" in response.json()["message"]

    # Ending the call clears the console's state for the next one.
    services.contact_end(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    assert WaitingContact.objects.get(pk=contact.pk).recording_paused is False


# --- listening --------------------------------------------------------------------------------------
def test_a_supervisor_listens_through_our_server_and_it_is_audited(fake_twilio, spanish_csr, make_staff):
    contact = _joined(spanish_csr)
    recording = _completed(contact)
    fake_twilio.recording_add(RECORDING_SID, b"ID3-the-call-audio")
    fake_twilio.clear()
    supervisor = make_staff(Role.SUPERVISOR)
    client = Client()
    client.force_login(supervisor)

    page = client.get(reverse("recording-listen", args=[recording.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    body = page.content.decode()
    media = reverse("recording-media", args=[recording.pk])
    assert f'<audio controls preload="none" src="{media}"' in body
    assert "twilio.com" not in body and RECORDING_SID not in body
    assert f"Grabación del contacto {contact.pk}" in body

    response = client.get(media)
    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert b"".join(response.streaming_content) == b"ID3-the-call-audio"
    assert fake_twilio.requests == [Recorded("GET", f"{API}/Recordings/{RECORDING_SID}.mp3", {})]
    credentials = base64.b64encode(f"{ACCOUNT}:{django_settings.TWILIO_AUTH_TOKEN}".encode()).decode()
    assert fake_twilio.authorizations == [(f"{API}/Recordings/{RECORDING_SID}.mp3", f"Basic {credentials}")]

    views = AuditEvent.objects.filter(
        target_type="contactcenter.callrecording", target_id=str(recording.pk), action=AuditAction.VIEW
    )
    assert list(views.order_by("id").values_list("actor", "summary")) == [
        (supervisor.pk, f"Viewed recording of contact {contact.pk}"),
        (supervisor.pk, f"Played recording of contact {contact.pk}"),
    ]

    fake_twilio.fail_next()
    assert client.get(media).status_code == 502


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.CAO_SUPERVISOR, Role.ADMINISTRATOR])
def test_no_one_but_a_supervisor_may_listen(fake_twilio, spanish_csr, make_staff, role):
    recording = _completed(_joined(spanish_csr))
    fake_twilio.recording_add(RECORDING_SID)
    fake_twilio.clear()
    client = Client()
    client.force_login(make_staff(role))
    assert client.get(reverse("recording-listen", args=[recording.pk])).status_code == 403
    assert client.get(reverse("recording-media", args=[recording.pk])).status_code == 403
    assert fake_twilio.requests == []
    assert not AuditEvent.objects.filter(target_type="contactcenter.callrecording", action=AuditAction.VIEW).exists()


def test_the_case_history_links_a_supervisor_to_the_recording(fake_twilio, spanish_csr, make_staff):
    contact = _joined(spanish_csr)
    recording = _completed(contact)
    services.contact_end(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    link = reverse("recording-listen", args=[recording.pk])
    client = Client()
    client.force_login(make_staff(Role.SUPERVISOR))
    assert link in client.get(reverse("case-history", args=["EAC2190000001"])).content.decode()
    client.force_login(spanish_csr)
    page = client.get(reverse("case-history", args=["EAC2190000001"]))
    assert page.status_code == 200 and link not in page.content.decode()


def test_the_local_backend_records_a_stand_in_and_plays_silence(settings, spanish_csr, make_staff):
    settings.TELEPHONY_BACKEND = "local"
    contact = _connected(spanish_csr)
    _send_all()
    recording = CallRecording.objects.get(contact=contact)
    assert (recording.status, recording.backend) == ("in-progress", "local")
    assert recording.recording_sid == telephony.local_recording_sid(contact)
    CallRecording.objects.filter(pk=recording.pk).update(started_at=timezone.now() - timedelta(seconds=3))
    services.contact_end(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    _send_all()
    recording.refresh_from_db()
    assert recording.status == "completed" and recording.duration_seconds >= 1

    client = Client()
    client.force_login(make_staff(Role.SUPERVISOR))
    response = client.get(reverse("recording-media", args=[recording.pk]))
    audio = b"".join(response.streaming_content)
    assert response["Content-Type"] == "audio/wav" and audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    assert len(audio) == int(response["Content-Length"]) == 44 + 8000 * 2 * 2 * recording.duration_seconds


# --- retention --------------------------------------------------------------------------------------
def _recording(sid: str, *, days_old: int, backend: str = "twilio") -> CallRecording:
    contact = WaitingContact.objects.create(
        queue_name="tier1-en", phone="+12025550100", caller_time_zone="America/New_York"
    )
    return CallRecording.objects.create(
        contact=contact,
        recording_sid=sid,
        status="completed",
        duration_seconds=30,
        backend=backend,
        started_at=timezone.now() - timedelta(days=days_old),
    )


def test_expired_recordings_are_deleted_here_and_at_twilio(settings, fake_twilio):
    settings.RECORDING_RETENTION_DAYS = 30
    old = _recording("RE" + "1" * 32, days_old=31)
    gone_at_twilio = _recording("RE" + "2" * 32, days_old=40)
    recent = _recording("RE" + "4" * 32, days_old=29)
    fake_twilio.recording_add(old.recording_sid)
    fake_twilio.recording_add(recent.recording_sid)

    assert services.recordings_expire() == 2
    assert fake_twilio.requests == [
        Recorded("DELETE", f"{API}/Recordings/{gone_at_twilio.recording_sid}.json", {}),
        Recorded("DELETE", f"{API}/Recordings/{old.recording_sid}.json", {}),
    ]
    assert list(CallRecording.objects.values_list("pk", flat=True)) == [recent.pk]
    assert set(fake_twilio.recordings) == {recent.recording_sid}
    deletions = AuditEvent.objects.filter(target_type="contactcenter.callrecording", action=AuditAction.DELETE)
    assert sorted(deletions.values_list("target_id", "channel")) == sorted(
        [(str(old.pk), "task"), (str(gone_at_twilio.pk), "task")]
    )
    assert all("retention of 30 days over" in summary for summary in deletions.values_list("summary", flat=True))
    fake_twilio.clear()
    assert services.recordings_expire() == 0 and fake_twilio.requests == []  # idempotent


def test_a_deletion_twilio_refuses_is_kept_for_the_retry(settings, fake_twilio):
    settings.RECORDING_RETENTION_DAYS = 30
    old = _recording("RE" + "1" * 32, days_old=31)
    fake_twilio.recording_add(old.recording_sid)
    fake_twilio.fail_next()
    with pytest.raises(telephony.TelephonyError):
        services.recordings_expire()
    assert CallRecording.objects.filter(pk=old.pk).exists()
    assert services.recordings_expire() == 1 and not CallRecording.objects.exists()


def test_retention_zero_keeps_every_recording(settings, fake_twilio):
    settings.RECORDING_RETENTION_DAYS = 0
    _recording("RE" + "1" * 32, days_old=4000)
    assert services.recordings_expire() == 0 and CallRecording.objects.count() == 1


def test_the_retention_task_is_on_the_beat_and_retried_with_backoff():
    entry = django_settings.CELERY_BEAT_SCHEDULE["recordings-expire"]
    assert entry["task"] == tasks.recordings_expire.name == "contactcenter.recordings_expire"
    assert tasks.recordings_expire.autoretry_for == (telephony.TelephonyError,)
    assert tasks.recordings_expire.retry_backoff and tasks.recordings_expire.acks_late


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_deletes_expired_recordings(celery_worker_process):
    _, log = celery_worker_process
    old = _recording("RE" + "1" * 32, days_old=django_settings.RECORDING_RETENTION_DAYS + 1, backend="local")
    keep = _recording("RE" + "2" * 32, days_old=1, backend="local")
    tasks.recordings_expire.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and CallRecording.objects.filter(pk=old.pk).exists():
        time.sleep(0.2)
    assert not CallRecording.objects.filter(pk=old.pk).exists(), log.read_text()[-3000:]
    assert CallRecording.objects.filter(pk=keep.pk).exists()
    assert AuditEvent.objects.filter(
        target_type="contactcenter.callrecording", target_id=str(old.pk), action=AuditAction.DELETE, channel="task"
    ).exists()
