"""/metrics (issue 12): requests and tasks as counted, the courts' backlog as read at the scrape, for the
operators' addresses or token only; and the counts of several processes add up (multiprocess mode)."""

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from courts import delivery as outbox
from courts import heartbeats
from courts.models import Delivery

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"


def scrape(client, **extra) -> dict[tuple, float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def test_requests_are_counted_by_view_method_and_status(client):
    before = value(scrape(client), "tracker_http_requests_total", view="status", method="GET", status="200")
    client.get("/status/")
    client.get("/status/")
    client.get("/no-such-page/")
    samples = scrape(client)
    assert (
        value(samples, "tracker_http_requests_total", view="status", method="GET", status="200")
        == (before or 0) + 2
    )
    assert value(samples, "tracker_http_requests_total", view="<unmatched>", method="GET", status="404") >= 1
    assert value(samples, "tracker_http_request_duration_seconds_count", view="status") >= 2


def test_the_backlog_of_each_court_is_read_at_the_scrape(courts, monkeypatch, received):
    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: False)  # no worker takes it
    from tests.test_request_ids import KIND

    with transaction.atomic():
        waiting = outbox.delivery_send(court=courts["jiashan"], kind=KIND, payload={})
        given_up = outbox.delivery_send(court=courts["jiashan"], kind=KIND, payload={})
    Delivery.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(minutes=7))
    Delivery.objects.filter(pk=given_up.pk).update(state=Delivery.State.FAILED)
    received.__class__.objects.filter(pk=received.pk).update(
        decision_due_at=timezone.now() - dt.timedelta(hours=1)
    )

    samples = scrape(client=_client())
    assert value(samples, "tracker_deliveries_pending", court="jiashan") == 1
    assert value(samples, "tracker_deliveries_pending", court="qingpu") == 0  # every court, zero included
    assert value(samples, "tracker_deliveries_failed", court="jiashan") == 1
    assert 7 * 60 <= value(samples, "tracker_delivery_oldest_pending_age_seconds", court="jiashan") < 8 * 60
    assert value(samples, "tracker_filings_overdue", court="qingpu") == 1
    assert value(samples, "tracker_filings_overdue", court="wujiang") == 0
    assert value(samples, "tracker_requests_overdue", court="jiashan", kind="service") == 0


def test_how_long_ago_each_queue_was_consumed(courts):
    heartbeats.record_seen("court.qingpu")
    samples = scrape(_client())
    assert 0 <= value(samples, "tracker_queue_last_consumed_seconds", queue="court.qingpu") < 60


@pytest.mark.parametrize(
    "address, headers, allowed",
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("10.8.0.7", {}, False),
        ("203.0.113.9", {}, False),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, False),  # through a proxy on this machine
        ("203.0.113.9", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, True),
        ("203.0.113.9", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN[:-1]}"}, False),
        ("203.0.113.9", {"HTTP_AUTHORIZATION": f"Token {TOKEN}"}, False),
    ],
)
@override_settings(METRICS_TOKEN=TOKEN)
def test_only_the_operators_addresses_or_token_reach_the_metrics(client, courts, address, headers, allowed):
    response = client.get("/metrics", REMOTE_ADDR=address, **headers)
    assert response.status_code == (200 if allowed else 404)
    if not allowed:
        assert b"tracker_" not in response.content  # the same not-found as any unknown path


def test_with_no_token_set_an_empty_bearer_does_not_open_it(client, courts):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_the_counts_of_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """As under gunicorn's workers or Celery's pool: each process counts into the shared directory, and a
    scrape by any one of them sees the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    count = textwrap.dedent(
        """
        import django; django.setup()
        from courts import metrics
        for _ in range(3):
            metrics.count_request(view="status", method="GET", status=200, seconds=0.01)
        metrics.TASKS.labels(task="courts.deliver", queue="court.qingpu", outcome="success").inc()
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    read = textwrap.dedent(
        """
        import django; django.setup()
        from prometheus_client import generate_latest
        from courts.metrics import _registry
        from courts.metrics import _Figures
        registry = _registry()
        registry.unregister(next(c for c in registry._collector_to_names if isinstance(c, _Figures)))
        print(generate_latest(registry).decode())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", read], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(out)
        for s in family.samples
    }
    assert value(samples, "tracker_http_requests_total", view="status", method="GET", status="200") == 6
    assert (
        value(samples, "tracker_tasks_total", task="courts.deliver", queue="court.qingpu", outcome="success")
        == 2
    )


def _client():
    from django.test import Client

    return Client()
