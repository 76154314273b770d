"""Reads that may lag go through the replica alias (courts.replica), proven with a second alias pointing at
the same database: the zone's figures are read there, and writes never are (issue 12, item 8)."""

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from courts import delivery as outbox
from courts.metrics import _Figures
from courts.models import Court, Delivery
from courts.replica import REPLICA, replica_alias, replica_reads
from tests.test_request_ids import KIND

# A "replica" alias on the test database itself, as a streaming replica would be: a connection of its own, to
# data the primary committed. Declared at collection, so the test database setup makes it a mirror of the
# default; only these tests (the fixture) make it the alias to read from, so nothing else routes to it.
connections.settings[REPLICA] = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
on_both = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def replica(settings, courts):
    settings.READ_REPLICA_ALIAS = REPLICA
    yield connections[REPLICA]
    connections[REPLICA].close()


def test_without_a_replica_the_block_reads_the_primary(db):
    with replica_reads():
        assert replica_alias() == "default"
        assert Court.objects.all().db == "default"


@on_both
def test_reads_in_the_block_go_to_the_replica_and_writes_never_do(replica, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    qingpu = Court.objects.get(code="qingpu")
    with replica_reads():
        assert Court.objects.all().db == REPLICA
        assert router.db_for_write(Delivery) == "default"
        with CaptureQueriesContext(connections[REPLICA]) as on_replica, transaction.atomic():
            delivery = outbox.delivery_send(court=qingpu, kind=KIND, payload={})  # a write: the primary
        assert not [q for q in on_replica.captured_queries if "INSERT" in q["sql"]]
    assert Court.objects.all().db == "default"  # and after the block, the primary again
    assert Delivery.objects.using("default").filter(pk=delivery.pk).exists()


@on_both
def test_the_zone_figures_are_read_from_the_replica(replica, monkeypatch):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)
    with transaction.atomic():
        outbox.delivery_send(court=Court.objects.get(code="jiashan"), kind=KIND, payload={})

    primary = connections["default"]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        figures = {metric.name: metric for metric in _Figures().collect()}

    assert on_replica.captured_queries, "no figure was read from the replica"
    assert not [q for q in on_primary.captured_queries if "courts_delivery" in q["sql"]]
    pending = {s.labels["court"]: s.value for s in figures["tracker_deliveries_pending"].samples}
    assert pending["jiashan"] == 1  # read through the replica alias, from the same (committed) data
