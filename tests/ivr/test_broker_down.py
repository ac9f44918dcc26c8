"""A broker that is down: the caller still hears the confirmation, nothing is lost."""

import pytest

from contactcenter import services
from contactcenter.models import FormOrder
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN
from tests.reference_data import seed_reference


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_form_order_with_the_broker_down_is_confirmed_and_swept_later(broker_down, caller, at_time):

    seed_reference(cases=10, surgeons=5)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller("+12135550142")
        call.start()
        call.press("1")
        call.press("2")
        call.press("765")
        ordered = call.press("1")
        pending = services.form_orders_pending(older_than_seconds=0)
    assert ordered.status == 200
    assert "We will send a text message with a link to Form I-765" in ordered.text
    order = FormOrder.objects.get()
    assert order.status == "pending"
    assert pending == [order.pk]
