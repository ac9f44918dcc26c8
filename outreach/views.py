from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contactcenter import selectors
from contactcenter.roles import Role, roles_required


@roles_required(Role.OUTREACH_STAFF, Role.CRO)
def console(request: HttpRequest) -> HttpResponse:
    """Contact-center volume by topic, the figure outreach sets beside stakeholder feedback.

    Counts only: outreach roles see no case PII."""
    now = timezone.now()
    rows = selectors.contact_volume_by_topic(start=now - timedelta(days=30), end=now, period="month")
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["topic__code"]] = totals.get(row["topic__code"], 0) + row["contacts"]
    topics = {topic.code: topic for topic in selectors.topic_list(active_only=False)}
    volume = sorted(((topics[code], count) for code, count in totals.items()), key=lambda pair: -pair[1])
    return render(request, "outreach/console.html", {"volume": volume})
