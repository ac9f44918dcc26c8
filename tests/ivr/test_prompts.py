"""Every prompt in both languages; golden TwiML for each; no input ever breaks the flow."""

import os
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr import flow, twiml
from ivr.models import Call
from ivr.prompts import PROMPTS
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

GOLDEN = Path(__file__).parent / "golden"
PLACEHOLDER = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("key", sorted(PROMPTS))
def test_every_prompt_exists_in_english_and_spanish_with_the_same_blanks(key):
    texts = PROMPTS[key]
    assert set(texts) == {"en", "es"}
    assert texts["en"].strip() and texts["es"].strip()
    assert set(PLACEHOLDER.findall(texts["en"])) == set(PLACEHOLDER.findall(texts["es"]))


def _call(language):
    return Call(
        call_sid="CAgolden",
        from_number="+12135550142",
        caller_time_zone="America/Los_Angeles",
        language=language,
        state={
            "pending_receipt": "EAC2190000001",
            "callback_number": "+12025550100",
            "zip_purpose": "surgeon",
            "pd_group": "1",
            "ptime_categories": [
                ["Based on a pending asylum application", "Basado en una solicitud de asilo pendiente"]
            ],
        },
    )


ASKING_NODES = sorted(node for node in flow.NODES if node != "after_hours")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("node", ASKING_NODES)
def test_golden_twiml(node, language):
    reply = flow.NODES[node][0](flow.Turn(call=_call(language)))
    body = twiml.render(reply, language=language, next_step=5)
    path = GOLDEN / f"{node}.{language}.xml"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"golden file {path.name} missing")
        path.write_text(body + "\n")
    assert body + "\n" == path.read_text()
    root = ET.fromstring(body)
    gather = root.find("Gather")
    assert gather is not None and gather.get("action") == f"/ivr/step/?s=5&l={language}"
    assert gather.get("language") == ("es-US" if language == "es" else "en-US")
    assert gather.get("actionOnEmptyResult") == "true"


keys = st.text(alphabet="0123456789*#", max_size=14)
words = st.text(alphabet=string.ascii_letters + string.digits + " áéíóñ-.", max_size=40)
answers = st.lists(st.one_of(keys.map(lambda d: ("Digits", d)), words.map(lambda w: ("SpeechResult", w))), max_size=10)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=answers)
def test_any_input_gets_valid_twiml_and_never_a_server_error(reference_once, caller, at_time, answers):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+13125550100")
        prompt = call.start()
        for name, value in answers:
            if prompt.gather is None:
                break
            prompt = call.post(prompt.gather["action"], **{name: value})
            assert prompt.status == 200, prompt.xml
            root = ET.fromstring(prompt.xml)
            assert root.tag == "Response"
            assert prompt.says, prompt.xml
            assert prompt.gather or prompt.hangup or prompt.enqueue
            call.current = prompt
