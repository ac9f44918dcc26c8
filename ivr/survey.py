"""The customer feedback survey at the end of a self-service call (OMB Circular A-11 §280).

A caller who got an answer from the IVR hears "if you have finished, press 8" after it; 8 (or the
IVR's own goodbye) offers two questions, each answered 1-5 by keypad or voice. Declining or silence
ends the call politely. Each answer is recorded by the core as it is given, so a caller who hangs
up after the first still counts. The nodes join flow.NODES below (flow imports this module last)."""

from __future__ import annotations

import re

from contactcenter import services
from contactcenter.models import Channel, SurveyMethod, SurveyQuestion

from . import parsing
from .flow import NODES, Reply, Turn, _path, accepted, everywhere, ivr_context
from .spoken import Spoken

# Menus that follow an answer: a self-served caller hears there how to finish.
FINISHING_MENUS = frozenset({"main", "case_next", "form_menu", "results_menu", "ptime_menu", "pd_menu"})
FINISH_KEY = "8"
FINISH_WORDS = {
    "en": ["i m done", "im done", "i am done", "that s all", "thats all", "finished", "goodbye", "bye", "nothing else"],
    "es": ["termine", "ya termine", "es todo", "eso es todo", "adios", "nada mas", "ya acabe"],
}
QUESTIONS = [(SurveyQuestion.SATISFACTION, "survey_satisfaction"), (SurveyQuestion.TRUST, "survey_trust")]
NODE_OF = {question: f"survey_{question.value}" for question, _ in QUESTIONS}
# A-11 §280's scale in words, longest phrases first so "strongly agree" is not read as "agree".
SCALE_WORDS = [
    ("strongly disagree", "1"),
    ("totalmente en desacuerdo", "1"),
    ("strongly agree", "5"),
    ("totalmente de acuerdo", "5"),
    ("disagree", "2"),
    ("en desacuerdo", "2"),
    ("neither", "3"),
    ("neutral", "3"),
    ("agree", "4"),
    ("de acuerdo", "4"),
]


def _said(turn: Turn, phrases: list[str]) -> bool:
    plain = " ".join(parsing.words(turn.speech))
    return any(re.search(rf"\b{re.escape(phrase)}\b", plain) for phrase in phrases)


def _state(turn: Turn) -> dict:
    return turn.call.state.setdefault("survey", {})


def eligible(turn: Turn) -> bool:
    """Offered once, to a caller the IVR served, in the language they chose."""
    return bool(turn.call.self_served and turn.call.language and not turn.call.state.get("survey"))


def finishing(turn: Turn, node: str) -> bool:
    """The caller asked to finish (8, "eight", "that's all") at a menu after a self-served answer."""
    if node not in FINISHING_MENUS or not eligible(turn):
        return False
    if turn.digits.strip():
        return turn.digits.strip() == FINISH_KEY
    if _said(turn, FINISH_WORDS.get(turn.language, FINISH_WORDS["en"])):
        return True
    return parsing.menu_choice("", turn.speech, turn.language, FINISH_KEY, menu=node) == FINISH_KEY


def invite(turn: Turn, reply: Reply) -> None:
    """After a self-served answer, each menu ends with how to finish (and so reach the survey)."""
    sentence = turn.t("survey_finish_option")
    if reply.awaiting in FINISHING_MENUS and eligible(turn) and sentence not in reply.say:
        reply.say = [*reply.say, sentence]


def offer(turn: Turn, lead: list[Spoken] | None = None) -> Reply:
    turn.call.state["survey"] = {"offered": True}
    _path(turn.call, "survey:offered")
    return Reply(
        say=[*(lead or []), turn.t("survey_offer")],
        awaiting="survey_offer",
        num_digits=1,
        timeout=5,
        hints="yes, no" if turn.language == "en" else "sí, no",
        result="survey offered",
    )


def ask_offer(turn: Turn) -> Reply:
    return Reply(say=[turn.t("survey_offer")], awaiting="survey_offer", num_digits=1, timeout=5)


def _end(turn: Turn, key: str, result: str) -> Reply:
    return Reply(say=[turn.t(key)], end="hangup", result=result)


def handle_offer(turn: Turn) -> Reply:
    answer = parsing.yes_no(turn.digits, turn.speech)
    if answer is None and turn.speech:
        asked = parsing.everywhere_choice(turn.speech, turn.language)
        if asked is not None:
            return everywhere(turn, "survey_offer", asked)
    if answer != "yes":
        _path(turn.call, "survey:declined")
        return _end(turn, "goodbye", "survey declined")
    accepted(turn)
    _path(turn.call, "survey:accepted")
    return ask_question(turn, QUESTIONS[0][0])


def ask_question(turn: Turn, question: SurveyQuestion) -> Reply:
    key = dict(QUESTIONS)[question]
    return Reply(
        say=[turn.t(key)],
        awaiting=NODE_OF[question],
        num_digits=1,
        timeout=6,
        hints="1, 2, 3, 4, 5",
        option=question.value,
    )


def _score(turn: Turn, node: str) -> str | None:
    """ "1" to "5" keyed or said ("cuatro", "option five", "strongly agree"); "0", "9", "*" or "repeat"
    when that was asked instead; None when it was no answer."""
    if not turn.digits and _said(turn, [phrase for phrase, _ in SCALE_WORDS]):
        plain = " ".join(parsing.words(turn.speech))
        return next(score for phrase, score in SCALE_WORDS if re.search(rf"\b{re.escape(phrase)}\b", plain))
    return parsing.menu_choice(turn.digits, turn.speech, turn.language, "12345", menu=node)


def _next(turn: Turn, question: SurveyQuestion) -> Reply:
    position = [q for q, _ in QUESTIONS].index(question)
    if position + 1 < len(QUESTIONS):
        return ask_question(turn, QUESTIONS[position + 1][0])
    _path(turn.call, "survey:done")
    return _end(turn, "survey_thanks", "survey done")


def handle_question(turn: Turn, question: SurveyQuestion) -> Reply:
    node = NODE_OF[question]
    choice = _score(turn, node)
    if choice in ("0", "9", "*", "repeat"):
        return everywhere(turn, node, choice)
    if choice is None:
        state = _state(turn)
        state["tries"] = state.get("tries", 0) + 1
        if state["tries"] >= 2:  # one more try, then the next question: a survey never holds a caller
            state["tries"] = 0
            _path(turn.call, f"{node}:skipped")
            return _next(turn, question)
        reply = ask_question(turn, question)
        reply.say = [turn.t("no_input" if turn.empty else "not_understood"), *reply.say]
        reply.result = f"retry: {question.value}"
        return reply
    turn.before_side_effect()
    call = turn.call
    receipts = call.receipt_numbers or []
    services.survey_answer_record(
        context=ivr_context(),
        channel=Channel.IVR,
        source_app="ivr",
        source_model="call",
        source_id=call.call_sid,
        method=SurveyMethod.KEYPAD,
        question=question,
        score=int(choice),
        language=turn.language,
        topic_code=call.state.get("topic", "general"),
        receipt_number=call.state.get("case_receipt") or (receipts[-1] if receipts else ""),
    )
    accepted(turn)
    state = _state(turn)
    state["tries"] = 0
    state[question.value] = int(choice)
    _path(call, f"{node}:{choice}")
    reply = _next(turn, question)
    reply.result = f"{question.value} {choice}; {reply.result}".strip("; ")
    return reply


NODES.update(
    {
        "survey_offer": (ask_offer, handle_offer),
        "survey_satisfaction": (
            lambda turn: ask_question(turn, SurveyQuestion.SATISFACTION),
            lambda turn: handle_question(turn, SurveyQuestion.SATISFACTION),
        ),
        "survey_trust": (
            lambda turn: ask_question(turn, SurveyQuestion.TRUST),
            lambda turn: handle_question(turn, SurveyQuestion.TRUST),
        ),
    }
)
