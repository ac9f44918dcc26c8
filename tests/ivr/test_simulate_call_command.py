"""`manage.py simulate_call`: the README's way to walk a call without a Twilio account."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contactcenter.models import BenefitCase, WaitingContact
from ivr.models import Call
from tests.ivr.conftest import EASTERN, SATURDAY_NOON_EASTERN


def test_simulate_call_walks_a_spanish_caller_through_a_spoken_case_status(reference):
    case = BenefitCase.objects.order_by("receipt_number").first()
    spoken = " ".join(case.receipt_number[:3]) + " " + " ".join(case.receipt_number[3:])
    out = StringIO()
    call_command("simulate_call", from_number="+12135550142", press=f"2,1,say:{spoken},1", hangup=True, stdout=out)
    printed = out.getvalue()
    assert "IVR [es-US]: Menú principal." in printed
    assert f"Caller says '{spoken}'" in printed
    assert f"Formulario {case.form.number}: " in printed
    assert "Caller hangs up" in printed
    call = Call.objects.get()
    # Once the call has ended, its ledger entry holds the receipt number and the call's row keeps it masked.
    masked = case.receipt_number[:3] + "******" + case.receipt_number[-4:]
    assert (call.language, call.outcome, call.receipt_numbers) == ("es", "self_served", [masked])
    assert list(call.interaction.identifiers.values_list("value", flat=True)) == [case.receipt_number]


@pytest.mark.parametrize(
    ("from_number", "hears"),
    [
        # 8:30 p.m. Eastern on a Wednesday is 5:30 p.m. in Los Angeles: representatives answer there.
        ("+12135550142", "→ handed to queue tier1-en"),
        # In New York it is after 8 p.m.: the hours, the next opening and a callback offer.
        ("+12125550142", "The next opening is December 3, 2026, 8 a.m."),
    ],
)
def test_simulate_call_at_another_hour_decides_by_that_hour_and_records_the_real_time(
    reference, at_time, from_number, hears
):
    out = StringIO()
    with at_time(SATURDAY_NOON_EASTERN):  # the real clock: nobody answers on a Saturday
        call_command(
            "simulate_call",
            from_number=from_number,
            press="1,0",
            at=datetime(2026, 12, 2, 20, 30, tzinfo=EASTERN),
            stdout=out,
        )
    printed = out.getvalue()
    assert "as if at Wednesday 2026-12-02 20:30 EST" in printed
    assert hears in printed
    call = Call.objects.get()
    assert call.started_at.astimezone(EASTERN).date() == SATURDAY_NOON_EASTERN.date()
    queued = WaitingContact.objects.filter(call_sid=call.call_sid).exists()
    assert queued is (from_number == "+12135550142")


def test_simulate_call_refuses_a_moment_it_cannot_honour(db):
    with pytest.raises(CommandError, match="in process only"):
        call_command(
            "simulate_call", "--at", "2026-12-02T19:00-05:00", "--base-url", "http://127.0.0.1:9", stdout=StringIO()
        )
    with pytest.raises(CommandError, match="not a date and time"):
        call_command("simulate_call", "--at", "next wednesday", stdout=StringIO())
    assert not Call.objects.exists()


def test_simulate_call_plays_the_agents_side_too(reference, at_time, make_staff):
    from contactcenter.models import AgentState, AuditEvent
    from contactcenter.staff.roles import Role

    agent = make_staff(Role.CSR)
    agent.staff_profile.languages = ["es", "en"]
    agent.staff_profile.save()
    out = StringIO()
    with at_time(datetime(2026, 12, 2, 20, 30, tzinfo=EASTERN)):  # 5:30 p.m. in Los Angeles
        call_command(
            "simulate_call", from_number="+12135550142", press="2,0", agent=agent.username, hangup=True, stdout=out
        )
    printed = out.getvalue()
    assert "→ handed to queue tier1-es" in printed
    for step in (
        f"Agent {agent.username} is available",
        "the local device rings: contact",
        "answered: caller and agent meet in the conference",
        "caller on hold (music in es)",
        "caller taken off hold",
        "the agent ends the call and wraps up",
        "Caller hangs up",
    ):
        assert step in printed
    contact = WaitingContact.objects.get()
    assert (contact.status, contact.offered_to_id, contact.on_hold_since) == ("completed", agent.pk, None)
    assert AgentState.objects.get(user=agent).state == "wrap_up"
    summaries = list(AuditEvent.objects.filter(actor=agent).values_list("summary", flat=True))
    assert "Caller put on hold" in summaries and "Caller taken off hold" in summaries


def test_simulate_call_agent_side_says_why_when_the_call_goes_elsewhere(reference, at_time, make_staff):
    from contactcenter.staff.roles import Role

    english_only = make_staff(Role.CSR)
    with (
        at_time(datetime(2026, 12, 2, 20, 30, tzinfo=EASTERN)),
        pytest.raises(CommandError, match="offered the call to someone else"),
    ):
        call_command(
            "simulate_call", from_number="+12135550142", press="2,0", agent=english_only.username, stdout=StringIO()
        )
