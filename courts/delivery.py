"""Delivery of work between court queues, losing nothing (STYLE.md, "The timeline is ... the outbox").

1. A service that causes work for another court calls `delivery_send` inside its own transaction: the
   Delivery row commits with the change or not at all.
2. After commit, a `courts.deliver` task is published on the receiving court's queue, carrying a copy of the
   row's kind, court id and payload (ids, like every task argument). If the broker is down at that moment
   the row simply waits: `delivery_sweep` (periodic) re-publishes rows not delivered in time.
3. The task runs the handler registered for the kind and claims the row by compare-and-set (pending ->
   delivered), in one transaction: the claim decides. A redelivered or duplicated message finds the row
   delivered, and everything its handler did is rolled back; a worker killed mid-way rolls the whole
   transaction back, so the row is pending again.

The claim is the transaction's last statement, sent in one round trip with the timeline events and notices
the handler appended (courts.rows.batched_appends): a delivery costs BEGIN, the handler's own reads and
locks, that one round trip, and COMMIT. Claiming first would cost a round trip of its own on every
delivery (and without the message's copy, reading the row another); a duplicate, which is rare, costs a
rolled-back handler instead.

A handler may so run for a duplicate and be rolled back: it must change nothing but the database (emails go
out in a periodic batch, courts.notifications, never from a handler).

Higher floors register their handlers at start-up (`register_handler` in their AppConfig.ready()), so this
module routes work by name without importing them.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from courts import request_ids
from courts.models import Court, Delivery
from courts.rows import batched_appends
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
    delivery = Delivery.objects.create(
        court=court,
        kind=kind,
        payload=payload,
        enqueued_at=timezone.now(),
        request_id=request_ids.current(),
    )
    transaction.on_commit(lambda: publish(delivery))
    return delivery


def publish(delivery: Delivery, countdown: float | None = None) -> bool:
    """Hand the row to the broker. Failure is logged, not raised: the row is safe and the sweep retries."""
    from courts.tasks import deliver

    try:
        deliver.apply_async(
            args=[delivery.pk],
            kwargs={"kind": delivery.kind, "court_id": delivery.court_id, "payload": delivery.payload},
            queue=delivery.court.queue_name,
            countdown=countdown,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
            # The row's own request id, also when the sweep re-publishes it from no request at all.
            headers={"request_id": delivery.request_id} if delivery.request_id else None,
        )
        return True
    except Exception:
        logger.warning(
            "could not publish delivery %s to %s; the sweep will retry",
            delivery.pk,
            delivery.court.queue_name,
            exc_info=True,
        )
        return False


def _claim_statement(delivery: Delivery) -> tuple[str, list]:
    """pending -> delivered, if the row is still pending and is the one the message describes (its kind and
    court; the payload, JSON, is not compared: nothing changes a row's payload after delivery_send)."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    delivered_at = Delivery._meta.get_field("delivered_at").get_db_prep_save(timezone.now(), connection)
    return (
        f"UPDATE {table} SET state = %s, delivered_at = %s"
        " WHERE id = %s AND state = %s AND kind = %s AND court_id = %s",
        [
            Delivery.State.DELIVERED,
            delivered_at,
            delivery.pk,
            Delivery.State.PENDING,
            delivery.kind,
            delivery.court_id,
        ],
    )


def _as_sent(
    delivery_id: int, kind: str | None, court_id: int | None, payload: dict | None
) -> Delivery | None:
    """The row as the message describes it (the claim at the end checks the row itself). A message without
    the copy, published by an older version, reads the row: None if it is no longer pending."""
    if kind is None or court_id is None or payload is None:
        row = Delivery.objects.filter(pk=delivery_id).values("state", "kind", "court_id", "payload").first()
        if row is None:
            raise Delivery.DoesNotExist(f"delivery {delivery_id} does not exist")
        if row["state"] != Delivery.State.PENDING:
            return None
        kind, court_id, payload = row["kind"], row["court_id"], row["payload"]
    delivery = Delivery(
        pk=delivery_id, kind=kind, court_id=court_id, payload=payload, state=Delivery.State.PENDING
    )
    delivery.court = court_by_id(court_id)
    return delivery


def delivery_handle(
    delivery_id: int, kind: str | None = None, court_id: int | None = None, payload: dict | None = None
) -> bool:
    """Run the handler and claim the row, in one transaction. False if it was already delivered (or given
    up), in which case whatever the handler did is rolled back."""
    with transaction.atomic(durable=True):
        delivery = _as_sent(delivery_id, kind, court_id, payload)
        if delivery is None:
            return False
        with batched_appends() as appends:
            _handlers[delivery.kind](delivery)
            claimed = appends.send(_claim_statement(delivery)) == 1
        if not claimed:
            transaction.set_rollback(True)
            return False
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
    """Count a failed attempt and hold the sweep off until the task's own retry is due. False if there is
    nothing to retry: the row was delivered or given up meanwhile (a duplicate's handler failed), or this was
    attempt DELIVERY_MAX_ATTEMPTS and the row is given up now, for a person to look at."""
    counted = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        attempts=F("attempts") + 1,
        last_error=_error_text(error),
        enqueued_at=timezone.now() + dt.timedelta(seconds=retry_in),
    )
    if not counted:
        return False
    exhausted = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, attempts__gte=settings.DELIVERY_MAX_ATTEMPTS
    ).update(state=Delivery.State.FAILED)
    return not exhausted


def delivery_give_up(delivery_id: int, error: BaseException) -> bool:
    """Park a pending row as failed. False if it was not pending (a duplicate's handler failed)."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
            state=Delivery.State.FAILED, attempts=F("attempts") + 1, last_error=_error_text(error)
        )
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
        if taken and publish(delivery):
            republished += 1
    if republished:
        logger.info("sweep re-published %d deliveries", republished)
    return republished
