import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.local")

app = Celery("contactcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _announce_worker(sender, **kwargs) -> None:
    # Through the broker, not a direct write: the first heartbeat proves the whole path works.
    sender.app.send_task("contactcenter.heartbeat_record")
