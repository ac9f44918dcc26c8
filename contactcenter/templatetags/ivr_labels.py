"""The IVR path a caller took, as agents read it: `case-next:2` → "After the status: processing time"."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STEPS = {
    "language:en": _("Language: English"),
    "language:es": _("Language: Spanish"),
    "main:1": _("Main menu: case status"),
    "main:2": _("Main menu: forms"),
    "main:3": _("Main menu: field offices"),
    "main:4": _("Main menu: civil surgeons"),
    "main:5": _("Main menu: processing times"),
    "main:6": _("Main menu: priority dates"),
    "main:0": _("Main menu: representative"),
    "case-next:1": _("After the status: another case"),
    "case-next:2": _("After the status: processing time"),
    "case-next:4": _("After the status: text updates"),
    "status-updates:subscribed": _("Case-status updates by text to the calling line"),
    "status-updates:no-text": _("Case-status updates: the calling line takes no texts"),
    "case-next:0": _("After the status: representative"),
    "ptime:case-outside": _("Case outside normal processing time"),
    "ptime:case-within": _("Case within normal processing time"),
    "receipt:not-found": _("Receipt number not found"),
    "receipt:rate-limited": _("Too many receipt numbers tried"),
    "zip:office": _("ZIP code for a field office"),
    "zip:surgeon": _("ZIP code for a civil surgeon"),
    "representative": _("Representative"),
    "outreach-referral": _("Referred by outreach staff (callback)"),
    "callback:ask-number": _("Callback: no number to call back, asked for one"),
    "callback:keyed-number": _("Callback: to a number the caller keyed and confirmed"),
    "callback:other-number": _("Callback: to another number"),
    "language:relay": _("Relay or TTY caller"),
    "receipt:paused": _("Case lookups paused"),
    "ptime:priority-dates": _("Priority dates"),
    "form-menu:1": _("Form: a link by text message"),
    "form-menu:2": _("Form: by mail"),
    "form-menu:3": _("Form: another form"),
    "form-menu:4": _("Form: a link texted to another number"),
    "results:1": _("Results: heard again"),
    "results:2": _("Results: by text message"),
    "results:3": _("Results: another ZIP code"),
    "results:4": _("Results: texted to another number"),
    "text:form:ask-number": _("Form link by text: asked for a number"),
    "text:results:ask-number": _("Details by text: asked for a number"),
}
# The keys that mean the same at every step (ivr/flow.py `everywhere`), and a survey's end.
ANY_STEP = {
    "0": _("Asked for a representative"),
    "9": _("Back to the main menu"),
    "back": _("Went back"),
    "repeat": _("Asked to hear it again"),
    "finished": _("Finished"),
}
# Steps that carry a value of their own (a status code, a form number).
PREFIXES = {
    "case-status": _("Case status: %(value)s"),
    "form": _("Form %(value)s"),
    "ptime": _("Processing time for %(value)s"),
    "priority-date": _("Priority date: %(value)s"),
}


@register.filter
def ivr_step(code: str) -> str:
    """A step of the IVR path in words, in the page's language; an unknown step as its code."""
    code = str(code)
    if code in STEPS:
        return str(STEPS[code])
    node, _separator, value = code.partition(":")
    if value == "gave-up":
        return str(_("%(step)s: gave up after three tries") % {"step": node})
    if value in ANY_STEP:  # before the prefixes: "form:9" is the main menu key, not a form
        return str(ANY_STEP[value])
    if value and node in PREFIXES:
        return str(PREFIXES[node] % {"value": value})
    return code
