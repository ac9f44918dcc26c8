"""URLconf of `contactcenter.settings.bench` only: the project's URLs plus the benchmark's two
reference views. /bench/bare/ is the baseline: a bare Django view returning fixed TwiML, no database,
no signature check. /bench/floor/ is the least any signed webhook that keeps its call's state in
Postgres must do, and nothing of the IVR's own work: the signature check, one prepared read of the
call's row and one prepared write to it (which changes nothing), then the same fixed TwiML."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from contactcenter.common.prepared import PreparedStatement
from contactcenter.staff.roles import public
from ivr.security import twilio_params, twilio_signed
from ivr.views import on_a_live_connection

BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Response><Say language="en-US" voice="Polly.Joanna">Thank you for calling.</Say></Response>'
)
_READ = PreparedStatement("bench_floor_read", "SELECT * FROM ivr_call WHERE call_sid = %s")
_WRITE = PreparedStatement(
    "bench_floor_write",
    "UPDATE ivr_call SET step = step WHERE call_sid = %s AND set_config('synchronous_commit', 'off', true) = 'off'",
)


@public
@csrf_exempt
def bare(request):
    return HttpResponse(BARE_TWIML, content_type="text/xml; charset=utf-8")


@twilio_signed
@on_a_live_connection  # as the IVR's webhooks: no health-check SELECT 1 first
def floor(request):
    call_sid = twilio_params(request).get("CallSid", "")
    with connection.cursor() as cursor:
        _READ.execute(cursor, [call_sid])
        cursor.fetchone()
        _WRITE.execute(cursor, [call_sid])
    return HttpResponse(BARE_TWIML, content_type="text/xml; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("contactcenter.urls")),
]
