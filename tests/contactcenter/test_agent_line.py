"""Agents on desk phones or remote lines: a staff profile may name a U.S. number or a SIP address, and
accepting an offer dials it by REST (calls.create with our agent-leg webhook) instead of relying on the
browser. The line is screened (press 1), so a voicemail never joins the caller; set in the admin, audited."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from contactcenter import services
from contactcenter.models import AgentState, AgentStatus, AuditAction, AuditEvent, CallControl, ContactStatus
from contactcenter.routing.phones import agent_line_for
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from tests.contactcenter.test_conference import (
    ACCOUNT,
    AGENT_LEG_SID,
    API,
    BASE,
    CALL_SID,
    _connected,
    _send_all,
    _signed_post,
)

pytestmark = [pytest.mark.django_db]

DESK = "+12025550123"
SIP = "sip:agent12@pbx.example.gov"


@pytest.fixture
def desk_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.agent_line = "(202) 555-0123"
    user.staff_profile.full_clean()
    user.staff_profile.save()
    return user


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("(202) 555-0123", DESK),
        ("+1 787 555 0142", "+17875550142"),  # Puerto Rico: a number the center calls
        ("SIP:agent12@pbx.example.gov", SIP),
        ("sips:desk-7@voice.agency.example.gov:5061;transport=tls",) * 2,
        ("+44 20 7946 0958", None),  # outside the regions the center dials
        ("anonymous", None),
        ("sip:agent12", None),
        ("sip:agent 12@pbx.example.gov", None),
        ("sip:" + "a" * 70 + "@pbx.example.gov", None),
    ],
)
def test_a_line_is_a_number_the_center_calls_or_a_sip_address(given, stored):
    assert agent_line_for(given) == stored


def test_the_profile_stores_the_line_normalised_and_refuses_anything_else_in_spanish(make_staff):
    profile = make_staff(Role.CSR).staff_profile
    profile.agent_line = "sip:Agent12@pbx.example.gov"
    profile.full_clean()
    assert profile.agent_line == "sip:Agent12@pbx.example.gov"
    profile.agent_line = "extension 12"
    with translation.override("es"):
        with pytest.raises(ValidationError) as refused:
            profile.full_clean()
        assert refused.value.message_dict["agent_line"] == [
            "Indique un número de teléfono de EE. UU. (p. ej., +12025550123) o una dirección SIP "
            "(p. ej., sip:agent12@pbx.example.gov), o déjelo vacío para usar el navegador."
        ]


@pytest.mark.parametrize("line", [DESK, SIP])
def test_accepting_dials_the_agents_line_by_rest_to_our_agent_leg_webhook(fake_twilio, desk_csr, line):
    desk_csr.staff_profile.agent_line = line
    desk_csr.staff_profile.save()
    contact = _connected(desk_csr)
    connect, dial = _send_all()
    assert (connect.action, dial.action, dial.target, dial.status) == ("connect_agent", "dial_agent", line, "done")
    redirect, create = fake_twilio.requests
    assert redirect.path == f"{API}/Calls/{CALL_SID}.json" and "<Conference" in redirect.params["Twiml"]
    assert (create.method, create.path) == ("POST", f"{API}/Calls.json")
    leg = f"{BASE}/ivr/agent/voice/?contact={contact.pk}&agent=agent-{desk_csr.pk}&line=desk"
    assert create.params == {
        "To": line,
        "From": "+18003755283",
        "Url": f"{leg}&step=ring",
        "Method": "POST",
        "Timeout": "25",
        "StatusCallback": f"{leg}&step=status",
        "StatusCallbackEvent": "completed",
        "StatusCallbackMethod": "POST",
    }
    assert dial.provider_sid == fake_twilio.calls[0]["sid"]


def test_a_retried_dial_finds_the_call_an_earlier_try_placed(fake_twilio, desk_csr):
    _connected(desk_csr)
    dial = CallControl.objects.get(action="dial_agent")
    services.call_control_send(control_id=CallControl.objects.get(action="connect_agent").pk)
    # Twilio placed the call but the answer was lost: the task's next try looks before dialling.
    fake_twilio.calls.append({"sid": "CA" + "7" * 32, "to": DESK, "from": "+18003755283", "date_created": None})
    CallControl.objects.filter(pk=dial.pk).update(attempts=1)
    fake_twilio.clear()
    services.call_control_send(control_id=dial.pk)
    dial.refresh_from_db()
    assert (dial.status, dial.provider_sid) == ("done", "CA" + "7" * 32)
    assert [request.method for request in fake_twilio.requests] == ["GET"]


def test_a_browser_agent_is_rung_at_their_softphone_identity_and_joins_without_screening(fake_twilio, make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es"]
    user.staff_profile.save()
    contact = _connected(user)
    assert [(c.action, c.target) for c in _send_all()] == [
        ("connect_agent", f"agent-{user.pk}"),
        ("dial_agent", f"client:agent-{user.pk}"),
    ]
    create = fake_twilio.requests[1]
    leg = f"{BASE}/ivr/agent/voice/?contact={contact.pk}&agent=agent-{user.pk}&line=client"
    assert (create.path, create.params["To"], create.params["Url"]) == (
        f"{API}/Calls.json",
        f"client:agent-{user.pk}",
        f"{leg}&step=ring",
    )
    assert create.params["StatusCallback"] == f"{leg}&step=status"
    # The softphone answers (the agent accepted in the console): straight into the conference.
    _status, body = _line_post(create.params["Url"], To=f"client:agent-{user.pk}")
    (conference,) = ET.fromstring(body).iter("Conference")
    assert (conference.text, conference.get("participantLabel")) == (f"contact-{contact.pk}-1", "agent")


def test_the_local_backend_does_not_dial_the_browser(settings, make_staff):
    settings.TELEPHONY_BACKEND = "local"
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es"]
    user.staff_profile.save()
    _connected(user)
    assert [control.action for control in _send_all()] == ["connect_agent"]  # its device rings by itself


def _line_post(url: str, **params: str):
    split = urlsplit(url)
    body = {"AccountSid": ACCOUNT, "CallSid": AGENT_LEG_SID, "From": "+18003755283", "To": DESK, **params}
    return _signed_post(f"{split.path}?{split.query}", body)


def test_the_answered_line_is_screened_then_joins_the_conference(fake_twilio, desk_csr):
    contact = _connected(desk_csr)
    _send_all()
    url = fake_twilio.requests[1].params["Url"]

    status, body = _line_post(url)
    root = ET.fromstring(body)
    (gather,) = root.iter("Gather")
    assert status == 200 and (gather.get("numDigits"), gather.get("actionOnEmptyResult")) == ("1", "true")
    assert gather[0].text == "Una persona lo espera en el centro de contacto. Oprima 1 para tomar la llamada."
    answer = gather.get("action")
    assert parse_qs(urlsplit(answer).query)["step"] == ["answer"] and "<Conference" not in body

    status, body = _line_post(answer, Digits="1")
    (conference,) = ET.fromstring(body).iter("Conference")
    assert (conference.text, conference.get("participantLabel")) == (f"contact-{contact.pk}-1", "agent")
    assert AuditEvent.objects.filter(summary__startswith=f"Agent's dialled line {AGENT_LEG_SID} joining").exists()


def test_a_line_that_does_not_press_1_puts_the_caller_back_at_once(fake_twilio, desk_csr):
    contact = _connected(desk_csr)
    _send_all()
    answer = telephony.agent_line_url(contact, identity=f"agent-{desk_csr.pk}", step="answer")
    status, body = _line_post(answer, Digits="")  # nobody pressed (a voicemail took the call)
    assert status == 200 and "<Hangup />" in body and "la persona vuelve al primer lugar de la fila" in body
    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    agent = AgentState.objects.get(user=desk_csr)
    assert (agent.state, agent.reason_code) == (AgentStatus.NOT_READY, "device_problem")
    fake_twilio.clear()
    (requeue,) = _send_all()
    assert requeue.action == "requeue"
    # The line answering again later (Twilio retried) finds no call to join.
    status, body = _line_post(answer, Digits="1")
    assert "<Conference" not in body and "<Hangup />" in body


def test_only_our_signed_query_names_a_desk_line(fake_twilio, desk_csr, make_staff):
    contact = _connected(desk_csr)
    stranger = make_staff(Role.CSR)
    # Another agent's line, or a browser putting the same names in its call's parameters: no call.
    forged = telephony.agent_line_url(contact, identity=f"agent-{stranger.pk}", step="answer")
    assert "<Conference" not in _line_post(forged, Digits="1")[1]
    browser = {"From": f"client:agent-{stranger.pk}", "contact": str(contact.pk), "line": "desk"}
    params = {"AccountSid": ACCOUNT, "CallSid": AGENT_LEG_SID, **browser}
    status, body = _signed_post(reverse("ivr:agent-voice"), params)
    assert status == 200 and "<Conference" not in body
    assert WaitingContact_status(contact) == ContactStatus.CONNECTED


def WaitingContact_status(contact):
    contact.refresh_from_db()
    return contact.status


class _Form(HTMLParser):
    """The admin change form's fields as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or ("on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.lstrip("\n") if not self.data[self._textarea][0] else data


def test_an_administrator_sets_the_line_in_the_admin_and_the_change_is_audited(client, make_staff):
    admin = make_staff(Role.ADMINISTRATOR)
    agent = make_staff(Role.CSR)
    client.force_login(admin)
    url = f"/admin/auth/user/{agent.pk}/change/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert "Teléfono de escritorio o línea SIP" in page.content.decode()
    form = _Form()
    form.feed(page.content.decode())
    data = {name: values for name, values in form.data.items() if name != "csrfmiddlewaretoken"}
    line_field = next(name for name in data if name.endswith("agent_line"))

    data[line_field] = ["voicemail please"]
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 200 and "o déjelo vacío para usar el navegador" in refused.content.decode()

    data[line_field] = ["SIP:agent12@pbx.example.gov"]
    assert client.post(url, data, HTTP_ACCEPT_LANGUAGE="es").status_code == 302
    agent.staff_profile.refresh_from_db()
    assert agent.staff_profile.agent_line == SIP
    row = AuditEvent.objects.get(actor=admin, action=AuditAction.UPDATE, target_id=str(agent.pk))
    assert row.detail == {"fields": "['staffprofile.agent_line']"} and "agent12" not in row.summary


def test_the_console_of_an_agent_on_a_desk_line_says_where_calls_ring_instead_of_a_softphone(client, desk_csr):
    client.force_login(desk_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"Las llamadas que acepte suenan en {DESK}: conteste y oprima 1" in page
    assert 'id="softphone"' not in page and "js/softphone" not in page


def test_a_line_that_could_not_be_dialled_is_said_in_the_console(fake_twilio, desk_csr, client):
    contact = _connected(desk_csr)
    CallControl.objects.filter(contact=contact, action="dial_agent").update(status="failed")
    client.force_login(desk_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'data-call-control-failed="dial_agent"' in page
    assert "No se pudo marcar su teléfono de escritorio o línea" in page


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed"])
def test_a_busy_or_unanswered_line_puts_the_caller_back_at_once(fake_twilio, desk_csr, status):
    contact = _connected(desk_csr)
    _send_all()
    ended = telephony.agent_line_url(contact, identity=f"agent-{desk_csr.pk}", step="status")
    for _delivery in range(2):  # Twilio may post it again
        assert _line_post(ended, CallStatus=status)[0] == 204
    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING
    agent = AgentState.objects.get(user=desk_csr)
    assert (agent.state, agent.reason_code) == (AgentStatus.NOT_READY, "device_problem")
    assert CallControl.objects.filter(contact=contact, action="requeue").count() == 1


def test_the_end_of_a_line_that_took_the_call_changes_nothing(fake_twilio, desk_csr):
    contact = _connected(desk_csr)
    _send_all()
    ended = telephony.agent_line_url(contact, identity=f"agent-{desk_csr.pk}", step="status")
    assert _line_post(ended, CallStatus="completed")[0] == 204
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CONNECTED
    assert AgentState.objects.get(user=desk_csr).state == AgentStatus.ON_CALL


def test_a_supervisor_sets_where_an_agent_answers_and_the_change_is_audited(client, make_staff, desk_csr):
    supervisor = make_staff(Role.SUPERVISOR)
    agent = make_staff(Role.CSR)
    client.force_login(supervisor)
    url = reverse("supervisor-agent-lines")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Dónde contestan las llamadas los agentes" in page
    assert f'<span class="text-mono">{DESK}</span>' in page and "El navegador" in page

    refused = client.post(url, {"agent": agent.pk, "line": "extension 12"}, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 400 and "o déjelo vacío para usar el navegador" in refused.content.decode()
    response = client.post(url, {"agent": agent.pk, "line": "SIP:agent12@pbx.example.gov"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    agent.staff_profile.refresh_from_db()
    assert agent.staff_profile.agent_line == SIP
    client.post(url, {"agent": agent.pk, "line": SIP})  # the same again: nothing changes, nothing recorded
    client.post(url, {"agent": desk_csr.pk, "line": ""})  # back to the browser
    desk_csr.staff_profile.refresh_from_db()
    assert desk_csr.staff_profile.agent_line == ""
    rows = list(AuditEvent.objects.filter(actor=supervisor, target_type="contactcenter.staffprofile").order_by("id"))
    assert [(row.action, row.target_id, row.detail) for row in rows] == [
        (AuditAction.UPDATE, str(agent.staff_profile.pk), {"fields": "['agent_line']"}),
        (AuditAction.UPDATE, str(desk_csr.staff_profile.pk), {"fields": "['agent_line']"}),
    ]
    assert rows[1].summary.endswith("now ring in the browser") and "agent12" not in rows[0].summary


def test_only_supervisors_and_administrators_set_where_agents_answer(client, make_staff):
    agent = make_staff(Role.CSR)
    client.force_login(agent)
    assert client.get(reverse("supervisor-agent-lines")).status_code == 403
    assert client.post(reverse("supervisor-agent-lines"), {"agent": agent.pk, "line": DESK}).status_code == 403
    client.force_login(make_staff(Role.ADMINISTRATOR))
    assert client.get(reverse("supervisor-agent-lines")).status_code == 200
