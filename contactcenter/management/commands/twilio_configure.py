"""An operator's tool: point the center's Twilio number at our webhooks (Voice URL, status callback,
fallback URL) and create or update the TwiML App of the agents' lines, through Twilio's REST API.
`--dry-run` prints what it would do and calls nothing; a second run changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contactcenter.telephony import twilio_setup


class Command(BaseCommand):
    help = (
        "Set the Twilio number's Voice URL, status callback and fallback URL to this server's webhooks, "
        "create or update the agents' TwiML App, and print TWILIO_TWIML_APP_SID."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be done; call nothing")
        parser.add_argument("--number", default="", help="the number to configure (default: TWILIO_PHONE_NUMBER)")
        parser.add_argument(
            "--app-name", default=twilio_setup.APP_NAME, help="the TwiML App's name, when TWILIO_TWIML_APP_SID is unset"
        )

    def handle(self, *args, dry_run: bool, number: str, app_name: str, **options):
        number = number or settings.TWILIO_PHONE_NUMBER
        try:
            if dry_run:
                lines = twilio_setup.plan_lines(number=twilio_setup.number_check(number), app_name=app_name)
                self.stdout.write("\n".join(["Dry run: nothing is sent to Twilio.", *lines]))
                try:
                    twilio_setup.settings_check(number=number)
                except twilio_setup.SetupError as problem:
                    self.stdout.write(self.style.WARNING(f"A real run would stop here: {problem}"))
                return
            outcome = twilio_setup.configure(number=twilio_setup.settings_check(number=number), app_name=app_name)
        except twilio_setup.SetupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n".join(outcome.lines))
        self.stdout.write(
            self.style.SUCCESS("Done.") if outcome.changed else "Nothing to change: Twilio was already configured."
        )
        self.stdout.write(f"TWILIO_TWIML_APP_SID={outcome.app_sid}")
        if outcome.app_sid != settings.TWILIO_TWIML_APP_SID:
            self.stdout.write("Put that line in the environment (.env) and restart the web and worker processes.")
