from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("IVR (phone self-service)")

    def ready(self) -> None:
        from contactcenter.consoles.registry import Console, register
        from contactcenter.consoles.wallboard import register_alert_source
        from contactcenter.ledger.timeline_sources import register_steps_source
        from contactcenter.staff.roles import Role
        from contactcenter.telephony.gateway import webhooks_register

        from . import reference, selectors
        from .simulator import simulator_enabled

        reference.connect_signals()
        selectors.connect_signals()
        register_alert_source(selectors.wallboard_lookup_alerts)
        # The timeline of a caller or a receipt number shows each IVR call's steps.
        register_steps_source("ivr", selectors.call_paths_by_interaction)
        # The core's telephony builds Twilio's callbacks and configuration; these views answer them.
        webhooks_register(
            voice="ivr:voice",
            status="ivr:status",
            fallback="ivr:fallback",
            sms="ivr:sms",
            queue_wait="ivr:queue-wait",
            queue_done="ivr:queue-done",
            conference_status="ivr:conference-status",
            conference_hold="ivr:conference-hold",
            recording_status="ivr:recording-status",
            agent_voice="ivr:agent-voice",
        )

        register(
            Console(
                "ivr-settings",
                _("IVR announcements and prompts"),
                "ivr:supervisor-announcements",
                _("Emergency announcements at the start of every call; the hold messages' wording."),
                roles=frozenset({Role.SUPERVISOR}),
                order=25,
            )
        )
        # Off with a real telephony backend (the page answers 404 then): no link to it either.
        if not simulator_enabled():
            return
        register(
            Console(
                "ivr",
                _("Call simulator"),
                "ivr:simulator",
                _("Walk the IVR as a caller would, through the signed webhooks."),
                roles=frozenset({Role.CSR, Role.ISO, Role.SUPERVISOR, Role.ADMINISTRATOR}),
                order=60,
            )
        )
