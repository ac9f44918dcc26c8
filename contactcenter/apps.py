from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactCenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = _("Contact center core")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
        from .broker import ensure_filesystem_broker_folders

        # Without Redis, web and worker share Celery's filesystem transport: its folders must exist.
        ensure_filesystem_broker_folders()
