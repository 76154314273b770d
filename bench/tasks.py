"""The anchor of bench.handoff: the cheapest useful task, one ORM insert, on the same queues and settings."""

import time

from celery import shared_task

from courts.models import Sequence


@shared_task(name="bench.insert_one")
def insert_one(name: str, published_at: float) -> None:
    """Insert one row; its value is the microseconds from publication to this insert (same machine clock)."""
    Sequence.objects.create(name=name, value=max(0, int((time.time() - published_at) * 1_000_000)))
