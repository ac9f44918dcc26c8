"""`manage.py simulate_call`: the README's way to walk a call without a Twilio account."""

from io import StringIO

from django.core.management import call_command

from contactcenter.models import BenefitCase
from ivr.models import Call


def test_simulate_call_walks_a_spanish_caller_through_a_spoken_case_status(reference):
    case = BenefitCase.objects.order_by("receipt_number").first()
    spoken = " ".join(case.receipt_number[:3]) + " " + " ".join(case.receipt_number[3:])
    out = StringIO()
    call_command("simulate_call", from_number="+12135550142", press=f"2,1,say:{spoken},1", hangup=True, stdout=out)
    printed = out.getvalue()
    assert "IVR [es-US]: Menú principal." in printed
    assert f"Caller says '{spoken}'" in printed
    assert f"El estado de su caso del formulario {case.form.number} es:" in printed
    assert "Caller hangs up" in printed
    call = Call.objects.get()
    assert (call.language, call.outcome, call.receipt_numbers) == ("es", "self_served", [case.receipt_number])
