"""The claim decides: it is the delivery's last statement, and a handler whose claim fails is rolled back."""

import pytest
from django.db import transaction

from courts import delivery as outbox
from courts.models import Court, Delivery, Event
from courts.timeline import record_event

pytestmark = pytest.mark.django_db

KIND = "test.note"


def note(delivery: Delivery) -> None:
    """A handler that appends to the timeline, once in its own transaction and once in a savepoint that a
    payload may ask to roll back."""
    record_event(subject=delivery.court, action="test.noted", payload=delivery.payload)
    if delivery.payload.get("savepoint"):
        try:
            with transaction.atomic():
                record_event(subject=delivery.court, action="test.in_savepoint")
                raise LookupError("rolled back with its savepoint")
        except LookupError:
            pass


outbox.register_handler(KIND, note)


def send(payload=None) -> Delivery:
    with transaction.atomic():
        return outbox.delivery_send(
            court=Court.objects.get(code="qingpu"), kind=KIND, payload=payload or {"n": 1}
        )


def message(delivery: Delivery, **changes) -> tuple:
    copy = {"kind": delivery.kind, "court_id": delivery.court_id, "payload": delivery.payload, **changes}
    return delivery.pk, copy["kind"], copy["court_id"], copy["payload"]


def noted() -> int:
    return Event.objects.filter(action="test.noted").count()


def test_the_handler_runs_and_the_row_is_claimed_once(courts, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    delivery = send()

    assert outbox.delivery_handle(*message(delivery)) is True
    assert outbox.delivery_handle(*message(delivery)) is False

    assert noted() == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.delivered_at is not None


def test_a_message_that_does_not_match_its_row_changes_nothing(courts, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    delivery = send()
    jiashan = Court.objects.get(code="jiashan")

    assert outbox.delivery_handle(*message(delivery, court_id=jiashan.pk)) is False

    assert noted() == 0
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING


def test_an_append_in_a_rolled_back_savepoint_is_not_sent_with_the_claim(courts, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    delivery = send({"savepoint": True})

    assert outbox.delivery_handle(*message(delivery)) is True

    assert noted() == 1
    assert not Event.objects.filter(action="test.in_savepoint").exists()


def test_a_failure_after_the_row_was_delivered_is_not_retried(courts, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    delivery = send()
    assert outbox.delivery_handle(*message(delivery)) is True

    # A duplicate whose handler failed: the row is delivered, so there is nothing to retry or give up.
    assert outbox.delivery_record_failure(delivery.pk, OSError("lost connection"), retry_in=2) is False
    assert outbox.delivery_give_up(delivery.pk, KeyError("gone")) is False
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (Delivery.State.DELIVERED, 0, "")
