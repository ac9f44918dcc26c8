from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contactcenter import selectors
from contactcenter.models import Channel
from contactcenter.roles import Role, roles_required


@roles_required(Role.CAO_ANALYST, Role.CAO_SUPERVISOR)
def console(request: HttpRequest) -> HttpResponse:
    written = selectors.interaction_list(channels=[Channel.WRITTEN])[:50]
    return render(request, "casework/console.html", {"interactions": written})


@roles_required(Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.TSA_LIAISON)
def trip(request: HttpRequest) -> HttpResponse:
    redress = selectors.interaction_list().filter(topic__code="travel-redress")[:50]
    return render(request, "casework/trip.html", {"interactions": redress})
