"""Outreach mailings: saved segments, bilingual mailings and their delivery, behind the outreach
roles; and the public unsubscribe page (English and Spanish, no sign-in) a mailing links to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from contactcenter.audit.context import AuditContext, record_list_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.models import Language
from contactcenter.staff.roles import OUTREACH_ROLES, public, roles_required

from . import mailing_selectors as selectors
from . import mailings as services
from .mailing_forms import ContactInterestsForm, MailingForm, MailingSegmentForm
from .models import Contact, RecipientStatus

staff = roles_required(*OUTREACH_ROLES)


def _get(selector, **kwargs):
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as error:
        raise Http404 from error


def _ctx(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _try(form, action) -> bool:
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ApplicationError as error:
        form_refuse(form, error)
        return False
    return True


# --- segments ------------------------------------------------------------------------------------
@staff
@require_http_methods(["GET", "POST"])
def segments(request: HttpRequest) -> HttpResponse:
    form = MailingSegmentForm(request.POST or None)
    made = []
    if request.method == "POST" and _try(
        form, lambda data: made.append(services.segment_save(context=_ctx(request), **data))
    ):
        messages.success(request, _("Segment saved."))
        return redirect("outreach:mailing-segment-detail", segment_id=made[0].pk)
    return render(
        request,
        "outreach/mailings/segments.html",
        {"form": form, "segments": selectors.segment_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = _get(selectors.segment_get, segment_id=segment_id)
    form = MailingSegmentForm(request.POST or None, initial=MailingSegmentForm.initial_for(segment))
    if request.method == "POST" and _try(
        form, lambda data: services.segment_save(context=_ctx(request), segment_id=segment.pk, **data)
    ):
        messages.success(request, _("Segment saved."))
        return redirect("outreach:mailing-segment-detail", segment_id=segment.pk)
    preview = selectors.segment_preview(segment=segment)
    record_list_view(
        request,
        target_type="outreach.contact_list",
        label=f"mailing segment #{segment.pk} sample",
        ids=[contact.pk for contact in preview["sample"]],
    )
    return render(
        request,
        "outreach/mailings/segment_detail.html",
        {"segment": segment, "form": form, "preview": preview},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- mailings ------------------------------------------------------------------------------------
@staff
@require_http_methods(["GET", "POST"])
def mailings(request: HttpRequest) -> HttpResponse:
    form = MailingForm(request.POST or None, request.FILES or None)
    made = []

    def create(data):
        made.append(
            services.mailing_create(
                context=_ctx(request),
                segment_id=data["segment"].pk,
                program_id=data["program"].pk if data["program"] else None,
                subject_en=data["subject_en"],
                body_en=data["body_en"],
                subject_es=data["subject_es"],
                body_es=data["body_es"],
                attachments=data["attachments"],
            )
        )

    if request.method == "POST" and _try(form, create):
        messages.success(request, _("Mailing saved as a draft. Preview it and send yourself a test."))
        return redirect("outreach:mailing-detail", mailing_id=made[0].pk)
    return render(
        request,
        "outreach/mailings/mailings.html",
        {"form": form, "mailings": selectors.mailing_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def mailing_detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = _get(selectors.mailing_get, mailing_id=mailing_id)
    actions = selectors.mailing_allowed_actions(mailing=mailing, user=request.user)
    form = None
    if "edit" in actions:
        form = MailingForm(
            request.POST or None, request.FILES or None, mailing=mailing, initial=MailingForm.initial_for(mailing)
        )

        def update(data):
            services.mailing_update(
                context=_ctx(request),
                mailing_id=mailing.pk,
                segment_id=data["segment"].pk,
                program_id=data["program"].pk if data["program"] else None,
                subject_en=data["subject_en"],
                body_en=data["body_en"],
                subject_es=data["subject_es"],
                body_es=data["body_es"],
                attachments=data["attachments"],
                remove_attachment_ids=[int(pk) for pk in data.get("remove_attachments", [])],
            )

        if request.method == "POST" and _try(form, update):
            messages.success(request, _("Mailing saved."))
            return redirect("outreach:mailing-detail", mailing_id=mailing.pk)
    elif request.method == "POST":
        messages.error(request, _("This mailing has been sent; it can no longer be changed."))
        return redirect("outreach:mailing-detail", mailing_id=mailing.pk)
    recipients = list(selectors.mailing_recipients(mailing=mailing)[:1000])
    record_list_view(
        request,
        target_type="outreach.mailingrecipient_list",
        label=f"recipients of mailing #{mailing.pk}",
        ids=[recipient.pk for recipient in recipients],
    )
    counts = selectors.mailing_status_counts(mailing=mailing)
    return render(
        request,
        "outreach/mailings/mailing_detail.html",
        {
            "mailing": mailing,
            "form": form,
            "can_test": "test_send" in actions,
            "can_send": "send" in actions,
            "recipients": recipients,
            "counts": [(label, counts[value]) for value, label in RecipientStatus.choices],
            "preview": selectors.segment_preview(segment=mailing.segment, sample_size=0) if "send" in actions else None,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@staff
def mailing_preview(request: HttpRequest, mailing_id: int, language: str) -> HttpResponse:
    if language not in Language.values:
        raise Http404
    mailing = _get(selectors.mailing_get, mailing_id=mailing_id)
    subject, _text, _html = services.mailing_render(mailing=mailing, language=language)
    body = mailing.body_es if language == Language.SPANISH else mailing.body_en
    return render(
        request,
        "outreach/mailings/preview.html",
        {"mailing": mailing, "subject": subject, "body": body, "language": language,
         "other": Language.ENGLISH if language == Language.SPANISH else Language.SPANISH},
    )  # fmt: skip


@staff
@require_POST
def mailing_test_send(request: HttpRequest, mailing_id: int) -> HttpResponse:
    _get(selectors.mailing_get, mailing_id=mailing_id)
    try:
        address = services.mailing_test_send(context=_ctx(request), mailing_id=mailing_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("A test in English and in Spanish is on its way to %(address)s.") % {"address": address}
        )
    return redirect("outreach:mailing-detail", mailing_id=mailing_id)


@staff
@require_POST
def mailing_send(request: HttpRequest, mailing_id: int) -> HttpResponse:
    _get(selectors.mailing_get, mailing_id=mailing_id)
    try:
        count = services.mailing_send(context=_ctx(request), mailing_id=mailing_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The mailing is being sent to %(count)s people.") % {"count": count})
    return redirect("outreach:mailing-detail", mailing_id=mailing_id)


@staff
@require_POST
def contact_interests(request: HttpRequest, contact_id: int) -> HttpResponse:
    if not Contact.objects.filter(pk=contact_id).exists():
        raise Http404
    form = ContactInterestsForm(request.POST)
    if _try(
        form,
        lambda data: services.contact_interests_set(
            context=_ctx(request), contact_id=contact_id, interests=data["interests"]
        ),
    ):
        messages.success(request, _("Interests saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("outreach:contact-detail", contact_id=contact_id)


# --- public: unsubscribe ---------------------------------------------------------------------------
# Mail programs that honour List-Unsubscribe-Post (RFC 8058) POST here with no cookie and no CSRF
# token: the signed link is what proves the request, and unsubscribing twice changes nothing.
@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    recipient = services.recipient_from_unsubscribe_token(token)
    chosen = request.GET.get("lang", "")
    if recipient is None:
        with translation.override(chosen if chosen in Language.values else translation.get_language()):
            return render(request, "outreach/public/bad_link.html", status=404)
    language = chosen if chosen in Language.values else recipient.language
    done = recipient.contact.mail_unsubscribed_at is not None
    if request.method == "POST":
        services.contact_unsubscribe(context=AuditContext.from_request(request), recipient_id=recipient.pk)
        done = True
    with translation.override(language):
        return render(
            request,
            "outreach/mailings/unsubscribe.html",
            {
                "done": done,
                "masked_email": _masked(recipient.email),
                "token": token,
                "other": Language.ENGLISH if language == Language.SPANISH else Language.SPANISH,
                "language": language,
            },
        )


def _masked(address: str) -> str:
    """Enough of the address for its owner to recognise it on a page anyone with the link opens."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"
