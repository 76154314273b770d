"""courts.rows writes and reads what the ORM would, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from courts.models import Court, Delivery, Event, Notification
from courts.rows import batched_appends, insert_rows, lock_row, update_row, update_row_returning

pytestmark = pytest.mark.django_db


def fields_of(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


@pytest.fixture
def delivery(courts):
    return Delivery.objects.create(
        court=Court.objects.get(code="qingpu"),
        kind="test.kind",
        payload={"filing": 7, "note": "中文", "items": [1, 2]},
        enqueued_at=timezone.now(),
    )


def test_lock_row_reads_what_the_orm_reads(delivery):
    with transaction.atomic():
        locked = lock_row(Delivery, delivery.pk)
    assert fields_of(locked) == fields_of(Delivery.objects.get(pk=delivery.pk))
    assert locked.payload == {"filing": 7, "note": "中文", "items": [1, 2]}
    assert not locked._state.adding


def test_lock_row_of_a_missing_row_raises_does_not_exist(courts):
    with transaction.atomic(), pytest.raises(Delivery.DoesNotExist):
        lock_row(Delivery, 987654)


def test_update_row_is_a_compare_and_set(delivery):
    delivery.attempts, delivery.last_error = 3, "boom"
    assert update_row(delivery, ("attempts", "last_error"), guard="state", expected="delivered") is False
    assert Delivery.objects.get(pk=delivery.pk).attempts == 0
    assert update_row(delivery, ("attempts", "last_error"), guard="state", expected="pending") is True
    assert Delivery.objects.values_list("attempts", "last_error").get(pk=delivery.pk) == (3, "boom")


def test_update_row_returning_gives_the_updated_row_or_none(delivery):
    when = timezone.now() + dt.timedelta(minutes=1)
    changes = {"state": "delivered", "delivered_at": when}
    with transaction.atomic():
        updated = update_row_returning(Delivery, delivery.pk, changes, guard="state", expected="pending")
        again = update_row_returning(Delivery, delivery.pk, changes, guard="state", expected="pending")
    assert (updated.state, updated.delivered_at, updated.payload) == ("delivered", when, delivery.payload)
    assert fields_of(updated) == fields_of(Delivery.objects.get(pk=delivery.pk))
    assert again is None


def test_insert_rows_gives_ids_in_order_and_writes_what_the_orm_would(wujiang_clerk, courts):
    court = Court.objects.get(code="wujiang")
    events = [
        Event(subject_type="courts.court", subject_id=court.pk, action=f"test.{n}", actor=wujiang_clerk)
        for n in range(3)
    ]
    events[1].payload = {"n": 1, "text": "第二"}
    insert_rows(events)
    assert all(event.pk for event in events)
    for event in events:
        assert fields_of(Event.objects.get(pk=event.pk)) == fields_of(event)
        assert not event._state.adding


def test_insert_rows_can_ignore_a_duplicate(delivery, qingpu_clerk):
    def notice():
        return Notification(recipient=qingpu_clerk, court=delivery.court, title="t", delivery=delivery)

    insert_rows([notice()], ignore_conflicts=True)
    insert_rows([notice()], ignore_conflicts=True)
    assert Notification.objects.filter(delivery=delivery).count() == 1


def test_a_batch_holds_appends_back_and_sends_them_with_its_last_statement(delivery, wujiang_clerk):
    event = Event(subject_type="courts.delivery", subject_id=delivery.pk, action="test.batched")
    claim = (
        "UPDATE courts_delivery SET state = %s WHERE id = %s AND state = %s",
        ["delivered", delivery.pk, "pending"],
    )
    with transaction.atomic(), batched_appends() as batch:
        insert_rows([event])
        assert not Event.objects.filter(action="test.batched").exists()  # held back
        assert batch.send(claim) == 1
        assert Event.objects.filter(action="test.batched").count() == 1
        insert_rows([Event(subject_type="courts.delivery", subject_id=delivery.pk, action="test.second")])
        assert batch.send(claim) == 0  # the claim's own row count, not the append's that follows it
        assert Event.objects.filter(action="test.second").count() == 1
    assert Event.objects.filter(action="test.batched").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_is_refused(courts):
    with pytest.raises(RuntimeError), batched_appends():
        pass


def test_appends_still_held_when_a_batch_ends_are_written_and_discarded_on_error(delivery):
    with transaction.atomic(), batched_appends():
        insert_rows([Event(subject_type="courts.delivery", subject_id=delivery.pk, action="test.left")])
    assert Event.objects.filter(action="test.left").count() == 1

    with pytest.raises(RuntimeError), transaction.atomic(), batched_appends():
        insert_rows([Event(subject_type="courts.delivery", subject_id=delivery.pk, action="test.lost")])
        raise RuntimeError("the handler failed")
    assert not Event.objects.filter(action="test.lost").exists()
