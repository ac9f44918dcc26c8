"""The Tier 1 console's look-ups: forms (and ordering one for the caller), processing times, a case's
"outside normal processing time" verdict and the Visa Bulletin — the IVR's answers, for an agent, from
the same selectors and services; and the one rule that a decided case is never "outside normal"."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.test import Client
from django.utils import formats

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    Form,
    FormOrder,
    FormOrderStatus,
    OutboundMessage,
    StatusHeadline,
    VisaBulletinEntry,
)
from contactcenter.staff.roles import Role
from ivr import speech
from ivr.simulator import SimulatedCall
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN
from tests.reference_data import seed_reference

HTMX = {"HTTP_HX_REQUEST": "true"}
APPROVED_CARD_MAILED = "WAC2190000002"  # I-765 received in 2021, approved, card mailed
OUTSIDE_NORMAL = "EAC2190000001"  # I-485 received in 2021, still being reviewed


@pytest.fixture
def reference(db):
    seed_reference(cases=60, surgeons=20)
    from ivr import reference as reference_cache

    reference_cache.clear_local()


def _client(make_staff, role=Role.CSR) -> Client:
    client = Client()
    client.force_login(make_staff(role))
    return client


def _d(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _rows(response) -> list[str]:
    body = response.content.decode()
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


# --- forms ------------------------------------------------------------------------------------------
def test_the_console_shows_the_lookups_labelled_for_every_agent(reference, make_staff):
    page = _client(make_staff).get("/console/").content.decode()
    for label in (
        "Form number or title",
        "Form",
        "Category",
        "Office",
        "Preference category",
        "Country of chargeability",
    ):
        assert f">{label}" in page
    assert 'hx-get="/console/lookup/forms/"' in page and 'action="/console/lookup/forms/"' in page
    assert 'id="lookup-results"' in page and 'aria-live="polite"' in page


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.SUPERVISOR])
def test_forms_are_found_by_number_digits_or_title(reference, make_staff, role):
    client = _client(make_staff, role)
    by_number = client.get("/console/lookup/forms/", {"q": "I-485"}, **HTMX)
    assert by_number.status_code == 200
    assert "<html" not in by_number.content.decode()  # the results only, for the console's region
    rows = _rows(by_number)
    assert rows[1] == (
        f"I-485 Application to Register Permanent Residence or Adjust Status $1,440.00 {_d(date(2025, 1, 20))} "
        "Order I-485 for the caller"
    )
    assert len(rows) == 2
    # The IVR's keypad rule: the digits alone find the form.
    assert _rows(client.get("/console/lookup/forms/", {"q": "400"}))[1].startswith("I-485") is False
    assert "N-400 Application for Naturalization $760.00" in _text(client.get("/console/lookup/forms/", {"q": "400"}))
    by_title = _rows(client.get("/console/lookup/forms/", {"q": "employment"}, **HTMX))
    assert [row.split()[0] for row in by_title[1:]] == ["I-765"]
    nothing = client.get("/console/lookup/forms/", {"q": "zzz"}, **HTMX)
    assert "No form matches." in _text(nothing)


def test_other_roles_are_refused_the_lookups(reference, make_staff):
    client = _client(make_staff, Role.CAO_ANALYST)
    for url in ("/console/lookup/forms/", "/console/lookup/processing-times/", "/console/lookup/visa-bulletin/"):
        assert client.get(url).status_code == 403


def test_a_csr_texts_a_form_link_to_the_caller_once(
    reference, make_staff, django_capture_on_commit_callbacks, settings
):
    settings.TELEPHONY_BACKEND = "local"
    client = _client(make_staff)
    form = Form.objects.get(number="I-765")
    page = client.get(f"/console/lookup/forms/{form.pk}/order/", **HTMX).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    data = {"channel": "sms", "phone": "(213) 555-0143", "language": "es", "receipt_number": "", "token": token}
    with django_capture_on_commit_callbacks() as callbacks:
        answer = client.post(f"/console/lookup/forms/{form.pk}/order/", data, **HTMX)
    assert answer.status_code == 200
    assert "Form I-765: a text with its link is on its way." in _text(answer)
    assert len(callbacks) == 1  # the IVR's fulfilment task, after commit
    # The same page sent twice (a double click) orders once.
    with django_capture_on_commit_callbacks() as again:
        client.post(f"/console/lookup/forms/{form.pk}/order/", data, **HTMX)
    assert again == []
    order = FormOrder.objects.get()
    services.form_order_fulfil(order_id=order.pk)
    order.refresh_from_db()
    assert (order.channel, order.phone, order.language, order.status) == ("sms", "+12135550143", "es", "sent")
    message = OutboundMessage.objects.get(purpose=f"form-order:{order.pk}")
    assert message.body == services.form_order_sms_body(form=form, language="es")


def test_a_csr_orders_a_form_by_mail_and_it_waits_for_the_mailing_batch(
    reference, make_staff, django_capture_on_commit_callbacks
):
    client = _client(make_staff)
    form = Form.objects.get(number="I-90")
    url = f"/console/lookup/forms/{form.pk}/order/"
    refused = client.post(url, {"channel": "mail", "receipt_number": "", "language": "en", "token": "a" * 32})
    assert refused.status_code == 400
    assert "Give the receipt number of the case whose address gets the form." in _text(refused)
    unknown = client.post(
        url, {"channel": "mail", "receipt_number": "EAC2199999999", "language": "en", "token": "b" * 32}
    )
    assert "No case is on file for" in _text(unknown) and not FormOrder.objects.exists()

    with django_capture_on_commit_callbacks():
        done = client.post(
            url,
            {"channel": "mail", "receipt_number": "eac 219 000 0001", "language": "en", "token": "c" * 32},
            follow=True,
        )
    assert "Form I-90 is queued for mailing to the address on file of EAC*******001" in _text(done) or (
        "Form I-90 is queued for mailing" in _text(done)
    )
    order = services.form_order_fulfil(order_id=FormOrder.objects.get().pk)
    case = BenefitCase.objects.get(receipt_number=OUTSIDE_NORMAL)
    assert (order.channel, order.case_id, order.status) == ("mail", case.pk, FormOrderStatus.QUEUED)
    assert order.mailed_to == case.mailing_address and order.sent_at is None


# --- processing times ------------------------------------------------------------------------------
def test_processing_times_by_form_category_and_office(reference, make_staff):
    client = _client(make_staff)
    form = Form.objects.get(number="I-131")
    whole = client.get("/console/lookup/processing-times/", {"form": form.pk}, **HTMX)
    assert whole.status_code == 200
    expected = selectors.processing_times_for_form(form=form)
    rows = _rows(whole)[1:]
    assert len(rows) == len(expected) >= 2
    for row, ptime in zip(rows, expected, strict=True):
        assert row.startswith(f"{ptime.category} {ptime.office.name} {ptime.months} months")
    category = selectors.processing_time_categories(form=form)[0].category
    narrowed = _rows(client.get("/console/lookup/processing-times/", {"form": form.pk, "category": category}))[1:]
    assert narrowed and all(row.startswith(category) for row in narrowed)
    bad = client.get("/console/lookup/processing-times/", {"form": "999999"}, **HTMX)
    assert bad.status_code == 400


def test_a_case_outside_normal_processing_time_and_a_decided_one(reference, make_staff):
    client = _client(make_staff)
    outside = client.get("/console/lookup/processing-times/", {"receipt_number": OUTSIDE_NORMAL}, **HTMX)
    assert "Outside normal processing time: a service request may be taken." in _text(outside)
    decided = client.get("/console/lookup/processing-times/", {"receipt_number": APPROVED_CARD_MAILED}, **HTMX)
    assert "Decided: processing times no longer apply to this case." in _text(decided)
    assert "Outside normal" not in _text(decided)
    assert AuditEvent.objects.filter(action="view", target_type="receipt_number", target_id=OUTSIDE_NORMAL).exists()
    unknown = client.get("/console/lookup/processing-times/", {"receipt_number": "EAC2199999999"}, **HTMX)
    assert unknown.status_code == 400 and "No case is on file for this receipt number." in _text(unknown)


# --- the Visa Bulletin -------------------------------------------------------------------------------
def test_priority_dates_by_category_and_chargeability(reference, make_staff):
    client = _client(make_staff)
    one = client.get("/console/lookup/visa-bulletin/", {"category": "F3", "chargeability": "PHILIPPINES"}, **HTMX)
    final = VisaBulletinEntry.objects.filter(category="F3", chargeability="PHILIPPINES", chart="final_action")
    latest = final.order_by("-bulletin_month").first()
    filing = VisaBulletinEntry.objects.get(
        category="F3", chargeability="PHILIPPINES", chart="dates_for_filing", bulletin_month=latest.bulletin_month
    )
    assert _rows(one)[1:] == [f"Philippines {_d(latest.cutoff)} {_d(filing.cutoff)} {latest.bulletin_month:%B %Y}"]
    every = _rows(client.get("/console/lookup/visa-bulletin/", {"category": "EB2"}))
    assert [row.split()[0] for row in every[1:]] == ["All", "China", "India", "Mexico", "Philippines"]
    assert client.get("/console/lookup/visa-bulletin/", {"category": "Z9"}).status_code == 400


# --- the IVR and the console give the same answer ----------------------------------------------------
def _ivr_call() -> SimulatedCall:
    call = SimulatedCall(from_number="+12135550142")
    call.start()
    call.press("1")  # English
    return call


def test_the_ivr_and_the_console_give_the_same_processing_time(reference, make_staff, at_time):
    form = Form.objects.get(number="I-765")
    with at_time(WEEKDAY_7PM_EASTERN):
        call = _ivr_call()
        call.press("3")
        call.press("1")
        reply = call.press("765")
        while reply.gather and ("Choose the category" in reply.text or "ZIP code" in reply.text):
            reply = call.press("1" if "Choose the category" in reply.text else "90012")
    category = selectors.processing_time_categories(form=form)[0].category
    console = _client(make_staff).get(
        "/console/lookup/processing-times/", {"form": form.pk, "category": category, "zip_code": "90012"}, **HTMX
    )
    rows = _rows(console)[1:]
    assert len(rows) == 1
    office = re.search(r", at the (.+?), 80 percent", reply.text).group(1)
    months = re.search(r"completed within (.+?)\.", reply.text).group(1)
    answer = selectors.processing_time_current(
        form=form,
        category=category,
        office=selectors.processing_time_nearest_office(form=form, category=category, zip_code="90012"),
    )
    assert (office, months) == (answer.office.name, speech.spoken_months(answer.months, "en"))
    assert rows[0].startswith(f"{category} {office} {answer.months} months")


def test_the_ivr_and_the_console_give_the_same_priority_dates(reference, make_staff, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = _ivr_call()
        call.press("6")
        call.press("1")
        call.press("4")
        said = call.press("5").text  # F3, the Philippines
    console = _rows(
        _client(make_staff).get("/console/lookup/visa-bulletin/", {"category": "F3", "chargeability": "PHILIPPINES"})
    )[1]
    cells = selectors.visa_bulletin_current(category="F3", chargeability="PHILIPPINES")
    for chart in ("final_action", "dates_for_filing"):
        cutoff = cells[chart].cutoff
        assert f"{cutoff:%B} {cutoff.day}, {cutoff.year}" in said
        assert _d(cutoff) in console


@pytest.mark.parametrize(("receipt", "ivr_says", "console_says"), [
    (OUTSIDE_NORMAL, "It is outside normal processing time", "Outside normal processing time"),
    (APPROVED_CARD_MAILED, "Your case has a final decision", "Decided: processing times no longer apply"),
])  # fmt: skip
def test_the_ivr_and_the_console_give_the_same_case_verdict(
    reference, make_staff, at_time, receipt, ivr_says, console_says
):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = _ivr_call()
        call.press("1")
        call.say(" ".join(receipt))
        call.press("1")  # that is the number
        said = call.press("2").text  # its processing time
    assert ivr_says in said
    console = _client(make_staff).get("/console/lookup/processing-times/", {"receipt_number": receipt}, **HTMX)
    assert console_says in _text(console)


# --- the rule: only a pending case is outside normal processing time --------------------------------
@pytest.mark.parametrize(
    ("status", "pending", "outside"),
    [
        ("case-is-being-actively-reviewed-by-uscis", True, True),
        ("request-for-additional-evidence-was-sent", True, True),
        ("case-was-approved", False, False),
        ("new-card-is-being-produced", False, False),
        ("card-was-mailed-to-me", False, False),
        ("card-was-delivered-to-me-by-the-post-office", False, False),
        ("case-was-denied", False, False),
    ],
)
def test_outside_normal_only_while_the_case_is_pending(reference, status, pending, outside):
    case = BenefitCase.objects.select_related("form", "office", "status").get(receipt_number=OUTSIDE_NORMAL)
    case.status = StatusHeadline.objects.get(code=status)
    case.save(update_fields=["status"])
    case = selectors.case_get(receipt_number=OUTSIDE_NORMAL)
    verdict = selectors.case_processing_verdict(case=case)
    assert (verdict.pending, verdict.outside_normal) == (pending, outside)
    assert selectors.case_outside_normal_processing(case=case) is outside
    assert verdict.processing_time is not None and case.received_on < verdict.processing_time.inquiry_receipt_date


def test_the_case_page_and_the_service_request_follow_the_same_rule(reference, make_staff):
    client = _client(make_staff)
    page = _text(client.get(f"/cases/{APPROVED_CARD_MAILED}/"))
    assert "Outside normal processing time" not in page
    assert "Outside normal processing time" in _text(client.get(f"/cases/{OUTSIDE_NORMAL}/"))
    case = selectors.case_get(receipt_number=APPROVED_CARD_MAILED)
    assert case.received_on < date(2022, 1, 1)  # long before any published inquiry date
    from contactcenter.common.errors import ApplicationError

    with pytest.raises(ApplicationError, match="within normal processing time"):
        services.service_request_create(
            context=AuditContext.system(),
            user=make_staff(Role.CSR),
            kind="outside_normal",
            receipt_number=APPROVED_CARD_MAILED,
            date_of_birth=case.date_of_birth,
            requester_role="applicant",
            contact_phone="+12135550142",
            details="Caller asks why it is taking so long.",
        )


def test_the_ivr_and_the_console_give_the_same_form_for_the_same_digits(reference, make_staff, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = _ivr_call()
        call.press("2")  # forms
        said = call.press("400").text
    console = _rows(_client(make_staff).get("/console/lookup/forms/", {"q": "400"}, **HTMX))[1:]
    assert len(console) == 1
    form = Form.objects.get(number=console[0].split()[0])
    assert f"Form {form.number}, {form.title_en}" in said
    assert f"{int(form.fee):,} dollars" in said and f"${form.fee:,.2f}" in console[0]
