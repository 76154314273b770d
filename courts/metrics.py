"""Prometheus metrics at /metrics (issue 12), for the zone's operators, never the public.

Two kinds of figure:
- **Counted as it happens**, in whichever process does the work: requests by view, method and status (the
  request middleware, courts.request_ids), and tasks by task, queue and outcome with their run time (Celery's
  signals, below). Under gunicorn or Celery's prefork pool each process counts for itself; with
  PROMETHEUS_MULTIPROC_DIR set (deploy/, `make prod-local`) every process writes its counts to files there
  and a scrape adds them up (prometheus-client's multiprocess mode), so no worker's counts are missed.
- **Read from the database at scrape time**, the same whoever serves the scrape: deliveries pending and
  failed per court, the oldest pending delivery's age, overdue work per court, how long ago each queue was
  consumed. Each flow adds its own (`register_figures`; cases adds its overdue filings and requests), so
  this floor needs to know no case.

Reached only from METRICS_ALLOWED_ADDRESSES (loopback by default; none behind a proxy, where every client
would seem to come from the proxy) or with `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets the
same 404 as an unknown path.
"""

import functools
import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterable

from celery import signals
from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from courts.replica import replica_reads

REQUESTS = Counter(
    "tracker_http_requests",
    "HTTP requests answered, by view, method and status",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "tracker_http_request_duration_seconds",
    "Time to answer an HTTP request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter("tracker_tasks", "Celery tasks run, by task, queue and outcome", ["task", "queue", "outcome"])
TASK_SECONDS = Histogram(
    "tracker_task_duration_seconds",
    "Run time of a Celery task, by task and queue",
    ["task", "queue"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0),
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view=view, method=method if method in _METHODS else "other", status=str(status)).inc()
    REQUEST_SECONDS.labels(view=view).observe(seconds)


# --- Tasks, counted by the worker that runs them ----------------------------------------------------------

_task_started: dict[str, float] = {}


def _queue_of(task) -> str:
    delivery_info = getattr(task.request, "delivery_info", None) or {}
    return delivery_info.get("routing_key") or "<direct>"


@signals.task_prerun.connect(dispatch_uid="metrics-task-start")
def _task_started_now(task_id=None, **kwargs) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


@signals.task_postrun.connect(dispatch_uid="metrics-task-end")
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _task_started.pop(task_id, None)
    if task is None:
        return
    queue = _queue_of(task)
    TASKS.labels(task=task.name, queue=queue, outcome=(state or "unknown").lower()).inc()
    if queue != "<direct>":
        from courts.heartbeats import note_consumed

        note_consumed(queue)
    if started is not None:
        TASK_SECONDS.labels(task=task.name, queue=queue).observe(time.perf_counter() - started)


def _multiprocess_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@signals.worker_init.connect(dispatch_uid="metrics-worker-exporter")
def _serve_worker_counts(**kwargs) -> None:
    """On a court's own machine no web serves /metrics: its worker serves its pool's counts itself, at
    WORKER_METRICS_ADDRESS:WORKER_METRICS_PORT (deploy/systemd; loopback unless told otherwise)."""
    port = os.environ.get("WORKER_METRICS_PORT")
    if port and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        address = os.environ.get("WORKER_METRICS_ADDRESS", "127.0.0.1")
        start_http_server(int(port), addr=address, registry=_multiprocess_registry())


@signals.worker_process_shutdown.connect(dispatch_uid="metrics-pool-process-gone")
def _pool_process_gone(pid=None, **kwargs) -> None:
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)


# --- Figures read at scrape time ----------------------------------------------------------------------------

FigureSource = Callable[[], Iterable[Metric]]
_figure_sources: list[FigureSource] = []


def register_figures(source: FigureSource) -> None:
    """A flow's figures, read from the database at each scrape (called from its AppConfig.ready())."""
    if source not in _figure_sources:
        _figure_sources.append(source)


def per_court(name: str, documentation: str, counts: dict, *, by: str | None = None) -> Metric:
    """A gauge with a sample per active court (0 where there is nothing), labelled by court code. `counts`
    is {court code: n}; with `by`, a second label, it is {that label's value: {court code: n}}."""
    from courts.models import Court

    codes = list(Court.objects.filter(is_active=True).order_by("id").values_list("code", flat=True))
    series = counts if by else {None: counts}
    gauge = GaugeMetricFamily(name, documentation, labels=["court", by] if by else ["court"])
    for value, by_court in series.items():
        for code in codes:
            gauge.add_metric([code, value] if by else [code], by_court.get(code, 0))
    return gauge


def delivery_figures() -> Iterable[Metric]:
    from django.utils import timezone

    from courts.models import Delivery

    rows = Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.FAILED]).values(
        "court__code"
    )
    by_court = rows.annotate(
        pending=Count("id", filter=Q(state=Delivery.State.PENDING)),
        failed=Count("id", filter=Q(state=Delivery.State.FAILED)),
        oldest=Min("created_at", filter=Q(state=Delivery.State.PENDING)),
    )
    now = timezone.now()
    pending, failed, oldest = {}, {}, {}
    for row in by_court:
        code = row["court__code"]
        pending[code], failed[code] = row["pending"], row["failed"]
        if row["oldest"] is not None:
            oldest[code] = (now - row["oldest"]).total_seconds()
    yield per_court("tracker_deliveries_pending", "Deliveries waiting for the court's worker", pending)
    yield per_court("tracker_deliveries_failed", "Deliveries given up, for a person to look at", failed)
    yield per_court(
        "tracker_delivery_oldest_pending_age_seconds", "Age of the court's oldest pending delivery", oldest
    )


def worker_figures() -> Iterable[Metric]:
    import redis

    from courts.heartbeats import ZONE_QUEUE, seconds_since_seen
    from courts.models import Court

    queues = [ZONE_QUEUE, *Court.objects.filter(is_active=True).values_list("queue_name", flat=True)]
    gauge = GaugeMetricFamily(
        "tracker_queue_last_consumed_seconds",
        "Seconds since a worker consumed a heartbeat on the queue (absent: not within a day)",
        labels=["queue"],
    )
    try:
        ages = seconds_since_seen(queues)
    except (redis.RedisError, ValueError):
        ages = {}
    for queue, age in ages.items():
        if age is not None:
            gauge.add_metric([queue], age)
    yield gauge


class _Figures(Collector):
    def collect(self) -> Iterable[Metric]:
        # Figures a few seconds old are as good: read from the replica, where there is one (courts.replica).
        with replica_reads():
            return [metric for source in _figure_sources for metric in source()]


@functools.cache
def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = _multiprocess_registry()
    else:
        registry = CollectorRegistry()
        registry.register(_ThisProcess())
    registry.register(_Figures())
    return registry


class _ThisProcess(Collector):
    """Without the multiprocess directory: this process's own counts (a developer's runserver, the tests)."""

    def collect(self) -> Iterable[Metric]:
        for metric in (REQUESTS, REQUEST_SECONDS, TASKS, TASK_SECONDS):
            yield from metric.collect()


# --- Who may read them --------------------------------------------------------------------------------------


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META:  # came through a proxy: the address is the proxy's
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request):
    if not _allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
