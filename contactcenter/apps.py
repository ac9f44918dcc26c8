from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactCenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = _("Contact center core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from contactcenter import checks, signals  # noqa: F401
        from contactcenter.audit.protection import reprotect_after_migrate
        from contactcenter.common.broker import ensure_filesystem_broker_folders

        post_migrate.connect(reprotect_after_migrate, sender=self, dispatch_uid="ncsc-audit-append-only")

        # Without Redis, web and worker share Celery's filesystem transport: its folders must exist.
        ensure_filesystem_broker_folders()
