import time

import pytest
from django.test import override_settings
from kombu import Connection

from courts import heartbeats

pytestmark = pytest.mark.django_db

QUEUES = ["zone", "court.wujiang", "court.qingpu", "court.jiashan"]


@pytest.fixture
def no_heartbeats(broker):
    heartbeats.client().delete(*[f"{heartbeats.KEY}{queue}" for queue in QUEUES])


def test_healthz_reports_database_broker_and_each_courts_workers(client, courts, no_heartbeats):
    for queue in QUEUES:
        heartbeats.record_seen(queue)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    assert set(body["workers"]) == {"zone", "wujiang", "qingpu", "jiashan"}
    assert all(w["status"] == "ok" and 0 <= w["seen_seconds_ago"] < 5 for w in body["workers"].values())


@override_settings(WORKER_STALE_SECONDS=60)
def test_a_court_whose_worker_stopped_consuming_is_stale_and_the_web_stays_in_service(
    client, courts, no_heartbeats
):
    for queue in ["zone", "court.wujiang", "court.jiashan"]:
        heartbeats.record_seen(queue)
    # Qingpu's worker last consumed its queue two minutes ago.
    heartbeats.client().set(f"{heartbeats.KEY}court.qingpu", f"{time.time() - 120:.3f}")

    response = client.get("/healthz")
    assert response.status_code == 200  # the other courts go on; a load balancer keeps the web
    body = response.json()
    assert body["status"] == "degraded"
    assert body["workers"]["qingpu"]["status"] == "stale"
    assert 119 <= body["workers"]["qingpu"]["seen_seconds_ago"] <= 125
    assert body["workers"]["wujiang"]["status"] == "ok"


def test_a_queue_never_consumed_is_stale_with_no_time(client, courts, no_heartbeats):
    body = client.get("/healthz").json()
    assert body["workers"]["jiashan"] == {"status": "stale", "seen_seconds_ago": None}


def test_healthz_says_when_the_broker_is_down(client, monkeypatch, courts):
    from config.health import celery_app

    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "unavailable",
        "workers": {},
    }


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


@pytest.mark.worker
def test_beats_heartbeats_reach_every_courts_queue_through_a_real_worker(celery_worker, no_heartbeats):
    from courts.tasks import send_heartbeats

    send_heartbeats.apply_async(queue="zone")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        states = heartbeats.worker_states(QUEUES)
        if all(state["status"] == "ok" for state in states.values()):
            break
        time.sleep(0.05)
    assert all(state["status"] == "ok" for state in states.values()), states


def test_any_task_a_worker_runs_on_a_queue_counts_as_consuming_it_at_most_every_few_seconds(
    courts, no_heartbeats, monkeypatch
):
    monkeypatch.setattr(heartbeats, "_noted", {})
    calls = []
    real = heartbeats.record_seen
    monkeypatch.setattr(heartbeats, "record_seen", lambda queue: calls.append(queue) or real(queue))
    for _ in range(50):  # a busy worker behind a backlog
        heartbeats.note_consumed("court.qingpu")
    assert calls == ["court.qingpu"]  # one Redis call, not fifty
    assert heartbeats.worker_states(["court.qingpu"])["court.qingpu"]["status"] == "ok"
