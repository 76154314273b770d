"""The timeline is append-only: through the ORM, the admin and (on PostgreSQL) the database itself."""

import pytest
from django.db import connection, transaction

from courts.models import AppendOnlyError, Court, Event
from courts.timeline import record_event, timeline_of
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(wujiang_clerk):
    court = Court.objects.get(code="qingpu")
    with transaction.atomic():
        return record_event(
            subject=court,
            action="court.example",
            actor=wujiang_clerk,
            from_state="a",
            to_state="b",
            reason="why",
            payload={"n": 1},
        )


def test_an_event_records_who_what_from_to_why_and_when(event, wujiang_clerk):
    assert event.actor == wujiang_clerk
    assert event.actor_court.code == "wujiang"
    assert (event.subject_type, event.from_state, event.to_state, event.reason) == (
        "courts.court",
        "a",
        "b",
        "why",
    )
    assert event.payload == {"n": 1}
    assert event.created_at is not None
    assert list(timeline_of(Court.objects.get(code="qingpu"))) == [event]


def test_an_event_is_never_updated(event):
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(reason="rewritten")


def test_an_event_is_never_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_outside_a_transaction_is_refused(transactional_db, wujiang_clerk):
    with pytest.raises(RuntimeError):
        record_event(subject=wujiang_clerk.court, action="x")


@requires_postgres()
def test_the_database_refuses_raw_updates_and_deletes(event):
    from django.db import DatabaseError

    for statement in (
        "UPDATE courts_event SET reason = 'x' WHERE id = %s",
        "DELETE FROM courts_event WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])


def test_the_admin_offers_no_change_or_delete(client, superuser, event):
    client.force_login(superuser)
    assert client.get("/admin/courts/event/").status_code == 200
    assert client.get(f"/admin/courts/event/{event.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"/admin/courts/event/{event.pk}/change/", {"reason": "x"}).status_code == 403
    assert client.post(f"/admin/courts/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/courts/event/add/").status_code == 403
    event.refresh_from_db()
    assert event.reason == "why"


def test_a_page_reads_its_record_again_when_it_moved_while_the_timeline_was_read(courts, wujiang_clerk):
    """The record read first, a delivery committing before the timeline is read: the picture is read again,
    so the header and the timeline agree (issue 14, item 5)."""
    from cases.models import Filing
    from courts.timeline import record_and_timeline
    from tests.cases.conftest import deliver_pending, submit

    filing, _code = submit(wujiang_clerk, courts)
    reads = []

    def load():
        reads.append(1)
        record = Filing.objects.get(pk=filing.pk)
        if len(reads) == 1:
            deliver_pending()  # received at Qingpu between reading the record and reading its timeline
        return record

    record, events = record_and_timeline(load)
    assert len(reads) == 2
    assert record.state == "received" and events[-1].to_state == "received"
