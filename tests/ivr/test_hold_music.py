"""Callers waiting in line or on hold hear our own hold music, served by us, and their place and
wait in their language about every minute."""

import hashlib
import importlib.util
import io
import struct
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

MUSIC = Path(settings.BASE_DIR) / "static" / "audio" / "hold-music.wav"
MUSIC_URL = "https://ncsc.test/static/audio/hold-music.wav"


def _in_line(caller, language_key: str):
    call = caller("+12135550142")
    call.start()
    call.press(language_key)
    assert call.press("0").enqueue is not None
    return call


@pytest.mark.parametrize(
    ("language_key", "place", "offer"),
    [
        ("1", "You are number 1 in line. The estimated wait is about", "without losing your place, press 1"),
        ("2", "Usted es el número 1 en la fila. El tiempo de espera aproximado es de", "sin perder su lugar, oprima 1"),
    ],
)
def test_the_wait_message_says_place_and_wait_in_the_callers_language_then_plays_our_music(
    reference, caller, at_time, language_key, place, offer
):
    with at_time(WEEKDAY_7PM_EASTERN):
        wait = _in_line(caller, language_key).wait_in_queue()
    root = ET.fromstring(wait.xml)
    assert [child.tag for child in root] == ["Say", "Gather"]
    assert root[0].text.startswith(place)
    gather = root[1]
    # The music plays inside the offer's Gather (1 keeps the place at any moment), once a round:
    # Twilio posts the waitUrl again when it ends, so the place is said again about every minute.
    assert [child.tag for child in gather] == ["Say", "Play"]
    assert offer in gather[0].text
    assert gather[1].text == MUSIC_URL and gather[1].get("loop") is None
    assert "cowbell" not in wait.xml


def test_on_hold_the_caller_hears_our_music_after_the_notice_in_their_language(caller):
    hold = caller().post("/ivr/conference/hold/?l=es")
    root = ET.fromstring(hold.xml)
    assert hold.status == 200 and [child.tag for child in root] == ["Say", "Play", "Redirect"]
    assert root[0].text.startswith("Por favor, permanezca en la línea.")
    assert root[1].text == MUSIC_URL


def test_the_music_is_served_by_us_as_audio(client):
    response = client.get("/static/audio/hold-music.wav")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("audio/")
    assert b"".join(response.streaming_content) == MUSIC.read_bytes()


def test_the_music_lasts_under_a_minute_at_the_telephones_rate_and_is_small():
    with wave.open(str(MUSIC)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (8000, 1, 2)
        frames = audio.readframes(audio.getnframes())
    assert 50 <= seconds <= 60
    assert MUSIC.stat().st_size < 1024 * 1024
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    # Soft, and silent at both ends so the loop does not click.
    assert max(abs(value) for value in samples) < 0.35 * 32767
    assert samples[0] == 0 and abs(samples[-1]) < 50


def test_the_committed_file_is_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("make_hold_music", MUSIC.with_name("make_hold_music.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    samples = script.render()
    written = io.BytesIO()
    with wave.open(written, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(script.RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    assert hashlib.sha256(written.getvalue()).digest() == hashlib.sha256(MUSIC.read_bytes()).digest()
