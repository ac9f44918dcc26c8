"""Every URL that shows personal data leaves an audit row naming who saw it.

Each route of the project is declared here as showing PII (with the role that opens it and the
records it is opened on) or not (with the reason): a new URL fails `test_every_route_is_classified`
until someone decides which it is. The admin is classified by model: a new admin model likewise.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from contactcenter.common.urlwalk import iter_routes
from contactcenter.models import AuditAction, AuditEvent
from contactcenter.staff.roles import Role
from tests.pii_world import build_world

CSR, ISO, CAO, TSA, CRO = Role.CSR, Role.ISO, Role.CAO_ANALYST, Role.TSA_LIAISON, Role.CRO


def _csr_handled_call(world) -> dict:
    """The world's call, as one the CSR took (a caller's timeline is asked through the agent's contact)."""
    from contactcenter.models import WaitingContact

    WaitingContact.objects.filter(pk=world.waiting_contact.pk).update(offered_to=world.users[CSR], status="completed")
    return {"contact_id": world.waiting_contact.pk}


# route name -> (role that opens it, its URL kwargs from the world, query string)
SHOWS_PII = {
    "console-caller-timeline": (CSR, _csr_handled_call, ""),
    "agent-console": (CSR, lambda w: {}, ""),
    "case-history": (CSR, lambda w: {"receipt_number": w.case.receipt_number}, ""),
    "interaction-list": (CSR, lambda w: {}, ""),
    "interaction-detail": (CSR, lambda w: {"pk": w.interaction.pk}, ""),
    "interaction-by-receipt": (CSR, lambda w: {"receipt_number": w.case.receipt_number}, ""),
    "service-request-list": (CSR, lambda w: {}, ""),
    "service-request-detail": (CSR, lambda w: {"pk": w.service_request.pk}, ""),
    "casework-inquiry-list": (CAO, lambda w: {}, ""),
    "casework-inquiry-detail": (CAO, lambda w: {"pk": w.inquiry.pk}, ""),
    "casework-response-list": (CAO, lambda w: {}, ""),
    "casework-response-detail": (CAO, lambda w: {"pk": w.response.pk}, ""),
    "outreach-contact-list": (CRO, lambda w: {}, ""),
    "outreach-contact-detail": (CRO, lambda w: {"pk": w.contact.pk}, ""),
    "outreach-engagement-registrations": (CRO, lambda w: {"pk": w.engagement.pk}, ""),
    "outreach-referral-list": (CRO, lambda w: {}, ""),
    "outreach-referral-detail": (CRO, lambda w: {"pk": w.referral.pk}, ""),
    "casework:console": (CAO, lambda w: {}, ""),
    "casework:inquiry": (CAO, lambda w: {"pk": w.inquiry.pk}, ""),
    "casework:attachment-download": (CAO, lambda w: {"pk": w.inquiry.pk, "attachment_pk": w.attachment.pk}, ""),
    "casework:response": (CAO, lambda w: {"pk": w.response.pk}, ""),
    "casework:response-letter": (CAO, lambda w: {"pk": w.letter.pk}, ""),
    "casework:response-letter-pdf": (CAO, lambda w: {"pk": w.letter.pk}, ""),
    "casework:letters-batch-pdf": (CAO, lambda w: {}, ""),
    "casework:case": (CAO, lambda w: {"receipt_number": w.case.receipt_number}, ""),
    "casework:trip": (TSA, lambda w: {}, ""),
    "casework:trip-detail": (TSA, lambda w: {"pk": w.trip.pk}, ""),
    "casework:trip-letter": (TSA, lambda w: {"pk": w.trip.pk}, ""),
    "casework:trip-letter-pdf": (TSA, lambda w: {"pk": w.trip.pk}, ""),
    "outreach:organisation-detail": (CRO, lambda w: {"organisation_id": w.organisation.pk}, ""),
    "outreach:contacts": (CRO, lambda w: {}, ""),
    "outreach:contact-detail": (CRO, lambda w: {"contact_id": w.contact.pk}, ""),
    "outreach:contact-duplicates": (CRO, lambda w: {}, ""),
    "outreach:engagement-detail": (CRO, lambda w: {"engagement_id": w.engagement.pk}, ""),
    "outreach:report-back": (CRO, lambda w: {"engagement_id": w.engagement.pk}, ""),
    "outreach:referrals": (CRO, lambda w: {}, ""),
    "outreach:referral-detail": (CRO, lambda w: {"referral_id": w.referral.pk}, ""),
    "outreach:segments-csv": (CRO, lambda w: {}, ""),
    "outreach:mailing-segment-detail": (CRO, lambda w: {"segment_id": w.mailing_segment.pk}, ""),
    "outreach:mailing-detail": (CRO, lambda w: {"mailing_id": w.mailing.pk}, ""),
    "outreach:partner-report-back-detail": (CRO, lambda w: {"report_id": w.partner_report.pk}, ""),
    "outreach:engagement-registrants-csv": (CRO, lambda w: {"engagement_id": w.engagement.pk}, ""),
    "office-queue": (Role.OFFICE_STAFF, lambda w: {}, ""),
    "office-request": (Role.OFFICE_STAFF, lambda w: {"request_id": w.service_request.pk}, ""),
    "recording-listen": (Role.SUPERVISOR, lambda w: {"recording_id": w.recording.pk}, ""),
    "recording-media": (Role.SUPERVISOR, lambda w: {"recording_id": w.recording.pk}, ""),
    "console-lookup-processing-times": (CSR, lambda w: {}, "?receipt_number=EAC2190000001"),
    "supervisor-mailing-batch-labels": (Role.SUPERVISOR, lambda w: {"batch_id": w.mailing_batch.pk}, ""),
    "supervisor-mailing-batch-csv": (Role.SUPERVISOR, lambda w: {"batch_id": w.mailing_batch.pk}, ""),
}
# An ISO sees the expedite requests awaiting review on the same console.
SHOWS_PII_ALSO = {"agent-console-iso": ("agent-console", ISO, lambda w: {}, "")}

WEBHOOK = "Twilio webhook: signed POSTs from Twilio; answers TwiML, shows no one's records"
POST_ONLY = "POST only: the write is audited by its service; a GET is refused"
NO_PII = {
    **dict.fromkeys(
        [
            "ivr:voice",
            "ivr:step",
            "ivr:status",
            "ivr:fallback",
            "ivr:queue-wait",
            "ivr:queue-key",
            "ivr:queue-done",
            "ivr:conference-status",
            "ivr:conference-hold",
            "ivr:agent-voice",
            "ivr:recording-status",
            "ivr:sms",
        ],
        WEBHOOK,
    ),
    "ivr:simulator": "the simulator: a keypad and the caller's own transcript",
    "ivr:simulator-line": "the simulated caller's own line: queue, place and wait, no one else's data",
    "home": "sends each role to its console",
    "login": "sign-in form",
    "logout": "sign-out",
    "set_language": "language switch",
    "favicon": "icon",
    "javascript-catalog": "translations",
    "healthz": "health check",
    "api-token": "mints or revokes the signed-in user's own API token",
    "session-status": "seconds left before the idle sign-out",
    "console-work": "the polled part of the console: the offer, whose caller's cases the full page audits",
    "console-service-request": "an empty service-request form (POST: the service records the request)",
    "console-lookup-zip": "field offices and civil surgeons near a ZIP code (public reference data)",
    "console-lookup-forms": "forms, fees and editions (public reference data)",
    "console-lookup-visa-bulletin": "the Visa Bulletin's dates (public reference data)",
    "knowledge-library": "the knowledge library: the agency's policy articles and approved answers (no one's records)",
    "knowledge-article": "a policy article or approved answer (no one's records)",
    "knowledge-article-new": "an empty article form (POST: the service audits the change)",
    "knowledge-article-edit": "a policy article's text (no one's records; the change is audited by its service)",
    "console-form-order": (
        "an empty order form for a form; the caller's number and receipt number it starts with, when a call is "
        "on the agent's line, are audited (POST: the service records the order)"
    ),
    "supervisor-mailing-batches": "batch dates and order counts (the files of names and addresses are audited exports)",
    "wallboard": "aggregate queue figures and agent states",
    "wallboard-live": "aggregate queue figures and agent states",
    "queue-report": "aggregate queue figures",
    "survey-report": "aggregate survey figures (no receipt number or phone)",
    "interval-report": "aggregate queue figures by interval",
    "agent-report": "aggregate figures per agent (staff names, no caller's details)",
    "contact-rates-report": "aggregate containment, Tier 2 and first-contact rates by language and topic",
    "api-survey-figures": "aggregate survey figures (no receipt number or phone)",
    "supervisor-queues": "queue settings (no one's records)",
    "supervisor-queue-edit": "a queue's settings (no one's records; the change is audited by its service)",
    "supervisor-reasons": "the not-ready reasons (configuration; a change is audited by its service)",
    "supervisor-closures": "closures of live help (configuration)",
    "supervisor-closure-new": "closures of live help (configuration; a change is audited by its service)",
    "supervisor-closure-edit": "closures of live help (configuration; a change is audited by its service)",
    "supervisor-closure-delete": "closures of live help (configuration; a removal is audited by its service)",
    "ivr:supervisor-announcements": "IVR announcements (configuration)",
    "ivr:supervisor-announcement-new": "IVR announcements (configuration; a change is audited by its service)",
    "ivr:supervisor-announcement-edit": "IVR announcements (configuration; a change is audited by its service)",
    "ivr:supervisor-announcement-end": "IVR announcements (configuration; the end is audited by its service)",
    "ivr:supervisor-prompts": "the hold messages' wording (configuration)",
    "ivr:supervisor-prompt-edit": "the hold messages' wording (configuration; a change is audited by its service)",
    "supervisor-agent-lines": "where agents' calls ring (staff configuration; a change is audited by its service)",
    "api-me": "the signed-in user's own roles",
    "api-agent-state": "the agent's own state and contact id",
    "api-contact-hold": "POST only: the agent's own call's hold state (the service audits it)",
    "api-contact-mute": "POST only: the agent's own line's mute state (the service audits it)",
    "api-contact-recording": "POST only: the agent's own call's recording paused or resumed (the service audits it)",
    "api-contact-transfer": "POST only: the agent's own caller moved to another queue (the service audits it)",
    "api-contact-consult": "POST only: a consult asked on the agent's own call (the service audits it)",
    "api-contact-consult-join": "POST only: the agent's own caller joined to the consult (the service audits it)",
    "api-contact-consult-complete": "POST only: the agent's own call left to the consulted person (audited)",
    "api-contact-consult-cancel": "POST only: the consult on the agent's own call called off (audited)",
    "api-voice-token": "the agent's own softphone access token: no one's records",
    "api-queue-stats": "aggregate queue figures",
    "api-live-calls": "agents' calls now: queue, language, times and supervisors (no caller's details)",
    "api-monitor": "POST only: the supervisor joins or leaves an agent's call (the service audits it)",
    "api-agent-state-force": "POST only: an agent's state set by their supervisor (the service audits it)",
    "api-schema": "the OpenAPI schema",
    "api-docs": "API documentation",
    "topic-list": "the topic taxonomy",
    "topic-detail": "the topic taxonomy",
    "outreach-api-dashboard": "aggregate outreach figures",
    "outreach-organisation-list": "partner organisations (not people)",
    "outreach-organisation-detail": "a partner organisation (not people)",
    "outreach-engagement-list": "published events",
    "outreach-engagement-detail": "a published event",
    "outreach-feedback-list": "stakeholder feedback on programmes (no one's records)",
    "outreach-feedback-detail": "stakeholder feedback on programmes (no one's records)",
    "outreach-feedback-volume": "aggregate contact volume by topic",
    "casework:inquiry-new": "an empty inquiry form; with ?referral= the referred call is shown and audited",
    "casework:case-lookup": "the receipt-number form",
    "casework:reports": "aggregate casework figures (the CSV export is audited as an export)",
    "casework:write": "the public's own form",
    "casework:write-done": "the public's own confirmation number",
    "casework:inquiry-telephone": "an empty form to log a phone call as an inquiry",
    "casework:status": "the correspondent's own inquiry's status words and dates (each check audited)",
    "outreach:engagement-list-public": "published events",
    "outreach:engagement-feed": "published events",
    "outreach:engagement-public": "a published event and its registration form",
    "outreach:engagement-ics": "a published event",
    "outreach:registration-done": "the registrant's own confirmation",
    "outreach:registration-cancel": "the registrant's own cancellation",
    "status-subscribe": "the public's own form for case-status updates",
    "status-subscribe-confirm": "the person's own code form (their address masked)",
    "status-unsubscribe": "the subscriber's own unsubscribe button (their address masked)",
    "outreach:report-public": "the public report back (feedback themes, no one's records)",
    "outreach:console": "referral numbers, topics and follow-ups: no one's details",
    "outreach:organisations": "partner organisations (not people)",
    "outreach:cros": "staff (community relations officers) and their districts",
    "outreach:cro-detail": "a CRO's partner organisations and log",
    "outreach:engagements": "events",
    "outreach:feedback": "stakeholder feedback on programmes",
    "outreach:feedback-detail": "stakeholder feedback on programmes",
    "outreach:dashboards": "aggregate outreach figures",
    "outreach:mailings": "mailings' subjects, segments and delivery counts (no one's details)",
    "outreach:mailing-segments": "segment names and their mailing counts",
    "outreach:mailing-preview": "a mailing's own text (no one's details)",
    "outreach:mailing-unsubscribe": "the recipient's own unsubscribe (their address masked)",
    "outreach:programs": "outreach programs and campaigns (staff owners, no one's records)",
    "outreach:program-detail": "a program's engagements and aggregate figures",
    "outreach:program-edit": "a program's own fields",
    "outreach:office-inbox": "stakeholder feedback routed to the user's office (no one's records)",
    "outreach:office-inbox-item": "stakeholder feedback on programmes (masked when recorded)",
    "outreach:partner-report-backs": "reports back to partner organisations (organisations and counts, not people)",
    **dict.fromkeys(
        [
            "console-state",
            "console-device-problem",
            "console-accept",
            "console-decline",
            "console-receipt",
            "console-end",
            "console-hold",
            "console-mute",
            "console-transfer",
            "console-recording",
            "console-consult",
            "console-consult-step",
            "console-escalate",
            "console-wrap-up",
            "console-wrap-up-extend",
            "console-review",
            "office-request-action",
            "console-verify",
            "case-status-subscribe",
            "supervisor-mailing-batch-make",
            "supervisor-mailing-batch-confirm",
            "wallboard-monitor",
            "wallboard-agent-state",
            "casework-inquiry-assign",
            "casework-inquiry-close",
            "casework-inquiry-hold",
            "casework-inquiry-notes",
            "casework-inquiry-reopen",
            "casework-inquiry-responses",
            "casework-inquiry-resume",
            "casework-inquiry-sensitivity",
            "casework-inquiry-telephone",
            "casework-inquiry-triage",
            "casework-response-review",
            "casework-response-submit",
            "outreach-contact-merge",
            "outreach-feedback-respond",
            "outreach-feedback-route",
            "outreach-referral-close",
            "outreach-engagement-publish",
            "casework:bulk-assign",
            "casework:inquiry-action",
            "casework:response-review",
            "casework:response-send-again",
            "casework:response-insert",
            "knowledge-article-action",
            "outreach:contact-merge",
            "outreach:follow-up-done",
            "outreach:engagement-attendance",
            "outreach:engagement-feedback",
            "outreach:engagement-cancel",
            "outreach:engagement-change",
            "outreach:engagement-mail-send-again",
            "outreach:engagement-referral",
            "outreach:mailing-test-send",
            "outreach:mailing-send",
            "outreach:contact-interests",
            "outreach:engagement-publish",
            "outreach:engagement-message",
        ],
        POST_ONLY,
    ),
}

# Admin: models whose changelist and change page show people's records (each audited by
# AuditedViewMixin), and the rest.
ADMIN_PII_MODELS = {
    "auth.user",
    "contactcenter.auditevent",
    "contactcenter.interaction",
    "contactcenter.benefitcase",
    "contactcenter.casestatusevent",
    "contactcenter.formorder",
    "contactcenter.mailingbatch",
    "contactcenter.mailingbatchitem",
    "contactcenter.waitingcontact",
    "contactcenter.servicerequest",
    "contactcenter.servicerequestevent",
    "contactcenter.servicerequestnotice",
    "contactcenter.statussubscription",
    "contactcenter.statusnotice",
    "contactcenter.callerverification",
    "contactcenter.surveyresponse",
    "contactcenter.escalation",
    "contactcenter.callcontrol",
    "contactcenter.callrecording",
    "contactcenter.outboundmessage",
    "ivr.call",
    "casework.correspondent",
    "casework.inquiry",
    "casework.response",
    "casework.tripredress",
    "outreach.contact",
    "outreach.registration",
    "outreach.casereferral",
    "outreach.partnerinteraction",
    "outreach.reportbackdelivery",
    "outreach.mailingrecipient",
    "outreach.partnerreportbackdelivery",
    "outreach.engagementmessagedelivery",
}
ADMIN_NO_PII_MODELS = {
    "auth.group": "roles",
    "contactcenter.topic": "taxonomy",
    "contactcenter.workerheartbeat": "worker liveness",
    "contactcenter.form": "reference data",
    "contactcenter.zipcentroid": "reference data",
    "contactcenter.fieldoffice": "reference data",
    "contactcenter.officeclosure": "reference data",
    "contactcenter.civilsurgeon": "public directory of practices",
    "contactcenter.statusheadline": "reference data",
    "contactcenter.processingtime": "reference data",
    "contactcenter.visabulletinentry": "reference data",
    "contactcenter.queueconfig": "configuration",
    "contactcenter.notreadyreason": "configuration",
    "contactcenter.centerclosure": "configuration",
    "ivr.announcement": "configuration",
    "ivr.promptoverride": "configuration",
    "contactcenter.agentstate": "staff presence",
    "contactcenter.agentstatechange": "staff presence",
    "contactcenter.officemembership": "which offices staff work",
    "contactcenter.conferenceevent": "conference call-leg events (call ids, no numbers)",
    "contactcenter.monitorsession": "supervisors listening to calls (staff only)",
    "contactcenter.ledgerrollup": "aggregate counts",
    "contactcenter.ledgerrollupchannel": "aggregate counts",
    "contactcenter.ledgerrollupday": "aggregate counts",
    "contactcenter.ledgerrollupdirty": "intervals to recount",
    "contactcenter.queuerollup": "aggregate counts",
    "contactcenter.queuerollupday": "aggregate counts",
    "contactcenter.queuerollupdirty": "intervals to recount",
    "casework.slatarget": "configuration",
    "casework.responsetemplate": "templates",
    "contactcenter.knowledgearticle": "policy articles and approved answers (no one's records)",
    "outreach.organisation": "partner organisations",
    "outreach.croprofile": "staff districts",
    "outreach.engagement": "published events",
    "outreach.feedbackitem": "stakeholder feedback on programmes",
    "outreach.reportback": "published report text",
    "outreach.mailingsegment": "audience criteria (organisation types, places, topics)",
    "outreach.mailing": "a mailing's text",
    "outreach.mailingattachment": "a mailing's attached documents",
    "outreach.program": "outreach programs (staff owners)",
    "outreach.agencyofficemembership": "which offices of the agency staff answer for",
    "outreach.partnerreportback": "published report text",
    "outreach.engagementmessage": "staff's message text to an engagement's registrants (no one's details)",
    "knox.authtoken": "API tokens (no case or contact records)",
    "ivr.lookupalert": "counts of not-found IVR lookups per hour (no caller's number or receipt)",
    # django-axes' own read-only admin of sign-in attempts (staff usernames and addresses, no case records).
    "axes.accessattempt": "sign-in attempts",
    "axes.accesslog": "sign-ins",
    "axes.accessfailurelog": "failed sign-ins",
}

ROUTES = [route for route in iter_routes() if not route.pattern.startswith("static/")]


def _admin_models() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def test_every_route_is_classified():
    """A new page or endpoint must be declared as showing PII (and so walked below) or not."""
    names = [route.name for route in ROUTES if not route.pattern.startswith("admin/")]
    assert None not in names, "every URL needs a name to be classified"
    unclassified = sorted(set(names) - set(SHOWS_PII) - set(NO_PII))
    assert unclassified == [], f"classify these routes in {__name__}: SHOWS_PII or NO_PII"
    assert set(SHOWS_PII) & set(NO_PII) == set()
    stale = sorted((set(SHOWS_PII) | set(NO_PII)) - set(names))
    assert stale == []


def test_every_admin_model_is_classified():
    registered = _admin_models()
    unclassified = sorted(registered - ADMIN_PII_MODELS - set(ADMIN_NO_PII_MODELS))
    assert unclassified == [], "classify these admin models: ADMIN_PII_MODELS or ADMIN_NO_PII_MODELS"
    assert registered >= ADMIN_PII_MODELS
    for label in ADMIN_PII_MODELS:
        model_admin = admin.site._registry[next(m for m in admin.site._registry if m._meta.label_lower == label)]
        assert hasattr(model_admin, "audit_target_type"), f"{label}: its ModelAdmin must use AuditedViewMixin"


@pytest.fixture
def world(make_staff, seeded_cases):
    return build_world(make_staff, seeded_cases)


def _opened_with_audit(world, role, url) -> tuple[int, list]:
    user = world.users[role]
    client = Client(raise_request_exception=True)
    client.force_login(user)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    rows = list(
        AuditEvent.objects.filter(
            id__gt=before, actor=user, action__in=[AuditAction.VIEW, AuditAction.EXPORT]
        ).values_list("target_type", "target_id", "detail")
    )
    return response.status_code, rows


PII_CASES = [(name, *spec) for name, spec in SHOWS_PII.items()] + list(SHOWS_PII_ALSO.values())


def test_every_page_and_response_showing_pii_leaves_an_audit_row(world):
    """One world for the whole walk (building it is the slow part), every failure reported at once."""
    missing = []
    for name, role, kwargs, query in PII_CASES:
        url = reverse(name, kwargs=kwargs(world)) + query
        status, rows = _opened_with_audit(world, role, url)
        if status != 200:
            missing.append(f"{url} answered {status} to {role.value}: the walk did not reach its data")
        elif not rows:
            missing.append(f"{url} showed personal data to {role.value} and left no audit row")
    assert missing == []


def test_list_rows_name_the_records_shown(world):
    status, rows = _opened_with_audit(world, CAO, "/api/casework/inquiries/")
    assert status == 200
    [(target_type, _target_id, detail)] = [row for row in rows if row[0] != "casework.sensitive_inquiry"]
    assert target_type == "casework.inquiry_list"
    shown = {int(i) for i in re.findall(r"\d+", detail["ids"])}
    assert {world.inquiry.pk, world.trip_inquiry.pk, world.sensitive_inquiry.pk} <= shown
    assert detail["count"] == str(len(shown))
    # The sensitive inquiry in the list is also recorded as a sensitive inquiry viewed.
    sensitive = [str(row[1]) for row in rows if row[0] == "casework.sensitive_inquiry"]
    assert sensitive == [str(world.sensitive_inquiry.pk)]


def test_every_admin_list_and_page_of_pii_leaves_an_audit_row(world):
    missing = []
    for label in sorted(ADMIN_PII_MODELS):
        app_label, model_name = label.split(".")
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, f"the world has no {label}: add one to tests/pii_world.py"
        for url in (
            reverse(f"admin:{app_label}_{model_name}_changelist"),
            reverse(f"admin:{app_label}_{model_name}_change", args=[instance.pk]),
        ):
            status, rows = _opened_with_audit(world, Role.ADMINISTRATOR, url)
            if status != 200 or not rows:
                missing.append(f"{url}: {status}, {len(rows)} audit rows")
    assert missing == []


def test_the_polled_part_of_the_console_neither_reads_nor_audits_its_tables(world):
    status, rows = _opened_with_audit(world, CSR, reverse("console-work"))
    assert status == 200
    assert [row for row in rows if row[0] == "contactcenter.servicerequest_list"] == []
