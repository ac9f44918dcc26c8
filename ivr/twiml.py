"""Replies rendered as TwiML, only through twilio's VoiceResponse builder."""

from __future__ import annotations

from functools import cache, lru_cache

from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from .prompts import PROMPTS, VOICES, prompt
from .reply import Reply
from .spoken import Spoken


def _voice(language: str) -> dict:
    return VOICES.get(language or "en", VOICES["en"])


@cache
def _fixed_sentences() -> frozenset[Spoken]:
    return frozenset((text,) for texts in PROMPTS.values() for text in texts.values() if "{" not in text)


def say(parent, spoken: Spoken, **voice) -> None:
    """A <Say> of a sentence, its marks as SSML <say-as> elements (letters spelled, digit groups, dates, amounts)."""
    element = parent.say(**voice)
    for part in spoken:
        if isinstance(part, str):
            element.append(part)
        else:
            element.say_as(part.value, interpret_as=part.kind, **({"format": part.format} if part.format else {}))


# Gather's speech settings per kind of step: short commands in menus, numbers and letters in entries
# (the callers pause between groups, so a fixed pause ends them rather than "auto").
SPEECH_SETTINGS = {
    "menu": {"speech_model": "phone_call", "enhanced": True, "speech_timeout": "auto"},
    "entry": {"speech_model": "numbers_and_commands", "speech_timeout": "3"},
}
ENTRY_STEPS = frozenset({"receipt", "receipt_letters", "zip", "form", "ptime_form", "callback_number"})


def step_url(*, step: int, language: str, retry: int = 0) -> str:
    """The step webhook's URL. It carries the call's language ("" before the caller chose one) so
    that a step failing because the database is away can still apologise in it; Twilio signs the
    whole URL, so the value is ours."""
    url = f"{reverse('ivr:step')}?s={step}"
    if language in VOICES:
        url += f"&l={language}"
    return url + (f"&r={retry}" if retry else "")


def render(reply, *, language: str, next_step: int) -> str:
    """The TwiML of a reply. Menus and questions made only of fixed sentences are rendered once per
    process and step number; anything with a caller's details in it is rendered afresh.
    `language` is the call's ("" before the caller chose one: English prompts)."""
    if reply.say and _fixed_sentences().issuperset(reply.say):
        return _render_fixed(
            tuple(reply.say),
            tuple(reply.voices),
            reply.awaiting,
            reply.num_digits,
            reply.finish_on_key,
            reply.timeout,
            reply.hints,
            reply.speech,
            reply.end,
            reply.queue_name,
            language,
            next_step,
        )
    return _render(reply, language=language, next_step=next_step)


@lru_cache(maxsize=4096)
def _render_fixed(
    say, voices, awaiting, num_digits, finish_on_key, timeout, hints, speech, end, queue_name, language, step
):
    reply = Reply(
        say=list(say),
        voices=voices,
        awaiting=awaiting,
        num_digits=num_digits,
        finish_on_key=finish_on_key,
        timeout=timeout,
        hints=hints,
        speech=speech,
        end=end,
        queue_name=queue_name,
    )
    return _render(reply, language=language, next_step=step)


def _voiced(reply, voice: dict):
    voices = reply.voices
    for index, spoken in enumerate(reply.say):
        language = voices[index] if index < len(voices) else ""
        yield spoken, (_voice(language) if language else voice)


def _render(reply, *, language: str, next_step: int) -> str:
    response = VoiceResponse()
    voice = _voice(language)
    if reply.awaiting:
        speech = SPEECH_SETTINGS["entry" if reply.awaiting in ENTRY_STEPS else "menu"] if reply.speech else {}
        gather = response.gather(
            action=step_url(step=next_step, language=language),
            method="POST",
            input="dtmf speech" if reply.speech else "dtmf",
            timeout=reply.timeout,
            language=voice["language"],
            action_on_empty_result=True,
            **speech,
            **({"num_digits": reply.num_digits} if reply.num_digits else {}),
            # A menu takes "#" as a key (repeat); an entry step ends on it.
            finish_on_key=reply.finish_on_key,
            **({"hints": reply.hints} if reply.hints else {}),
        )
        for spoken, spoken_voice in _voiced(reply, voice):
            say(gather, spoken, **spoken_voice)
        return str(response)
    for spoken, spoken_voice in _voiced(reply, voice):
        say(response, spoken, **spoken_voice)
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


# Seconds of silence between the apology and the retry: a Postgres restart or fail-over is over in
# a few seconds, and the apology itself takes about five to say.
RETRY_PAUSE_SECONDS = 2


def apology_and_retry(*, language: str, url: str) -> str:
    """When the database is briefly away: say so, ask the caller to hold, and post `url` again."""
    response = VoiceResponse()
    languages = [language] if language else ["en", "es"]
    for lang in languages:
        response.say(prompt("technical_problem", lang), **_voice(lang))
        response.say(prompt("hold_while_we_retry", lang), **_voice(lang))
    response.pause(length=RETRY_PAUSE_SECONDS)
    response.redirect(url, method="POST")
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
