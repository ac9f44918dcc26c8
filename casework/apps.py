from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("CAO casework")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from contactcenter.consoles.registry import Console, register
        from contactcenter.staff.roles import Role

        from .selectors import register_fold_function

        connection_created.connect(register_fold_function, dispatch_uid="casework_fold")

        register(
            Console(
                "casework",
                _("CAO casework"),
                "casework:console",
                _("Written inquiries: triage, assignment, SLA and responses."),
                roles=frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR}),
                home_for=frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR}),
                order=30,
            )
        )
        register(
            Console(
                "trip",
                _("DHS TRIP redress"),
                "casework:trip",
                _("Redress requests worked with TSA."),
                roles=frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.TSA_LIAISON}),
                home_for=frozenset({Role.TSA_LIAISON}),
                order=35,
            )
        )
