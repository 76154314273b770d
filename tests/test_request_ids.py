"""A request id follows a request into its log lines, the tasks it publishes and the deliveries it writes,
and a worker logs it again while it handles them (issue 12)."""

import json
import logging

import pytest
import structlog
from django.db import transaction

from config.logs import logging_config
from courts import delivery as outbox
from courts.models import Court, Delivery, Event
from courts.tasks import ping_court
from courts.timeline import record_event
from tests.courts.test_celery_worker import wait_for

pytestmark = pytest.mark.django_db

KIND = "test.request_id"


def note(delivery: Delivery) -> None:
    record_event(subject=delivery.court, action="test.request_id_noted")


outbox.register_handler(KIND, note)


class JsonLines(logging.Handler):
    """The project's own JSON formatter (config/logs.py), writing into a list."""

    def __init__(self):
        super().__init__()
        config = logging_config(json=True, level="INFO")["formatters"]["structured"]
        factory = config.pop("()")
        self.setFormatter(factory(**config))
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    handler = JsonLines()
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_response_answers_its_request_id_and_a_sane_one_from_the_client_is_kept(client):
    fresh = client.get("/status/")
    assert len(fresh["X-Request-ID"]) == 32
    assert client.get("/status/")["X-Request-ID"] != fresh["X-Request-ID"]

    assert client.get("/status/", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == "lb-7f3a9c21"
    for hostile in ["short", "x" * 65, "a b c d e f g h", 'abc"}\n{"forged": 1', "<script>alert(1)</script>"]:
        answered = client.get("/status/", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert answered != hostile and len(answered) == 32


def test_the_access_line_is_json_with_the_request_id_view_and_status_and_no_query_string(client, json_lines):
    response = client.get("/status/?number=WJ-2026-000123", HTTP_X_REQUEST_ID="req-access-0001")

    access = [line for line in json_lines if line["logger"] == "tracker.access"]
    assert len(access) == 1, json_lines
    line = access[0]
    assert line["request_id"] == "req-access-0001" == response["X-Request-ID"]
    assert line["event"] == "request" and line["status"] == 200 and line["method"] == "GET"
    assert line["view"] == "status" and line["route"] == "status/" and "path" not in line
    assert "WJ-2026-000123" not in json.dumps(line)  # the receipt number stays out of the logs
    assert line["level"] == "info" and line["timestamp"].endswith("Z")


def test_a_line_logged_outside_a_request_carries_no_stale_id(client, json_lines):
    client.get("/status/", HTTP_X_REQUEST_ID="req-finished-01")
    logging.getLogger("tests.after").info("after the request")
    assert "request_id" not in json_lines[-1]


def test_a_delivery_keeps_the_id_of_the_request_that_wrote_it_and_every_publication_carries_it(
    courts, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "courts.tasks.deliver.apply_async", lambda *args, **kwargs: published.append(kwargs.get("headers"))
    )
    structlog.contextvars.bind_contextvars(request_id="req-window-0042")
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            delivery = outbox.delivery_send(court=courts["qingpu"], kind=KIND, payload={})
    finally:
        structlog.contextvars.clear_contextvars()
    delivery.refresh_from_db()
    assert delivery.request_id == "req-window-0042"
    assert published == [{"request_id": "req-window-0042"}]

    # Hours later, the sweep re-publishes it from no request at all: still the row's id.
    Delivery.objects.filter(pk=delivery.pk).update(enqueued_at=None)
    assert outbox.delivery_sweep() == 1
    assert published[-1] == {"request_id": "req-window-0042"}


@pytest.mark.worker
def test_a_worker_runs_a_task_under_the_id_of_the_request_that_published_it(celery_worker):
    from celery.signals import task_prerun

    bound = []

    def while_running(task=None, **kwargs):  # connected after courts.request_ids' own, so it sees its work
        bound.append(dict(structlog.contextvars.get_contextvars()))

    task_prerun.connect(while_running, weak=False)
    try:
        structlog.contextvars.bind_contextvars(request_id="req-ping-000777")
        try:
            ping_court.apply_async(args=["jiashan"], queue="court.jiashan")
        finally:
            structlog.contextvars.clear_contextvars()
        ping_court.apply_async(args=["qingpu"], queue="court.qingpu")  # from no request
        assert wait_for(lambda: len(bound) == 2, timeout=15), bound
    finally:
        task_prerun.disconnect(while_running)
    by_queue = {entry["queue"]: entry for entry in bound}
    assert by_queue["court.jiashan"]["request_id"] == "req-ping-000777"
    assert by_queue["court.jiashan"]["task"] == "courts.ping_court"
    # Work no request caused runs under its own task's id.
    assert by_queue["court.qingpu"]["request_id"] == by_queue["court.qingpu"]["task_id"]


@pytest.mark.worker
def test_the_worker_logs_a_delivery_under_the_id_of_the_request_that_wrote_it(celery_worker, json_lines):
    structlog.contextvars.bind_contextvars(request_id="req-filing-00099")
    try:
        with transaction.atomic():
            delivery = outbox.delivery_send(court=Court.objects.get(code="jiashan"), kind=KIND, payload={})
    finally:
        structlog.contextvars.clear_contextvars()

    assert wait_for(lambda: Event.objects.filter(action="test.request_id_noted").exists(), timeout=15)
    assert wait_for(lambda: any(line["event"] == "delivery handled" for line in json_lines), timeout=15)
    handled = next(line for line in json_lines if line["event"] == "delivery handled")
    assert handled["request_id"] == "req-filing-00099"
    assert handled["delivery"] == delivery.pk and handled["kind"] == KIND
    assert handled["queue"] == "court.jiashan" and handled["task"] == "courts.deliver"


def test_djangos_own_records_never_bring_the_request_and_its_query_string_into_a_line(rf, json_lines):
    request = rf.get("/filings/?search=张三&number=WJ-2026-000123")
    logging.getLogger("django.security.csrf").warning(
        "Forbidden (CSRF cookie not set.)", extra={"request": request, "status_code": 403}
    )
    line = json_lines[-1]
    assert line["status_code"] == 403 and "request" not in line
    assert "张三" not in json.dumps(line, ensure_ascii=False) and "WJ-2026" not in json.dumps(line)
