"""Delivery of work between court queues, losing nothing (STYLE.md, "The timeline is ... the outbox").

1. A service that causes work for another court calls `delivery_send` inside its own transaction: the
   Delivery row commits with the change or not at all.
2. After commit, a `courts.deliver` task is published on the receiving court's queue. If the broker is down at
   that moment the row simply waits: `delivery_sweep` (periodic) re-publishes rows not delivered in time.
3. The task claims the row by compare-and-set (pending -> delivered) and runs the handler registered for its
   kind in the same transaction. A redelivered or duplicated message finds the row delivered and changes
   nothing; a worker killed mid-way rolls the whole transaction back, so the row is pending again.

Higher floors register their handlers at start-up (`register_handler` in their AppConfig.ready()), so this
module routes work by name without importing them.
"""

import datetime as dt
import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from courts.models import Court, Delivery
from courts.selectors import court_by_id

logger = logging.getLogger(__name__)

Handler = Callable[[Delivery], None]
_handlers: dict[str, Handler] = {}

# Publishing must not hang a clerk's request when the broker is down: try briefly, then leave it to the sweep.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def register_handler(kind: str, handler: Handler) -> None:
    if _handlers.get(kind, handler) is not handler:
        raise ValueError(f"a different handler is already registered for {kind!r}")
    _handlers[kind] = handler


def delivery_send(*, court: Court, kind: str, payload: dict) -> Delivery:
    """Address work to `court`. Call inside the transaction of the change that causes it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("delivery_send must run inside the transaction of the change it delivers")
    if kind not in _handlers:
        raise ValueError(f"no handler is registered for {kind!r}")
    delivery = Delivery.objects.create(court=court, kind=kind, payload=payload, enqueued_at=timezone.now())
    queue = court.queue_name
    transaction.on_commit(lambda: publish(delivery.pk, queue))
    return delivery


def publish(delivery_id: int, queue: str, countdown: float | None = None) -> bool:
    """Hand the row to the broker. Failure is logged, not raised: the row is safe and the sweep retries."""
    from courts.tasks import deliver

    try:
        deliver.apply_async(
            args=[delivery_id],
            queue=queue,
            countdown=countdown,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
        return True
    except Exception:
        logger.warning(
            "could not publish delivery %s to %s; the sweep will retry", delivery_id, queue, exc_info=True
        )
        return False


def _claim(delivery_id: int) -> Delivery | None:
    """Compare-and-set pending -> delivered, returning what the handler needs in the same statement (this is
    the hot path of every delivery; UPDATE ... RETURNING works on PostgreSQL and SQLite >= 3.35)."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, delivered_at = %s WHERE id = %s AND state = %s"
            " RETURNING kind, court_id, payload",
            [Delivery.State.DELIVERED, timezone.now(), delivery_id, Delivery.State.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    kind, court_id, payload = row
    delivery = Delivery(
        pk=delivery_id,
        kind=kind,
        court_id=court_id,
        state=Delivery.State.DELIVERED,
        payload=json.loads(payload) if isinstance(payload, str | bytes) else payload,
    )
    delivery.court = court_by_id(court_id)
    return delivery


def delivery_handle(delivery_id: int) -> bool:
    """Claim the row and run its handler, in one transaction. False if it was already delivered."""
    with transaction.atomic(durable=True):
        delivery = _claim(delivery_id)
        if delivery is None:
            return False
        _handlers[delivery.kind](delivery)
        if settings.DELIVERY_FAULT_DELAY_SECONDS:
            # Fault injection for the kill-mid-way test only: hold the transaction open so a SIGKILL lands
            # after the claim and before the commit.
            time.sleep(settings.DELIVERY_FAULT_DELAY_SECONDS)
    return True


# Errors that no retry can cure; anything else (a lost connection, a lock timeout) is worth another try.
PERMANENT_ERRORS = (ObjectDoesNotExist, KeyError, ValueError, TypeError)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def delivery_record_failure(delivery_id: int, error: BaseException, retry_in: float) -> bool:
    """Count a failed attempt and hold the sweep off until the task's own retry is due. After
    DELIVERY_MAX_ATTEMPTS the row is given up (False): a person must look at it."""
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        attempts=F("attempts") + 1,
        last_error=_error_text(error),
        enqueued_at=timezone.now() + dt.timedelta(seconds=retry_in),
    )
    exhausted = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, attempts__gte=settings.DELIVERY_MAX_ATTEMPTS
    ).update(state=Delivery.State.FAILED)
    return not exhausted


def delivery_give_up(delivery_id: int, error: BaseException) -> None:
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        state=Delivery.State.FAILED, attempts=F("attempts") + 1, last_error=_error_text(error)
    )


def delivery_sweep(*, limit: int = 1000) -> int:
    """Re-publish pending rows whose last publication is older than DELIVERY_SWEEP_AFTER_SECONDS."""
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.DELIVERY_SWEEP_AFTER_SECONDS)
    stale = (
        Delivery.objects.filter(state=Delivery.State.PENDING)
        .filter(Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True))
        .select_related("court")
        .order_by("enqueued_at")[:limit]
    )
    republished = 0
    for delivery in stale:
        # Compare-and-set on the old timestamp: two sweeps running at once publish each row once.
        taken = Delivery.objects.filter(
            pk=delivery.pk, state=Delivery.State.PENDING, enqueued_at=delivery.enqueued_at
        ).update(enqueued_at=now)
        if taken and publish(delivery.pk, delivery.court.queue_name):
            republished += 1
    if republished:
        logger.info("sweep re-published %d deliveries", republished)
    return republished
