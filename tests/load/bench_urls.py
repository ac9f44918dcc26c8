"""The project's URLs plus the benchmark's baseline: a bare view returning fixed TwiML."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from contactcenter.roles import public

BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US" voice="Polly.Joanna">'
    "Thank you for calling.</Say></Response>"
)


@public
@csrf_exempt
def bare(request):
    return HttpResponse(BARE_TWIML, content_type="text/xml; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("contactcenter.urls")),
]
