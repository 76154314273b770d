"""A real worker (not eager mode) receives a task on a court's own queue, through a real Redis."""

import time

import pytest

from courts.models import Court
from courts.tasks import ping_court

pytestmark = pytest.mark.worker


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_task_on_each_court_queue_reaches_a_worker(celery_worker):
    from celery.signals import task_postrun

    seen = []

    def on_done(sender=None, task=None, retval=None, **kwargs):
        seen.append((task.request.delivery_info.get("routing_key"), retval))

    task_postrun.connect(on_done, weak=False)
    try:
        for court in Court.objects.all():
            ping_court.apply_async(args=[court.code], queue=court.queue_name)
        assert wait_for(lambda: len(seen) == 3), seen
    finally:
        task_postrun.disconnect(on_done)
    assert sorted(seen) == sorted((q, q) for q in ["court.wujiang", "court.qingpu", "court.jiashan"])


def test_the_app_is_wired_for_lossless_delivery():
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.CELERY_DB_REUSE_MAX > 0
    from django.conf import settings

    assert app.conf.broker_transport_options["visibility_timeout"] > settings.TASK_RETRY_BACKOFF_MAX
    assert hasattr(ping_court, "delay_on_commit")
