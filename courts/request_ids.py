"""A request id that follows one piece of work through every process it touches (issue 12).

A web request gets an id (the client's `X-Request-ID` when it is a sane token, a fresh one otherwise); it is
bound for the request's log lines (structlog's contextvars, merged into every record by the JSON formatter,
config/logs.py) and answered in the `X-Request-ID` header. Every Celery task published while it is bound
carries it in a message header; the worker binds it again while the task runs, so a filing registered at
Qingpu's window and the delivery Wujiang's worker handles minutes later log the same id. A Delivery row
keeps the id it was written under, so the sweep's re-publication, hours later, still carries it.

Work that no request caused (beat's sweeps) runs under its task's own id.
"""

import re
import time
import uuid

import structlog
from celery import signals

from courts import metrics

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
# A client's id is reused only if it cannot smuggle anything into a log line or a header.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")

access_log = structlog.get_logger("tracker.access")


def current() -> str:
    """The id bound to what this process is doing now, or "" outside any request or task."""
    return structlog.contextvars.get_contextvars().get("request_id", "")


def new() -> str:
    return uuid.uuid4().hex


def _from_client(request) -> str:
    offered = request.META.get(_META_KEY, "")
    return offered if _SANE.fullmatch(offered) else new()


class RequestIdMiddleware:
    """Binds the id for the request, answers it, counts the request for /metrics (courts.metrics), and writes
    one access line per request: its view and URL pattern, status and time, never the path itself nor its
    query string (a calendar feed's token and a document's verification code are in paths, a receipt
    number in a query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _from_client(request)
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            seconds = time.perf_counter() - started
            view = view_name(request)
            metrics.count_request(
                view=view, method=request.method, status=response.status_code, seconds=seconds
            )
            access_log.info(
                "request",
                method=request.method,
                route=route_of(request),
                view=view,
                status=response.status_code,
                ms=round(seconds * 1000, 1),
                user=getattr(getattr(request, "user", None), "pk", None),
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()


def route_of(request) -> str:
    """The matched URL pattern (`mediations/feed/<str:token>.ics`), or "" for a path no pattern matched."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else ""


def view_name(request) -> str:
    """The URL pattern's name (a bounded set, fit for a metric label); unmatched paths are one name."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.view_name or match._func_path


# --- Celery: the id rides in a message header --------------------------------------------------------------


@signals.before_task_publish.connect(dispatch_uid="request-id-publish")
def _stamp_message(headers=None, **kwargs) -> None:
    """Publishing inside a request or a task: the message carries the id, unless the caller gave one (a
    delivery republished by the sweep carries its row's)."""
    if headers is not None and not headers.get("request_id"):
        request_id = current()
        if request_id:
            headers["request_id"] = request_id


@signals.task_prerun.connect(dispatch_uid="request-id-task-start")
def _bind_for_task(task_id=None, task=None, **kwargs) -> None:
    request = task.request if task is not None else None
    delivery_info = getattr(request, "delivery_info", None) or {}
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=getattr(request, "request_id", None) or task_id or new(),
        task=getattr(task, "name", ""),
        task_id=task_id,
        queue=delivery_info.get("routing_key") or "",
        worker=getattr(request, "hostname", None) or "",
    )


@signals.task_postrun.connect(dispatch_uid="request-id-task-end")
def _unbind_after_task(**kwargs) -> None:
    structlog.contextvars.clear_contextvars()
