"""The reference data the IVR keeps per process follows imports and edits at once."""

from decimal import Decimal

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel, Form
from contactcenter.services import reference_rows_import
from ivr import reference as reference_cache
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN


def _fee_heard(caller) -> str:
    call = caller("+12135550142")
    call.start()
    call.press("1")
    call.press("2")
    return call.press("765").text


def test_a_fee_import_is_heard_on_the_next_call(reference, caller, at_time):
    form = Form.objects.get(number="I-765")
    with at_time(WEEKDAY_7PM_EASTERN):
        assert f"Form I-765, {form.title_en}" in _fee_heard(caller)
        assert "The filing fee is 555 dollars." not in _fee_heard(caller)
        report = reference_rows_import(
            context=AuditContext.system(channel=AuditChannel.COMMAND),
            kind="forms",
            rows=[
                {
                    "number": "I-765",
                    "title_en": form.title_en,
                    "title_es": form.title_es,
                    "fee": "555.00",
                    "edition": form.edition.isoformat(),
                }
            ],
        )
        assert report.updated == 1
        assert "The filing fee is 555 dollars." in _fee_heard(caller)


def test_an_edited_form_is_heard_on_the_next_call_and_the_cache_is_per_answer(reference, caller, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        _fee_heard(caller)
        assert ("form-digits", "765") in reference_cache._entries
        form = Form.objects.get(number="I-765")
        form.fee = Decimal("1")
        form.save(update_fields=["fee"])
        assert not reference_cache._entries
        assert "The filing fee is 1 dollar." in _fee_heard(caller)
