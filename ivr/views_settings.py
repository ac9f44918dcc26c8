"""Supervisors' pages for what the IVR says without a deploy: emergency announcements at the start
of every call, and the wording of the hold messages (with a preview of what the voice says)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from twilio.twiml.voice_response import VoiceResponse

from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import UswdsForm, form_refuse
from contactcenter.staff.roles import Role, roles_required

from . import selectors, services, twiml
from .prompts import LANGUAGES, OVERRIDABLE, PROMPTS, VOICES, override_problems
from .speech import heard, spoken_minutes
from .spoken import fill

_DATETIME = {"input_formats": ["%Y-%m-%dT%H:%M"]}


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AnnouncementForm(UswdsForm):
    text_en = forms.CharField(
        label=gettext_lazy("Announcement in English"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Said first on every call, e.g. “All offices in Texas are closed today because of a hurricane.”"
        ),
    )
    text_es = forms.CharField(
        label=gettext_lazy("Announcement in Spanish"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"), widget=_datetime_widget(), **_DATETIME)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends at"), widget=_datetime_widget(), **_DATETIME)


class PromptOverrideForm(UswdsForm):
    text_en = forms.CharField(
        label=gettext_lazy("Text in English"), max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )
    text_es = forms.CharField(
        label=gettext_lazy("Text in Spanish"), max_length=600, widget=forms.Textarea(attrs={"rows": 3})
    )


def _local_minutes(moment):
    return timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)


@roles_required(Role.SUPERVISOR)
def announcement_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {"announcement": item, "on": item.active_at(now), "over": item.ends_at <= now}
        for item in selectors.announcements_list()
    ]
    return render(request, "ivr/supervisor_announcements.html", {"rows": rows})


@roles_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, announcement_id: int | None = None) -> HttpResponse:
    announcement = None
    if announcement_id is not None:
        announcement = selectors.announcement_get(announcement_id=announcement_id)
        if announcement is None:
            raise Http404(announcement_id)
    if request.method == "GET":
        if announcement is not None:
            initial = {
                "text_en": announcement.text_en,
                "text_es": announcement.text_es,
                "starts_at": _local_minutes(announcement.starts_at),
                "ends_at": _local_minutes(announcement.ends_at),
            }
        else:
            start = _local_minutes(timezone.now())
            initial = {"starts_at": start, "ends_at": start + timedelta(hours=12)}
        form = AnnouncementForm(initial=initial)
        return render(request, "ivr/supervisor_announcement_edit.html", {"announcement": announcement, "form": form})
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_save(
                context=AuditContext.from_request(request), announcement_id=announcement_id, **form.cleaned_data
            )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, _("The announcement is saved. Callers hear it within a minute of its start."))
            return redirect("ivr:supervisor-announcements")
    return render(
        request, "ivr/supervisor_announcement_edit.html", {"announcement": announcement, "form": form}, status=400
    )


@roles_required(Role.SUPERVISOR)
@require_POST
def announcement_end(request: HttpRequest, announcement_id: int) -> HttpResponse:
    try:
        services.announcement_end(context=AuditContext.from_request(request), announcement_id=announcement_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The announcement has ended: callers no longer hear it."))
    return redirect("ivr:supervisor-announcements")


# Values the preview fills the placeholders with, as a caller would hear them.
def _sample_values(language: str) -> dict[str, object]:
    return {"position": 3, "wait": spoken_minutes(360, language)}


def preview(key: str, texts: dict[str, str]) -> list[dict[str, str]]:
    """What the voice says for each language: the <Say> element and the words heard."""
    shown = []
    for language in LANGUAGES:
        spoken = fill(texts[language], **_sample_values(language))
        response = VoiceResponse()
        twiml.say(response, spoken, **VOICES[language])
        xml = response.to_xml(xml_declaration=False)
        shown.append({"language": language, "xml": xml, "heard": heard(spoken, language)})
    return shown


@roles_required(Role.SUPERVISOR)
def prompt_list(request: HttpRequest) -> HttpResponse:
    overrides = selectors.prompt_overrides_for_page()
    rows = [
        {
            "key": key,
            "default_en": PROMPTS[key]["en"],
            "default_es": PROMPTS[key]["es"],
            "override": overrides.get(key),
        }
        for key in OVERRIDABLE
    ]
    return render(request, "ivr/supervisor_prompts.html", {"rows": rows})


@roles_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def prompt_edit(request: HttpRequest, key: str) -> HttpResponse:
    if key not in OVERRIDABLE:
        raise Http404(key)
    override = selectors.prompt_override_get(key=key)
    defaults = PROMPTS[key]
    context = {"key": key, "defaults": defaults, "override": override}
    if request.method == "GET":
        current = (
            {"text_en": override.text_en, "text_es": override.text_es}
            if override
            else {
                "text_en": defaults["en"],
                "text_es": defaults["es"],
            }
        )
        form = PromptOverrideForm(initial=current)
        return render(
            request,
            "ivr/supervisor_prompt_edit.html",
            {**context, "form": form, "preview": preview(key, {"en": current["text_en"], "es": current["text_es"]})},
        )
    action = request.POST.get("action", "preview")
    if action == "default":
        if services.prompt_override_delete(context=AuditContext.from_request(request), key=key):
            messages.success(request, _("The prompt is back to its default wording."))
        return redirect("ivr:supervisor-prompts")
    form = PromptOverrideForm(request.POST)
    shown = None
    if form.is_valid():
        problems = override_problems(key, form.cleaned_data["text_en"], form.cleaned_data["text_es"])
        for field, message in problems.items():
            form.add_error(field if field in form.fields else None, message)
        if not problems:
            texts = {"en": form.cleaned_data["text_en"], "es": form.cleaned_data["text_es"]}
            shown = preview(key, texts)
            if action == "save":
                try:
                    services.prompt_override_save(
                        context=AuditContext.from_request(request), key=key, **form.cleaned_data
                    )
                except ApplicationError as error:
                    form_refuse(form, error)
                else:
                    messages.success(request, _("The new wording is saved. Callers hear it within a minute."))
                    return redirect("ivr:supervisor-prompts")
    status = 200 if form.is_valid() else 400
    page = {**context, "form": form, "preview": shown}
    return render(request, "ivr/supervisor_prompt_edit.html", page, status=status)
