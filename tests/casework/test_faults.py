"""Fault cases with the real broker: Redis down during intake, and a worker killed mid-send."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casework.models import Inquiry
from casework.tasks import sweep


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _broker_back():
    from django.conf import settings

    from contactcenter.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_during_intake_loses_nothing(broker_down, celery_worker_process, at_time):
    _process, log = celery_worker_process
    cache.clear()
    client = Client()
    response = client.post(
        "/casework/write/",
        {
            "name": "Ana Ruiz",
            "email": "ana@example.com",
            "role": "applicant",
            "subject": "Card not received",
            "message": "About EAC2190000001.",
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.reference in client.get(response["Location"]).text
    assert inquiry.interaction is not None and inquiry.confirmation_sent_at is None
    time.sleep(1)
    inquiry.refresh_from_db()
    assert inquiry.confirmation_sent_at is None  # nothing reached a worker

    _broker_back()
    with at_time(timezone.now() + timedelta(minutes=2)):
        sweep.apply()  # what the beat runs every few minutes
    assert _wait_for(lambda: Inquiry.objects.filter(pk=inquiry.pk, confirmation_sent_at__isnull=False).exists()), (
        log.read_text()[-3000:]
    )
    assert "casework.inquiry_confirm" in log.read_text()
    assert inquiry.activities.filter(text="Confirmation e-mailed").count() == 1
