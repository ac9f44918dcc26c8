"""Which section of the outreach console a page belongs to, for its sub-navigation's aria-current."""

from __future__ import annotations

from django import template

register = template.Library()

# url name -> section (the section's own list page is named as the section)
SECTIONS = {
    "console": "console",
    "organisation-detail": "organisations",
    "contact-detail": "contacts",
    "contact-duplicates": "contacts",
    "cro-detail": "cros",
    "engagement-detail": "engagements",
    "report-back": "engagements",
    "feedback-detail": "feedback",
    "referral-detail": "referrals",
    "program-detail": "programs",
    "program-edit": "programs",
    "office-inbox-item": "office-inbox",
    "partner-report-back-detail": "partner-report-backs",
    "mailing-segments": "mailings",
    "mailing-segment-detail": "mailings",
    "mailing-detail": "mailings",
    "mailing-preview": "mailings",
}


@register.simple_tag(takes_context=True)
def outreach_section(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None or match.namespace != "outreach":
        return ""
    return SECTIONS.get(match.url_name, match.url_name)
