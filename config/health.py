"""GET /healthz: is the database answering, and the broker, and is each court's queue being consumed?

For load balancers and `make demo`. The HTTP status says whether this web process can serve (database and
broker): a court's worker being down does not take the web out of service, since the other courts go on
working and that court's work waits in its queue. It shows instead as "degraded", with, per queue, "ok" or
"stale" and how long ago a worker consumed it (courts.heartbeats).
"""

from django.db import connection
from django.http import JsonResponse

from config.celery import app as celery_app
from courts import heartbeats


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel.client.ping()  # a connection alone does not prove Redis answers
        return True
    except Exception:
        return False


def _court_queues() -> dict[str, str]:
    """Queue name -> the name /healthz reports it under: "zone", and each active court's code."""
    from courts.models import Court

    courts = Court.objects.filter(is_active=True).order_by("id").values_list("queue_name", "code")
    return {heartbeats.ZONE_QUEUE: heartbeats.ZONE_QUEUE, **dict(courts)}


def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body: dict = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    workers = {}
    if healthy:
        names = _court_queues()
        workers = {names[queue]: state for queue, state in heartbeats.worker_states(list(names)).items()}
    all_consumed = all(state["status"] == "ok" for state in workers.values())
    body = {
        "status": "unavailable" if not healthy else "ok" if all_consumed else "degraded",
        **body,
        "workers": workers,
    }
    return JsonResponse(body, status=200 if healthy else 503)
