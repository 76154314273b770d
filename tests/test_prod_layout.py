"""The production layout as separate processes (issue 12, item 4): gunicorn, a Celery worker per court, the
zone worker and beat, started by scripts/prod_local.py on a database and a Redis database of their own.

Three cross-court stories go through the HTTP API only (a filing Wujiang -> Qingpu registered, a service
request Qingpu -> Jiashan served, a joint mediation Fenhu + Xitang confirmed at Jiashan), and /metrics and the
workers' JSON log lines show that each court's work ran on that court's worker. Then Qingpu's worker is
stopped: Wujiang and Jiashan go on, Qingpu's work waits in its queue (pending in /metrics, stale in
/healthz, re-published by the sweep meanwhile), and when the worker is back it is delivered exactly once.

About two minutes, most of it `prepare` (migrate, collectstatic with compression, the demo logins) and the
wait for beat's sweep (every DELIVERY_SWEEP_AFTER_SECONDS when that is under 30 s).
"""

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
import redis
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql

from courts.legal_calendar import COURT_TZ
from courts.models import Delivery, Event
from tests.cases.conftest import filing_payload
from tests.conftest import requires_postgres
from tests.mediation.test_api_mediations import create_payload

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import prod_local  # noqa: E402

# django_db only so that the test database is set up (its name names the layout's): the layout's own database
# is made and dropped here, and this process reads and writes neither.
pytestmark = [pytest.mark.worker, requires_postgres(), pytest.mark.django_db]

COURTS = ("wujiang", "qingpu", "jiashan")
PASSWORD = "layout-demo-2026"
HEARTBEAT_SECONDS, STALE_SECONDS, SWEEP_AFTER_SECONDS = 2, 6, 5
TIMEOUT = 30.0  # for each piece of work crossing between courts
SWEEP_TIMEOUT = 45.0  # beat sweeps every SWEEP_AFTER_SECONDS here, and the delivery must be that old by then
LAYOUT_REDIS_DB = 7
# Set for this pytest process (tests/conftest.py, pytest itself); the layout runs as production does.
TEST_ONLY_ENVIRONMENT = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_CURRENT_TEST",
    "PYTEST_VERSION",
    "PYTEST_XDIST_WORKER",
}


# --- The layout's own database, Redis and processes ---------------------------------------------------------


def layout_database() -> tuple[str, dict]:
    """DATABASE_URL of the layout's own database, named after the test database, and its connection."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_layout"
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host, port = db.get("HOST") or "localhost", db.get("PORT") or 5432
    url = f"postgres://{auth}@{quote(host, safe='')}:{port}/{quote(name, safe='')}"
    return url, {
        "dbname": name,
        "host": host,
        "port": port,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }


def drop_database(connection: dict) -> None:
    server = {**connection, "dbname": "postgres"}
    with psycopg.connect(autocommit=True, connect_timeout=5, **server) as conn:
        name = sql.Identifier(connection["dbname"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def layout_broker(broker_url: str) -> str:
    """The test broker's Redis under another database number: the layout's queues and heartbeats apart."""
    parts = urlsplit(broker_url)
    if parts.scheme not in ("redis", "rediss"):
        # courts.broker_redis ignores the database number of a socket URL: the heartbeats would be shared.
        pytest.skip("needs a Redis over TCP (CELERY_BROKER_URL=redis://...), as CI has")
    in_use = int(parts.path.strip("/") or 0)
    number = LAYOUT_REDIS_DB if in_use != LAYOUT_REDIS_DB else LAYOUT_REDIS_DB + 1
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, ""))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Site:
    layout: prod_local.Layout | None
    base: str
    logs: Path
    database: dict
    started: float = field(default_factory=time.monotonic)

    def log(self, name: str) -> list[dict]:
        """The JSON lines of one process's log (Celery's banner and other plain text left out)."""
        path = self.logs / f"{name}.log"
        lines = []
        for text in path.read_text(errors="replace").splitlines() if path.exists() else []:
            if text.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(text))
        return lines

    def tails(self, count: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-count:]
            out.append(f"----- {path.name} (last {len(lines)} lines) -----\n" + "\n".join(lines))
        return "\n".join(out)

    def step(self, what: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {what}", flush=True)


@contextlib.contextmanager
def running_layout(tmp_path: Path):
    database_url, database = layout_database()
    broker_url = layout_broker(settings.CELERY_BROKER_URL)
    redis.Redis.from_url(broker_url).flushdb()  # an earlier run's queues and heartbeats
    drop_database(database)  # an earlier, interrupted run's data
    port = free_port()
    logs = tmp_path / "logs"
    environ = prod_local.layout_environment(
        {
            **{name: value for name, value in os.environ.items() if name not in TEST_ONLY_ENVIRONMENT},
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "VAR_DIR": str(tmp_path / "var"),
            "PORT": str(port),
            "DEMO_PASSWORD": PASSWORD,
            "PROD_LOCAL_LOG_DIR": str(logs),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "WORKER_STALE_SECONDS": str(STALE_SECONDS),
            "DELIVERY_SWEEP_AFTER_SECONDS": str(SWEEP_AFTER_SECONDS),
            "PYTHONUNBUFFERED": "1",
        }
    )
    site = Site(layout=None, base=f"http://127.0.0.1:{port}", logs=logs, database=database)
    try:
        courts = prod_local.prepare(environ)
        assert courts == list(COURTS)
        site.step("prepared: database, static files, demo logins")
        site.layout = prod_local.Layout(environ, courts, web_workers=2)
        site.layout.start_all()
        yield site
    except BaseException:
        print(site.tails())  # in the failure's captured output: what each process said last
        raise
    finally:
        if site.layout is not None:
            site.layout.stop_all()
        drop_database(database)
        redis.Redis.from_url(broker_url).flushdb()


# --- Talking to it over HTTP ------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: nothing listens
    body: object


def http(site: Site, method: str, path: str, *, token=None, body=None, headers=None) -> Answer:
    request = urllib.request.Request(f"{site.base}{path}", method=method)
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data=data, timeout=15) as response:
            status, raw, answered = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answered = error.code, error.read(), error.headers
    except (urllib.error.URLError, ConnectionError) as error:  # not listening yet
        return Answer(0, str(error))
    if "json" not in answered.get("Content-Type", ""):
        return Answer(status, raw.decode(errors="replace"))
    parsed = json.loads(raw)
    if headers and "X-Request-ID" in headers:
        assert answered["X-Request-ID"] == headers["X-Request-ID"]  # a sane id is kept
    return Answer(status, parsed)


class Person:
    """One member of staff, signed in with an API token."""

    def __init__(self, site: Site, username: str):
        self.site, self.username = site, username
        answer = http(site, "POST", "/api/auth/token/", body={"username": username, "password": PASSWORD})
        assert answer.status == 200, answer.body
        self.token = answer.body["token"]

    def get(self, path: str) -> Answer:
        return http(self.site, "GET", path, token=self.token)

    def post(self, path: str, body=None, *, status: int = 200, headers=None) -> dict:
        answer = http(self.site, "POST", path, token=self.token, body=body or {}, headers=headers)
        assert answer.status == status, (self.username, path, answer.status, answer.body)
        return answer.body

    def sees(self, path: str, state: str) -> dict | None:
        """The record's detail once this person sees it in `state` (a 404 before it arrives), else None."""
        answer = self.get(path)
        return answer.body if answer.status == 200 and answer.body["state"] == state else None


def until(what: str, check, timeout: float = TIMEOUT, every: float = 0.25):
    """Poll `check` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def metrics(site: Site) -> dict[tuple[str, frozenset], float]:
    text = urllib.request.urlopen(f"{site.base}/metrics", timeout=15).read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def figure(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def delivered_on(site: Site, court: str) -> float:
    name, labels = "tracker_tasks_total", {"task": "courts.deliver", "outcome": "success"}
    return figure(metrics(site), name, queue=f"court.{court}", **labels)


def pending(site: Site, court: str) -> float:
    return figure(metrics(site), "tracker_deliveries_pending", court=court)


def health(site: Site) -> dict:
    answer = http(site, "GET", "/healthz")
    if isinstance(answer.body, dict):
        return answer.body
    return {"status": f"no answer ({answer.status} {answer.body})", "workers": {}}


def all_consumed(site: Site) -> bool:
    body = health(site)
    workers = body["workers"]
    return body["status"] == "ok" and set(workers) == {"zone", *COURTS}


def handled(site: Site, court: str, *, kind=None, event="delivery handled", **fields) -> list[dict]:
    """The deliver task's lines in that court's worker's log."""
    return [
        line
        for line in site.log(f"worker-{court}")
        if line.get("event") == event
        and (kind is None or line.get("kind") == kind)
        and all(line.get(name) == value for name, value in fields.items())
    ]


def sweeps(site: Site) -> int:
    """How many times the sweep (on the zone worker) re-published anything."""
    return sum("sweep re-published" in line.get("event", "") for line in site.log("worker-zone"))


def now_in_court() -> str:
    return dt.datetime.now(COURT_TZ).isoformat(timespec="seconds")


def new_request_id(label: str) -> str:
    return f"layout-{label}-{uuid.uuid4().hex[:12]}"


def file_at_wujiang(wujiang: Person, court: str, request_id: str) -> str:
    """Filed at Wujiang's window for `court`: the filing's API address."""
    filing = wujiang.post(
        "/api/filings/",
        filing_payload(jurisdiction_court=court),
        status=201,
        headers={"X-Request-ID": request_id},
    )
    assert filing["state"] == "submitted"
    return f"/api/filings/{filing['id']}/"


# --- The three stories ----------------------------------------------------------------------------------


def filing_story(site: Site, wujiang: Person, qingpu: Person) -> dict:
    """Wujiang's window files for Qingpu; Qingpu's clerk sees it received and registers it: the case."""
    request_id = new_request_id("filing")
    filing_url = file_at_wujiang(wujiang, "qingpu", request_id)
    until("the filing at Qingpu", lambda: qingpu.sees(filing_url, "received"))
    case = qingpu.post(f"{filing_url}register/", status=201)
    assert "沪0118民初" in case["case_number"]
    # The id sent with Wujiang's request is on Qingpu's worker's line for the delivery it wrote.
    (line,) = until("Qingpu's worker's line", lambda: handled(site, "qingpu", request_id=request_id))
    assert (line["kind"], line["queue"], line["task"]) == (
        "filing.submitted",
        "court.qingpu",
        "courts.deliver",
    )
    assert line["worker"].startswith("qingpu@")
    until("the case number back at Wujiang", lambda: handled(site, "wujiang", kind="filing.outcome"))
    assert wujiang.get(filing_url).body["case"]["case_number"] == case["case_number"]
    return case


def service_story(site: Site, case: dict, qingpu: Person, officer: Person) -> None:
    """Qingpu asks Jiashan to serve the complaint in that case; Jiashan's officer accepts and serves it;
    Qingpu hears of it and acknowledges."""
    parties = qingpu.get(f"/api/cases/{case['id']}/").body["parties"]
    defendant = next(party for party in parties if party["role"] == "defendant")
    service = qingpu.post(
        "/api/service-requests/",
        {
            "case": case["id"],
            "entrusted_court": "jiashan",
            "recipient": defendant["id"],
            "address": "浙江省嘉善县西塘镇塘东街1号",
            "documents": [{"name": "起诉状副本", "copies": 1}, {"name": "应诉通知书", "copies": 1}],
            "method": "direct",
            "letter_number": "（2026）沪0118委送1号",
        },
        status=201,
    )
    service_url = f"/api/service-requests/{service['id']}/"
    until("the request at Jiashan", lambda: officer.sees(service_url, "received"))
    assert officer.post(f"{service_url}accept/")["state"] == "accepted"
    attempt = {
        "method": "direct",
        "result": "served",
        "served_at": now_in_court(),
        "place": "西塘镇塘东街1号",
        "signer": "钱某",
        "relation": "法定代表人",
        "witness": "",
        "remarks": "",
        "officers": "嘉善送达执行员",
    }
    assert officer.post(f"{service_url}report-attempt/", attempt)["state"] == "served"
    until("the result at Qingpu", lambda: handled(site, "qingpu", kind="entrusted_request.changed"))
    seen = qingpu.get(service_url).body
    assert (seen["state"], seen["allowed_actions"]) == ("served", ["acknowledge"])
    assert qingpu.post(f"{service_url}acknowledge/")["state"] == "closed"


def mediation_story(site: Site, fenhu: Person, xitang: Person, registrar: Person, judge: Person) -> None:
    """Fenhu (Wujiang) opens a joint mediation inviting Xitang (Jiashan); Xitang accepts; a session; the
    parties sign; they apply to Jiashan, whose clerk registers it and a judge who did not mediate confirms."""
    mediation = fenhu.post("/api/mediations/", create_payload(), status=201)
    mediation_url = f"/api/mediations/{mediation['id']}/"

    def invitation_received() -> bool:
        answer = xitang.get(mediation_url)
        return answer.status == 200 and answer.body["invitations"][0]["state"] == "received"

    until("the invitation at Xitang", invitation_received)
    xitang.post(f"{mediation_url}accept/", {"tribunal": "xitang"})
    until("the answer back at Wujiang", lambda: fenhu.sees(mediation_url, "accepted"))
    starts = dt.datetime.now(COURT_TZ) + dt.timedelta(seconds=1.5)
    session = fenhu.post(
        f"{mediation_url}sessions/",
        {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "mode": "in_person",
            "tribunal": "fenhu",
            "room": "第一调解室",
            "off_hours_reason": "多进程布局测试",
        },
        status=201,
    )
    party_ids = [party["id"] for party in fenhu.get(mediation_url).body["parties"]]
    # The minutes of a session can only be recorded once it has begun: a wait for the clock, not for work.
    time.sleep(max(0.0, (starts - dt.datetime.now(COURT_TZ)).total_seconds()) + 0.2)
    minutes = {"minutes": "双方就付款方式达成一致。", "attendance": party_ids}
    xitang.post(f"/api/mediation-sessions/{session['id']}/record/", minutes)
    today = dt.datetime.now(COURT_TZ).date()
    agreement = {
        "terms": "一、被告于三十日内支付货款128万元。",
        "amount": "1280000.00",
        "payments": [{"due_on": (today + dt.timedelta(days=30)).isoformat(), "amount": "1280000.00"}],
        "signatures": [
            {"party": party, "signed_at": now_in_court(), "method": "handwritten"} for party in party_ids
        ],
        "effective_on": today.isoformat(),
    }
    assert fenhu.post(f"{mediation_url}agree/", agreement)["state"] == "agreed"
    application = {"mediation": mediation["id"], "court": "jiashan", "applicants": party_ids}
    confirmation = fenhu.post("/api/confirmations/", application, status=201)
    confirmation_url = f"/api/confirmations/{confirmation['id']}/"
    until("the application at Jiashan", lambda: handled(site, "jiashan", kind="confirmation.applied"))
    assert registrar.post(f"{confirmation_url}register/")["state"] == "registered"
    ruling = judge.post(f"{confirmation_url}confirm/")
    assert ruling["state"] == "confirmed" and "浙0421民特" in ruling["case_number"]
    until("the ruling at Wujiang", lambda: handled(site, "wujiang", kind="confirmation.changed"))


def each_court_worked_on_its_own_worker(site: Site) -> None:
    """Counted by each court's worker into /metrics, and logged only by it."""
    for court in COURTS:
        assert delivered_on(site, court) >= 1, court
    for court in COURTS:
        lines = handled(site, court)
        assert lines, court
        assert {(line["queue"], line["worker"].split("@")[0]) for line in lines} == {
            (f"court.{court}", court)
        }
        for other in {"zone", *COURTS} - {court}:
            foreign = [line for line in site.log(f"worker-{other}") if line.get("queue") == f"court.{court}"]
            assert not foreign, (other, foreign[:3])


def received_events_and_delivery_state(site: Site, filing_url: str, delivery_id: int) -> tuple:
    """Read from the layout's database: the filing's "received" events, and its delivery row's state."""
    filing_id = int(filing_url.rstrip("/").rsplit("/", 1)[1])
    events, deliveries = (sql.Identifier(model._meta.db_table) for model in (Event, Delivery))
    with psycopg.connect(connect_timeout=5, **site.database) as conn:
        (received,) = conn.execute(
            sql.SQL(
                "SELECT count(*) FROM {} WHERE subject_type = %s AND subject_id = %s AND action = %s"
            ).format(events),
            ["cases.filing", filing_id, "filing.receive"],
        ).fetchone()
        (state,) = conn.execute(
            sql.SQL("SELECT state FROM {} WHERE id = %s").format(deliveries), [delivery_id]
        ).fetchone()
    return received, state


# --- The test -----------------------------------------------------------------------------------------------


def test_each_court_works_on_its_own_worker_and_a_stopped_one_catches_up_exactly_once(tmp_path):
    with running_layout(tmp_path) as site:
        until("/healthz to see every worker consume its queue", lambda: all_consumed(site), timeout=60)
        site.step("every worker consumes its queue")
        wujiang, qingpu = Person(site, "wujiang.clerk"), Person(site, "qingpu.clerk")
        jiashan = Person(site, "jiashan.clerk")

        case = filing_story(site, wujiang, qingpu)
        site.step("A. filed at Wujiang, registered at Qingpu")
        service_story(site, case, qingpu, Person(site, "jiashan.officer"))
        site.step("B. served by Jiashan for Qingpu")
        fenhu, xitang = Person(site, "fenhu.judge"), Person(site, "xitang.judge")
        mediation_story(site, fenhu, xitang, jiashan, Person(site, "yaozhuang.judge"))
        site.step("C. mediated by Fenhu and Xitang, confirmed at Jiashan")
        each_court_worked_on_its_own_worker(site)
        until("nothing pending anywhere", lambda: not any(pending(site, court) for court in COURTS))

        # Qingpu's worker stops (a warm shutdown). Wujiang and Jiashan go on working.
        assert site.layout.stop("worker-qingpu") == 0
        site.step("Qingpu's worker stopped")
        to_jiashan = file_at_wujiang(wujiang, "jiashan", new_request_id("to-jiashan"))
        until("the filing at Jiashan", lambda: jiashan.sees(to_jiashan, "received"))

        # Qingpu's work waits in its queue: pending in /metrics, the queue stale in /healthz, and published
        # once more by the sweep meanwhile.
        swept = sweeps(site)
        waiting_as = new_request_id("waiting")
        waiting = file_at_wujiang(wujiang, "qingpu", waiting_as)

        # Qingpu stale while the others are ok, in one answer: on a loaded machine another queue may miss a
        # heartbeat for a moment, so the answer is waited for rather than the first stale one taken.
        def qingpu_alone_stale():
            body = health(site)
            states = {queue: state["status"] for queue, state in body["workers"].items()}
            alone = states == {"zone": "ok", "wujiang": "ok", "qingpu": "stale", "jiashan": "ok"}
            return alone and body

        stale = until("Qingpu's queue alone to show stale", qingpu_alone_stale)
        assert stale["status"] == "degraded"
        assert pending(site, "qingpu") == 1
        until("the sweep to publish it again", lambda: sweeps(site) > swept, timeout=SWEEP_TIMEOUT)
        site.step("Qingpu's delivery waited and was published again by the sweep")
        samples = metrics(site)
        assert figure(samples, "tracker_deliveries_pending", court="qingpu") == 1
        oldest = figure(samples, "tracker_delivery_oldest_pending_age_seconds", court="qingpu")
        assert oldest > SWEEP_AFTER_SECONDS
        assert figure(samples, "tracker_deliveries_pending", court="jiashan") == 0
        assert figure(samples, "tracker_queue_last_consumed_seconds", queue="court.qingpu") > STALE_SECONDS
        assert wujiang.get(waiting).body["state"] == "submitted"
        assert not handled(site, "qingpu", request_id=waiting_as)

        # Qingpu's worker is back: the filing arrives, once, though its message was published twice.
        site.layout.start("worker-qingpu")
        until("the waiting filing at Qingpu", lambda: qingpu.sees(waiting, "received"), timeout=60)
        (line,) = until("its delivery's line", lambda: handled(site, "qingpu", request_id=waiting_as))
        assert (line["queue"], line["worker"].split("@")[0]) == ("court.qingpu", "qingpu")
        delivery_id = line["delivery"]
        until(
            "the second copy to find it delivered",
            lambda: handled(site, "qingpu", event="delivery already handled", delivery=delivery_id),
        )
        site.step("Qingpu's worker back: delivered, and its second copy refused")
        assert len(handled(site, "qingpu", delivery=delivery_id)) == 1
        timeline = [event["action"] for event in qingpu.get(waiting).body["timeline"]]
        assert timeline.count("filing.receive") == 1, timeline
        assert received_events_and_delivery_state(site, waiting, delivery_id) == (1, "delivered")
        assert pending(site, "qingpu") == 0
        until("Qingpu's queue consumed again", lambda: all_consumed(site))
