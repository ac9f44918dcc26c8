"""Replies rendered as TwiML, only through twilio's VoiceResponse builder."""

from __future__ import annotations

from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from .prompts import VOICES, prompt


def _voice(language: str) -> dict:
    return VOICES.get(language or "en", VOICES["en"])


def render(reply, *, language: str, next_step: int) -> str:
    response = VoiceResponse()
    voice = _voice(language)
    if reply.awaiting:
        gather = response.gather(
            action=f"{reverse('ivr:step')}?s={next_step}",
            method="POST",
            input="dtmf speech" if reply.speech else "dtmf",
            timeout=reply.timeout,
            language=voice["language"],
            action_on_empty_result=True,
            speech_timeout="auto",
            **({"num_digits": reply.num_digits} if reply.num_digits else {}),
            **({"finish_on_key": reply.finish_on_key} if reply.finish_on_key else {}),
            **({"hints": reply.hints} if reply.hints else {}),
        )
        for text in reply.say:
            # The language menu speaks each language in its own voice.
            spoken = _voice("es") if text == prompt("choose_language", "es") else voice
            gather.say(text, **spoken)
        return str(response)
    for text in reply.say:
        response.say(text, **voice)
    if reply.end == "enqueue":
        response.enqueue(
            reply.queue_name,
            wait_url=reverse("ivr:queue-wait"),
            wait_url_method="POST",
            action=reverse("ivr:queue-done"),
            method="POST",
        )
    else:
        response.hangup()
    return str(response)


def apology(*, language: str, tier1_open: bool, queue_name: str = "") -> str:
    """When a step fails: say so, then a person if one is on duty, else how to get help."""
    response = VoiceResponse()
    languages = [language] if language else ["en", "es"]
    for lang in languages:
        response.say(prompt("technical_problem", lang), **_voice(lang))
    if tier1_open:
        for lang in languages:
            response.say(prompt("to_agent", lang), **_voice(lang))
        response.enqueue(
            queue_name or f"tier1-{language or 'en'}",
            wait_url=reverse("ivr:queue-wait"),
            wait_url_method="POST",
            action=reverse("ivr:queue-done"),
            method="POST",
        )
    else:
        for lang in languages:
            response.say(prompt("try_later", lang), **_voice(lang))
        response.hangup()
    return str(response)
