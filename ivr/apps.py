from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("IVR (phone self-service)")

    def ready(self) -> None:
        from contactcenter.consoles.registry import Console, register
        from contactcenter.consoles.wallboard import register_alert_source
        from contactcenter.staff.roles import Role

        from . import reference, selectors
        from .simulator import simulator_enabled

        reference.connect_signals()
        register_alert_source(selectors.wallboard_lookup_alerts)

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
