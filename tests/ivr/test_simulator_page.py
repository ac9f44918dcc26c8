"""The staff call simulator's page, driven through its forms (the browser walk is in tests/e2e)."""

from contactcenter.models import WaitingContact
from contactcenter.staff.roles import Role
from ivr.models import Call
from tests.ivr.conftest import SATURDAY_NOON_EASTERN


def test_a_call_placed_as_if_on_a_weekday_evening_reaches_a_representative_on_a_saturday(reference, client_as, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        client = client_as(Role.SUPERVISOR)  # signed in on the Saturday: sessions expire
        page = client.post(
            "/ivr/simulator/",
            {"action": "start", "from_number": "+12135550142", "as_if_at": "2026-12-02T19:00"},
        )
        assert page.status_code == 200
        assert "as if at Wednesday 2026-12-02 19:00 EST" in page.content.decode()
        for keys in ("2", "0"):  # español, then a representative
            page = client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""})
    transcript = page.content.decode()
    assert "Por favor, espere mientras lo comunicamos con un representante." in transcript
    assert "→ queue tier1-es" in transcript
    call = Call.objects.get()
    assert call.started_at.date() == SATURDAY_NOON_EASTERN.date()
    assert WaitingContact.objects.get(call_sid=call.call_sid).queue_name == "tier1-es"


def test_without_a_moment_the_simulator_keeps_the_real_clock(reference, client_as, at_time):
    with at_time(SATURDAY_NOON_EASTERN):
        client = client_as(Role.CSR)
        client.post("/ivr/simulator/", {"action": "start", "from_number": "+12135550142", "as_if_at": ""})
        for keys in ("1", "0"):
            page = client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""})
    assert "Representatives are available Monday through Friday" in page.content.decode()
    assert not WaitingContact.objects.exists()


def test_an_unreadable_moment_is_refused_with_a_message(reference, client_as):
    page = client_as(Role.CSR).post(
        "/ivr/simulator/", {"action": "start", "from_number": "+12135550142", "as_if_at": "Wednesday evening"}
    )
    assert page.status_code == 200
    assert 'class="usa-error-message" role="alert"' in page.content.decode()
    assert not Call.objects.exists()


def test_a_simulated_caller_waiting_in_the_queue_can_still_hang_up(reference, client_as, at_time):
    import re

    with at_time(SATURDAY_NOON_EASTERN):
        client = client_as(Role.CSR)
        client.post(
            "/ivr/simulator/", {"action": "start", "from_number": "+12135550142", "as_if_at": "2026-12-02T19:00"}
        )
        for keys in ("1", "0"):  # English, a representative
            page = client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""}).content.decode()
        assert "→ queue tier1-en" in page
        assert re.search(r"<fieldset[^>]*disabled", page)  # nothing more to answer ...
        hang_up = re.search(r'<button[^>]*value="hangup"[^>]*>', page).group(0)
        assert "disabled" not in hang_up and page.index(hang_up) > page.index("</fieldset>")  # ... but Hang up

        page = client.post("/ivr/simulator/", {"action": "hangup"}).content.decode()

    assert "Caller hung up" in page
    contact = WaitingContact.objects.get(call_sid=Call.objects.get().call_sid)
    assert contact.status == "abandoned" and contact.ended_at is not None
    assert 'value="hangup" disabled' in page  # the call is over


def test_the_callers_lines_are_marked_with_the_calls_language(reference, client_as, at_time):
    import re

    with at_time(SATURDAY_NOON_EASTERN):
        client = client_as(Role.CSR)
        client.post(
            "/ivr/simulator/", {"action": "start", "from_number": "+12135550142", "as_if_at": "2026-12-02T19:00"}
        )
        client.post("/ivr/simulator/", {"action": "send", "digits": "2", "speech": ""})  # español
        page = client.post("/ivr/simulator/", {"action": "send", "digits": "", "speech": "estado de mi caso"})

    caller = re.findall(r'<li class="ncsc-transcript__caller" lang="([a-z]+)">(.*?)</li>', page.content.decode())
    assert [lang for lang, _ in caller] == ["en", "es"]  # the language menu is answered before Spanish is chosen
    assert "estado de mi caso" in caller[1][1]


def test_the_callers_line_follows_the_representative_and_a_closed_page_hangs_up(
    reference, client_as, at_time, make_staff, settings
):
    import html

    from django.core.cache import cache

    from contactcenter import services
    from contactcenter.audit.context import AuditContext
    from ivr.simulator import LINE_KEY, lines_hang_up

    with at_time(SATURDAY_NOON_EASTERN):
        client = client_as(Role.CSR)
        client.post(
            "/ivr/simulator/", {"action": "start", "from_number": "+12135550142", "as_if_at": "2026-12-02T19:00"}
        )
        for keys in ("2", "0"):  # español, a representative
            page = client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""}).content.decode()
        assert "Waiting in line tier1-es: place 1, 0:00 so far." in page
        assert 'hx-get="/ivr/simulator/line/" hx-trigger="every 2s"' in page
        contact = WaitingContact.objects.get()

        agent = make_staff(Role.CSR)
        agent.staff_profile.languages = ["es", "en"]
        agent.staff_profile.save()
        context = AuditContext(actor=agent)
        services.agent_state_set(context=context, user=agent, state="available")
        assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
        assert "A representative's phone is ringing (0:00 in line)." in html.unescape(
            client.get("/ivr/simulator/line/").content.decode()
        )
        services.contact_answer(context=context, user=agent, contact_id=contact.pk)
        assert "Talking with a representative for 0:00." in html.unescape(
            client.get("/ivr/simulator/line/").content.decode()
        )
        services.contact_hold(context=context, user=agent, contact_id=contact.pk, hold=True)
        assert "On hold for 0:00: hold music in Spanish." in html.unescape(
            client.get("/ivr/simulator/line/").content.decode()
        )
        services.contact_hold(context=context, user=agent, contact_id=contact.pk, hold=False)
        services.contact_end(context=context, user=agent, contact_id=contact.pk)
        line = html.unescape(client.get("/ivr/simulator/line/").content.decode())
        assert "The representative ended the call." in line and "hx-get" not in line  # no more polling

        # A second caller closes the page while in line: after the timeout the call hangs up, as a
        # real caller's does (Twilio's signed 'completed' status), and the contact is abandoned.
        client.post(
            "/ivr/simulator/", {"action": "start", "from_number": "+12135550143", "as_if_at": "2026-12-02T19:00"}
        )
        for keys in ("1", "0"):
            client.post("/ivr/simulator/", {"action": "send", "digits": keys, "speech": ""})
        waiting = WaitingContact.objects.get(status="waiting")
        assert lines_hang_up() == []  # its page showed the line just now
        later = cache.get(LINE_KEY.format(waiting.call_sid))["seen"] + settings.SIMULATOR_LINE_TIMEOUT_SECONDS + 1
        assert lines_hang_up(now=later) == [waiting.call_sid]
        waiting.refresh_from_db()
        assert waiting.status == "abandoned"
        assert Call.objects.get(call_sid=waiting.call_sid).outcome == "abandoned"
        assert lines_hang_up(now=later + 60) == []  # once
        # The call the representative ended is no longer in line: never hung up by the sweep.
        assert WaitingContact.objects.get(pk=contact.pk).status == "completed"
