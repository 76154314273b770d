"""courts.rows.copy_rows writes what bulk_create would, column by column (COPY on PostgreSQL, bulk_create on
SQLite: the suite runs on both)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from courts.legal_calendar import COURT_TZ
from courts.models import Court, Delivery, Event
from courts.rows import copy_rows

pytestmark = pytest.mark.django_db


def columns_of(record, *, leave_out=("id",)) -> dict:
    return {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname not in leave_out
    }


def test_it_writes_what_bulk_create_writes_with_the_ids_in_order(courts, wujiang_clerk):
    court = Court.objects.get(code="jiashan")
    when = dt.datetime(2019, 3, 4, tzinfo=COURT_TZ)
    given = [
        {
            "subject_type": "courts.court",
            "subject_id": court.pk,
            "action": f"test.copy.{n}",
            "to_state": "closed",
            "actor_court_id": court.pk,
            "reason": "含\t制表符\n和换行 \\ 反斜杠" if n == 1 else "",
            "payload": {"n": n, "text": "第二", "none": None, "list": [1, "二"]},
            "created_at": when,
        }
        for n in range(3)
    ]
    with transaction.atomic():
        ids = copy_rows(Event, given, with_ids=True)
        twins = Event.objects.bulk_create(Event(**{**row, "action": row["action"] + ".orm"}) for row in given)
    assert len(ids) == 3 and ids == sorted(ids)
    for pk, twin in zip(ids, twins, strict=True):
        copied, written = Event.objects.get(pk=pk), Event.objects.get(pk=twin.pk)
        assert copied.action + ".orm" == written.action
        assert columns_of(copied, leave_out=("id", "action")) == columns_of(
            written, leave_out=("id", "action")
        )
    assert Event.objects.get(pk=ids[1]).reason == "含\t制表符\n和换行 \\ 反斜杠"


def test_fields_left_out_get_what_a_new_instance_has(courts):
    before = timezone.now()
    with transaction.atomic():
        copy_rows(Delivery, [{"kind": "test.copy", "court_id": Court.objects.get(code="qingpu").pk}])
    delivery = Delivery.objects.get(kind="test.copy")
    fresh = Delivery()
    assert (delivery.state, delivery.payload, delivery.attempts, delivery.request_id) == (
        fresh.state,
        fresh.payload,
        fresh.attempts,
        "",
    )
    assert delivery.created_at >= before and delivery.enqueued_at is None


def test_without_ids_it_gives_none_back_and_with_no_rows_it_writes_nothing(courts):
    court = Court.objects.get(code="wujiang")
    with transaction.atomic():
        assert (
            copy_rows(
                Event, [{"subject_type": "x", "subject_id": 1, "action": "a", "actor_court_id": court.pk}]
            )
            == []
        )
        assert copy_rows(Event, [], with_ids=True) == []
    assert Event.objects.filter(subject_type="x").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_inside_the_transaction_the_rows_belong_to(courts):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        copy_rows(Event, [{"subject_type": "x", "subject_id": 1, "action": "a"}])
