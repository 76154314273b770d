"""The Celery app. Tasks are thin couriers (STYLE.md); the database rows they carry are the truth."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yrd", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The Django fixup looks this name up verbatim; without it every task opens a fresh database connection.
from django.conf import settings  # noqa: E402

app.conf.CELERY_DB_REUSE_MAX = settings.CELERY_DB_REUSE_MAX
app.autodiscover_tasks()
