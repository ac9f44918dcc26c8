"""Walk a call through the IVR without a phone or a Twilio account."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ivr import clock
from ivr.simulator import SIMULATOR_DISABLED, SimulatedCall, http_transport, in_process_transport, simulator_enabled


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise CommandError(f"--at {value!r}: not a date and time such as 2026-12-02T19:00-05:00") from error


class Command(BaseCommand):
    help = (
        "Place a simulated call: signed webhooks, exactly as Twilio would post them. Steps are keys "
        "('1', '3222190000001'), 'say:E A C two one nine …' for speech, 'wait' for silence."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_number", default="+12135550142", help="Caller's number (E.164).")
        parser.add_argument("--to", dest="to_number", default="+18003755283")
        parser.add_argument("--press", default="", help="Comma-separated steps, e.g. 2,1,say:E A C …,1")
        parser.add_argument("--base-url", help="Post over HTTP to a running server instead of in this process.")
        parser.add_argument("--hangup", action="store_true", help="Send Twilio's 'completed' status at the end.")
        parser.add_argument("--wait", action="store_true", help="If queued, play the queue's wait message once.")
        parser.add_argument(
            "--agent",
            help=(
                "Play the other side too: once the caller is in line, this staff user (a CSR or ISO, by "
                "username) goes available, is offered the call, answers, holds and resumes, and ends it."
            ),
        )
        parser.add_argument(
            "--at",
            type=_moment,
            help=(
                "Decide opening hours and office closures as if it were this moment, e.g. 2026-12-02T19:00-05:00 "
                f"(without an offset: {settings.TIME_ZONE}). The call is still recorded at the real time. "
                "In process only: a running server decides by its own clock."
            ),
        )

    def handle(self, *args, from_number, to_number, press, base_url, hangup, wait, at=None, agent=None, **options):
        if not simulator_enabled():
            raise CommandError(f"{SIMULATOR_DISABLED} Here TELEPHONY_BACKEND={settings.TELEPHONY_BACKEND!r}.")
        if at is not None and base_url:
            raise CommandError("--at works in process only: a running server decides by its own clock.")
        with clock.shifted(clock.shift_to(at) if at is not None else timedelta(0)):
            call = self._walk(from_number, to_number, press, base_url, wait, at)
            if agent:
                self._agent_side(call, agent)
            if hangup:
                call.hang_up()
                self.stdout.write(self.style.WARNING("Caller hangs up"))

    def _walk(self, from_number, to_number, press, base_url, wait, at) -> SimulatedCall:
        transport = http_transport(base_url) if base_url else in_process_transport()
        call = SimulatedCall(from_number=from_number, to_number=to_number, transport=transport)
        heading = f"Call {call.call_sid} from {from_number}"
        if at is not None:
            heading += f", as if at {clock.reading()}"
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        self._show(call.start())
        for step in [s for s in press.split(",") if s.strip()]:
            current = call.current
            if current is None or current.gather is None:
                raise CommandError(f"The IVR is no longer listening; step {step!r} was not sent.")
            label = (
                f"says {step.strip()[4:].strip()!r}"
                if step.strip().lower().startswith("say:")
                else ("stays silent" if step.strip() == "wait" else f"presses {step.strip()}")
            )
            self.stdout.write(self.style.WARNING(f"Caller {label}"))
            self._show(call.follow(step))
        if wait and call.current and call.current.enqueue:
            self.stdout.write(self.style.WARNING("Caller waits in the queue"))
            self._show(call.wait_in_queue())
        return call

    def _agent_side(self, call: SimulatedCall, username: str) -> None:
        """The agent's local device, through the services the console calls."""
        from django.contrib.auth import get_user_model

        from contactcenter import selectors, services
        from contactcenter.audit.context import AuditContext
        from contactcenter.common.errors import ApplicationError

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--agent {username!r}: no such user.")
        contact = selectors.waiting_contact_for_call(call_sid=call.call_sid)
        if contact is None:
            raise CommandError("--agent: the caller is not in line for a representative.")
        context = AuditContext(actor=user)
        say = self.style.HTTP_INFO
        try:
            services.agent_state_set(context=context, user=user, state="available")
            self.stdout.write(say(f"Agent {username} is available"))
            services.route_next(queue_name=contact.queue_name)
            contact.refresh_from_db()
            if contact.offered_to_id != user.pk:
                raise CommandError(
                    f"--agent: {contact.queue_name} offered the call to someone else (or no one): "
                    f"is {username} homed in it or speaking {contact.language}, and the queue open?"
                )
            self.stdout.write(say(f"  the local device rings: contact {contact.pk} in {contact.queue_name}"))
            services.contact_answer(context=context, user=user, contact_id=contact.pk)
            self.stdout.write(say("  answered: caller and agent meet in the conference"))
            services.contact_hold(context=context, user=user, contact_id=contact.pk, hold=True)
            self.stdout.write(say(f"  caller on hold (music in {contact.language})"))
            services.contact_hold(context=context, user=user, contact_id=contact.pk, hold=False)
            self.stdout.write(say("  caller taken off hold"))
            services.contact_end(context=context, user=user, contact_id=contact.pk)
            self.stdout.write(say("  the agent ends the call and wraps up"))
        except ApplicationError as error:
            raise CommandError(f"--agent: {error}") from error

    def _show(self, prompt) -> None:
        if prompt.status != 200:
            raise CommandError(f"The webhook answered {prompt.status}: {prompt.xml[:200]}")
        for text, language in prompt.says:
            self.stdout.write(f"  IVR [{language or 'en-US'}]: {text}")
        if prompt.gather:
            kind = prompt.gather.get("input", "dtmf")
            self.stdout.write(self.style.SUCCESS(f"  … listening ({kind}) → {prompt.gather['action']}"))
        if prompt.enqueue:
            self.stdout.write(self.style.SUCCESS(f"  → handed to queue {prompt.enqueue['name']}"))
        if prompt.hangup:
            self.stdout.write(self.style.SUCCESS("  → the IVR hangs up"))
