"""The staff call simulator's page, driven through its forms (the browser walk is in tests/e2e)."""

from contactcenter.models import WaitingContact
from contactcenter.roles import Role
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
