from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Public engagement (PED)")

    def ready(self) -> None:
        from contactcenter.consoles.registry import Console, register
        from contactcenter.staff.roles import Role

        register(
            Console(
                "outreach",
                _("Public engagement"),
                "outreach:console",
                _("Stakeholders, engagements, feedback and reports back."),
                roles=frozenset({Role.OUTREACH_STAFF, Role.CRO}),
                home_for=frozenset({Role.OUTREACH_STAFF, Role.CRO}),
                order=40,
            )
        )
        register(
            Console(
                "outreach-office-inbox",
                _("Feedback routed to my office"),
                "outreach:office-inbox",
                _("Stakeholder feedback routed to your office of the agency: read it and answer it."),
                roles=frozenset({Role.OFFICE_STAFF, Role.OUTREACH_STAFF, Role.CRO}),
                order=41,
            )
        )
