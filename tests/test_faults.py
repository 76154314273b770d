"""Faults at scale, with real worker processes on PostgreSQL and Redis (issue 11, item 4).

A thousand cross-court deliveries, filings and service requests mixed, go through `celery worker`
subprocesses while the workers are killed with SIGKILL five times at random moments (a pool child, or the
whole worker, which is then started again), their PostgreSQL sessions are cut once (`pg_terminate_backend`),
and Redis is restarted once. The Redis is the test's own, on a spare port and without persistence, so the
machine's is untouched and the restart loses every queued message, as a broker crash does. The outbox's
promise (courts/delivery.py) is that nothing is lost and nothing happens twice: at the end every row is
delivered, each filing has one receipt event, each request one, each registration one case number. The
sweep, run as the beat runs it, delivers the backlog the restart left within a minute.
"""

import contextlib
import os
import random
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Count

from cases.models import Case, Filing, ServiceRequest
from cases.services.filings import filing_register
from cases.services.service_requests import DocumentInput, service_request_create
from config.celery import app as celery_app
from courts import delivery as outbox
from courts.models import Delivery, Event
from tests.cases.conftest import deliver_pending, make_case, submit
from tests.cases.test_delivery_worker import QINGPU_QUEUE, WorkerProcess, wait_for
from tests.conftest import requires_postgres
from tests.report import write_counts

pytestmark = [pytest.mark.worker, requires_postgres(), pytest.mark.django_db(transaction=True)]

FILINGS, REQUESTS, REGISTRATIONS = 600, 200, 200  # 1,000 deliveries: 600 + 200 there, 200 decisions back
KILLS = 5
QUEUES = (QINGPU_QUEUE, "court.jiashan", "court.wujiang")
SEED = 20261201


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, without persistence: a restart empties it, as a crash would."""

    def __init__(self, log_dir: Path):
        self.port = spare_port()
        self.log = log_dir / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([*command, "--appendonly", "no"], stdout=out, stderr=out)
        assert wait_for(self.answers, timeout=10), self.log.read_text()

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def app_publishing_to(url: str):
    """The app's producers on `url` for the test, and back on the session's broker after it. Kombu keeps a
    pool per broker: the session's is left open for the tests after this one, this one's closed at the end."""
    conf = celery_app.conf
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (and the workers started
    # here inherit the environment), so both change.
    previous = (os.environ.get("CELERY_BROKER_URL"), conf.broker_url, conf.broker_write_url)
    previous += (conf.broker_read_url,)

    def switch(environment: str | None, *urls: str) -> None:
        if environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = environment
        conf.broker_url, conf.broker_write_url, conf.broker_read_url = urls
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url, url, url, url)
    try:
        assert celery_app.conf.broker_url == url
        yield
    finally:
        celery_app.pool.force_close_all()
        switch(*previous)


class Faults:
    """The workers, and the faults done to them and to the broker from a thread of their own."""

    def __init__(self, log_dir: Path, redis: OwnRedis, spare_session: int):
        self.spare_session = spare_session  # the test's own PostgreSQL session, which is not cut
        self.log_dir = log_dir
        self.redis = redis
        self.workers = [self._worker()]
        self.done: list[str] = []
        self.stop = threading.Event()
        self.random = random.Random(SEED)

    def _worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.log_dir, queues=QUEUES, concurrency=2)
        worker.wait_ready(timeout=30)
        return worker

    @property
    def current(self) -> WorkerProcess:
        return self.workers[-1]

    def run(self) -> None:
        """Five kills at random moments, with the Redis restart after the second and the sessions cut after
        the fourth."""
        for number in range(1, KILLS + 1):
            if self.stop.wait(self.random.uniform(1.5, 4.0)):
                return
            if number % 2:
                pid = self.current.kill_pool_child()
                self.done.append(f"SIGKILL pool child {pid}")
            else:
                self.current.kill_outright()
                self.done.append(f"SIGKILL worker {self.current.main.pid} and its pool")
                self.workers.append(self._worker())
            if number == 2:
                self.redis.stop()
                time.sleep(1)
                self.redis.start()
                self.done.append("Redis restarted (its queues lost)")
            if number == 4:
                cut = cut_worker_sessions(self.spare_session)
                self.done.append(f"{cut} worker sessions cut (pg_terminate_backend)")

    def close(self) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.stop()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cut_worker_sessions(spare: int) -> int:
    """End the workers' sessions on the test database: every one but this thread's and the test's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
            [spare],
        )
        count = cursor.fetchone()[0]
    connection.close()  # a thread's connection is its own; close it before the thread ends
    return count


def sweep_until_delivered(timeout: float) -> float:
    """Run the sweep every second, as the beat would, until no row is pending; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not Delivery.objects.filter(state=Delivery.State.PENDING).exists():
            return time.monotonic() - started
        with contextlib.suppress(Exception):  # the broker may still be coming back: the next round retries
            outbox.delivery_sweep()
        time.sleep(1)
    pending = Delivery.objects.filter(state=Delivery.State.PENDING).count()
    raise AssertionError(f"{pending} deliveries still pending after {timeout:.0f} s of sweeping")


def test_a_thousand_deliveries_survive_killed_workers_a_redis_restart_and_cut_sessions(
    courts, wujiang_clerk, qingpu_clerk, tmp_path, settings
):
    settings.DELIVERY_SWEEP_AFTER_SECONDS = 5
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        with app_publishing_to(redis.url):
            faults = Faults(tmp_path, redis, spare_session=backend_pid())
            saboteur = threading.Thread(target=faults.run, name="faults")
            try:
                saboteur.start()
                case = make_case("qingpu", sequence=9001)  # apart from what registering allocates
                defendant = case.parties.get(role="defendant")
                for number in range(FILINGS):
                    submit(wujiang_clerk, courts)
                    if number % 3 == 0 and number // 3 < REQUESTS:
                        service_request_create(
                            actor=qingpu_clerk,
                            case=case,
                            entrusted_court=courts["jiashan"],
                            recipient=defendant,
                            address="浙江省嘉善县西塘镇",
                            documents=[DocumentInput("起诉状副本")],
                            method="direct",
                        )
                registered, deadline = 0, time.monotonic() + 180
                while registered < REGISTRATIONS:
                    received = Filing.objects.filter(state="received").order_by("pk").first()
                    if received is None:
                        assert time.monotonic() < deadline, f"only {registered} filings arrived to register"
                        with contextlib.suppress(Exception):
                            outbox.delivery_sweep()  # as the beat would, every few seconds
                        time.sleep(1)
                        continue
                    filing_register(filing_id=received.pk, actor=qingpu_clerk, tribunal=None)
                    registered += 1
                saboteur.join(timeout=60)
            finally:
                faults.close()
                saboteur.join(timeout=10)

            # The backlog the restart left behind, delivered by the sweep with a fresh worker.
            backlog = Delivery.objects.filter(state=Delivery.State.PENDING).count()
            last = WorkerProcess(tmp_path, queues=QUEUES, concurrency=2)
            try:
                last.wait_ready(timeout=30)
                seconds = sweep_until_delivered(timeout=60)
            finally:
                last.stop()
    finally:
        redis.stop()

    assert len(faults.done) >= KILLS + 2, faults.done  # five kills, the restart, the cut sessions
    deliveries = Delivery.objects.count()
    by_state = Counter(Delivery.objects.values_list("state", flat=True))
    events = Event.objects.filter(action__endswith=".receive")
    receipts = Counter(events.filter(subject_type="cases.filing").values_list("subject_id", flat=True))
    request_receipts = Counter(
        events.filter(subject_type="cases.servicerequest").values_list("subject_id", flat=True)
    )
    numbers = Case.objects.filter(origin_filing__isnull=False).values("origin_filing").annotate(n=Count("id"))
    figures = {
        "deliveries": deliveries,
        "delivered": by_state[Delivery.State.DELIVERED],
        "lost": deliveries - by_state[Delivery.State.DELIVERED],
        "duplicated": sum(n - 1 for n in receipts.values() if n > 1)
        + sum(n - 1 for n in request_receipts.values() if n > 1)
        + sum(row["n"] - 1 for row in numbers if row["n"] > 1),
        "faults": len(faults.done),
        "pending when the faults ended": backlog,
        "sweep seconds": round(seconds, 1),
    }
    write_counts("faults", figures)
    print("\nfaults:", *faults.done, sep="\n  ")
    print("figures:", figures)

    assert deliveries == FILINGS + REQUESTS + REGISTRATIONS, deliveries
    assert by_state == {Delivery.State.DELIVERED: deliveries}, by_state
    assert Filing.objects.filter(state="submitted").count() == 0
    assert len(receipts) == FILINGS and set(receipts.values()) == {1}, "one receipt event per filing"
    assert ServiceRequest.objects.exclude(state="received").count() == 0
    assert len(request_receipts) == REQUESTS and set(request_receipts.values()) == {1}
    assert len(numbers) == REGISTRATIONS and {row["n"] for row in numbers} == {1}, "one case per filing"
    sequences = sorted(Case.objects.exclude(pk=case.pk).values_list("sequence", flat=True))
    assert sequences == list(range(1, REGISTRATIONS + 1)), "case numbers never repeated, never skipped"
    assert seconds < 60


def test_a_transaction_that_rolls_back_sends_nothing(courts, wujiang_clerk, tmp_path):
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        with app_publishing_to(redis.url):
            with contextlib.suppress(RuntimeError), transaction.atomic():
                submit(wujiang_clerk, courts)
                assert Delivery.objects.count() == 1
                raise RuntimeError("the clerk's request fails after the filing was written")
            assert Delivery.objects.count() == 0 and Filing.objects.count() == 0
            with celery_app.connection_for_write() as conn:
                assert conn.default_channel.client.llen(QINGPU_QUEUE) == 0, "a message went out"
            submit(wujiang_clerk, courts)  # the same, committed: one message
            with celery_app.connection_for_write() as conn:
                assert conn.default_channel.client.llen(QINGPU_QUEUE) == 1
    finally:
        redis.stop()
    assert deliver_pending() == 1  # the committed one, handled here once the test's Redis is gone
