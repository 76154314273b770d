"""Thin Celery tasks of the ground floor."""

from celery import shared_task

from courts.models import Court


@shared_task(name="courts.ping_court")
def ping_court(court_code: str) -> str:
    """Answers on a court's own queue: proves a worker consumes it (used by tests and `make demo`'s check)."""
    return Court.objects.get(code=court_code).queue_name


def court_queues() -> list[str]:
    """Every queue a zone-wide worker consumes: the zone's own and each active court's."""
    return ["zone", *Court.objects.filter(is_active=True).order_by("id").values_list("queue_name", flat=True)]
