"""URLconf of `contactcenter.settings.bench` only: the project's URLs plus the benchmark's
baseline, /bench/bare/ — a bare Django view returning fixed TwiML, no database, no signature check."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from contactcenter.roles import public

BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Response><Say language="en-US" voice="Polly.Joanna">Thank you for calling.</Say></Response>'
)


@public
@csrf_exempt
def bare(request):
    return HttpResponse(BARE_TWIML, content_type="text/xml; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("contactcenter.urls")),
]
