"""Benchmark: the public status lookup with 1,000,000 cases, beside a trivial JSON response served by the same
gunicorn workers in the same run.

Issue 9 ("Performance"): "With 1,000,000 cases (and their filings and parties) in PostgreSQL, the public
status lookup costs at most 4 SQL queries, and its throughput under gunicorn is at least half that of a
trivial JSON view served by the same gunicorn in the same run."

Run on PostgreSQL and Redis, in a scratch database whose name contains "bench" (created and migrated if
missing), e.g. through `make bench`, or by hand (bench/README.md):
    DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SECRET_KEY=... FIELD_ENCRYPTION_KEYS=... \
        FIELD_LOOKUP_KEY=... QUERY_CODE_KEY=... \
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_status \
        CELERY_BROKER_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m bench.status_lookup

1. Data: `--cases` [1,000,000] registered cases, each with its origin filing (receipt number KY...), 2 parties
   (on the filing and the case, as registration leaves them) and its timeline (filing.submit, filing.receive,
   filing.register; case.close for the 10 % closed), all with the query code CODE (hashed once). Loaded by
   COPY in one transaction (bulk_create measured 4-5x slower, bench/README.md), then VACUUM ANALYZE
   (autovacuum is off on this server). Kept between runs: a database that already holds exactly that many
   cases is not rebuilt; if its hashes were made under another QUERY_CODE_KEY, they are re-hashed in place.
2. Queries: `--samples` [200] lookups through Django's test client (the whole middleware stack), counted with
   CaptureQueriesContext; then 100 of the same numbers and code again (answered from the answers kept in
   Redis, courts.lookup_guard); also wrong codes and unknown numbers. The exit status is 1 if any costs more
   than 4, or a right code is not answered 200 with the case's milestones (a process's first lookup, which
   loads the courts' registry, is counted apart).
3. Plans: EXPLAIN ANALYZE of the statements of one lookup.
4. Where the time goes: lookups in this process through the test client, their wall time by layer (SQL round
   trips, the ORM building and compiling querysets, Redis, serializers) and by step of the lookup; then the
   same numbers again (their kept answers), timed as a whole.
5. Throughput: gunicorn (2 sync workers) serving bench/anchor_wsgi.py on 127.0.0.1: the trivial Django
   JsonResponse view (the issue's "trivial JSON view", through the project's whole middleware), for scale a
   trivial JSON body answered by the wrapper itself and a Django view making one indexed lookup, and
   `POST /api/public/status/` with the right code: a number's first lookup (the database's path: `--numbers`
   [20,000] random cases, receipt and case numbers in turn, whose kept answers are forgotten before each
   round) and numbers asked again (`--kept` [1,000] other cases, each asked once before the rounds), in turn
   for `--rounds` [3] of `--seconds` [10] each, with Debian's wrk (a Lua script makes the POST bodies and
   counts every status that is not 200; without wrk, a bounded Python client). Medians of req/s and p50, the
   ratios to the trivial JSON view (and to the wrapper's), the CPU each request cost gunicorn, PostgreSQL,
   Redis and wrk; p50 at one connection; then a run of wrong codes (404s) with the guard's limits raised
   through the environment, so that it is not throttled.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

# whitenoise warns that var/static/ is missing (no collectstatic: the lookup serves no static file).
warnings.filterwarnings("ignore", message="No directory at")

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from courts.legal_calendar import COURT_TZ  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LOG_DIR = REPO / "var" / "bench"
PATH = "/api/public/status/"
ANCHOR_PATH = "/bench-anchor/"  # bench/anchor_wsgi.py: answered by the wrapper itself
DJANGO_ANCHOR_PATH = "/bench-anchor/django/"  # a trivial JsonResponse view through the whole middleware
INDEXED_ANCHOR_PATH = "/bench-anchor/indexed/"  # the same with one indexed lookup (?id=)
CODE = "BENCH234"  # the query code of every case (courts.query_codes.ALPHABET)
WRONG_CODE = "WRNG5678"
MAX_QUERIES = 4
TARGET_RATIO = 0.5
PORT = 18231
START_DAY = dt.date(2024, 1, 2)
PER_DAY = 400  # filings per window court per day: 1,000,000 over 834 days
CLOSED_EVERY = 10  # every 10th case is closed
BUFFER_LINES = 10_000
BIG_TABLES = ("cases_filing", "cases_case", "cases_party", "courts_event", "cases_statuslookup")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文玉兵"
COMPANIES = ("苏州吴江丝绸有限公司", "上海青浦物流有限公司", "嘉善县木业有限公司", "长三角建材贸易有限公司")


# --- The scratch database ---------------------------------------------------------------------------------


def setup() -> str:
    from django.conf import settings
    from django.core.management import call_command

    from bench.handoff import ensure_database

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        sys.exit(
            "bench.status_lookup: DATABASE_URL must name a PostgreSQL database whose name contains 'bench' "
            "(it loads a million cases into it), e.g. postgres://postgres@127.0.0.1:5432/bench_status"
        )
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://", "redis+socket://")):
        sys.exit(
            f"bench.status_lookup: the lookup guard's counters are in Redis; CELERY_BROKER_URL={broker!r}"
        )
    server_version = ensure_database(db, fresh=False)
    call_command("migrate", verbosity=0)
    from bench.mediation import seed

    seed()
    return server_version


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def constant_columns(model, per_row: tuple[str, ...], now: dt.datetime, **values) -> tuple[list[str], str]:
    """The columns not given row by row, with the model's defaults (or `values`), as one COPY text tail: a
    column someone adds to the model is filled with its default, or refused here by name if it has none."""
    instance = model(**values)
    columns, texts = [], []
    for field in model._meta.concrete_fields:
        if field.column in per_row:
            continue
        value = getattr(instance, field.attname)
        if value is None and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            value = now
        if value is None and not field.null:
            raise RuntimeError(
                f"{model.__name__}.{field.name} is NOT NULL without a default: give it a value in "
                "bench/status_lookup.py build()"
            )
        columns.append(field.column)
        texts.append(copy_text(value))
    return columns, "\t".join(texts)


def copy_into(model, per_row: tuple[str, ...], tail: tuple[list[str], str], lines) -> int:
    """COPY `lines` (the per-row columns, tab-separated, without the tail) into the model's table."""
    constant, text = tail
    columns = ", ".join(connection.ops.quote_name(c) for c in (*per_row, *constant))
    suffix = "\t" + text + "\n" if constant else "\n"
    count = 0
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        buffer = []
        for line in lines:
            buffer.append(line + suffix)
            if len(buffer) >= BUFFER_LINES:
                copy.write("".join(buffer))
                count += len(buffer)
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            count += len(buffer)
    return count


class Plan:
    """Where and when case `i` was filed, received and registered (the same for every pass over the rows)."""

    def __init__(self, courts: list, tribunals: dict):
        self.courts = courts
        self.tribunals = tribunals  # court id -> [tribunal id]

    def case(self, i: int):
        jurisdiction = self.courts[i % 3]
        window = self.courts[(i + 1) % 3]  # a cross-region filing: made at another court's window
        k = i // 3
        day = START_DAY + dt.timedelta(days=k // PER_DAY)
        sequence = k % PER_DAY + 1
        submitted = dt.datetime.combine(day, dt.time(8, 30), tzinfo=COURT_TZ) + dt.timedelta(
            seconds=75 * sequence
        )
        received = submitted + dt.timedelta(seconds=90)
        registered = received + dt.timedelta(days=1, minutes=20)
        return jurisdiction, window, day, sequence, submitted, received, registered

    def closed_at(self, i: int, registered: dt.datetime) -> dt.datetime | None:
        return registered + dt.timedelta(days=60) if i % CLOSED_EVERY == CLOSED_EVERY - 1 else None


def name(rng: random.Random, organisation: bool) -> str:
    if organisation:
        return rng.choice(COMPANIES)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build(n: int) -> dict:
    """TRUNCATE the filings, cases, parties, timeline and lookup log, and COPY `n` cases with theirs into
    them, in one transaction. Returns the seconds each step took."""
    from cases.models import Case, CaseType, Filing, Party, StatusLookup
    from courts import query_codes
    from courts.models import Court, Event, Tribunal, User

    courts = list(Court.objects.order_by("id"))
    assert len(courts) == 3, "the seeded registry should hold the three courts"
    tribunals: dict = {court.pk: [] for court in courts}
    for tribunal in Tribunal.objects.order_by("id"):
        tribunals[tribunal.court_id].append(tribunal.pk)
    civil = CaseType.objects.get(filing_category="civil_first_instance")
    clerk, _ = User.objects.get_or_create(username="bench.status.window", defaults={"court": courts[0]})
    plan = Plan(courts, tribunals)
    code_hash = query_codes.hash_code(CODE)
    now = timezone.now()
    seconds = {}
    started = time.perf_counter()

    filing_rows = (
        "id",
        "receipt_number",
        "collaborating_court_id",
        "jurisdiction_court_id",
        "submitted_at",
        "first_received_at",
        "received_at",
        "decided_at",
        "claim_amount",
    )
    filing_tail = constant_columns(
        Filing,
        filing_rows,
        now,
        category="civil_first_instance",
        cause="买卖合同纠纷",
        materials=["起诉状", "身份证明", "证据材料"],
        e_service_consent=True,
        pre_mediation_consent=False,
        state=Filing.State.REGISTERED,
        query_code_hash=code_hash,
        submitted_by_id=clerk.pk,
        decided_by_id=clerk.pk,
    )

    def filings():
        for i in range(n):
            jurisdiction, window, day, sequence, submitted, received, registered = plan.case(i)
            yield (
                f"{i + 1}\tKY{window.region_code}-{day:%Y%m%d}-{sequence:04d}\t"
                f"{window.pk}\t{jurisdiction.pk}\t{submitted.isoformat()}\t{received.isoformat()}\t{received.isoformat()}\t"
                f"{registered.isoformat()}\t{(i % 500 + 1) * 1000}.00"
            )

    case_rows = (
        "id",
        "number",
        "court_id",
        "tribunal_id",
        "year",
        "sequence",
        "origin_filing_id",
        "registered_at",
        "state",
        "closed_at",
        "claim_amount",
    )
    case_tail = constant_columns(
        Case,
        case_rows,
        now,
        case_type_id=civil.pk,
        cause="买卖合同纠纷",
        procedure="普通程序",
        query_code_hash=code_hash,
        registered_by_id=clerk.pk,
    )

    def cases():
        sequences = Counter()
        for i in range(n):
            jurisdiction, _window, _day, _sequence, _submitted, _received, registered = plan.case(i)
            year = registered.astimezone(COURT_TZ).year
            sequences[jurisdiction.pk, year] += 1
            number = sequences[jurisdiction.pk, year]
            choices = tribunals[jurisdiction.pk]
            tribunal = str(choices[(i // 2) % len(choices)]) if choices and i % 2 == 0 else "\\N"
            closed = plan.closed_at(i, registered)
            yield (
                f"{i + 1}\t（{year}）{jurisdiction.case_code}{civil.code}{number}号\t{jurisdiction.pk}\t"
                f"{tribunal}\t{year}\t{number}\t{i + 1}\t{registered.isoformat()}\t"
                f"{'closed' if closed else 'registered'}\t{closed.isoformat() if closed else chr(92) + 'N'}\t"
                f"{(i % 500 + 1) * 1000}.00"
            )

    party_rows = ("id", "position", "role", "kind", "name", "filing_id", "case_id")
    party_tail = constant_columns(Party, party_rows, now)

    def parties():
        rng = random.Random(2026)
        for i in range(n):
            organisation = i % 4 == 0
            yield f"{2 * i + 1}\t0\tplaintiff\tperson\t{name(rng, False)}\t{i + 1}\t{i + 1}"
            kind = "organisation" if organisation else "person"
            yield f"{2 * i + 2}\t1\tdefendant\t{kind}\t{name(rng, organisation)}\t{i + 1}\t{i + 1}"

    event_rows = (
        "id",
        "subject_type",
        "subject_id",
        "action",
        "from_state",
        "to_state",
        "actor_court_id",
        "created_at",
    )
    event_tail = constant_columns(Event, event_rows, now)

    def events():
        pk = 0
        for i in range(n):
            jurisdiction, window, _day, _sequence, submitted, received, registered = plan.case(i)
            steps = (
                ("cases.filing", "filing.submit", "", "submitted", window, submitted),
                ("cases.filing", "filing.receive", "submitted", "received", jurisdiction, received),
                ("cases.filing", "filing.register", "received", "registered", jurisdiction, registered),
            )
            closed = plan.closed_at(i, registered)
            if closed:
                steps += (("cases.case", "case.close", "registered", "closed", jurisdiction, closed),)
            for subject_type, action, before, after, court, at in steps:
                pk += 1
                yield (
                    f"{pk}\t{subject_type}\t{i + 1}\t{action}\t{before}\t{after}\t{court.pk}\t"
                    f"{at.isoformat()}"
                )

    tables = [model._meta.db_table for model in (Filing, Case, Party, Event, StatusLookup)]
    counts = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # CASCADE: every table that points at a filing or case (requests, mediations...) is emptied too.
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        for label, model, rows, tail, lines in (
            ("filings", Filing, filing_rows, filing_tail, filings()),
            ("cases", Case, case_rows, case_tail, cases()),
            ("parties", Party, party_rows, party_tail, parties()),
            ("timeline events", Event, event_rows, event_tail, events()),
        ):
            step = time.perf_counter()
            counts[label] = copy_into(model, rows, tail, lines)
            seconds[label] = time.perf_counter() - step
            print(f"  {label}: {counts[label]:,} rows by COPY in {seconds[label]:.1f} s", flush=True)
        with connection.cursor() as cursor:
            for model in (Filing, Case, Party, Event):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    seconds["commit"] = time.perf_counter() - started - sum(seconds.values())
    step = time.perf_counter()
    vacuum()
    seconds["vacuum analyze"] = time.perf_counter() - step
    seconds["total"] = time.perf_counter() - started
    return {"seconds": seconds, "counts": counts}


def vacuum() -> None:
    # Autovacuum is off on this server: without ANALYZE the planner knows nothing of a million rows, and
    # without VACUUM no page is all-visible (no index-only scans).
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(BIG_TABLES)}")


def ensure_data(n: int, rebuild: bool) -> dict:
    """The million cases: kept if the database holds exactly `n`, built otherwise. Their hashes are re-made
    if they were stored under another QUERY_CODE_KEY (`make bench` makes throwaway keys for each run)."""
    from cases.models import Case, Filing, Party, StatusLookup
    from courts import query_codes
    from courts.models import Event

    present = Case.objects.count()
    info = {"built": False}
    if rebuild or present != n or Filing.objects.count() != n:
        print(
            f"building {n:,} cases (the database held {present:,}): TRUNCATE and COPY, a few minutes...",
            flush=True,
        )
        info.update(build(n), built=True)
    else:
        print(f"keeping the {present:,} cases already in the database (--rebuild to make them again)")
    code_hash = query_codes.hash_code(CODE)
    if Filing.objects.filter(pk=1).values_list("query_code_hash", flat=True).first() != code_hash:
        # Made under another QUERY_CODE_KEY: the code is the same, its keyed hash is not.
        started = time.perf_counter()
        with transaction.atomic():
            Filing.objects.update(query_code_hash=code_hash)
            Case.objects.update(query_code_hash=code_hash)
        vacuum()
        info["rehashed"] = time.perf_counter() - started
        print(f"re-hashed the query codes under this run's QUERY_CODE_KEY in {info['rehashed']:.1f} s")
    with connection.cursor() as cursor:
        # The log of earlier runs' lookups: each run starts from an empty one.
        cursor.execute(f"TRUNCATE {StatusLookup._meta.db_table}")
    info["rows"] = {
        "cases": Case.objects.count(),
        "filings": Filing.objects.count(),
        "parties": Party.objects.count(),
        "timeline events": Event.objects.count(),
    }
    info["sizes"] = table_sizes()
    return info


def table_sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [list(BIG_TABLES)],
        )
        return dict(cursor.fetchall())


def sample_numbers(n: int, count: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(number, kind, case id) for `count` random cases: receipt and case numbers in turn."""
    from cases.models import Case

    ids = rng.sample(range(1, n + 1), min(count, n))
    found = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for pk, number, receipt in Case.objects.filter(pk__in=chunk).values_list(
            "pk", "number", "origin_filing__receipt_number"
        ):
            found[pk] = (number, receipt)
    numbers = []
    for index, pk in enumerate(ids):
        number, receipt = found[pk]
        numbers.append((receipt, "receipt", pk) if index % 2 == 0 else (number, "case", pk))
    return numbers


# --- Queries and plans ------------------------------------------------------------------------------------


def count_queries(numbers: list[tuple[str, str, int]]) -> dict:
    """Each lookup through the test client (every middleware, the view, the serializer), its statements
    counted; right codes must be answered 200 with the case's milestones, wrong ones 404; then the same
    numbers and code again."""
    client = Client()
    per_kind: dict[str, Counter] = {}
    problems = []
    closed = 0
    # A process's first lookup also loads the courts and tribunals into the process's registry
    # (courts.selectors, again every COURT_CACHE_SECONDS): counted apart, as the warm-up it is.
    from courts.selectors import forget_cached_courts

    forget_cached_courts()
    first_number, _kind, _pk = numbers[-1]
    with CaptureQueriesContext(connection) as captured:
        client.post(PATH, {"number": first_number, "code": CODE}, content_type="application/json")
    per_kind["a process's first lookup"] = Counter({len(captured): 1})
    for number, kind, pk in numbers:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                PATH,
                {"number": number, "code": CODE},
                content_type="application/json",
                REMOTE_ADDR="127.0.0.1",
            )
        per_kind.setdefault(f"right code, {kind} number", Counter())[len(captured)] += 1
        body = (
            response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        )
        expected = 4 if pk % CLOSED_EVERY == 0 else 3  # ids are 1-based: case i + 1
        closed += expected == 4
        if response.status_code != 200 or len(body.get("milestones", [])) != expected:
            problems.append(f"{number}: {response.status_code} {str(body)[:200]}")
    # The same numbers and code again: answered from the answers kept in Redis (courts.lookup_guard).
    for number, _kind, _pk in numbers[:100]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(PATH, {"number": number, "code": CODE}, content_type="application/json")
        per_kind.setdefault("right code, asked again", Counter())[len(captured)] += 1
        if response.status_code != 200:
            problems.append(f"{number} asked again: {response.status_code}")
    # Wrong codes and unknown numbers: the same path, the same statements (each from its own address, so the
    # guard does not throttle the sample).
    wrong = [(number, WRONG_CODE, "wrong code") for number, _kind, _pk in numbers[:50]]
    wrong += [(f"KY999999-20990101-{k:04d}", CODE, "unknown number") for k in range(25)]
    wrong += [(f"（2099）沪0118民初{k}号", CODE, "unknown number") for k in range(25)]
    for index, (number, code, kind) in enumerate(wrong):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                PATH,
                {"number": number, "code": code},
                content_type="application/json",
                REMOTE_ADDR=f"10.99.{index // 250}.{index % 250 + 1}",
            )
        per_kind.setdefault(kind, Counter())[len(captured)] += 1
        if response.status_code != 404:
            problems.append(f"{number} with {kind}: {response.status_code}, expected 404")
    return {"per_kind": per_kind, "problems": problems, "closed": closed}


def lookup_statements(number: str) -> list[str]:
    from cases.status import status_lookup

    with CaptureQueriesContext(connection) as captured:
        lookup = status_lookup(number=number, code=CODE, address="127.0.0.1")
    assert lookup.result == "found", lookup
    return [query["sql"] for query in captured.captured_queries]


def explain(statements: list[str]) -> list[tuple[str, str, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement as it ran; the INSERT is rolled back."""
    explained = []
    for sql in statements:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        explained.append((sql, plan[0], plan))
    return explained


def print_plans(explained) -> tuple[list[str], float, float]:
    """Print each plan's top line and its scans; returns what looks wrong (a sequential scan of a big table)
    and PostgreSQL's planning and execution milliseconds over the statements."""
    problems = []
    planning = execution = 0.0
    for number, (sql, top, plan) in enumerate(explained, 1):
        scans = [line.strip() for line in plan if "Scan" in line and "never executed" not in line]
        timing = [line.strip() for line in plan if line.startswith(("Planning Time", "Execution Time"))]
        for line in timing:
            milliseconds = float(line.split(":")[1].split()[0])
            if line.startswith("Planning"):
                planning += milliseconds
            else:
                execution += milliseconds
        print(f"\n-- statement {number}: {sql[:150]}{'...' if len(sql) > 150 else ''}")
        print(f"   {top}")
        for line in scans:
            print(f"     {line}")
        print(f"   {'; '.join(timing)}")
        for line in plan:
            if "Seq Scan on " in line:
                table = line.split("Seq Scan on ")[1].split()[0]
                if table in BIG_TABLES:
                    problems.append(f"statement {number}: sequential scan of {table}")
    return problems, planning, execution


# --- gunicorn and the load ---------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving bench/anchor_wsgi.py, a subprocess of this script, stopped before it ends."""

    def __init__(self, port: int, workers: int, env_overrides: dict | None = None, label: str = "right"):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.log = LOG_DIR / f"status-gunicorn-{label}-{time.strftime('%Y%m%d-%H%M%S')}.log"
        env = {**os.environ, **(env_overrides or {})}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "bench.anchor_wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--error-logfile",
                str(self.log),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _body = request("GET", port, ANCHOR_PATH)
                if status == 200:
                    break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"gunicorn did not start: see {self.log}")
            time.sleep(0.2)

    def stop(self) -> None:
        from bench.memory import tree_peaks

        self.peaks = tree_peaks(self.process.pid)  # before anything exits: the whole run's high-water marks
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def request(method: str, port: int, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def body_of(number: str, code: str) -> str:
    return json.dumps({"number": number, "code": code}, ensure_ascii=False)


LUA = r"""-- Written by bench/status_lookup.py for wrk: GET an anchor or POST the lookup's bodies in turn,
-- and count every status that is not the one expected (wrk itself counts only >= 400).
local bodies = {
%(bodies)s
}
local headers = {["Content-Type"] = "application/json"}
local threads = {}
local next_offset = 0

function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 7919
  table.insert(threads, thread)
end

local i = 0
local mode = "lookup"
local expected = 200
matched = 0
unexpected = 0
last_unexpected = 0

function init(args)
  mode = args[1] or "lookup"
  expected = tonumber(args[2] or "200")
  max_id = tonumber(args[3] or "1")
  i = offset or 0
  math.randomseed(i + 1)
end

function request()
  if mode == "anchor" then
    return wrk.format("GET", "%(anchor)s")
  elseif mode == "django" then
    return wrk.format("GET", "%(django)s")
  elseif mode == "indexed" then
    return wrk.format("GET", "%(indexed)s?id=" .. math.random(1, max_id))
  end
  i = i + 1
  return wrk.format("POST", "%(path)s", headers, bodies[(i %% #bodies) + 1])
end

function response(status, headers, body)
  if status == expected then
    matched = matched + 1
  else
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local matched_all, unexpected_all, last = 0, 0, 0
  for _, thread in ipairs(threads) do
    matched_all = matched_all + thread:get("matched")
    unexpected_all = unexpected_all + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then last = thread:get("last_unexpected") end
  end
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"connect_errors": %%d, "read_errors": %%d, "write_errors": %%d, "timeouts": %%d, ' ..
    '"status_errors": %%d, ' ..
    '"matched": %%d, "unexpected": %%d, "last_unexpected": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, matched_all, unexpected_all, last))
end
"""


def write_lua(bodies: list[str], label: str) -> Path:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / f"status-{label}.lua"
    for body in bodies:
        assert "]==]" not in body
    text = LUA % {
        "bodies": ",\n".join(f"  [==[{body}]==]" for body in bodies),
        "anchor": ANCHOR_PATH,
        "django": DJANGO_ANCHOR_PATH,
        "indexed": INDEXED_ANCHOR_PATH,
        "path": PATH,
    }
    path.write_text(text, encoding="utf-8")
    return path


def run_wrk(
    port, lua: Path, mode: str, expected: int, seconds: float, connections: int, threads: int, max_id
):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(lua),
        f"http://127.0.0.1:{port}/",
        "--",
        mode,
        str(expected),
        str(max_id),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((line for line in output.splitlines() if line.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    duration = figures["duration_us"] / 1e6
    return {
        "rps": figures["requests"] / duration,
        "requests": figures["requests"],
        "p50_ms": figures["p50_us"] / 1000,
        "p90_ms": figures["p90_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "unexpected": figures["unexpected"]
        + figures["connect_errors"]
        + figures["read_errors"]
        + figures["write_errors"]
        + figures["timeouts"],
        "detail": figures,
        "load_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    }


def run_python(port, bodies: list[str], mode: str, expected: int, seconds: float, connections: int, max_id):
    """Without wrk: `connections` threads, each sending one request at a time for `seconds` (the GIL makes
    this client itself a bottleneck on a small machine: its figures are lower bounds)."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    before = time.process_time()

    def client(offset: int):
        mine, seen, index = [], Counter(), offset
        while time.monotonic() < stop:
            index += 1
            started = time.perf_counter()
            try:
                if mode in ("anchor", "django"):
                    status, _ = request("GET", port, ANCHOR_PATH if mode == "anchor" else DJANGO_ANCHOR_PATH)
                elif mode == "indexed":
                    status, _ = request("GET", port, f"{INDEXED_ANCHOR_PATH}?id={random.randint(1, max_id)}")
                else:
                    status, _ = request("POST", port, PATH, bodies[index % len(bodies)].encode())
            except (OSError, http.client.HTTPException):
                status = 0
            mine.append(time.perf_counter() - started)
            seen[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(k * 7919,)) for k in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    duration = time.monotonic() - started
    latencies.sort()

    def pick(fraction):
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "rps": len(latencies) / duration,
        "requests": len(latencies),
        "p50_ms": pick(0.5),
        "p90_ms": pick(0.9),
        "p99_ms": pick(0.99),
        "unexpected": sum(count for status, count in statuses.items() if status != expected),
        "detail": dict(statuses),
        "load_cpu_s": time.process_time() - before,
    }


class Load:
    def __init__(self, port: int, bodies: list[str], label: str, connections: int, threads: int, max_id: int):
        self.port, self.bodies, self.connections, self.threads = port, bodies, connections, threads
        self.numbers = [json.loads(body)["number"] for body in bodies]
        self.max_id = max_id  # filings 1..max_id, for the indexed anchor
        self.wrk = shutil.which("wrk") is not None
        self.lua = write_lua(bodies, label) if self.wrk else None

    def run(self, mode: str, expected: int, seconds: float, connections: int | None = None):
        connections = connections or self.connections
        if self.wrk:
            threads = min(self.threads, connections)
            return run_wrk(self.port, self.lua, mode, expected, seconds, connections, threads, self.max_id)
        return run_python(self.port, self.bodies, mode, expected, seconds, connections, self.max_id)


def measured(load: Load, meter_pid: int, mode: str, expected: int, seconds: float, connections=None):
    from bench.handoff import CpuMeter

    with CpuMeter(meter_pid) as cpu:
        figures = load.run(mode, expected, seconds, connections)
    figures["cpu"] = cpu.per(max(figures["requests"], 1))
    figures["cpu"]["load generator"] = figures["load_cpu_s"] * 1000 / max(figures["requests"], 1)
    if cpu.spent["all"]:
        # wrk is not one of CpuMeter's groups: take it out of "other processes" (which keeps the kernel's
        # share of the loopback traffic, charged to no process).
        share = figures["load_cpu_s"] / cpu.spent["all"] * 100
        figures["cpu"]["other_pct"] = max(0.0, figures["cpu"]["other_pct"] - share)
    return figures


MODES = {
    "anchor": ("anchor", 200),
    "Django view": ("django", 200),
    "one query": ("indexed", 200),
}  # name -> (Lua mode, status expected)
FIRST = "first lookup"  # each number's first lookup in the round: the database's path
AGAIN = "asked again"  # numbers asked before: their kept answers


def kept_answer_keys(numbers: list[str]) -> list[str]:
    """Where the lookups by gunicorn keep the answers of `numbers` with the right code: in the language a
    request without Accept-Language is answered in."""
    from django.conf import settings
    from django.utils import translation

    from cases.status import answer_key
    from courts.numbers import normalise_number

    with translation.override(settings.LANGUAGE_CODE):
        return [answer_key(normalise_number(number), CODE) for number in numbers]


def rounds(loads: dict, server: Gunicorn, names: tuple[str, ...], expected: int, options) -> dict:
    """The anchors and the lookup in turn, `options.rounds` times (each round in another order). `loads`:
    the load of each name that has its own bodies (else loads[None]). Before each round of first lookups,
    the answers kept by earlier rounds are forgotten."""
    from courts import lookup_guard

    results: dict[str, list] = {name: [] for name in names}
    first_keys = kept_answer_keys(loads[None].numbers)
    for number in range(options.rounds):
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            mode, status = MODES.get(name, ("lookup", expected))
            if name == FIRST:
                lookup_guard.forget_kept_answers(first_keys)  # not the other numbers', asked again
            load = loads.get(name, loads[None])
            figures = measured(load, server.process.pid, mode, status, options.seconds)
            results[name].append(figures)
            print(
                f"  round {number + 1} {name:<12} {figures['rps']:>7.0f} req/s  "
                f"p50 {figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:6.2f} ms  "
                f"{figures['requests']:>7,} requests, "
                f"{figures['unexpected']} not {status}; machine idle {figures['cpu']['idle_pct']:.0f} %, "
                f"other processes and the kernel {figures['cpu']['other_pct']:.0f} %",
                flush=True,
            )
    return results


def median_of(results: list, key: str) -> float:
    return statistics.median(figures[key] for figures in results)


def cpu_line(results: list) -> str:
    groups = ("worker", "postgres", "redis", "load generator")
    names = {"worker": "gunicorn", "postgres": "PostgreSQL", "redis": "Redis", "load generator": "wrk"}
    parts = [f"{names[group]} {statistics.median(r['cpu'][group] for r in results):.3f}" for group in groups]
    return "CPU ms per request: " + ", ".join(parts)


# --- Where the time goes ----------------------------------------------------------------------------------


def profile(numbers: list[tuple[str, str, int]], repetitions: int) -> dict:
    """In this process, lookups through the test client with their parts timed apart (wall time, outermost
    call only): the SQL round trips (execute_wrapper: PostgreSQL's planning and execution, the network), the
    ORM compiling its querysets to SQL, the guard's Redis calls, the serializers and the JSON renderer. What
    is left is the rest of Django and DRF (middleware, dispatch, request parsing), the finders' model
    instances and the status itself. Separately, the same wall time by step of cases.status.status_lookup:
    the finder (its query and model instances), the code's check, the milestones, the upcoming sessions.
    Each number is asked once (its answer is not kept yet: the database's path); then each again (the kept
    answer's path), timed as a whole."""
    from django.db.models.sql import compiler, query
    from rest_framework.renderers import JSONRenderer

    from cases import status
    from cases.api import public
    from courts import lookup_guard, query_codes

    layers = ("sql", "orm filters", "orm compile", "redis", "serializers", "json")
    steps = ("step: finder", "step: code check", "step: milestones", "step: upcoming")
    buckets = dict.fromkeys(layers + steps, 0.0)
    depth = dict.fromkeys(buckets, 0)
    patched = []

    def timing(owner, attribute, bucket):
        original = getattr(owner, attribute)
        own = attribute in owner.__dict__

        def timed(*args, **kwargs):
            if depth[bucket]:
                return original(*args, **kwargs)
            depth[bucket] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                buckets[bucket] += time.perf_counter() - started
                depth[bucket] -= 1

        setattr(owner, attribute, timed)
        patched.append((owner, attribute, original if own else None))

    def timed_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            buckets["sql"] += time.perf_counter() - started

    for klass in (compiler.SQLCompiler, compiler.SQLInsertCompiler):
        timing(klass, "as_sql", "orm compile")
    timing(query.Query, "add_q", "orm filters")
    for method in ("begin", "failed", "succeeded"):
        timing(lookup_guard.LookupGuard, method, "redis")
    for klass in (public.StatusRequestSerializer, public.StatusSerializer):
        timing(klass, "__init__", "serializers")
    timing(public.StatusSerializer, "to_representation", "serializers")
    timing(public.StatusRequestSerializer, "is_valid", "serializers")
    timing(JSONRenderer, "render", "json")
    timing(query_codes, "matches", "step: code check")
    timing(status, "milestones_of", "step: milestones")
    timing(status, "upcoming_of", "step: upcoming")
    finders = list(status._finders)
    for index, (claims, finder) in enumerate(finders):
        holder = type("Finder", (), {"find": staticmethod(finder)})
        timing(holder, "find", "step: finder")
        status._finders[index] = (claims, holder.find)
    client = Client()
    bodies = [{"number": number, "code": CODE} for number, _kind, _pk in numbers]

    def timed_pass() -> tuple[float, float]:
        """Wall and CPU seconds of `repetitions` lookups through the test client."""
        wall = spent = 0.0
        for index in range(repetitions):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.post(PATH, bodies[index % len(bodies)], content_type="application/json")
            wall += time.perf_counter() - started
            spent += time.process_time() - started_cpu
            assert response.status_code == 200, response.content
        return wall, spent

    try:
        for body in bodies[:20]:
            client.post(PATH, body, content_type="application/json")  # warm
        lookup_guard.forget_kept_answers()
        for bucket in buckets:
            buckets[bucket] = 0.0
        with connection.execute_wrapper(timed_sql):
            total, cpu = timed_pass()
        again, again_cpu = timed_pass()  # each number again: its kept answer (the first pass kept one each)
    finally:
        status._finders[:] = finders
        for owner, attribute, original in reversed(patched):
            if original is None:
                delattr(owner, attribute)  # it was inherited
            else:
                setattr(owner, attribute, original)
    figures = {bucket: seconds * 1000 / repetitions for bucket, seconds in buckets.items()}
    figures.update(total=total * 1000 / repetitions, cpu=cpu * 1000 / repetitions)
    figures.update(again=again * 1000 / repetitions, again_cpu=again_cpu * 1000 / repetitions)
    figures["rest"] = figures["total"] - sum(buckets[layer] for layer in layers) * 1000 / repetitions
    figures["step: rest"] = figures["total"] - sum(buckets[step] for step in steps) * 1000 / repetitions
    return figures


# --- The run ----------------------------------------------------------------------------------------------


def machine(server_version: str) -> str:
    model = "?"
    with contextlib.suppress(OSError):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    import gunicorn

    wrk = (
        "wrk "
        + (subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1:2] or ["?"])[0]
        if shutil.which("wrk")
        else "no wrk (Python client)"
    )
    return (
        f"{platform.node()} · {model} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"Django {django.get_version()} · gunicorn {gunicorn.__version__} · PostgreSQL {server_version} · "
        f"{wrk}"
    )


def load_average() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the database [1000000]")
    parser.add_argument("--rebuild", action="store_true", help="build the rows again even if they are there")
    parser.add_argument("--samples", type=int, default=200, help="lookups whose statements are counted [200]")
    parser.add_argument(
        "--numbers", type=int, default=20_000, help="cases the first lookups rotate through [20000]"
    )
    parser.add_argument("--kept", type=int, default=1_000, help="other cases, asked again [1000]")
    parser.add_argument("--rounds", type=int, default=3, help="anchor/lookup rounds [3]")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per round [10]")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections [16]")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads [2]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers [2]")
    parser.add_argument("--port", type=int, default=PORT, help=f"gunicorn's port, if free [{PORT}]")
    parser.add_argument("--wrong-rounds", type=int, default=1, help="anchor/wrong-code rounds [1]; 0: none")
    parser.add_argument("--profile", type=int, default=500, help="in-process lookups profiled [500]")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    options = parse(argv)
    from django.conf import settings

    from courts import lookup_guard

    server_version = setup()
    # The sample's wrong codes are 404s, each logged as a warning by django.request (set here, after
    # bench.mediation's django.setup() configured logging again).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    print(f"machine: {machine(server_version)}")
    print(
        f"DEBUG={int(settings.DEBUG)}, CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, "
        f"{load_average()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    failed = False
    data = ensure_data(options.cases, options.rebuild)
    if data["built"]:
        seconds = data["seconds"]
        print(
            f"built in {seconds['total']:.0f} s: "
            + ", ".join(f"{step} {value:.1f} s" for step, value in seconds.items() if step != "total")
        )
    print(
        "rows: "
        + ", ".join(f"{count:,} {label}" for label, count in data["rows"].items())
        + "; on disk with indexes: "
        + ", ".join(f"{table} {size / 2**20:.0f} MB" for table, size in sorted(data["sizes"].items()))
    )
    lookup_guard.forget_everything()  # a previous run's counters
    rng = random.Random(options.seed)
    numbers = sample_numbers(options.cases, max(options.numbers, options.samples) + options.kept, rng)

    # -- Queries --
    counted = count_queries(numbers[: options.samples])
    lookup_guard.forget_everything()
    print(f"\n== SQL statements per lookup (the issue: at most {MAX_QUERIES}) ==")
    most = 0
    for kind, per in counted["per_kind"].items():
        if kind != "a process's first lookup":  # the registry's loading, once per process and 5 minutes
            most = max(most, max(per))
        spread = ", ".join(f"{count} statements x {calls}" for count, calls in sorted(per.items()))
        print(f"  {kind:<28} {spread}")
    verdict = "met" if most <= MAX_QUERIES else "MISSED"
    print(f"  max {most} ({verdict}); {counted['closed']} of the sampled cases are closed (4 milestones)")
    failed |= most > MAX_QUERIES
    for problem in counted["problems"][:10]:
        print(f"  WRONG ANSWER: {problem}")
    failed |= bool(counted["problems"])

    # -- Plans --
    print("\n== EXPLAIN ANALYZE of one lookup's statements (a receipt number, then a case number) ==")
    problems = []
    for number, kind, _pk in numbers[:2]:
        statements = lookup_statements(number)
        print(f"\n{kind} number {number}: {len(statements)} statements")
        found, planning, execution = print_plans(explain(statements))
        problems += found
        print(
            f"\n   PostgreSQL for this lookup: planning {planning:.2f} ms, execution {execution:.2f} ms "
            "(the statements are planned again at every lookup)"
        )
    lookup_guard.forget_everything()
    for problem in problems:
        print(f"plan: {problem}")
    failed |= bool(problems)

    # -- Profile in process --
    profiled = profile(numbers, options.profile)
    lookup_guard.forget_everything()
    parts = ", ".join(
        f"{label} {profiled[bucket]:.2f}"
        for bucket, label in (
            ("sql", "SQL round trips"),
            ("orm filters", "the ORM building filters"),
            ("orm compile", "compiling querysets to SQL"),
            ("redis", "the guard's Redis calls"),
            ("serializers", "DRF serializers"),
            ("json", "JSON rendering"),
            ("rest", "the rest (Django, DRF, model instances, the status)"),
        )
    )
    by_step = ", ".join(
        f"{label} {profiled[bucket]:.2f}"
        for bucket, label in (
            ("step: finder", "finder (query, model instances)"),
            ("step: code check", "HMAC check"),
            ("step: milestones", "milestones (events query)"),
            ("step: upcoming", "upcoming sessions query"),
            ("step: rest", "the rest (guard, status, middleware, DRF, serializers)"),
        )
    )
    print(
        f"\n== one lookup in this process (test client, {options.profile} numbers, caches warm) ==\n"
        f"  a number's first lookup: {profiled['total']:.2f} ms wall, {profiled['cpu']:.2f} ms CPU in this "
        "process\n"
        f"    by layer, wall ms: {parts}\n"
        f"    by step, wall ms: {by_step}\n"
        f"  the same number and code again (the kept answer): {profiled['again']:.2f} ms wall, "
        f"{profiled['again_cpu']:.2f} ms CPU"
    )

    # -- Throughput --
    if shutil.which("wrk") is None:
        print(
            "\nwrk is not installed (Debian: apt-get install wrk): falling back to a Python client of "
            f"{options.connections} threads, whose own CPU competes with gunicorn's on this machine; install "
            "wrk for the figures the issue means."
        )
    port = free_port(options.port)
    bodies = [body_of(number, CODE) for number, _kind, _pk in numbers[: options.numbers]]
    # Numbers asked before: not among the first lookups' (a round of those never meets a kept answer).
    kept = [body_of(number, CODE) for number, _kind, _pk in numbers[-options.kept :]]
    print(
        f"\n== throughput: gunicorn {options.workers} sync workers on 127.0.0.1:{port}, "
        f"{options.connections} connections, {options.rounds} rounds of {options.seconds:.0f} s each; "
        f"first lookups of {len(bodies):,} different numbers (each round forgets the answers the last one "
        f"kept), and {len(kept):,} other numbers asked again (right code) =="
    )
    names = ("anchor", "Django view", "one query", FIRST, AGAIN)
    server = Gunicorn(port, options.workers)
    try:
        loads = {
            None: Load(port, bodies, "right", options.connections, options.threads, options.cases),
            AGAIN: Load(port, kept, "again", options.connections, options.threads, options.cases),
        }
        for mode in ("anchor", "django", "indexed", "lookup"):
            loads[None].run(mode, 200, 3)  # warm up: imports, the ORM's caches, connections, index pages
        lookup_guard.forget_everything()
        for body in kept:  # each asked once, one at a time: its answer is kept
            status, _answer = request("POST", port, PATH, body.encode())
            assert status == 200, (status, body)
        results = rounds(loads, server, names, 200, options)
        one = {}
        for name in names:
            if name == FIRST:
                lookup_guard.forget_kept_answers(kept_answer_keys(loads[None].numbers))
            mode = MODES.get(name, ("lookup", 200))[0]
            load = loads.get(name, loads[None])
            one[name] = measured(load, server.process.pid, mode, 200, 5, connections=1)
    finally:
        server.stop()
    from bench.memory import report_line

    print(report_line("gunicorn under the lookup load", server.peaks, "worker"), flush=True)
    lookup_guard.forget_everything()
    bad = sum(r["unexpected"] for name in names for r in (*results[name], one[name]))
    print(f"\n  {'':<38}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'p50 ms at 1':>13}")
    labels = {
        "anchor": "anchor (wrapper's trivial JSON)",
        "Django view": "trivial JsonResponse view, Django",
        "one query": "one indexed lookup, Django view",
        FIRST: "status lookup, a number's first",
        AGAIN: "status lookup, asked again",
    }
    for name in names:
        print(
            f"  {labels[name]:<38}{median_of(results[name], 'rps'):>8.0f}"
            f"{median_of(results[name], 'p50_ms'):>9.2f}{median_of(results[name], 'p99_ms'):>9.2f}"
            f"{one[name]['p50_ms']:>13.2f}"
        )
    for name in names:
        print(f"  {name:<12} {cpu_line(results[name])}")
    view = median_of(results["Django view"], "rps")
    wrapper = median_of(results["anchor"], "rps")
    for name in (AGAIN, FIRST):
        ratio = median_of(results[name], "rps") / view
        print(
            f"  RATIO {labels[name]} / trivial JSON view: {ratio:.3f} "
            f"({'meets' if ratio >= TARGET_RATIO else 'MISSES'} the target >= {TARGET_RATIO}); "
            f"/ the wrapper's JSON: {median_of(results[name], 'rps') / wrapper:.3f}"
        )
    print(
        f"  for scale: one indexed lookup / trivial JSON view "
        f"{median_of(results['one query'], 'rps') / view:.3f}; trivial JSON view / the wrapper's JSON "
        f"{view / wrapper:.3f}; responses not 200: {bad}"
    )
    failed |= bad > 0

    # -- Wrong codes --
    if options.wrong_rounds:
        limits = {"STATUS_LOOKUP_FAILURE_LIMIT": "1000000000", "STATUS_LOOKUP_NUMBER_LIMIT": "1000000000"}
        wrong = [body_of(number, WRONG_CODE) for number, _kind, _pk in numbers[: options.numbers]]
        print(
            f"\n== wrong codes (404), the guard's limits raised through the environment "
            f"({', '.join(f'{k}={v}' for k, v in limits.items())}) =="
        )
        server = Gunicorn(port, options.workers, limits, label="wrong")
        try:
            load = Load(port, wrong, "wrong", options.connections, options.threads, options.cases)
            load.run("lookup", 404, 3)
            wrong_options = argparse.Namespace(**{**vars(options), "rounds": options.wrong_rounds})
            wrong_results = rounds({None: load}, server, ("anchor", "wrong code"), 404, wrong_options)
        finally:
            server.stop()
            lookup_guard.forget_everything()
        wrong_ratio = median_of(wrong_results["wrong code"], "rps") / median_of(
            wrong_results["anchor"], "rps"
        )
        unexpected = sum(r["unexpected"] for rs in wrong_results.values() for r in rs)
        print(
            f"  wrong code: median {median_of(wrong_results['wrong code'], 'rps'):.0f} req/s, p50 "
            f"{median_of(wrong_results['wrong code'], 'p50_ms'):.2f} ms; "
            f"ratio to the anchor {wrong_ratio:.3f}; "
            f"responses not 404: {unexpected}\n"
            f"  wrong code   {cpu_line(wrong_results['wrong code'])}"
        )
        failed |= unexpected > 0

    print(f"\nat the end: {load_average()}; gunicorn's log under {LOG_DIR.relative_to(REPO)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
