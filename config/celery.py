"""The Celery app. Tasks are thin couriers (STYLE.md); the database rows they carry are the truth."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yrd", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The Django fixup looks this name up verbatim; without it every task opens a fresh database connection.
from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.startup import check_ready, refuse  # noqa: E402

try:
    app.conf.CELERY_DB_REUSE_MAX = settings.CELERY_DB_REUSE_MAX  # the settings' first read: their checks run
except ImproperlyConfigured as error:
    refuse(str(error))
app.autodiscover_tasks()


@signals.celeryd_init.connect
def _refuse_to_work_half_configured(options=None, **kwargs) -> None:
    """A worker starts only with its database answering and on queues some court has (config/startup.py)."""
    queues = (options or {}).get("queues") or []
    if isinstance(queues, str):
        queues = queues.split(",")
    check_ready(queues=[queue.strip() for queue in queues if queue.strip()])


@signals.beat_init.connect
def _refuse_to_schedule_half_configured(**kwargs) -> None:
    check_ready()
    # The first heartbeats at once, rather than an interval after beat starts: /healthz then says within
    # seconds whether each court's worker consumes its queue (courts.heartbeats).
    from courts.tasks import send_heartbeats

    send_heartbeats.apply_async(queue="zone")


@signals.setup_logging.connect
def _log_as_the_web_does(**kwargs) -> None:
    """Workers and beat log with the project's LOGGING (JSON lines with the request id), not Celery's own
    format: connecting this signal tells Celery to leave the root logger alone."""
    import logging.config

    logging.config.dictConfig(settings.LOGGING)
