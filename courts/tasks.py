"""Thin Celery tasks of the ground floor: they load ids, call one function, and own the retry policy."""

import logging

from celery import shared_task
from django.conf import settings

from courts import delivery, heartbeats
from courts.models import Court

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="courts.deliver", max_retries=None, typing=False)
def deliver(self, delivery_id: int, kind=None, court_id=None, payload=None) -> bool:
    """Courier for one Delivery row, on the receiving court's queue (the message carries a copy of the row's
    kind, court and payload; the row decides, see courts.delivery)."""
    try:
        handled = delivery.delivery_handle(delivery_id, kind, court_id, payload)
        logger.info(
            "delivery handled" if handled else "delivery already handled",
            extra={"delivery": delivery_id, "kind": kind, "court": court_id},
        )
        return handled
    except delivery.PERMANENT_ERRORS as error:
        # Retrying cannot help (the record is gone, nobody handles this kind): park it for a person.
        if delivery.delivery_give_up(delivery_id, error):
            logger.error(
                "delivery %s failed for good: %s", delivery_id, error, extra={"delivery": delivery_id}
            )
        return False
    except Exception as error:
        # Infrastructure trouble (database gone, lock timeout) or a handler bug: back off exponentially,
        # always below the broker's visibility timeout so Redis never hands the same message out twice.
        retry_in = min(2 ** min(self.request.retries, 12), settings.TASK_RETRY_BACKOFF_MAX)
        logger.warning(
            "delivery %s failed (%s); retrying in %ss",
            delivery_id,
            error,
            retry_in,
            extra={"delivery": delivery_id},
        )
        if delivery.delivery_record_failure(delivery_id, error, retry_in):
            raise self.retry(exc=error, countdown=retry_in) from error
        return False


@shared_task(name="courts.send_notification_emails")
def send_notification_emails() -> int:
    """Periodic (beat, zone queue): the email copies of new notices, in one batch."""
    from courts.notifications import notification_emails_send

    return notification_emails_send()


@shared_task(name="courts.sweep_deliveries")
def sweep_deliveries() -> int:
    return delivery.delivery_sweep()


@shared_task(name="courts.ping_court")
def ping_court(court_code: str) -> str:
    """Answers on a court's own queue: proves a worker consumes it (used by tests and `make demo`'s check)."""
    return Court.objects.get(code=court_code).queue_name


def court_queues() -> list[str]:
    """Every queue a zone-wide worker consumes: the zone's own and each active court's."""
    return ["zone", *Court.objects.filter(is_active=True).order_by("id").values_list("queue_name", flat=True)]


@shared_task(name="courts.send_heartbeats")
def send_heartbeats() -> int:
    """Periodic (beat, zone queue): proves the zone worker consumes its queue, and sends each active court's
    queue a heartbeat that only a worker consuming it can record (courts.heartbeats)."""
    heartbeats.record_seen(heartbeats.ZONE_QUEUE)
    queues = list(Court.objects.filter(is_active=True).values_list("queue_name", flat=True))
    for queue in queues:
        heartbeat.apply_async(args=[queue], queue=queue, expires=settings.HEARTBEAT_SECONDS * 2)
    return len(queues)


@shared_task(name="courts.heartbeat", ignore_result=True)
def heartbeat(queue: str) -> None:
    """On a court's queue: a worker consumed it now."""
    heartbeats.record_seen(queue)
