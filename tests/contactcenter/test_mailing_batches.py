"""Forms ordered by mail: queued, gathered into the day's mailing batch (address labels as a PDF, the
print vendor's CSV), and mailed only when a supervisor confirms the batch — once, each order in one batch."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    FieldOffice,
    Form,
    FormOrder,
    FormOrderStatus,
    MailingBatch,
    MailingBatchItem,
    MailingBatchStatus,
    StatusHeadline,
)
from contactcenter.staff.roles import Role
from contactcenter.tasks import mailing_batch_make

CONTEXT = AuditContext.system()
NAMES = ["María Elena Castillo Ruiz", "Nguyễn Văn An", "Robert O'Neil"]


def _form() -> Form:
    return Form.objects.create(
        number="I-765",
        title_en="Application for Employment Authorization",
        title_es="Solicitud de Autorización de Empleo",
        fee=Decimal("520.00"),
        edition=date(2025, 1, 20),
    )


def _cases(names: list[str]) -> list[BenefitCase]:
    office = FieldOffice.objects.create(
        code="CSC",
        name="California Service Center",
        kind="service_center",
        address_line="24000 Avila Rd",
        city="Laguna Niguel",
        state="CA",
        zip_code="92677",
        latitude=33.5145,
        longitude=-117.7084,
        time_zone="America/Los_Angeles",
        hours_en="-",
        hours_es="-",
    )
    form = Form.objects.get(number="I-765")
    status = StatusHeadline.objects.get(code="case-was-received")
    return [
        BenefitCase.objects.create(
            receipt_number=f"WAC21900{n:05d}",
            form=form,
            office=office,
            received_on=date(2021, 6, 8),
            status=status,
            status_on=date(2021, 6, 8),
            applicant_name=name,
            date_of_birth=date(1990, 1, 1),
            mailing_address_line=f"{100 + n} W Olympic Blvd Apt {n}",
            mailing_city="Los Angeles",
            mailing_state="CA",
            mailing_zip="90015",
        )
        for n, name in enumerate(names, start=1)
    ]


def _queued_orders(cases: list[BenefitCase]) -> list[FormOrder]:
    form = Form.objects.get(number="I-765")
    orders = []
    for case in cases:
        order = services.form_order_create(
            context=CONTEXT, form=form, channel="mail", language="en", case=case, idempotency_key=f"k:{case.pk}"
        )
        orders.append(services.form_order_fulfil(order_id=order.pk))
    assert {order.status for order in orders} == {FormOrderStatus.QUEUED}
    return orders


@pytest.fixture
def queued(db):
    _form()
    cases = _cases(NAMES)
    return cases, _queued_orders(cases)


def _supervisor(make_staff) -> tuple[Client, object]:
    user = make_staff(Role.SUPERVISOR)
    client = Client()
    client.force_login(user)
    return client, user


def test_a_batch_gathers_the_queued_orders_with_labels_and_a_vendor_file(queued, make_staff):
    cases, orders = queued
    client, _ = _supervisor(make_staff)
    page = client.get("/supervisor/mailing-batches/").content.decode()
    assert "3 form orders are queued for mailing." in page

    made = client.post("/supervisor/mailing-batches/make/", follow=True)
    assert "Mailing batch" in made.content.decode() and "is made" in made.content.decode()
    batch = MailingBatch.objects.get()
    assert batch.status == MailingBatchStatus.MADE
    assert {o.status for o in FormOrder.objects.all()} == {FormOrderStatus.BATCHED}
    assert "0 form orders are queued for mailing." in made.content.decode()

    labels = client.get(f"/supervisor/mailing-batches/{batch.pk}/labels.pdf")
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
    assert labels.content.startswith(b"%PDF")
    assert "María Elena Castillo Ruiz".encode("latin-1") in labels.content
    assert b"Nguyen Van An" in labels.content  # the built-in font's letters: the accents go
    assert b"101 W Olympic Blvd Apt 1" in labels.content

    vendor = client.get(f"/supervisor/mailing-batches/{batch.pk}/orders.csv")
    rows = list(csv.reader(io.StringIO(vendor.content.decode("utf-8-sig"))))
    assert rows[0] == ["order_id", "form_number", "edition", "name", "address_line", "city", "state", "zip_code"]
    assert rows[1:] == [
        [
            str(order.pk),
            "I-765",
            "2025-01-20",
            case.applicant_name,
            case.mailing_address_line,
            "Los Angeles",
            "CA",
            "90015",
        ]
        for order, case in zip(orders, cases, strict=True)
    ]
    # Both files hold names and addresses: each download is audited.
    exports = AuditEvent.objects.filter(
        action="export", target_type="contactcenter.mailingbatch", target_id=str(batch.pk)
    )
    assert exports.count() == 2
    assert client.get("/supervisor/mailing-batches/999/labels.pdf").status_code == 404


def test_confirming_marks_the_orders_mailed_once(queued, make_staff):
    cases, _ = queued
    client, supervisor = _supervisor(make_staff)
    batch = services.mailing_batch_create(context=CONTEXT)
    page = client.get("/supervisor/mailing-batches/").content.decode()
    assert f"Confirm batch {batch.pk} printed and mailed" in page

    done = client.post(f"/supervisor/mailing-batches/{batch.pk}/confirm/", follow=True).content.decode()
    assert f"Mailing batch {batch.pk} is confirmed: its forms are mailed." in done
    assert f"Confirm batch {batch.pk} printed and mailed" not in done
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == (MailingBatchStatus.CONFIRMED, supervisor)
    for order in FormOrder.objects.all():
        assert order.status == FormOrderStatus.MAILED and order.sent_at == batch.confirmed_at

    again = client.post(f"/supervisor/mailing-batches/{batch.pk}/confirm/", follow=True).content.decode()
    assert "This mailing batch was already confirmed as printed and mailed." in again
    with pytest.raises(ApplicationError, match="already confirmed"):
        services.mailing_batch_confirm(context=CONTEXT, user=supervisor, batch_id=batch.pk)
    with pytest.raises(ApplicationError, match="Only a contact center supervisor"):
        services.mailing_batch_confirm(context=CONTEXT, user=make_staff(Role.CSR), batch_id=batch.pk)
    assert AuditEvent.objects.filter(action="update", target_type="contactcenter.mailingbatch").count() == 1

    # The caller's case page shows the form mailed, with its batch.
    csr = Client()
    csr.force_login(make_staff(Role.CSR))
    case_page = csr.get(f"/cases/{cases[0].receipt_number}/").content.decode()
    assert "Forms ordered" in case_page and "Mailed" in case_page and f"mailing batch {batch.pk}" in case_page


def test_an_order_is_in_one_batch_and_a_new_batch_takes_only_what_was_queued_since(queued):
    _, orders = queued
    first = services.mailing_batch_create(context=CONTEXT)
    assert services.mailing_batch_create(context=CONTEXT) is None  # nothing left queued
    more = _cases_more()
    later = _queued_orders(more)
    second = services.mailing_batch_create(context=CONTEXT)
    assert set(second.items.values_list("order_id", flat=True)) == {order.pk for order in later}
    assert set(first.items.values_list("order_id", flat=True)) == {order.pk for order in orders}
    # The database itself refuses a second batch for an order.
    item = first.items.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        MailingBatchItem.objects.create(
            batch=second,
            order_id=item.order_id,
            form_number="I-765",
            edition=date(2025, 1, 20),
            name="x",
            address_line="x",
            city="x",
            state="CA",
            zip_code="90015",
        )


def _cases_more() -> list[BenefitCase]:
    office = FieldOffice.objects.get(code="CSC")
    form = Form.objects.get(number="I-765")
    status = StatusHeadline.objects.get(code="case-was-received")
    return [
        BenefitCase.objects.create(
            receipt_number="WAC2190099999",
            form=form,
            office=office,
            received_on=date(2021, 6, 8),
            status=status,
            status_on=date(2021, 6, 8),
            applicant_name="Ana Gómez",
            date_of_birth=date(1990, 1, 1),
            mailing_address_line="1 Main St",
            mailing_city="Los Angeles",
            mailing_state="CA",
            mailing_zip="90012",
        )
    ]


def test_the_daily_task_makes_the_batch_and_is_harmless_when_nothing_is_queued(queued):
    mailing_batch_make()
    batch = MailingBatch.objects.get()
    assert batch.items.count() == 3 and batch.created_by is None
    mailing_batch_make()
    assert MailingBatch.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.CAO_ANALYST])
def test_only_supervisors_reach_the_batches(queued, make_staff, role):
    batch = services.mailing_batch_create(context=CONTEXT)
    client = Client()
    client.force_login(make_staff(role))
    for url in ("/supervisor/mailing-batches/", f"/supervisor/mailing-batches/{batch.pk}/labels.pdf"):
        assert client.get(url).status_code == 403
    assert client.post(f"/supervisor/mailing-batches/{batch.pk}/confirm/").status_code == 403
    batch.refresh_from_db()
    assert batch.status == MailingBatchStatus.MADE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_made_at_once_never_take_the_same_order(monkeypatch):
    _form()
    orders = _queued_orders(_cases(NAMES))
    # The first to lock the queued orders holds them a while; the other, started meanwhile, waits on
    # the row locks and then finds them batched.
    first_in = threading.Event()
    original = MailingBatch.full_clean

    def slow_full_clean(self, *args, **kwargs):
        if not first_in.is_set():
            first_in.set()
            time.sleep(0.5)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MailingBatch, "full_clean", slow_full_clean)
    results: dict[str, object] = {}

    def make(name: str) -> None:
        try:
            results[name] = services.mailing_batch_create(context=CONTEXT)
        except BaseException as error:
            results[name] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=make, args=("one",))
    one.start()
    assert first_in.wait(5)
    two = threading.Thread(target=make, args=("two",))
    two.start()
    one.join(10)
    two.join(10)
    assert isinstance(results["one"], MailingBatch)
    assert results["two"] is None
    assert MailingBatch.objects.count() == 1
    assert sorted(MailingBatchItem.objects.values_list("order_id", flat=True)) == sorted(o.pk for o in orders)
