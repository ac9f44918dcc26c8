"""The PED staff console. Every page admits outreach staff and CROs; none shows case PII."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from contactcenter import selectors as core_selectors
from contactcenter.audit.context import AuditContext, record_list_view, record_view
from contactcenter.common.errors import ApplicationError
from contactcenter.common.exports import csv_response
from contactcenter.common.forms import form_refuse
from contactcenter.models import AuditAction
from contactcenter.reference.identifiers import phone_e164
from contactcenter.staff.roles import OUTREACH_ROLES, Role, has_any_role, roles_required

from . import selectors, services
from .forms import (
    ContactForm,
    CroProfileForm,
    EngagementCancelForm,
    EngagementChangeForm,
    EngagementForm,
    EngagementMessageForm,
    FeedbackForm,
    InteractionLogForm,
    MemberForm,
    MergeForm,
    OrganisationForm,
    OwnerForm,
    PartnerReportBackForm,
    PreferencesForm,
    ProgramEngagementForm,
    ProgramForm,
    ReferralCloseForm,
    ReferralForm,
    ReportBackForm,
    RespondForm,
    RouteForm,
    SegmentForm,
    VolumePeriodForm,
)
from .models import EngagementStatus, FeedbackSource, FeedbackStatus, OrganisationType
from .workflows import attendance_open

staff = roles_required(*OUTREACH_ROLES)
# The owning office's inbox: outreach staff, and the agency's office staff (issue 15's role); what
# each sees is scoped by their AgencyOfficeMembership, so the role alone shows nothing.
office_responders = roles_required(*OUTREACH_ROLES, Role.OFFICE_STAFF)


def _get(selector, **kwargs):
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as error:
        raise Http404 from error


def _ctx(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _try(request: HttpRequest, form, action) -> bool:
    """Run a service for a valid form; its refusal lands on the form. True when it succeeded."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ApplicationError as error:
        form_refuse(form, error)
        return False
    return True


@staff
def console(request: HttpRequest) -> HttpResponse:
    profile = selectors.cro_profile_for(user=request.user)
    return render(
        request,
        "outreach/console.html",
        {
            "pipeline": selectors.feedback_pipeline(),
            "follow_ups": selectors.follow_ups_due(cro=request.user)[:20],
            "engagements": selectors.engagement_list(upcoming_only=True)[:10],
            "referrals": selectors.referral_list(open_only=True)[:10],
            "profile": profile,
        },
    )


# --- organisations and contacts ------------------------------------------------------------------
@staff
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and _try(
        request, form, lambda data: services.organisation_create(context=_ctx(request), **data)
    ):
        messages.success(request, _("Organization added."))
        return redirect("outreach:organisations")
    # The filter keeps its query-string names (?kind=…&language=…); its own ids keep them apart from
    # the add form's fields of the same names on this page.
    filters = SegmentForm(request.GET or None, auto_id="id_filter_%s")
    chosen = filters.cleaned_data if filters.is_valid() else {}
    return render(
        request,
        "outreach/organisations.html",
        {
            "form": form,
            "filters": filters,
            "organisations": selectors.organisation_list(
                kind=chosen.get("kind", ""), region=chosen.get("region", ""), language=chosen.get("language", "")
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _get(selectors.organisation_get, organisation_id=organisation_id)
    action = request.POST.get("action")
    owner_form = OwnerForm(request.POST if action == "owner" else None, prefix="owner",
                           initial={"owner": organisation.owner_id})  # fmt: skip
    member_form = MemberForm(request.POST if action == "member" else None, prefix="member")
    done = False
    if action == "owner":
        done = _try(
            request,
            owner_form,
            lambda d: services.organisation_owner_set(
                context=_ctx(request), organisation_id=organisation.pk, owner=d["owner"]
            ),
        )
    elif action == "member":
        done = _try(
            request,
            member_form,
            lambda d: services.membership_add(
                context=_ctx(request), contact_id=d["contact"].pk, organisation_id=organisation.pk,
                position=d["position"],
            ),
        )  # fmt: skip
    if done:
        messages.success(request, _("Saved."))
        return redirect("outreach:organisation-detail", organisation_id=organisation.pk)
    members = [membership.contact_id for membership in organisation.memberships.all()]
    if members:
        record_list_view(
            request, target_type="outreach.contact_list", label="contacts of an organization", ids=members,
            target_id=organisation.pk,
        )  # fmt: skip
    return render(
        request,
        "outreach/organisation_detail.html",
        {"organisation": organisation, "owner_form": owner_form, "member_form": member_form},
        status=400 if (owner_form.errors or member_form.errors) else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    duplicates = []

    def create(data):
        data = dict(data)
        allow = data.pop("confirm_different")
        return services.contact_create(context=_ctx(request), allow_possible_duplicate=allow, **data)

    if request.method == "POST":
        if _try(request, form, create):
            messages.success(request, _("Contact added."))
            return redirect("outreach:contacts")
        if form.is_bound and form.non_field_errors():
            duplicates = services.contact_duplicates_of(
                email=(form.data.get("email") or "").strip().lower(),
                # Stored in E.164, as contact_create compares it: "(312) 555-0110" finds +13125550110.
                phone=phone_e164(form.data.get("phone") or "") or "",
                first_name=form.data.get("first_name", ""),
                last_name=form.data.get("last_name", ""),
            )
    search = request.GET.get("q", "").strip()[:80]
    shown = list(selectors.contact_list(search=search)[:200])
    record_list_view(
        request,
        target_type="outreach.contact_list",
        label="outreach contacts",
        ids=[contact.pk for contact in shown],
        also_shown={"possible_duplicate_ids": [contact.pk for contact in duplicates]},
    )
    return render(
        request,
        "outreach/contacts.html",
        {"form": form, "contacts": shown, "q": search, "duplicates": duplicates},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _get(selectors.contact_get, contact_id=contact_id)
    prefs = PreferencesForm(
        request.POST or None,
        prefix="prefs",
        initial={
            "preferred_language": contact.preferred_language,
            "preferred_channel": contact.preferred_channel,
            "consent_email": contact.consent_email,
            "consent_phone": contact.consent_phone,
        },
    )
    if request.method == "POST" and _try(
        request, prefs, lambda d: services.contact_preferences_set(context=_ctx(request), contact_id=contact.pk, **d)
    ):
        messages.success(request, _("Preferences and consent saved."))
        return redirect("outreach:contact-detail", contact_id=contact.pk)
    record_view(request, target_type="outreach.contact", target_id=contact.pk, summary=f"Viewed contact #{contact.pk}")
    return render(
        request,
        "outreach/contact_detail.html",
        {
            "contact": contact,
            "duplicates": selectors.contact_duplicates(contact=contact) if not contact.merged_into_id else [],
            "merge_form": MergeForm(),
            "prefs_form": prefs,
        },
        status=400 if prefs.errors else 200,
    )


@staff
@require_POST
def contact_merge(request: HttpRequest, contact_id: int) -> HttpResponse:
    form = MergeForm(request.POST)
    if _try(
        request,
        form,
        lambda data: services.contact_merge(context=_ctx(request), keep_id=contact_id, merge_id=data["merge_id"]),
    ):
        messages.success(request, _("Contacts merged."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("outreach:contact-detail", contact_id=contact_id)


@staff
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    groups = selectors.contact_duplicate_groups()
    record_list_view(
        request,
        target_type="outreach.contact_list",
        label="outreach contacts that may be duplicates",
        ids=sorted({contact.pk for group in groups for contact in group}),
    )
    return render(request, "outreach/duplicates.html", {"groups": groups})


# --- CROs -------------------------------------------------------------------------------------------
@staff
def cros(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/cros.html", {"cros": selectors.cro_list()})


@staff
@require_http_methods(["GET", "POST"])
def cro_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    cro = _get(selectors.cro_get, user_id=user_id)
    profile = selectors.cro_profile_for(user=cro)
    log_form = InteractionLogForm(request.POST if request.POST.get("action") == "log" else None, prefix="log")
    profile_form = CroProfileForm(
        request.POST if request.POST.get("action") == "profile" else None,
        prefix="profile",
        initial={
            "region": profile.region if profile else "",
            "districts": ", ".join(profile.districts) if profile else "",
        },
    )
    if request.method == "POST":
        done = False
        if log_form.is_bound:
            done = _try(
                request,
                log_form,
                lambda data: services.partner_interaction_log(
                    context=_ctx(request),
                    cro=cro,
                    organisation_id=data["organisation"].pk,
                    kind=data["kind"],
                    summary=data["summary"],
                    follow_up=data["follow_up"],
                    follow_up_due=data["follow_up_due"],
                ),
            )
        elif profile_form.is_bound:
            done = _try(
                request,
                profile_form,
                lambda data: services.cro_profile_set(
                    context=_ctx(request), user=cro, region=data["region"], districts=data["districts"].split(",")
                ),
            )
        if done:
            messages.success(request, _("Saved."))
            return redirect("outreach:cro-detail", user_id=cro.pk)
    return render(
        request,
        "outreach/cro_detail.html",
        {
            "cro": cro,
            "profile": profile,
            "partners": selectors.cro_partners(cro=cro),
            "log": selectors.cro_interactions(cro=cro)[:50],
            "follow_ups": selectors.follow_ups_due(cro=cro, on_or_before=timezone.localdate() + timedelta(days=30)),
            "log_form": log_form,
            "profile_form": profile_form,
        },
        status=400 if (log_form.errors or profile_form.errors) else 200,
    )


@staff
@require_POST
def follow_up_done(request: HttpRequest, interaction_id: int) -> HttpResponse:
    try:
        entry = services.follow_up_complete(context=_ctx(request), interaction_id=interaction_id)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("outreach:console")
    messages.success(request, _("Follow-up marked done."))
    return redirect("outreach:cro-detail", user_id=entry.cro_id)


# --- engagements ------------------------------------------------------------------------------------
def _engagement_create(request: HttpRequest, data: dict):
    zone = data["time_zone"]
    starts = services.local_to_aware(datetime.combine(data["day"], data["start"]), zone, "start")
    ends = services.local_to_aware(datetime.combine(data["day"], data["end"]), zone, "end")
    closes = services.local_to_aware(data["registration_closes"].replace(tzinfo=None), zone, "registration_closes")
    return services.engagement_create(
        context=_ctx(request),
        organiser=request.user,
        title=data["title"],
        title_es=data["title_es"],
        kind=data["kind"],
        topic_code=data["topic"].code,
        description=data["description"],
        description_es=data["description_es"],
        state=data["state"],
        starts_at=starts,
        ends_at=ends,
        time_zone=zone,
        registration_closes_at=closes,
        venue=data["venue"],
        address=data["address"],
        call_in=data["call_in"],
        audience=data["audience"],
        language=data["language"],
        capacity=data["capacity"],
        region=data["region"],
        district=data["district"],
        partner_ids=[p.pk for p in data["partners"]],
    )


@staff
@require_http_methods(["GET", "POST"])
def engagements(request: HttpRequest) -> HttpResponse:
    profile = selectors.cro_profile_for(user=request.user)
    form = EngagementForm(
        request.POST or None,
        initial={
            "district": profile.districts[0] if profile and profile.districts else "",
            "region": profile.region if profile else "",
            "time_zone": "America/New_York",
        },
    )
    created = []
    if request.method == "POST" and _try(request, form, lambda data: created.append(_engagement_create(request, data))):
        messages.success(request, _("Engagement saved as a draft: publish it to open registration."))
        return redirect("outreach:engagement-detail", engagement_id=created[0].pk)
    district = request.GET.get("district", "").strip()[:80]
    return render(
        request,
        "outreach/engagements.html",
        {"form": form, "engagements": selectors.engagement_list(district=district), "district": district},
        status=400 if form.is_bound and form.errors else 200,
    )


def _registration_rows(request: HttpRequest, engagement) -> list[tuple]:
    """Each registration with what the user may do to it now."""
    return [
        (registration, selectors.registration_allowed_actions(registration=registration, user=request.user))
        for registration in selectors.engagement_registrations(engagement=engagement)
    ]


def _engagement_page(request: HttpRequest, engagement_id: int, *, status: int = 200, **forms) -> HttpResponse:
    engagement = _get(selectors.engagement_get, engagement_id=engagement_id)
    zone = ZoneInfo(engagement.time_zone)
    record_view(
        request,
        target_type="outreach.engagement",
        target_id=engagement.pk,
        summary=f"Viewed the registrants of engagement #{engagement.pk}",
    )
    return render(
        request,
        "outreach/engagement_detail.html",
        {
            "engagement": engagement,
            "starts": timezone.localtime(engagement.starts_at, zone),
            "ends": timezone.localtime(engagement.ends_at, zone),
            "attendance_open": attendance_open(engagement),
            "registrations": _registration_rows(request, engagement),
            "mail_failures": selectors.engagement_mail_failures(engagement=engagement),
            "feedback": selectors.feedback_list(engagement=engagement),
            "referrals": selectors.referral_list().filter(engagement=engagement),
            "report": selectors.report_back_get(engagement=engagement),
            "engagement_actions": selectors.engagement_allowed_actions(engagement=engagement, user=request.user),
            "is_draft": engagement.status == EngagementStatus.DRAFT,
            "sent_messages": selectors.engagement_messages(engagement=engagement),
            "message_form": forms.get("message_form") or EngagementMessageForm(prefix="message"),
            "feedback_form": forms.get("feedback_form")
            or FeedbackForm(
                initial={"source": FeedbackSource.ENGAGEMENT, "topic": engagement.topic.code}, prefix="feedback"
            ),
            "referral_form": forms.get("referral_form")
            or ReferralForm(initial={"topic": engagement.topic.code}, prefix="referral"),
            "cancel_form": forms.get("cancel_form") or EngagementCancelForm(),
            "change_form": forms.get("change_form")
            or EngagementChangeForm(initial=EngagementChangeForm.initial_for(engagement), prefix="change"),
        },
        status=status,
    )


@staff
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    return _engagement_page(request, engagement_id)


@staff
@require_POST
def engagement_attendance(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _get(selectors.engagement_get, engagement_id=engagement_id)
    try:
        services.attendance_ensure_open(engagement=engagement)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("outreach:engagement-detail", engagement_id=engagement.pk)
    present = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
    changed = 0
    for registration, actions in _registration_rows(request, engagement):
        if "attend" in actions and registration.attended != (registration.pk in present):
            try:
                services.attendance_record(
                    context=_ctx(request), registration_id=registration.pk, attended=registration.pk in present
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                return redirect("outreach:engagement-detail", engagement_id=engagement.pk)
            changed += 1
    messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
    return redirect("outreach:engagement-detail", engagement_id=engagement.pk)


@staff
@require_POST
def engagement_change(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _get(selectors.engagement_get, engagement_id=engagement_id)
    form = EngagementChangeForm(request.POST, prefix="change")

    def change(data):
        zone = engagement.time_zone
        return services.engagement_update(
            context=_ctx(request),
            engagement_id=engagement.pk,
            title=data["title"],
            description=data["description"],
            title_es=data["title_es"],
            description_es=data["description_es"],
            starts_at=services.local_to_aware(datetime.combine(data["day"], data["start"]), zone, "start"),
            ends_at=services.local_to_aware(datetime.combine(data["day"], data["end"]), zone, "end"),
            registration_closes_at=services.local_to_aware(
                data["registration_closes"].replace(tzinfo=None), zone, "registration_closes"
            ),
            venue=data["venue"],
            address=data["address"],
            call_in=data["call_in"],
            capacity=data["capacity"],
        )

    changed = []
    if _try(request, form, lambda data: changed.append(change(data))):
        after = changed[0]
        if after.sequence != engagement.sequence:  # the title, time or place changed: registrants are told
            messages.success(request, _("The engagement is changed; registrants are being told the new details."))
        elif after.updated_at != engagement.updated_at:  # the seat count only
            messages.success(request, _("The engagement is changed."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("outreach:engagement-detail", engagement_id=engagement_id)
    return _engagement_page(request, engagement_id, status=400, change_form=form)


@staff
@require_POST
def engagement_publish(request: HttpRequest, engagement_id: int) -> HttpResponse:
    _get(selectors.engagement_get, engagement_id=engagement_id)
    try:
        services.engagement_publish(context=_ctx(request), engagement_id=engagement_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The engagement is published: it is on the public pages and open for registration.")
        )
    return redirect("outreach:engagement-detail", engagement_id=engagement_id)


@staff
@require_POST
def engagement_message(request: HttpRequest, engagement_id: int) -> HttpResponse:
    _get(selectors.engagement_get, engagement_id=engagement_id)
    form = EngagementMessageForm(request.POST, prefix="message")
    sent = []
    if _try(
        request,
        form,
        lambda data: sent.append(
            services.engagement_message_send(context=_ctx(request), engagement_id=engagement_id, **data)
        ),
    ):
        messages.success(
            request,
            ngettext(
                "The message is being e-mailed to %(count)s registrant.",
                "The message is being e-mailed to %(count)s registrants.",
                sent[0].deliveries.count(),
            )
            % {"count": sent[0].deliveries.count()},
        )
        return redirect("outreach:engagement-detail", engagement_id=engagement_id)
    return _engagement_page(request, engagement_id, status=400, message_form=form)


@staff
def engagement_registrants_csv(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _get(selectors.engagement_get, engagement_id=engagement_id)
    registrations = list(selectors.engagement_registrations(engagement=engagement))
    response, writer = csv_response(f"engagement-{engagement.pk}-registrants.csv")
    writer.writerow(["name", "email", "phone", "organisation", "language", "status", "attended", "accommodation",
                     "interpreter_language", "registered_at"])  # fmt: skip
    for r in registrations:
        writer.writerow([r.name, r.email, r.phone, r.organisation_name, r.language, r.status,
                         "yes" if r.attended else "no", r.accommodation, r.interpreter_language,
                         timezone.localtime(r.created_at).isoformat(timespec="minutes")])  # fmt: skip
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="outreach.registration_list",
        target_id=engagement.pk,
        summary=f"Registrants of engagement #{engagement.pk} exported ({len(registrations)} rows)",
    )
    return response


@staff
@require_POST
def engagement_cancel(request: HttpRequest, engagement_id: int) -> HttpResponse:
    form = EngagementCancelForm(request.POST)

    def cancel(data):
        return services.engagement_cancel(context=_ctx(request), engagement_id=engagement_id, reason=data["reason"])

    if _try(request, form, cancel):
        messages.success(request, _("The engagement is cancelled; each registrant is being told by e-mail."))
        return redirect("outreach:engagement-detail", engagement_id=engagement_id)
    return _engagement_page(request, engagement_id, status=400, cancel_form=form)


@staff
@require_POST
def engagement_mail_send_again(request: HttpRequest, engagement_id: int) -> HttpResponse:
    _get(selectors.engagement_get, engagement_id=engagement_id)
    queued = services.mail_send_again(context=_ctx(request), engagement_id=engagement_id)
    messages.success(
        request,
        ngettext(
            "%(count)s undelivered e-mail is being sent again.",
            "%(count)s undelivered e-mails are being sent again.",
            queued,
        )
        % {"count": queued},
    )
    return redirect("outreach:engagement-detail", engagement_id=engagement_id)


@staff
@require_POST
def engagement_feedback(request: HttpRequest, engagement_id: int) -> HttpResponse:
    form = FeedbackForm(request.POST, prefix="feedback")

    def record(data):
        return services.feedback_record(
            context=_ctx(request),
            recorded_by=request.user,
            source=data["source"],
            engagement_id=engagement_id,
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            topic_code=data["topic"].code,
            summary=data["summary"],
            detail=data["detail"],
        )

    if _try(request, form, record):
        messages.success(request, _("Feedback recorded."))
        return redirect("outreach:engagement-detail", engagement_id=engagement_id)
    return _engagement_page(request, engagement_id, status=400, feedback_form=form)


@staff
@require_POST
def engagement_referral(request: HttpRequest, engagement_id: int) -> HttpResponse:
    form = ReferralForm(request.POST, prefix="referral")

    def refer(data):
        return services.referral_create(
            context=_ctx(request),
            referred_by=request.user,
            engagement_id=engagement_id,
            person_name=data["person_name"],
            phone=data["phone"],
            email=data["email"],
            language=data["language"],
            topic_code=data["topic"].code,
            mode=data["mode"],
            consent=data["consent"],
            receipt_number=data["receipt_number"],
            receipt_consent=data["receipt_consent"],
        )

    if _try(request, form, refer):
        messages.success(request, _("Referred to the contact center."))
        return redirect("outreach:engagement-detail", engagement_id=engagement_id)
    return _engagement_page(request, engagement_id, status=400, referral_form=form)


@staff
@require_http_methods(["GET", "POST"])
def report_back(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The report back as a page (printable: the print stylesheet drops the console around it);
    publishing it marks the feedback reported back and e-mails each attendee once."""
    engagement = _get(selectors.engagement_get, engagement_id=engagement_id)
    report = selectors.report_back_get(engagement=engagement)
    form = ReportBackForm(request.POST or None, initial={"introduction": report.introduction if report else ""})
    if request.method == "POST" and _try(
        request,
        form,
        lambda data: services.report_back_publish(
            context=_ctx(request), engagement_id=engagement.pk, introduction=data["introduction"]
        ),
    ):
        messages.success(request, _("Report back published; the attendees are being e-mailed."))
        return redirect("outreach:report-back", engagement_id=engagement.pk)
    deliveries = list(report.deliveries.all()) if report else []
    if deliveries:  # each names an attendee's e-mail address
        record_list_view(
            request,
            target_type="outreach.reportbackdelivery_list",
            label="report-back e-mails to attendees",
            ids=[delivery.pk for delivery in deliveries],
            target_id=engagement.pk,
        )
    return render(
        request,
        "outreach/report_back.html",
        {
            "engagement": engagement,
            "starts": timezone.localtime(engagement.starts_at, ZoneInfo(engagement.time_zone)),
            "report": report,
            "items": selectors.feedback_list(engagement=engagement).order_by("received_at"),
            "form": form,
            "deliveries": deliveries,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- feedback ---------------------------------------------------------------------------------------
@staff
@require_http_methods(["GET", "POST"])
def feedback_pipeline(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST or None, initial={"source": FeedbackSource.PARTNER})
    if request.method == "POST" and _try(
        request,
        form,
        lambda data: services.feedback_record(
            context=_ctx(request),
            recorded_by=request.user,
            source=data["source"],
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            topic_code=data["topic"].code,
            summary=data["summary"],
            detail=data["detail"],
        ),
    ):
        messages.success(request, _("Feedback recorded."))
        return redirect("outreach:feedback")
    status = request.GET.get("status", "")
    status = status if status in FeedbackStatus.values else ""
    return render(
        request,
        "outreach/feedback.html",
        {
            "form": form,
            "pipeline": selectors.feedback_pipeline(),
            "items": selectors.feedback_list(status=status)[:200],
            "status": status,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def feedback_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    item = _get(selectors.feedback_get, feedback_id=feedback_id)
    action = request.POST.get("action")
    route_form = RouteForm(request.POST if action == "route" else None, prefix="route",
                           initial={"owning_office": item.owning_office})  # fmt: skip
    respond_form = RespondForm(request.POST if action == "respond" else None, prefix="respond",
                               initial={"response": item.response})  # fmt: skip
    if action == "route" and _try(
        request,
        route_form,
        lambda d: services.feedback_route(context=_ctx(request), feedback_id=item.pk, owning_office=d["owning_office"]),
    ):
        messages.success(request, _("Feedback routed."))
        return redirect("outreach:feedback-detail", feedback_id=item.pk)
    if action == "respond" and _try(
        request,
        respond_form,
        lambda d: services.feedback_respond(context=_ctx(request), feedback_id=item.pk, response=d["response"]),
    ):
        messages.success(request, _("Response saved."))
        return redirect("outreach:feedback-detail", feedback_id=item.pk)
    start, end = selectors.feedback_period(item=item)
    period = VolumePeriodForm(
        request.GET or None, initial={"start": start.date(), "end": (end - timedelta(days=1)).date()}
    )
    if period.is_bound and period.is_valid():
        zone = timezone.get_current_timezone()
        start = datetime.combine(period.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(period.cleaned_data["end"], time.min, tzinfo=zone) + timedelta(days=1)
    return render(
        request,
        "outreach/feedback_detail.html",
        {
            "item": item,
            "actions": selectors.feedback_allowed_actions(item=item, user=request.user),
            "route_form": route_form,
            "respond_form": respond_form,
            "period_form": period,
            "volume": selectors.contact_center_volume(topic=item.topic, start=start, end=end),
            "period_end_display": (end - timedelta(days=1)).date(),
        },
        status=400 if (route_form.errors or respond_form.errors) else 200,
    )


# --- referrals --------------------------------------------------------------------------------------
@staff
def referrals(request: HttpRequest) -> HttpResponse:
    shown = list(selectors.referral_list()[:200])
    record_list_view(
        request, target_type="outreach.casereferral_list", label="case referrals", ids=[r.pk for r in shown]
    )
    return render(request, "outreach/referrals.html", {"referrals": shown})


@staff
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _get(lambda **kw: selectors.referral_list().get(pk=kw["referral_id"]), referral_id=referral_id)
    form = ReferralCloseForm(request.POST or None)
    record_view(
        request,
        target_type="outreach.casereferral",
        target_id=referral.pk,
        summary=f"Viewed case referral #{referral.pk}",
    )
    if request.method == "POST" and _try(
        request,
        form,
        lambda d: services.referral_close(
            context=_ctx(request), referral_id=referral.pk, outcome=d["outcome"], note=d["note"]
        ),
    ):
        messages.success(request, _("Referral closed."))
        return redirect("outreach:referral-detail", referral_id=referral.pk)
    return render(
        request,
        "outreach/referral_detail.html",
        {
            "referral": referral,
            "form": form,
            "actions": selectors.referral_allowed_actions(referral=referral, user=request.user),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- dashboards and segments --------------------------------------------------------------------------
@staff
def dashboards(request: HttpRequest) -> HttpResponse:
    kinds = dict(OrganisationType.choices)
    return render(
        request,
        "outreach/dashboards.html",
        {
            "per_district_month": selectors.engagements_per_district_month(),
            "partners_by_type": [
                (kinds.get(row["kind"], row["kind"]), row["partners"]) for row in selectors.partners_by_type()
            ],
            "pipeline": selectors.feedback_pipeline(),
            "segment_form": SegmentForm(),
            "topics": core_selectors.topic_list(),
        },
    )


@staff
def segments_csv(request: HttpRequest) -> HttpResponse:
    form = SegmentForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = selectors.segment_members(
        kind=chosen.get("kind", ""), region=chosen.get("region", ""), language=chosen.get("language", "")
    )
    response, writer = csv_response("outreach-segment.csv")
    writer.writerow(["organisation", "type", "region", "district", "languages", "contact", "title", "email",
                     "phone", "preferred_language", "consent_email"])  # fmt: skip
    count = 0
    for m in rows:
        c, o = m.contact, m.organisation
        # A segment export is a mailing list: only people who agreed to e-mail get their address out.
        row = [o.name, o.get_kind_display(), o.region, o.district, " ".join(o.languages), str(c), c.title,
               c.email if c.consent_email else "", c.phone if c.consent_phone else "",
               c.preferred_language, "yes" if c.consent_email else "no"]  # fmt: skip
        writer.writerow(row)
        count += 1
    record_view(
        request,
        action=AuditAction.EXPORT,
        target_type="outreach.segment",
        summary=f"Segment exported ({count} rows): {chosen}",
    )
    return response


# --- programs ---------------------------------------------------------------------------------------
def _program_values(data: dict) -> dict:
    values = dict(data)
    values.pop("owner")
    return values


@staff
@require_http_methods(["GET", "POST"])
def programs(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None, initial={"owner": request.user.pk})
    created = []
    if request.method == "POST" and _try(
        request,
        form,
        lambda d: created.append(
            services.program_create(context=_ctx(request), owner=d["owner"], **_program_values(d))
        ),
    ):
        messages.success(request, _("Program added."))
        return redirect("outreach:program-detail", program_id=created[0].pk)
    return render(
        request,
        "outreach/programs.html",
        {"form": form, "programs": selectors.program_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _get(selectors.program_get, program_id=program_id)
    action = request.POST.get("action")
    form = ProgramEngagementForm(request.POST if action == "add" else None, prefix="engagement")
    if action in ("add", "remove"):
        if action == "remove":
            done = True
            try:
                services.program_engagement_set(
                    context=_ctx(request),
                    program_id=program.pk,
                    engagement_id=int(request.POST.get("engagement", "0") or 0),
                    included=False,
                )
            except (ApplicationError, ValueError) as error:
                done = False
                messages.error(request, getattr(error, "message", _("Choose an engagement of this program.")))
        else:
            done = _try(
                request,
                form,
                lambda d: services.program_engagement_set(
                    context=_ctx(request), program_id=program.pk, engagement_id=d["engagement"].pk
                ),
            )
        if done:
            messages.success(request, _("Saved."))
            return redirect("outreach:program-detail", program_id=program.pk)
    return render(
        request,
        "outreach/program_detail.html",
        {
            "program": program,
            "engagements": selectors.program_engagements(program=program),
            "mailings": selectors.program_mailings(program=program),
            "totals": selectors.program_totals(program=program),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _get(selectors.program_get, program_id=program_id)
    form = ProgramForm(request.POST or None, initial=ProgramForm.initial_for(program))
    if request.method == "POST" and _try(
        request,
        form,
        lambda d: services.program_update(
            context=_ctx(request), program_id=program.pk, owner=d["owner"], **_program_values(d)
        ),
    ):
        messages.success(request, _("Program saved."))
        return redirect("outreach:program-detail", program_id=program.pk)
    return render(
        request,
        "outreach/program_edit.html",
        {"program": program, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the owning office's inbox ----------------------------------------------------------------------
@office_responders
def office_inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "outreach/office_inbox.html",
        {
            "items": selectors.office_inbox(user=request.user)[:200],
            "unread": selectors.office_inbox_unread_count(user=request.user),
            "offices": selectors.agency_offices_for(user=request.user),
            "is_outreach": has_any_role(request.user, OUTREACH_ROLES),
        },
    )


@office_responders
@require_http_methods(["GET", "POST"])
def office_inbox_item(request: HttpRequest, feedback_id: int) -> HttpResponse:
    item = _get(selectors.office_inbox_item, user=request.user, feedback_id=feedback_id)
    form = RespondForm(request.POST or None, initial={"response": item.response})
    if request.method == "POST" and _try(
        request,
        form,
        lambda d: services.feedback_respond(context=_ctx(request), feedback_id=item.pk, response=d["response"]),
    ):
        messages.success(request, _("Your office's answer is recorded."))
        return redirect("outreach:office-inbox")
    if item.office_opened_at is None:
        item = services.feedback_office_open(context=_ctx(request), feedback_id=item.pk)
        item = selectors.office_inbox_item(user=request.user, feedback_id=item.pk)
    return render(
        request,
        "outreach/office_inbox_item.html",
        {
            "item": item,
            "form": form,
            "actions": selectors.feedback_allowed_actions(item=item, user=request.user),
            "is_outreach": has_any_role(request.user, OUTREACH_ROLES),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- report back to partners ------------------------------------------------------------------------
@staff
@require_http_methods(["GET", "POST"])
def partner_report_backs(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = int(request.GET["organisation"])
    form = PartnerReportBackForm(request.POST or None, initial=initial)
    published = []
    if request.method == "POST" and _try(
        request,
        form,
        lambda d: published.append(
            services.partner_report_back_publish(
                context=_ctx(request),
                organisation_id=d["organisation"].pk if d["organisation"] else None,
                period_start=d["period_start"],
                period_end=d["period_end"],
                introduction=d["introduction"],
            )
        ),
    ):
        messages.success(request, _("Report back published; the partners' contacts are being e-mailed."))
        return redirect("outreach:partner-report-back-detail", report_id=published[0].pk)
    return render(
        request,
        "outreach/partner_report_backs.html",
        {"form": form, "reports": selectors.partner_report_back_list()[:200]},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff
def partner_report_back_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _get(selectors.partner_report_back_get, report_id=report_id)
    deliveries = list(report.deliveries.all())
    if deliveries:  # each names a contact's e-mail address
        record_list_view(
            request,
            target_type="outreach.partnerreportbackdelivery_list",
            label="report-back e-mails to partners' contacts",
            ids=[delivery.pk for delivery in deliveries],
            target_id=report.pk,
        )
    return render(
        request,
        "outreach/partner_report_back_detail.html",
        {
            "report": report,
            "items": selectors.partner_report_back_items(report=report),
            "deliveries": deliveries,
        },
    )
