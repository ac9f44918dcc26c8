"""The staff call simulator: a caller's view of the IVR in the browser, over the signed webhooks."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcenter import selectors
from contactcenter.models import ContactStatus, Language
from contactcenter.staff.roles import Role, roles_required

from . import clock
from .flow import lookups_also_counted_as
from .simulator import SimulatedCall, line_forget, line_seen, simulator_enabled

SESSION_KEY = "ivr_simulator"


class StartForm(forms.Form):
    from_number = forms.RegexField(
        label=_("Caller's number"),
        regex=r"^\+1\d{10}$",
        initial="+12135550142",
        help_text=_("E.164, for example +12135550142 (Los Angeles)."),
    )
    as_if_at = forms.DateTimeField(
        label=_("As if at (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_if_at"].help_text = _(
            "Representatives' hours and office closures are decided as if the call were placed then "
            "(%(zone)s time). The call is recorded at the real time."
        ) % {"zone": settings.TIME_ZONE}


class InputForm(forms.Form):
    digits = forms.RegexField(label=_("Keys"), regex=r"^[0-9*#]{0,20}$", required=False)
    speech = forms.CharField(label=_("Or say"), max_length=200, required=False)


def _restore(request: HttpRequest) -> SimulatedCall | None:
    saved = request.session.get(SESSION_KEY)
    if not saved:
        return None
    call = SimulatedCall(from_number=saved["from_number"], call_sid=saved["call_sid"])
    from .simulator import Prompt

    call.current = Prompt.parse(200, saved["xml"]) if saved.get("xml") else None
    return call


def _save(request: HttpRequest, call: SimulatedCall, transcript: list, shift: timedelta) -> None:
    request.session[SESSION_KEY] = {
        "from_number": call.from_number,
        "call_sid": call.call_sid,
        "xml": call.current.xml if call.current else "",
        "transcript": transcript[-80:],
        "clock_shift": shift.total_seconds(),
    }


def _lines(prompt) -> list[dict]:
    lines = [{"who": "ivr", "text": text, "lang": (language or "en-US")[:2]} for text, language in prompt.says]
    if prompt.enqueue:
        lines.append({"who": "system", "text": f"→ queue {prompt.enqueue['name']}", "lang": "en"})
    if prompt.hangup:
        lines.append({"who": "system", "text": "→ hang-up", "lang": "en"})
    return lines


def _caller_lang(call: SimulatedCall) -> str:
    """The language the IVR is listening in: the call's language (English until the caller chooses)."""
    gather = call.current.gather if call.current else None
    return ((gather or {}).get("language") or "en-US")[:2]


def _failed(prompt) -> str:
    if prompt.status == 403:
        return str(_("The IVR refused the simulator's signature: TWILIO_AUTH_TOKEN differs from the server's."))
    return str(_("The IVR answered with HTTP %(status)s.") % {"status": prompt.status})


@roles_required(Role.CSR, Role.ISO, Role.SUPERVISOR, Role.ADMINISTRATOR)
def simulator(request: HttpRequest) -> HttpResponse:
    if not simulator_enabled():
        raise Http404("The call simulator is off: TELEPHONY_BACKEND is not local.")
    with lookups_also_counted_as(f"simulator-user:{request.user.pk}"):
        return _simulator(request)


def _simulator(request: HttpRequest) -> HttpResponse:
    start_form, input_form = StartForm(), InputForm()
    saved = request.session.get(SESSION_KEY) or {}
    transcript = list(saved.get("transcript", []))
    shift = timedelta(seconds=saved.get("clock_shift", 0))
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            start_form = StartForm(request.POST)
            if start_form.is_valid():
                call = SimulatedCall(from_number=start_form.cleaned_data["from_number"])
                as_if_at = start_form.cleaned_data["as_if_at"]
                shift = clock.shift_to(as_if_at) if as_if_at else timedelta(0)
                heading = f"Call {call.call_sid} from {call.from_number}"
                # The call's webhooks run in this process: the IVR's clock is shifted around them.
                with clock.shifted(shift):
                    if as_if_at:
                        heading += f", as if at {clock.reading()}"
                    first = call.start()
                transcript = [{"who": "system", "text": heading, "lang": "en"}]
                if first.status != 200:
                    error = _failed(first)
                else:
                    transcript += _lines(first)
                    _save(request, call, transcript, shift)
                    line_seen(call_sid=call.call_sid, from_number=call.from_number)
        elif action in ("send", "silence", "hangup"):
            call = _restore(request)
            input_form = InputForm(request.POST)
            if call is None:
                error = _("Start a call first.")
            elif action == "hangup":
                with clock.shifted(shift):
                    call.hang_up()
                line_forget(call_sid=call.call_sid)
                transcript.append({"who": "system", "text": "Caller hung up", "lang": "en"})
                request.session.pop(SESSION_KEY, None)
            elif call.current is None or call.current.gather is None:
                error = _("The IVR is not listening any more. Start a new call.")
            elif input_form.is_valid():
                digits = input_form.cleaned_data["digits"].rstrip("#")
                speech = input_form.cleaned_data["speech"].strip()
                lang = _caller_lang(call)
                with clock.shifted(shift):
                    if action == "silence":
                        transcript.append({"who": "caller", "text": "(silence)", "lang": lang})
                        prompt = call.silence()
                    elif speech:
                        transcript.append({"who": "caller", "text": f"“{speech}”", "lang": lang})
                        prompt = call.say(speech)
                    else:
                        transcript.append({"who": "caller", "text": f"keys {digits}", "lang": lang})
                        prompt = call.press(digits)
                if prompt.status != 200:
                    error = _failed(prompt)
                else:
                    transcript += _lines(prompt)
                    _save(request, call, transcript, shift)
                    input_form = InputForm()
    saved = request.session.get(SESSION_KEY) or {}
    listening = bool(saved.get("xml")) and "<Gather" in saved.get("xml", "")
    # On the line until the caller or the IVR hangs up: listening, or waiting in a queue.
    in_call = bool(saved) and "<Hangup" not in saved.get("xml", "")
    return render(
        request,
        "ivr/simulator.html",
        {
            "start_form": start_form,
            "input_form": input_form,
            "transcript": transcript,
            "listening": listening,
            "in_call": in_call,
            "error": error,
            "keys": "123456789*0#",
            "line": _line(request) if in_call else None,
        },
    )


def _minutes(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _line(request: HttpRequest) -> dict:
    """What the simulated caller's line is doing beyond the IVR: in line, ringing a representative,
    talking, on hold, or ended by the representative. Showing it means the caller is still there."""
    saved = request.session.get(SESSION_KEY) or {}
    if not saved:
        return {"text": _("No call yet."), "open": False}
    contact = selectors.waiting_contact_for_call(call_sid=saved["call_sid"])
    now = timezone.now()
    if contact is None:
        text, open_ = _("In the IVR: not in line for a representative."), True
    elif contact.status == ContactStatus.WAITING:
        place, _estimate = selectors.queue_position(contact=contact)
        text = _("Waiting in line %(queue)s: place %(place)s, %(waited)s so far.") % {
            "queue": contact.queue_name,
            "place": place,
            "waited": _minutes((now - contact.enqueued_at).total_seconds()),
        }
        open_ = True
    elif contact.status == ContactStatus.OFFERED:
        text = _("A representative's phone is ringing (%(waited)s in line).") % {
            "waited": _minutes((now - contact.enqueued_at).total_seconds())
        }
        open_ = True
    elif contact.status == ContactStatus.CONNECTED and contact.on_hold_since is not None:
        text = _("On hold for %(held)s: hold music in %(language)s.") % {
            "held": _minutes((now - contact.on_hold_since).total_seconds()),
            "language": Language(contact.language).label,
        }
        open_ = True
    elif contact.status == ContactStatus.CONNECTED:
        since = contact.answered_at or contact.updated_at
        text = _("Talking with a representative for %(talked)s.") % {"talked": _minutes((now - since).total_seconds())}
        if contact.muted:
            text = _("%(line)s The representative muted their line.") % {"line": text}
        open_ = True
    elif contact.status == ContactStatus.COMPLETED:
        text, open_ = _("The representative ended the call."), False
    elif contact.status == ContactStatus.ABANDONED:
        text, open_ = _("The caller hung up before a representative answered."), False
    else:
        text, open_ = ContactStatus(contact.status).label, False
    if open_:
        line_seen(call_sid=saved["call_sid"], from_number=saved["from_number"])
    return {"text": text, "open": open_}


@roles_required(Role.CSR, Role.ISO, Role.SUPERVISOR, Role.ADMINISTRATOR)
def simulator_line(request: HttpRequest) -> HttpResponse:
    """The simulator page's line, polled while a call is on: each poll says the caller is still there."""
    if not simulator_enabled():
        raise Http404("The call simulator is off: TELEPHONY_BACKEND is not local.")
    return render(request, "ivr/_simulator_line.html", {"line": _line(request)})
