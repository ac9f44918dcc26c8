"""The IVR call flow: what each prompt asks, and what each answer leads to.

Every node has an `ask` (the prompt) and a `handle` (the caller's answer). A handler returns the
next Reply; the webhook view renders it as TwiML and stores it for Twilio's retries. All state is
in `Call.state`, so any web process can take the next step of any call."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common import ratelimit
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditChannel, FormOrderChannel
from contactcenter.reference.identifiers import mask_receipt_number
from contactcenter.routing import hours
from contactcenter.routing.phones import callback_number_for, callback_number_from_keys, phone_e164

from . import clock, parsing, prompts, reference, speech
from . import selectors as ivr_selectors
from .models import Call
from .prompts import sentence
from .reply import BookCallback, RaiseLookupAlert, Reply, ToQueue
from .spoken import Spoken, concat, fill, from_json, join, to_json

logger = logging.getLogger(__name__)
MAX_TRIES = 3
# The topic (and the routing skill) of a caller whose case is outside normal processing time.
OUTSIDE_PROCESSING_TOPIC = "outside-processing-time"


class StepNeedsLock(Exception):
    """The step is about to change more than the call's own row: the service takes it again under
    the call's lock."""


@dataclass
class Turn:
    call: Call
    digits: str = ""
    speech: str = ""
    locked: bool = True  # the call's row is locked for this step's transaction
    confidence: float | None = None  # the recogniser's, for speech (Twilio's Confidence)

    def before_side_effect(self) -> None:
        if not self.locked:
            raise StepNeedsLock

    @property
    def language(self) -> str:
        return self.call.language or "en"

    @property
    def empty(self) -> bool:
        return not (self.digits or self.speech.strip())

    def t(self, key: str, **values: object) -> Spoken:
        return sentence(key, self.language, **values)


def ivr_context() -> AuditContext:
    return AuditContext.system(channel=AuditChannel.IVR)


# --- helpers -----------------------------------------------------------------------------------
def _state(call: Call) -> dict:
    return call.state


def _topic(call: Call, code: str) -> None:
    call.state.setdefault("topic", code)


def _path(call: Call, entry: str) -> None:
    call.path = [*call.path, entry][-60:]


def retry(turn: Turn, node: str, reason: str = "not_understood") -> Reply:
    """Wrong key, silence or an unknown value: say why and ask again; after three tries, move on.
    An answer that was no entry but asked for a representative, the main menu, back or a repeat
    ("agent", "menú principal") is taken as that."""
    call = turn.call
    asked = parsing.everywhere_choice(turn.speech, turn.language) if turn.speech and node != "language" else None
    if asked is not None:
        return everywhere(turn, node, asked)
    tries = call.state.get("tries", 0) + 1
    call.state["tries"] = tries
    lead = turn.t("no_input" if turn.empty and reason == "not_understood" else reason)
    if tries >= MAX_TRIES:
        call.state["tries"] = 0
        _path(call, f"{node}:gave-up")
        return representative(turn, lead=[lead, turn.t("too_many_tries")], gave_up=True)
    reply = NODES[node][0](turn)
    reply.say = [lead, *reply.say]
    reply.result = f"retry {tries}: {reason}"
    return reply


def accepted(turn: Turn) -> None:
    turn.call.state["tries"] = 0


def main_menu_reply(turn: Turn, lead: list[Spoken] | None = None) -> Reply:
    reply = ask_main(turn)
    reply.say = [*(lead or []), *reply.say]
    return reply


# --- the same keys everywhere ------------------------------------------------------------------
# Where `*` goes back to from each step: the menu or question that led there.
BACK = {
    "main": "main",
    "receipt": "main",
    "receipt_letters": "receipt",
    "confirm_receipt": "receipt",
    "case_next": "main",
    "service_request": "case_next",
    "form": "main",
    "form_menu": "form",
    "zip": "main",
    "results_menu": "zip",
    "ptime_intro": "main",
    "ptime_form": "ptime_intro",
    "category": "ptime_form",
    "ptime_menu": "ptime_intro",
    "outside_menu": "ptime_intro",
    "pd_group": "main",
    "pd_category": "pd_group",
    "pd_area": "pd_category",
    "pd_menu": "pd_group",
    "after_hours": "main",
    "callback_number": "after_hours",
    "confirm_callback_number": "callback_number",
    "confirm_choice": "main",
}
EVERYWHERE = ("0", "9", "*", "repeat")
# Speech hints in the caller's language only: the other language's words are what it would mishear.
YES_NO_HINTS = {
    "en": "yes, no, correct, that's right, not correct",
    "es": "sí, no, correcto, es correcto, no es correcto",
}


def everywhere(turn: Turn, node: str, choice: str) -> Reply:
    """0 (a representative), 9 (the main menu), * (back) and "repeat" in every menu and entry step."""
    call = turn.call
    accepted(turn)
    _path(call, f"{node}:{'back' if choice == '*' else 'repeat' if choice == 'repeat' else choice}")
    if choice == "0":
        if node == "outside_menu":
            call.state["topic"] = OUTSIDE_PROCESSING_TOPIC
        return representative(turn)
    if choice == "9":
        return ask_main(turn)
    if choice == "repeat" and call.state.get("said"):
        said = call.state["said"]
        say = [from_json(item) for item in said["say"]]
        if None not in say:
            return Reply(**{**said, "say": say, "result": "repeated"})
    target = BACK.get(node, "main") if choice == "*" else node
    if target == "confirm_choice":
        target = call.state.get("pending_choice", {}).get("node", "main")
    return NODES[target][0](turn)


def _choice(turn: Turn, node: str, keys: str | None = None) -> str | Reply:
    """The option chosen at menu `node` (one of its keys), or the reply when the answer was no option,
    a representative, the main menu, back or repeat, or a low-confidence word to confirm first."""
    keys = parsing.MENU_KEYS[node] if keys is None else keys
    choice = parsing.menu_choice(turn.digits, turn.speech, turn.language, keys, menu=node)
    if choice is None:
        return retry(turn, node)
    if not turn.digits and _unsure(turn):
        return ask_confirm_choice(turn, node, choice)
    if choice in EVERYWHERE:
        return everywhere(turn, node, choice)
    return choice


def _unsure(turn: Turn) -> bool:
    threshold = settings.IVR_SPEECH_CONFIDENCE_MIN
    return turn.confidence is not None and turn.confidence < threshold


def ask_confirm_choice(turn: Turn, node: str, choice: str) -> Reply:
    turn.call.state["pending_choice"] = {"node": node, "choice": choice}
    return Reply(
        say=[turn.t("confirm_choice", option=prompts.option_label(node, choice, turn.language))],
        awaiting="confirm_choice",
        num_digits=1,
        hints=YES_NO_HINTS[turn.language],
        result=f"confirm {choice}",
    )


def handle_confirm_choice(turn: Turn) -> Reply:
    pending = turn.call.state.get("pending_choice") or {}
    node, choice = pending.get("node"), pending.get("choice")
    if node not in NODES or not choice:
        return ask_main(turn)
    answer = parsing.yes_no(turn.digits, turn.speech)
    if answer is None:
        return retry(turn, "confirm_choice")
    turn.call.state.pop("pending_choice", None)
    if answer == "no":
        accepted(turn)
        reply = NODES[node][0](turn)
        reply.say = [turn.t("try_again"), *reply.say]
        return reply
    if choice in EVERYWHERE:
        return everywhere(turn, node, choice)
    # As if keyed: the menu's own handler takes it from here.
    return NODES[node][1](Turn(call=turn.call, digits=choice, locked=turn.locked))


def ask_confirm_choice_again(turn: Turn) -> Reply:
    pending = turn.call.state.get("pending_choice") or {}
    if pending.get("node") not in NODES:
        return ask_main(turn)
    return ask_confirm_choice(turn, pending["node"], pending["choice"])


# --- language ----------------------------------------------------------------------------------
def ask_language(turn: Turn) -> Reply:
    return Reply(
        say=[
            sentence("welcome", "en"),
            sentence("choose_language", "en"),
            sentence("choose_language", "es"),
            sentence("tty_offer", "en"),
        ],
        voices=("", "", "es", ""),
        awaiting="language",
        num_digits=1,
        hints="English, español, Spanish, relay, TTY",
    )


def call_opening(turn: Turn) -> Reply:
    """A call's first answer: the emergency announcement when one is on, in English then Spanish
    (the caller has not chosen yet), then the language question. Asked again, the question alone."""
    reply = ask_language(turn)
    announcement = ivr_selectors.announcement_active(at=clock.now())
    if announcement is not None:
        notices = [sentence("announcement", lang, text=announcement.text(lang)) for lang in prompts.LANGUAGES]
        reply.say = [reply.say[0], *notices, *reply.say[1:]]
        reply.voices = (reply.voices[0], *prompts.LANGUAGES, *reply.voices[1:])
    return reply


def handle_language(turn: Turn) -> Reply:
    if parsing.tty_choice(turn.digits, turn.speech):
        return relay_or_tty(turn)
    language = parsing.language_choice(turn.digits, turn.speech)
    if language is None:
        return retry(turn, "language")
    turn.call.language = language
    accepted(turn)
    _path(turn.call, f"language:{language}")
    reply = main_menu_reply(turn, lead=[turn.t("recording_notice")])
    reply.option = language
    return reply


# The topic (and routing skill) of relay and TTY calls: agents with it are offered them first.
RELAY_TOPIC = "accessibility"


def relay_or_tty(turn: Turn) -> Reply:
    """A relay operator (711) or a TTY user: straight to a representative who takes such calls, in English
    (relay operators voice the call), with the recording notice said first."""
    call = turn.call
    call.language = call.language or "en"
    call.state["relay"] = True
    call.state["topic"] = RELAY_TOPIC
    accepted(turn)
    _path(call, "language:relay")
    reply = representative(turn, lead=[turn.t("recording_notice")])
    if reply.end == "enqueue":
        reply.say = [turn.t("recording_notice"), turn.t("tty_to_agent")]
    reply.option = "relay"
    return reply


# --- main menu ---------------------------------------------------------------------------------
def ask_main(turn: Turn) -> Reply:
    return Reply(
        say=[turn.t("main_menu")],
        awaiting="main",
        num_digits=1,
        hints=(
            "case status, forms, field office, civil surgeon, processing times, priority dates, representative"
            if turn.language == "en"
            else "estado del caso, formularios, oficina, médico civil, tiempos de procesamiento, fechas de prioridad, "
            "representante"
        ),
    )


def handle_main(turn: Turn) -> Reply:
    choice = _choice(turn, "main")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    _path(turn.call, f"main:{choice}")
    if choice == "1":
        turn.call.state["receipt_purpose"] = "status"
        _topic(turn.call, "case-status")
        return ask_receipt(turn)
    if choice == "2":
        _topic(turn.call, "forms")
        return ask_form(turn)
    if choice == "3":
        _topic(turn.call, "processing-times")
        return ask_ptime_intro(turn)
    if choice == "4":
        turn.call.state["zip_purpose"] = "office"
        _topic(turn.call, "field-offices")
        return ask_zip(turn)
    if choice == "5":
        turn.call.state["zip_purpose"] = "surgeon"
        _topic(turn.call, "civil-surgeons")
        return ask_zip(turn)
    # 6 is no longer said (priority dates are option 3 under processing times); callers who learnt it
    # still get there.
    _topic(turn.call, "priority-dates")
    return ask_pd_group(turn)


# --- receipt numbers ---------------------------------------------------------------------------
RECEIPT_HINTS = "E A C, W A C, L I N, S R C, N B C, M S C, I O E, Y S C"


def privacy_notice(turn: Turn) -> list[Spoken]:
    """The Privacy Act notice, once per call, before the first personal detail is asked."""
    if turn.call.state.get("privacy_told"):
        return []
    turn.call.state["privacy_told"] = True
    return [turn.t("privacy_notice")]


def ask_receipt(turn: Turn) -> Reply:
    # The keypad's letters are explained only to a caller whose first answer did not work.
    help_ = [turn.t("receipt_keypad_help")] if turn.call.state.get("tries") else []
    return Reply(
        say=[*privacy_notice(turn), turn.t("ask_receipt"), *help_],
        awaiting="receipt",
        finish_on_key="#",
        timeout=10,
        hints=RECEIPT_HINTS,
    )


def handle_receipt(turn: Turn) -> Reply:
    heard = parsing.receipt_keyed(turn.digits) if turn.digits else parsing.receipt_heard(turn.speech)
    if heard is None:
        return retry(turn, "receipt", "not_understood" if turn.empty else "receipt_invalid")
    accepted(turn)
    if heard.receipt is None:  # the 10 digits alone: the letters are asked for next
        turn.call.state["pending_digits"] = heard.digits
        return ask_receipt_letters(turn)
    turn.call.state["pending_receipt"] = heard.receipt
    return ask_confirm_receipt(turn)


def ask_receipt_letters(turn: Turn) -> Reply:
    return Reply(
        say=[turn.t("ask_receipt_letters")],
        awaiting="receipt_letters",
        finish_on_key="#",
        timeout=8,
        hints=RECEIPT_HINTS,
    )


def handle_receipt_letters(turn: Turn) -> Reply:
    call = turn.call
    digits = call.state.get("pending_digits", "")
    keys = parsing.digits_only(turn.digits)
    if keys:
        prefix = parsing.PREFIX_BY_KEYS.get(keys) or parsing.PREFIX_BY_MENU_DIGIT.get(keys)
    else:
        prefix = parsing.prefix_from_speech(turn.speech)
    if len(digits) != 10:
        return ask_receipt(turn)
    if prefix is None:
        return retry(turn, "receipt_letters", "not_understood" if turn.empty else "receipt_letters_invalid")
    accepted(turn)
    call.state.pop("pending_digits", None)
    call.state["pending_receipt"] = prefix + digits
    return ask_confirm_receipt(turn)


def ask_confirm_receipt(turn: Turn) -> Reply:
    receipt = turn.call.state.get("pending_receipt", "")
    return Reply(
        say=[turn.t("confirm_receipt", spelled=speech.spoken_receipt(receipt))],
        awaiting="confirm_receipt",
        num_digits=1,
        hints=YES_NO_HINTS[turn.language],
    )


# Who else a lookup is counted against, besides the calling number: the call simulator sets the
# signed-in user (its webhooks run in the same thread), so that trying one number after another does
# not give a simulator user a fresh allowance each time. Callers from outside cannot set it.
_ALSO_COUNTED_AS: ContextVar[tuple[str, ...]] = ContextVar("ivr_lookups_also_counted_as", default=())


@contextmanager
def lookups_also_counted_as(key: str) -> Iterator[None]:
    token = _ALSO_COUNTED_AS.set((*_ALSO_COUNTED_AS.get(), key))
    try:
        yield
    finally:
        _ALSO_COUNTED_AS.reset(token)


def lookup_allowed(call: Call) -> bool:
    """Case-status lookups are limited per calling number, so nobody can walk receipt numbers."""
    allowed = True
    for key in (call.from_number, *_ALSO_COUNTED_AS.get()):
        allowed = (
            ratelimit.hit(f"ivr:lookups:{key}", window_seconds=3600) <= settings.IVR_CASE_LOOKUPS_PER_HOUR and allowed
        )
    return allowed


NOT_FOUND_KEY = "ivr:not-found:all-callers"
NOT_FOUND_ALERTED_KEY = "ivr:not-found:alerted"
NOT_FOUND_WINDOW_SECONDS = 3600


def lookups_paused() -> bool:
    """Over the hourly limit of not-found lookups across all callers, the IVR says neither found nor
    not found: the per-number limit alone is no lock, as a caller ID is easy to spoof."""
    return ratelimit.count(NOT_FOUND_KEY) > settings.IVR_NOT_FOUND_LOOKUPS_PER_HOUR


def _count_not_found() -> tuple[bool, RaiseLookupAlert | None]:
    """Count one not-found lookup: whether it is one too many, and then the alert to raise (once per
    window, None after the first)."""
    count = ratelimit.hit(NOT_FOUND_KEY, window_seconds=NOT_FOUND_WINDOW_SECONDS)
    limit = settings.IVR_NOT_FOUND_LOOKUPS_PER_HOUR
    if count <= limit:
        return False, None
    if cache.add(NOT_FOUND_ALERTED_KEY, 1, NOT_FOUND_WINDOW_SECONDS):
        return True, RaiseLookupAlert(not_found_count=count, limit=limit, window_seconds=NOT_FOUND_WINDOW_SECONDS)
    return True, None


def _lookups_paused_reply(turn: Turn) -> Reply:
    _path(turn.call, "receipt:paused")
    accepted(turn)
    reply = main_menu_reply(turn, lead=[turn.t("lookups_paused")])
    reply.result = "lookups paused"
    return reply


def handle_confirm_receipt(turn: Turn) -> Reply:
    call = turn.call
    answer = parsing.yes_no(turn.digits, turn.speech)
    if answer is None:
        return retry(turn, "confirm_receipt")
    if answer == "no":
        accepted(turn)
        return ask_receipt(turn)
    receipt = call.state.get("pending_receipt", "")
    if call.state.get("receipt_purpose") == "mail":
        turn.before_side_effect()  # before the lookup is counted, not after
    if not lookup_allowed(call):
        _path(call, "receipt:rate-limited")
        return _after_rate_limit(turn)
    if lookups_paused():
        return _lookups_paused_reply(turn)
    case = selectors.case_get(receipt_number=receipt)
    if case is None:
        over_limit, alert = _count_not_found()
        if over_limit:
            reply = _lookups_paused_reply(turn)
            reply.effects.extend([alert] if alert else [])
            return reply
        _path(call, "receipt:not-found")
        reply = retry(turn, "receipt", "receipt_not_found")
        reply.say[0] = turn.t("receipt_not_found", spelled=speech.spoken_receipt(receipt))
        reply.result = f"not found {mask_receipt_number(receipt)}"
        return reply
    accepted(turn)
    if receipt not in call.receipt_numbers:
        call.receipt_numbers = [*call.receipt_numbers, receipt]
    call.state["case_receipt"] = receipt
    purpose = call.state.get("receipt_purpose", "status")
    if purpose == "ptime":
        return case_processing_time(turn, case)
    if purpose == "mail":
        return order_form(turn, FormOrderChannel.MAIL, case=case)
    return case_status(turn, case)


def _after_rate_limit(turn: Turn) -> Reply:
    reply = main_menu_reply(turn, lead=[turn.t("rate_limited")])
    reply.result = "rate limited"
    return reply


WEB_ADDRESS = re.compile(r"\bwww\.|https?://|\.gov\b")


def status_spoken(status, language: str, **values: object) -> Spoken:
    """The status's text for the ear: its date and one action; the receipt number is not read again."""
    spoken = prompts.STATUS_SPOKEN.get(status.code)
    if spoken is not None:
        return fill(spoken["es" if language == "es" else "en"], **values)
    # A status added since: its web text, without the sentences that give a web address (no value
    # holds one, so the template's sentences are the text's).
    template = status.description_es if language == "es" else status.description_en
    text = " ".join(line for line in re.split(r"(?<=\.)\s+", template) if not WEB_ADDRESS.search(line))
    try:
        return fill(text, **values, receipt_number="")
    except (KeyError, IndexError):
        return (text,)


def case_status(turn: Turn, case) -> Reply:
    call = turn.call
    language = turn.language
    description = status_spoken(
        case.status, language, date=speech.spoken_date(case.status_on, language), form=case.form.number
    )
    call.self_served = True
    _path(call, f"case-status:{case.status.code}")
    reply = ask_case_next(turn)
    reply.say = [
        turn.t(
            "case_status",
            form=case.form.number,
            headline=case.status.headline_for(language),
            description=description,
        ),
        *reply.say,
    ]
    reply.result = f"status {case.status.code}"
    return reply


def ask_case_next(turn: Turn) -> Reply:
    return Reply(say=[turn.t("case_next")], awaiting="case_next", num_digits=1)


def handle_case_next(turn: Turn) -> Reply:
    choice = _choice(turn, "case_next")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    _path(turn.call, f"case-next:{choice}")
    if choice == "1":
        turn.call.state["receipt_purpose"] = "status"
        return ask_receipt(turn)
    if choice == "2":
        case = selectors.case_get(receipt_number=turn.call.state.get("case_receipt", ""))
        if case is not None:
            return case_processing_time(turn, case)
    if choice == "3" and turn.call.state.get("case_receipt"):
        return ask_service_request(turn)
    if choice == "4" and turn.call.state.get("case_receipt"):
        return status_updates_subscribe(turn)
    return ask_main(turn)


def status_updates_subscribe(turn: Turn) -> Reply:
    """Texts to the calling line when the case just heard changes status, in the call's language.
    Caller ID proves no identity, but the texts go only to that line (and STOP ends them)."""
    call = turn.call
    phone = callback_number_for(call.from_number)
    reply = ask_case_next(turn)
    if phone is None:
        _path(call, "status-updates:no-text")
        reply.say = [turn.t("form_no_text"), *reply.say]
        return reply
    turn.before_side_effect()
    services.status_subscription_create(
        context=ivr_context(),
        receipt_number=call.state["case_receipt"],
        channel="sms",
        to=phone,
        language=turn.language,
        source="ivr",
    )
    _path(call, "status-updates:subscribed")
    reply.say = [turn.t("status_updates_on"), *reply.say]
    reply.result = "status updates by text"
    return reply


# --- a service request's status ------------------------------------------------------------------
# Its reference is SR- and 8 digits; a caller keys the digits, leading zeros or not.
SERVICE_REQUEST_DIGITS = re.compile(r"^0*([1-9][0-9]{0,7})$")


def ask_service_request(turn: Turn) -> Reply:
    return Reply(say=[turn.t("ask_service_request")], awaiting="service_request", finish_on_key="#", timeout=10)


def handle_service_request(turn: Turn) -> Reply:
    """Only on the case the caller just heard (its receipt number proved first), and counted
    against the same hourly limit as case lookups."""
    call = turn.call
    keys = parsing.digits_only(turn.digits) if turn.digits else parsing.number_from_speech(turn.speech)
    found = SERVICE_REQUEST_DIGITS.match(keys or "")
    if found is None:
        return retry(turn, "service_request", "not_understood" if turn.empty else "service_request_invalid")
    receipt = call.state.get("case_receipt", "")
    if not receipt:
        return ask_main(turn)
    if not lookup_allowed(call):
        _path(call, "service-request:rate-limited")
        return _after_rate_limit(turn)
    number = int(found.group(1))
    spelled = speech.spoken_service_request(number)
    request = selectors.service_request_by_number(receipt_number=receipt, number=number)
    if request is None:
        _path(call, "service-request:not-found")
        reply = retry(turn, "service_request", "service_request_invalid")
        reply.say[0] = turn.t("service_request_not_found", spelled=spelled)
        reply.result = "service request not found"
        return reply
    accepted(turn)
    language = turn.language
    if request.status in ("denied", "closed"):  # ended without an answer to wait for
        due = ""
    elif request.resolved_at is not None:
        resolved_on = timezone.localdate(request.resolved_at)
        due = turn.t("service_request_done", date=speech.spoken_date(resolved_on, language))
    else:
        due = turn.t("service_request_due", date=speech.spoken_date(request.due_on, language))
    call.self_served = True
    _path(call, f"service-request:{request.status}")
    reply = ask_case_next(turn)
    reply.say = [
        turn.t(
            "service_request_status",
            spelled=spelled,
            kind=prompts.SERVICE_REQUEST_KIND_SPOKEN[request.kind][language],
            status=prompts.SERVICE_REQUEST_STATUS_SPOKEN[request.status][language],
            due=due,
        ),
        *reply.say,
    ]
    reply.result = f"service request {request.status}"
    return reply


# --- forms ---------------------------------------------------------------------------------------
def ask_form(turn: Turn) -> Reply:
    return Reply(
        say=[turn.t("ask_form")],
        awaiting="form",
        finish_on_key="#",
        timeout=8,
        hints="I 90, I 130, I 485, I 765, N 400, I 131, I 751",
    )


def _form_from(turn: Turn):
    digits = parsing.digits_only(turn.digits) if turn.digits else parsing.form_digits_from_speech(turn.speech)
    return reference.form_get_by_digits(digits) if digits else None


def handle_form(turn: Turn) -> Reply:
    form = _form_from(turn)
    if form is None:
        return retry(turn, "form", "not_understood" if turn.empty else "form_not_found")
    accepted(turn)
    turn.call.state["form_id"] = form.pk
    turn.call.self_served = True
    _path(turn.call, f"form:{form.number}")
    reply = ask_form_menu(turn)
    reply.say = [
        turn.t(
            "form_info",
            number=form.number,
            title=form.title_for(turn.language),
            fee=speech.spoken_money(form.fee, turn.language),
        ),
        *reply.say,
    ]
    reply.result = f"form {form.number}"
    return reply


def ask_form_menu(turn: Turn) -> Reply:
    return Reply(say=[turn.t("form_menu")], awaiting="form_menu", num_digits=1)


def handle_form_menu(turn: Turn) -> Reply:
    choice = _choice(turn, "form_menu")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    _path(turn.call, f"form-menu:{choice}")
    if choice == "1":
        return order_form(turn, FormOrderChannel.SMS)
    if choice == "4":
        return ask_number_to_text(turn, "form")
    if choice == "2":
        case = (
            selectors.case_get(receipt_number=turn.call.state.get("case_receipt", ""))
            if turn.call.state.get("case_receipt")
            else None
        )
        if case is not None:
            return order_form(turn, FormOrderChannel.MAIL, case=case)
        turn.call.state["receipt_purpose"] = "mail"
        reply = ask_receipt(turn)
        reply.say = [turn.t("mail_needs_receipt"), *reply.say]
        return reply
    if choice == "3":
        return ask_form(turn)
    return ask_main(turn)


def order_form(turn: Turn, channel: str, case=None, phone: str = "") -> Reply:
    """Text a form's link (to the calling line, or to `phone` the caller gave) or mail the form."""
    call = turn.call
    form = reference.form_get(call.state.get("form_id"))
    if form is None:
        return ask_form(turn)
    texted = channel == FormOrderChannel.SMS
    if texted and not phone and phone_e164(call.from_number) is None:
        # The calling line cannot take a text (withheld, not a number): the caller gives one.
        reply = ask_number_to_text(turn, "form")
        reply.say = [turn.t("form_no_text"), *reply.say]
        return reply
    turn.before_side_effect()
    try:
        services.form_order_create(
            context=ivr_context(),
            form=form,
            channel=channel,
            language=turn.language,
            phone=(phone or call.from_number) if texted else "",
            case=case,
            idempotency_key=f"ivr:{call.call_sid}:{form.pk}:{channel}" + (f":{phone[-10:]}" if phone else ""),
        )
    except ApplicationError:
        reply = ask_form_menu(turn)
        reply.say = [turn.t("form_no_text"), *reply.say]
        reply.result = "order refused"
        return reply
    _topic(call, "form-order")
    call.state["topic"] = "form-order" if call.state.get("topic") == "forms" else call.state["topic"]
    if texted and phone:
        lead = turn.t("form_texted_to", number=form.number, spelled=speech.spoken_phone(phone))
    else:
        lead = turn.t("form_texted" if texted else "form_mailed", number=form.number)
    reply = main_menu_reply(turn, lead=[lead])
    reply.result = f"ordered {form.number} by {channel}"
    return reply


# --- ZIP searches --------------------------------------------------------------------------------
def ask_zip(turn: Turn) -> Reply:
    key = "ask_zip_office" if turn.call.state.get("zip_purpose") == "office" else "ask_zip_surgeon"
    if turn.call.state.get("zip_purpose") == "ptime":
        key = "ask_zip_ptime"
    return Reply(say=[turn.t(key)], awaiting="zip", num_digits=5, timeout=8)


def handle_zip(turn: Turn) -> Reply:
    zip_code = parsing.digits_only(turn.digits) if turn.digits else parsing.zip_from_speech(turn.speech) or ""
    if len(zip_code) != 5 or not reference.zip_known(zip_code):
        return retry(turn, "zip", "not_understood" if turn.empty else "zip_invalid")
    accepted(turn)
    turn.call.state["zip"] = zip_code
    purpose = turn.call.state.get("zip_purpose")
    _path(turn.call, f"zip:{purpose}")
    if purpose == "ptime":
        return processing_time_answer(turn)
    return nearest_results(turn)


def _nearest_lines(turn: Turn, for_text: bool = False) -> list[Spoken]:
    """The nearest offices or civil surgeons as said, or (`for_text`) as written in a text message."""
    call = turn.call
    zip_code = call.state.get("zip", "")
    language = turn.language
    lines = []
    if call.state.get("zip_purpose") == "office":
        today = clock.today()
        for office, miles in reference.offices_nearest(zip_code, 2):
            lines.append(
                sentence(
                    "office_entry",
                    language,
                    name=office.name,
                    address=(
                        office.one_line_address
                        if for_text
                        else speech.spoken_address(office.address_line, office.city, office.state)
                    ),
                    miles=round(miles),
                    hours=office.hours_for(language),
                )
            )
            for closure in reference.office_closures_upcoming(office, today)[:1]:
                lines.append(
                    sentence(
                        "office_closure",
                        language,
                        start=speech.spoken_date(closure.starts_on, language),
                        end=speech.spoken_date(closure.ends_on, language),
                        reason=closure.reason_es if language == "es" else closure.reason_en,
                    )
                )
    else:
        for surgeon, miles in reference.civil_surgeons_nearest(zip_code, 3):
            lines.append(
                sentence(
                    "surgeon_entry",
                    language,
                    name=surgeon.name,
                    practice=surgeon.practice,
                    address=(
                        surgeon.one_line_address
                        if for_text
                        else speech.spoken_address(surgeon.address_line, surgeon.city, surgeon.state)
                    ),
                    miles=round(miles),
                    phone=surgeon.phone if for_text else speech.spoken_phone(surgeon.phone),
                )
            )
    return lines


def nearest_results(turn: Turn) -> Reply:
    lines = _nearest_lines(turn)
    if not lines:
        return retry(turn, "zip", "nearest_none")
    turn.call.self_served = True
    reply = ask_results_menu(turn)
    reply.say = [*lines, *reply.say]
    reply.result = f"{len(lines)} results"
    return reply


def ask_results_menu(turn: Turn) -> Reply:
    return Reply(say=[turn.t("results_menu")], awaiting="results_menu", num_digits=1)


def handle_results_menu(turn: Turn) -> Reply:
    choice = _choice(turn, "results_menu")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    _path(turn.call, f"results:{choice}")
    if choice == "1":
        return nearest_results(turn)
    if choice == "2":
        if phone_e164(turn.call.from_number) is None:
            reply = ask_number_to_text(turn, "results")
            reply.say = [turn.t("form_no_text"), *reply.say]
            return reply
        return text_results(turn)
    if choice == "4":
        return ask_number_to_text(turn, "results")
    if choice == "3":
        return ask_zip(turn)
    return ask_main(turn)


def text_results(turn: Turn, to: str = "") -> Reply:
    """Text the offices or doctors just heard, written for reading, to the calling line or to `to`."""
    turn.before_side_effect()
    # A text is read, not heard: its dates in words, no SSML.
    body = "\n".join(speech.heard(line, turn.language) for line in _nearest_lines(turn, for_text=True))
    # Queued, never sent inside the webhook: a slow or failing Twilio API must not hold the
    # caller's TwiML past Twilio's webhook timeout (the call would drop with an application error).
    services.text_queue(
        to=to or turn.call.from_number,
        body=body,
        purpose=f"ivr:{turn.call.call_sid}:results" + (f":{to[-10:]}" if to else ""),
    )
    if to:
        return main_menu_reply(turn, lead=[turn.t("results_texted_to", spelled=speech.spoken_phone(to))])
    return main_menu_reply(turn, lead=[turn.t("results_texted")])


# --- processing times ------------------------------------------------------------------------------
def ask_ptime_intro(turn: Turn) -> Reply:
    return Reply(say=[turn.t("ptime_intro")], awaiting="ptime_intro", num_digits=1)


def handle_ptime_intro(turn: Turn) -> Reply:
    choice = _choice(turn, "ptime_intro")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    if choice == "2":
        turn.call.state["receipt_purpose"] = "ptime"
        return ask_receipt(turn)
    if choice == "3":
        _path(turn.call, "ptime:priority-dates")
        turn.call.state["topic"] = "priority-dates"
        return ask_pd_group(turn)
    return ask_ptime_form(turn)


def ask_ptime_form(turn: Turn) -> Reply:
    reply = ask_form(turn)
    reply.awaiting = "ptime_form"
    return reply


def handle_ptime_form(turn: Turn) -> Reply:
    form = _form_from(turn)
    if form is None:
        return retry(turn, "ptime_form", "not_understood" if turn.empty else "form_not_found")
    accepted(turn)
    call = turn.call
    call.state["ptime_form_id"] = form.pk
    categories = reference.processing_time_categories(form)
    if not categories:
        reply = main_menu_reply(turn, lead=[turn.t("ptime_none")])
        reply.result = f"no processing time for {form.number}"
        return reply
    call.state["ptime_categories"] = [[row.category, row.category_es] for row in categories][:8]
    if len(categories) == 1:
        call.state["ptime_category"] = categories[0].category
        return ptime_office_or_answer(turn)
    return ask_category(turn)


def ask_category(turn: Turn) -> Reply:
    options = join(
        " ",
        (
            turn.t("category_option", category=spanish if turn.language == "es" else english, digit=n)
            for n, (english, spanish) in enumerate(turn.call.state.get("ptime_categories", []), start=1)
        ),
    )
    return Reply(say=[turn.t("ask_category", options=options)], awaiting="category", num_digits=1)


def handle_category(turn: Turn) -> Reply:
    categories = turn.call.state.get("ptime_categories", [])
    choice = _choice(turn, "category", keys="".join(str(n) for n in range(1, len(categories) + 1)))
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    turn.call.state["ptime_category"] = categories[int(choice) - 1][0]
    return ptime_office_or_answer(turn)


def _ptime_form(call: Call):
    return reference.form_get(call.state.get("ptime_form_id"))


def ptime_office_or_answer(turn: Turn) -> Reply:
    call = turn.call
    form = _ptime_form(call)
    offices = reference.processing_time_offices(form, call.state.get("ptime_category"))
    if len(offices) > 1:
        call.state["zip_purpose"] = "ptime"
        return ask_zip(turn)
    return processing_time_answer(turn)


def processing_time_answer(turn: Turn) -> Reply:
    call = turn.call
    language = turn.language
    form = _ptime_form(call)
    office = None
    if call.state.get("zip_purpose") == "ptime" and call.state.get("zip"):
        office = reference.processing_time_nearest_office(form, call.state.get("ptime_category"), call.state["zip"])
    ptime = reference.processing_time_current(form, call.state.get("ptime_category"), office)
    if ptime is None:
        return main_menu_reply(turn, lead=[turn.t("ptime_none")])
    call.self_served = True
    _path(call, f"ptime:{form.number}")
    reply = Reply(say=[turn.t("ptime_menu")], awaiting="ptime_menu", num_digits=1)
    reply.say.insert(
        0,
        turn.t(
            "ptime_info",
            form=form.number,
            category=ptime.category_for(language),
            office=ptime.office.name,
            months=speech.spoken_months(ptime.months, language),
            inquiry_date=speech.spoken_date(ptime.inquiry_receipt_date, language),
        ),
    )
    reply.result = f"processing time {form.number}"
    return reply


def handle_ptime_menu(turn: Turn) -> Reply:
    choice = _choice(turn, "ptime_menu")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    if choice == "1":
        turn.call.state["receipt_purpose"] = "ptime"
        return ask_receipt(turn)
    if choice == "2":
        return ask_ptime_form(turn)
    return ask_main(turn)


def case_processing_time(turn: Turn, case) -> Reply:
    language = turn.language
    call = turn.call
    verdict = selectors.case_processing_verdict(case=case)
    ptime = verdict.processing_time
    _topic(call, "processing-times")
    if not verdict.pending:
        return main_menu_reply(turn, lead=[turn.t("case_decided")])
    if ptime is None:
        return main_menu_reply(turn, lead=[turn.t("ptime_none")])
    call.self_served = True
    values = {
        "received": speech.spoken_date(case.received_on, language),
        "inquiry_date": speech.spoken_date(ptime.inquiry_receipt_date, language),
    }
    info = turn.t(
        "ptime_info",
        form=case.form.number,
        category=ptime.category_for(language),
        office=ptime.office.name,
        months=speech.spoken_months(ptime.months, language),
        inquiry_date=values["inquiry_date"],
    )
    if verdict.outside_normal:
        _path(call, "ptime:case-outside")
        call.state["outside_normal"] = True
        return Reply(
            say=[info, turn.t("case_outside", **values), turn.t("outside_menu")],
            awaiting="outside_menu",
            num_digits=1,
            result="outside normal processing time",
        )
    _path(call, "ptime:case-within")
    reply = main_menu_reply(turn, lead=[info, turn.t("case_within", **values)])
    reply.result = "within normal processing time"
    return reply


def handle_outside_menu(turn: Turn) -> Reply:
    choice = _choice(turn, "outside_menu")
    if isinstance(choice, Reply):
        return choice
    return ask_main(turn)  # it has no option of its own: 0 and 9 are every menu's


# --- priority dates --------------------------------------------------------------------------------
FAMILY = ["F1", "F2A", "F2B", "F3", "F4"]
EMPLOYMENT = ["EB1", "EB2", "EB3", "EB4", "EB5"]
AREAS = ["ALL", "CHINA", "INDIA", "MEXICO", "PHILIPPINES"]
AREA_NAMES = {
    "en": ["all chargeability areas", "China", "India", "Mexico", "the Philippines"],
    "es": ["todas las áreas", "China", "India", "México", "Filipinas"],
}


def ask_pd_group(turn: Turn) -> Reply:
    return Reply(say=[turn.t("ask_pd_group")], awaiting="pd_group", num_digits=1)


def handle_pd_group(turn: Turn) -> Reply:
    choice = _choice(turn, "pd_group")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    turn.call.state["pd_group"] = choice
    return ask_pd_category(turn)


def ask_pd_category(turn: Turn) -> Reply:
    key = "ask_pd_family" if turn.call.state.get("pd_group") == "1" else "ask_pd_employment"
    return Reply(say=[turn.t(key)], awaiting="pd_category", num_digits=1)


def handle_pd_category(turn: Turn) -> Reply:
    choice = _choice(turn, "pd_category", keys="12345")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    categories = FAMILY if turn.call.state.get("pd_group") == "1" else EMPLOYMENT
    turn.call.state["pd_category"] = categories[int(choice) - 1]
    return Reply(say=[turn.t("ask_chargeability")], awaiting="pd_area", num_digits=1)


def ask_pd_area(turn: Turn) -> Reply:
    return Reply(say=[turn.t("ask_chargeability")], awaiting="pd_area", num_digits=1)


def _cell(entry, language: str) -> Spoken:
    if entry is None:
        return sentence("pd_unpublished", language)
    if entry.availability == "C":
        return sentence("pd_current", language)
    if entry.availability == "U":
        return sentence("pd_unavailable", language)
    return speech.spoken_date(entry.cutoff, language)


def handle_pd_area(turn: Turn) -> Reply:
    choice = _choice(turn, "pd_area", keys="12345")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    language = turn.language
    category = turn.call.state.get("pd_category", "F1")
    area_index = int(choice) - 1
    cells = reference.visa_bulletin_current(category, AREAS[area_index])
    final, filing = cells.get("final_action"), cells.get("dates_for_filing")
    month = (final or filing).bulletin_month if (final or filing) else None
    _path(turn.call, f"priority-date:{category}:{AREAS[area_index]}")
    if month is None:
        return main_menu_reply(turn, lead=[sentence("pd_unpublished", language)])
    turn.call.self_served = True
    return Reply(
        say=[
            turn.t(
                "pd_info",
                month=speech.spoken_month(month, language),
                category=category.replace("EB", "EB-") if category.startswith("EB") else category,
                area=AREA_NAMES[language][area_index],
                final=_cell(final, language),
                filing=_cell(filing, language),
            ),
            turn.t("pd_menu"),
        ],
        awaiting="pd_menu",
        num_digits=1,
        result=f"priority date {category} {AREAS[area_index]}",
    )


def handle_pd_menu(turn: Turn) -> Reply:
    choice = _choice(turn, "pd_menu")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    return ask_pd_group(turn) if choice == "1" else ask_main(turn)


# --- representatives ---------------------------------------------------------------------------------
def representative(turn: Turn, lead: list[Spoken] | None = None, gave_up: bool = False) -> Reply:
    """Tier 1 when it is open in the caller's zone; otherwise the hours, and a callback."""
    call = turn.call
    language = turn.language
    now = clock.now()
    _path(call, "representative")
    if hours.tier1_open(time_zone=call.caller_time_zone, at=now, language=language):
        turn.before_side_effect()
        # The services put the caller in line, then name the queue and the result.
        return Reply(say=[*(lead or []), turn.t("to_agent")], end="enqueue", effects=[ToQueue(path=tuple(call.path))])
    call.state["after_hours"] = True
    if gave_up and not call.language:
        call.language = "en"
    return Reply(
        say=[*(lead or []), *closed_notice(turn, now), turn.t("after_hours_menu")],
        awaiting="after_hours",
        num_digits=1,
        result="after hours",
    )


def closed_notice(turn: Turn, now) -> list[Spoken]:
    """Why no one answers (a federal holiday, a closure's reason), the hours of the queue the caller
    would reach as its supervisors set them, and its true next opening."""
    call, language = turn.call, turn.language
    queue_hours = hours.hours_of(hours.tier1_queue_name(language))
    zone = call.caller_time_zone
    said: list[Spoken] = []
    holiday = queue_hours.holiday_at(caller_time_zone=zone, at=now, language=language)
    closure = None if holiday else queue_hours.closure_at(caller_time_zone=zone, at=now)
    if holiday:
        said.append(turn.t("closed_holiday", holiday=holiday))
    elif closure is not None:
        said.append(turn.t("closed_today", reason=closure.reason(language).strip().rstrip(".")))
    opening = queue_hours.next_opening(caller_time_zone=zone, at=now)
    said.append(
        turn.t(
            "after_hours",
            days=turn.t("every_day" if queue_hours.weekends else "weekdays"),
            opens=speech.spoken_clock(queue_hours.opens, language),
            closes=speech.spoken_clock(queue_hours.closes, language),
            zone=hours.zone_name(queue_hours.time_zone or zone, language),
            next_open=concat(
                speech.spoken_date(opening.date(), language), ", ", speech.spoken_clock(opening.time(), language)
            ),
        )
    )
    return said


def handle_after_hours(turn: Turn) -> Reply:
    last_try = turn.call.state.get("tries", 0) + 1 >= MAX_TRIES
    keys = parsing.MENU_KEYS["after_hours"]
    if last_try and parsing.menu_choice(turn.digits, turn.speech, turn.language, keys, menu="after_hours") is None:
        return goodbye(turn)
    choice = _choice(turn, "after_hours")
    if isinstance(choice, Reply):
        return choice
    accepted(turn)
    if choice == "2":
        _path(turn.call, "callback:other-number")
        return ask_callback_number(turn)
    if choice == "1":
        if callback_number_for(turn.call.from_number) is None:
            _path(turn.call, "callback:ask-number")
            return ask_callback_number(turn)
        turn.before_side_effect()
        booking = BookCallback(path=tuple(turn.call.path))
        reply = goodbye(turn, lead=[turn.t("callback_booked")])
        reply.effects.append(booking)
        reply.result = "callback booked"
        return reply
    return ask_main(turn)


# A caller the center cannot call back at the number they call from (withheld, international) keys one.
def ask_callback_number(turn: Turn) -> Reply:
    return Reply(
        say=[*privacy_notice(turn), turn.t(_number_question(turn))],
        awaiting="callback_number",
        finish_on_key="#",
        timeout=10,
        hints=PHONE_HINTS,
    )


# Google's class token for a spoken digit string, the same in both languages.
PHONE_HINTS = "$OOV_CLASS_DIGIT_SEQUENCE"
# What a number the caller gives is for: a call back (the default), or a text of a form's link or of
# the offices or doctors just heard.
TEXT_PURPOSES = ("form", "results")


def _number_question(turn: Turn) -> str:
    if turn.call.state.get("number_for") in TEXT_PURPOSES:
        return "ask_text_number"
    # A caller who could be called back on their own line chose another number: no "we cannot".
    return "ask_other_callback_number" if callback_number_for(turn.call.from_number) else "ask_callback_number"


def ask_number_to_text(turn: Turn, purpose: str) -> Reply:
    turn.call.state["number_for"] = purpose
    _path(turn.call, f"text:{purpose}:ask-number")
    return ask_callback_number(turn)


def handle_callback_number(turn: Turn) -> Reply:
    call = turn.call
    if turn.digits:
        number = callback_number_from_keys(turn.digits)
    else:
        said = parsing.phone_from_speech(turn.speech)
        number = callback_number_from_keys(said) if said else None
    if number is None:
        tries = call.state.get("tries", 0) + 1
        call.state["tries"] = tries
        if tries >= MAX_TRIES:
            call.state["tries"] = 0
            _path(call, "callback_number:gave-up")
            if call.state.pop("number_for", None) in TEXT_PURPOSES:
                reply = main_menu_reply(turn, lead=[turn.t("too_many_tries"), turn.t("text_number_gave_up")])
                reply.result = "gave up: no number to text"
                return reply
            reply = goodbye(turn, lead=[turn.t("too_many_tries"), turn.t("callback_number_gave_up")])
            reply.result = "gave up: no number keyed"
            return reply
        lead = turn.t("no_input" if turn.empty else "callback_number_invalid")
        reply = ask_callback_number(turn)
        # The second miss explains what a U.S. number looks like.
        reply.say = [lead, *([turn.t("callback_number_help")] if tries >= 2 else []), *reply.say]
        reply.result = f"retry {tries}: callback number"
        return reply
    accepted(turn)
    call.state["callback_number"] = number
    return ask_confirm_callback_number(turn)


def ask_confirm_callback_number(turn: Turn) -> Reply:
    number = turn.call.state.get("callback_number", "")
    key = "confirm_text_number" if turn.call.state.get("number_for") in TEXT_PURPOSES else "confirm_callback_number"
    return Reply(
        say=[turn.t(key, spelled=speech.spoken_phone(number))],
        awaiting="confirm_callback_number",
        num_digits=1,
        hints=YES_NO_HINTS[turn.language],
    )


def handle_confirm_callback_number(turn: Turn) -> Reply:
    call = turn.call
    answer = parsing.yes_no(turn.digits, turn.speech)
    if answer is None or not call.state.get("callback_number"):
        return retry(turn, "confirm_callback_number")
    accepted(turn)
    if answer == "no":
        call.state.pop("callback_number", None)
        return ask_callback_number(turn)
    purpose = call.state.pop("number_for", None)
    if purpose == "form":
        return order_form(turn, FormOrderChannel.SMS, phone=call.state.pop("callback_number"))
    if purpose == "results":
        return text_results(turn, to=call.state.pop("callback_number"))
    turn.before_side_effect()
    number = call.state["callback_number"]
    _path(call, "callback:keyed-number")
    booking = BookCallback(path=tuple(call.path), phone=number)
    reply = goodbye(turn, lead=[turn.t("callback_booked_at", spelled=speech.spoken_phone(number))])
    reply.effects.append(booking)
    reply.result = "callback booked"
    return reply


def ask_after_hours(turn: Turn) -> Reply:
    return Reply(say=[turn.t("after_hours_menu")], awaiting="after_hours", num_digits=1)


def goodbye(turn: Turn, lead: list[Spoken] | None = None) -> Reply:
    if survey.eligible(turn):
        return survey.offer(turn, lead)
    return Reply(say=[*(lead or []), turn.t("goodbye")], end="hangup", result="goodbye")


NODES: dict[str, tuple[Callable[[Turn], Reply], Callable[[Turn], Reply]]] = {
    "language": (ask_language, handle_language),
    "main": (ask_main, handle_main),
    "receipt": (ask_receipt, handle_receipt),
    "receipt_letters": (ask_receipt_letters, handle_receipt_letters),
    "confirm_receipt": (ask_confirm_receipt, handle_confirm_receipt),
    "case_next": (ask_case_next, handle_case_next),
    "service_request": (ask_service_request, handle_service_request),
    "form": (ask_form, handle_form),
    "form_menu": (ask_form_menu, handle_form_menu),
    "zip": (ask_zip, handle_zip),
    "results_menu": (ask_results_menu, handle_results_menu),
    "ptime_intro": (ask_ptime_intro, handle_ptime_intro),
    "ptime_form": (ask_ptime_form, handle_ptime_form),
    "category": (ask_category, handle_category),
    "ptime_menu": (
        lambda turn: Reply(say=[turn.t("ptime_menu")], awaiting="ptime_menu", num_digits=1),
        handle_ptime_menu,
    ),
    "outside_menu": (
        lambda turn: Reply(say=[turn.t("outside_menu")], awaiting="outside_menu", num_digits=1),
        handle_outside_menu,
    ),
    "pd_group": (ask_pd_group, handle_pd_group),
    "pd_category": (ask_pd_category, handle_pd_category),
    "pd_area": (ask_pd_area, handle_pd_area),
    "pd_menu": (lambda turn: Reply(say=[turn.t("pd_menu")], awaiting="pd_menu", num_digits=1), handle_pd_menu),
    "after_hours": (ask_after_hours, handle_after_hours),
    "callback_number": (ask_callback_number, handle_callback_number),
    "confirm_callback_number": (ask_confirm_callback_number, handle_confirm_callback_number),
    "confirm_choice": (ask_confirm_choice_again, handle_confirm_choice),
}


def respond(turn: Turn) -> Reply:
    """The reply to the caller's input for the prompt they last heard."""
    call = turn.call
    node = call.state.get("awaiting") or "language"
    if node not in NODES:
        node = "main" if call.language else "language"
    keys = turn.digits.strip()
    # No entry is one of these keys alone: they mean the same at every step.
    global_key = node != "language" and keys in ("0", "9", "*")
    if survey.finishing(turn, node):
        _path(call, f"{node}:finished")
        reply = goodbye(turn)
    else:
        reply = everywhere(turn, node, keys) if global_key else NODES[node][1](turn)
    survey.invite(turn, reply)
    if reply.awaiting and not reply.result.startswith(("retry", "repeated", "confirm")):
        # What "repeat" says again: the last answer and its menu (never a "sorry" before it).
        said = {key: getattr(reply, key) for key in REPLAYED}
        call.state["said"] = {"say": [to_json(spoken) for spoken in reply.say], **said}
    return reply


REPLAYED = ("voices", "awaiting", "num_digits", "finish_on_key", "timeout", "hints", "speech")

# Last: the survey's nodes join NODES, and it imports this module's helpers.
from . import survey  # noqa: E402
