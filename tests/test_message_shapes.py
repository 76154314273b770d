"""Workers before web (README, Upgrades): the current tasks still handle every message an older release
published, because during an upgrade the queues hold messages of both.

SHAPES lists, for every task the project publishes (from a web process, a worker or beat), each shape of
message it has been sent since it appeared, as the body was on the wire (Celery's protocol 2: JSON
`[args, kwargs, embed]`) and the headers the project adds to Celery's own; the commit says which release
published it (git log -p -- courts/tasks.py courts/delivery.py). A change that drops a shape fails here:
keep accepting it for one release, and drop it only once no release that publishes it is running.
"""

import inspect
import json
import time
from dataclasses import dataclass, field

import pytest
from celery.signals import task_postrun
from django.conf import settings

from config.celery import app as celery_app
from courts import delivery as outbox
from courts.models import Delivery, Event
from courts.tasks import deliver, ping_court

EMBED = '{"callbacks": null, "errbacks": null, "chain": null, "chord": null}'
WORKERS_FIRST = "workers before web: keep accepting the old shape for one release"


@dataclass(frozen=True)
class Shape:
    since: str  # the commit of the release that began to publish it
    body: str  # the message body, JSON [args, kwargs, embed]
    headers: dict = field(default_factory=dict)  # the project's own headers, besides Celery's

    @property
    def args(self) -> list:
        return json.loads(self.body)[0]

    @property
    def kwargs(self) -> dict:
        return json.loads(self.body)[1]


NO_ARGUMENTS = f"[[], {{}}, {EMBED}]"

SHAPES: dict[str, list[Shape]] = {
    "courts.deliver": [
        # The id only: the worker reads the row (courts.delivery._as_sent).
        Shape("a46ac7b (2026-11-27)", f"[[41], {{}}, {EMBED}]"),
        # A copy of the row's kind, court and payload, so the worker need not read it.
        Shape(
            "fd9fbf6 (2026-11-28)",
            f'[[41], {{"kind": "filing.submitted", "court_id": 2, "payload": {{"filing": 17}}}}, {EMBED}]',
        ),
        # The same, with the request id of the request that wrote the row (issue 12, courts.request_ids).
        Shape(
            "issue 12, request ids",
            f'[[41], {{"kind": "filing.submitted", "court_id": 2, "payload": {{"filing": 17}}}}, {EMBED}]',
            {"request_id": "5f0c6d1e9b2a4c3d8e7f6a5b4c3d2e1f"},
        ),
    ],
    "courts.ping_court": [Shape("4d6171e (2026-11-27)", f'[["wujiang"], {{}}, {EMBED}]')],
    "courts.sweep_deliveries": [Shape("a46ac7b (2026-11-27)", NO_ARGUMENTS)],
    "courts.send_notification_emails": [Shape("8adc536 (2026-11-27)", NO_ARGUMENTS)],
    "courts.send_heartbeats": [Shape("issue 12, heartbeats", NO_ARGUMENTS)],
    "courts.heartbeat": [Shape("issue 12, heartbeats", f'[["court.wujiang"], {{}}, {EMBED}]')],
    "cases.flag_overdue_filings": [Shape("a46ac7b (2026-11-27)", NO_ARGUMENTS)],
    "cases.sweep_request_clocks": [Shape("921c4d5 (2026-11-27)", NO_ARGUMENTS)],
    "cases.drain_status_lookup_log": [Shape("57c3cd0 (2026-12-01)", NO_ARGUMENTS)],
    "mediation.sweep_clocks": [Shape("d4b1936 (2026-12-01)", NO_ARGUMENTS)],
}

# Tasks no release publishes any more, with the release that stopped. A task is retired only once no
# running release publishes it: until then its name stays registered, or its queued messages are lost.
RETIRED = {
    "courts.send_emails": "args=[emails], 3055b31; replaced by the periodic courts.send_notification_emails "
    "in 8adc536 (2026-11-27), before the first release",
}

ALL_SHAPES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


def shape_id(value):
    return f"{value[0]} since {value[1].since}"


def project_tasks() -> dict:
    """Every task the project's apps register, by name (the apps' tasks modules imported as a worker does)."""
    from django.apps import apps

    celery_app.loader.import_default_modules()
    labels = {config.label for config in apps.get_app_configs()}
    return {name: task for name, task in celery_app.tasks.items() if name.split(".")[0] in labels}


# --- Guards: the signatures still take every shape ---------------------------------------------------------


@pytest.mark.parametrize("name, shape", ALL_SHAPES, ids=[shape_id(value) for value in ALL_SHAPES])
def test_the_task_still_accepts_the_shape(name, shape):
    task = project_tasks().get(name)
    assert task is not None, f"{name} is no longer registered ({WORKERS_FIRST}; then list it in RETIRED)"
    try:
        inspect.signature(task.run).bind(*shape.args, **shape.kwargs)
    except TypeError as error:
        pytest.fail(f"{name} no longer takes the message sent since {shape.since}: {error}; {WORKERS_FIRST}")


def test_every_task_of_the_project_has_its_message_shapes_listed():
    registered = set(project_tasks())
    assert registered - set(SHAPES) == set(), "new tasks: add the shape of their messages to SHAPES"
    assert set(SHAPES) - registered == set(), f"tasks gone: {WORKERS_FIRST}, then move them to RETIRED"
    assert not registered & set(RETIRED), "a retired task is registered again: take it out of RETIRED"


def test_every_periodic_task_beat_sends_is_registered_and_takes_its_arguments():
    tasks = project_tasks()
    for entry, schedule in settings.CELERY_BEAT_SCHEDULE.items():
        task = tasks.get(schedule["task"])
        assert task is not None, f"beat's {entry} sends {schedule['task']}, which no worker knows"
        inspect.signature(task.run).bind(*schedule.get("args", ()), **schedule.get("kwargs", {}))


def test_each_shape_is_what_celery_puts_on_the_wire():
    """The fixtures are real bodies: the publisher, given their arguments, sends them byte for byte."""
    for name, shape in ALL_SHAPES:
        message = celery_app.amqp.as_task_v2("id", name, args=shape.args, kwargs=shape.kwargs)
        assert json.dumps(message.body) == shape.body, name


# --- The current code handles each shape ---------------------------------------------------------------


@pytest.fixture
def pending_delivery(wujiang_clerk, qingpu_clerk, courts):
    """A filing submitted at Wujiang's window for Qingpu, its delivery still pending."""
    from tests.cases.conftest import submit

    filing, _code = submit(wujiang_clerk, courts)
    return filing, Delivery.objects.get(kind="filing.submitted")


def message_for(shape: Shape, delivery: Delivery) -> tuple[list, dict]:
    """The shape's arguments with the ids of `delivery` in their places."""
    row = {"kind": delivery.kind, "court_id": delivery.court_id, "payload": delivery.payload}
    assert set(shape.kwargs) <= set(row), shape.kwargs
    return [delivery.pk], {key: row[key] for key in shape.kwargs}


DELIVER_SHAPES = SHAPES["courts.deliver"]


@pytest.mark.parametrize("shape", DELIVER_SHAPES, ids=[shape.since for shape in DELIVER_SHAPES])
def test_a_delivery_message_of_each_shape_is_delivered_once(pending_delivery, shape):
    filing, delivery = pending_delivery
    args, kwargs = message_for(shape, delivery)

    assert deliver.apply(args=args, kwargs=kwargs, headers=shape.headers).get() is True
    assert deliver.apply(args=args, kwargs=kwargs, headers=shape.headers).get() is False  # redelivered

    filing.refresh_from_db()
    delivery.refresh_from_db()
    assert filing.state == "received"
    assert delivery.state == Delivery.State.DELIVERED
    assert Event.objects.for_subject(filing).filter(action="filing.receive").count() == 1


def test_a_court_is_pinged_with_the_oldest_shape(courts):
    [shape] = SHAPES["courts.ping_court"]
    assert ping_court.apply(args=shape.args, kwargs=shape.kwargs).get() == "court.wujiang"


@pytest.mark.worker
def test_a_real_worker_delivers_a_message_without_the_copy_of_the_row(
    celery_worker, wujiang_clerk, qingpu_clerk, courts, monkeypatch
):
    """An older web process published only the id, by the task's name; the current worker reads the row."""
    from tests.cases.conftest import submit

    monkeypatch.setattr(outbox, "publish", lambda delivery, countdown=None: True)  # the current shape held
    filing, _code = submit(wujiang_clerk, courts)
    monkeypatch.undo()
    delivery = Delivery.objects.select_related("court").get(kind="filing.submitted")
    oldest = SHAPES["courts.deliver"][0]
    args, kwargs = message_for(oldest, delivery)
    assert (args, kwargs) == ([delivery.pk], {})

    seen = []

    def on_done(sender=None, args=None, kwargs=None, retval=None, **extra):
        if sender is not None and sender.name == "courts.deliver":
            seen.append((list(args), dict(kwargs), retval))

    task_postrun.connect(on_done, weak=False)
    try:
        celery_app.send_task("courts.deliver", args=args, kwargs=kwargs, queue=delivery.court.queue_name)
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        task_postrun.disconnect(on_done)

    assert seen == [([delivery.pk], {}, True)]
    filing.refresh_from_db()
    delivery.refresh_from_db()
    assert filing.state == "received" and delivery.state == Delivery.State.DELIVERED
    assert Event.objects.for_subject(filing).filter(action="filing.receive").count() == 1
