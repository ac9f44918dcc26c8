"""A caller hears a service request's status by its number, from the case-status menu: only a
request on the case they just looked up."""

from datetime import date

import pytest

from contactcenter.models import BenefitCase, ServiceRequest
from ivr.models import Call
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN


def _request(case, **fields):
    return ServiceRequest.objects.create(
        kind=fields.pop("kind", "card_not_received"),
        status=fields.pop("status", "in_progress"),
        case=case,
        receipt_number=case.receipt_number,
        form=case.form,
        office=case.office,
        applicant_name=case.applicant_name,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_phone="+12135550142",
        due_on=fields.pop("due_on", date(2026, 12, 14)),
        **fields,
    )


def _to_case_menu(call, language_key, receipt_keys="3222190000001"):
    call.start()
    call.press(language_key)
    call.press("1")
    call.press(receipt_keys)
    return call.press("1")


@pytest.mark.parametrize(
    ("language_key", "menu_words", "ask_words", "heard"),
    [
        (
            "1",
            "The status of a service request on this case, 3.",
            "the digits after the letters S R",
            "Service request S R, {n}, card not received: the office is working on it. "
            "We aim to finish it by December 14, 2026.",
        ),
        (
            "2",
            "El estado de una solicitud de servicio de este caso, 3.",
            "los dígitos después de las letras S R",
            "Solicitud de servicio S R, {n}, tarjeta no recibida: la oficina está trabajando en ella. "
            "Intentamos terminarla a más tardar el 14 de diciembre de 2026.",
        ),
    ],
    ids=["en", "es"],
)
def test_a_caller_hears_a_service_requests_type_status_and_due_date(
    reference, caller, at_time, language_key, menu_words, ask_words, heard
):
    case = BenefitCase.objects.get(receipt_number="EAC2190000001")
    request = _request(case)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        status = _to_case_menu(call, language_key)
        assert menu_words in status.text
        ask = call.press("3")
        assert ask_words in ask.text and ask.gather["finishOnKey"] == "#"
        answer = call.press(f"000{request.pk}")  # the zeros of SR-000000NN may be keyed or not
        assert heard.format(n=" ".join(str(request.pk))) in answer.text
        assert answer.gather is not None  # the case-status menu again
    record = Call.objects.get(call_sid=call.call_sid)
    assert "service-request:in_progress" in record.path and record.self_served


def test_a_request_on_another_case_is_not_found_and_a_resolved_one_gives_its_date(reference, caller, at_time):
    case = BenefitCase.objects.get(receipt_number="EAC2190000001")
    other = BenefitCase.objects.exclude(pk=case.pk).first()
    elsewhere = _request(other)
    from datetime import UTC, datetime

    done = _request(case, status="resolved", resolved_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12025550100")
        _to_case_menu(call, "1")
        call.press("3")
        missing = call.press(str(elsewhere.pk))
        assert f"We could not find service request S R, {' '.join(str(elsewhere.pk))} on this case." in missing.text
        assert "not a service request number" in call.press("000000000").text
        found = call.press(str(done.pk))
        assert "it is resolved. It was completed on December 1, 2026." in found.text
