"""Benchmark: the clocks sweep over 100,000 open requests, and the inbox of a court with 10,000.

Issue: "The inbox of a court with 10,000 open requests renders its first page in a fixed number of queries;
the overdue sweep over 100,000 requests finishes in under 5 s on this machine."

Run on PostgreSQL (a scratch database whose name contains "bench", created if missing; it is emptied of
requests first), e.g. through `make bench`, or:
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.request_sweep

The anchor, measured in the same run, is one sequential pass over the same rows (SELECT of the columns the
sweep reads, all 100,000), so the ratio says how the sweep compares with simply reading the table once.
"""

import datetime as dt
import os
import platform
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

TOTAL = int(os.environ.get("BENCH_REQUESTS", "100000"))
OVERDUE_SHARE = 0.10  # a tenth of the open requests have run out of time when the sweep comes
ESCALATE_SHARE = 0.01
INBOX_OPEN = 10_000


def setup():
    from django.conf import settings

    from bench.handoff import ensure_database
    from cases.models import Case, CaseType, Party
    from courts.models import Court
    from courts.services import staff_upsert

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        # It empties the request tables and the timeline: only ever a scratch PostgreSQL database.
        sys.exit(
            "bench.request_sweep: DATABASE_URL must name a PostgreSQL database whose name contains 'bench'"
        )
    ensure_database(db, fresh=False)  # created if missing
    call_command("migrate", verbosity=0)
    courts = {court.code: court for court in Court.objects.all()}
    users = {
        code: staff_upsert(username=f"bench.{code}", court=court, roles=["filing_clerk", "officer"])
        for code, court in courts.items()
    }
    staff_upsert(username="bench.jiashan.admin", court=courts["jiashan"], roles=["court_admin"])
    case_type = CaseType.objects.get(code="民初")
    cases = {}
    for code, court in courts.items():
        cases[code], _ = Case.objects.get_or_create(
            number=f"（2026）{court.case_code}民初999999号",
            defaults={
                "court": court,
                "case_type": case_type,
                "year": 2026,
                "sequence": 999999,
                "cause": "bench",
            },
        )
        if not cases[code].parties.exists():
            Party.objects.create(case=cases[code], role="defendant", kind="person", name="被告")
    return courts, users, cases


def make_rows(courts, users, cases):
    """TOTAL open requests between the three courts; INBOX_OPEN of them entrusted to Jiashan."""
    from cases.models import PreservationRequest, ServiceRequest

    # A scratch database: start each run from empty request tables. TRUNCATE, because the timeline refuses
    # row deletes (its trigger) and a truncate is not a row delete.
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_servicerequest, cases_preservationrequest, courts_event, courts_notification"
            " CASCADE"
        )
    now = timezone.now()
    rng = random.Random(2026)
    pairs = [("qingpu", "wujiang"), ("wujiang", "qingpu"), ("jiashan", "qingpu")]
    service, preservation = [], []
    for index in range(TOTAL):
        if index < INBOX_OPEN:
            requesting, entrusted = "qingpu", "jiashan"
        else:
            requesting, entrusted = pairs[index % len(pairs)]
        roll = rng.random()
        overdue_due = roll < OVERDUE_SHARE
        state = "received" if roll < OVERDUE_SHARE + ESCALATE_SHARE or index % 2 else "accepted"
        received = now - dt.timedelta(days=rng.randint(1, 9))
        common = {
            "reference": f"BENCH-{index:06d}",
            "requesting_court": courts[requesting],
            "entrusted_court": courts[entrusted],
            "case": cases[requesting],
            "state": state,
            "created_by": users[requesting],
            "received_at": received,
            "due_at": now - dt.timedelta(hours=rng.randint(1, 48))
            if overdue_due
            else now + dt.timedelta(days=rng.randint(1, 9)),
            "acceptance_due_at": now - dt.timedelta(hours=1)
            if OVERDUE_SHARE <= roll < OVERDUE_SHARE + ESCALATE_SHARE
            else now + dt.timedelta(days=1),
        }
        if index % 10 < 7:
            service.append(
                ServiceRequest(
                    **common, recipient_id=party_id(cases[requesting]), address="x", method="direct"
                )
            )
        else:
            preservation.append(
                PreservationRequest(
                    **common,
                    respondent_id=party_id(cases[requesting]),
                    stage="in_suit",
                    allowed_amount=1000,
                    ruling_number="x",
                )
            )
    ServiceRequest.objects.bulk_create(service, batch_size=2000)
    PreservationRequest.objects.bulk_create(preservation, batch_size=2000)
    return len(service), len(preservation)


_party_ids: dict[int, int] = {}


def party_id(case) -> int:
    if case.pk not in _party_ids:
        _party_ids[case.pk] = case.parties.values_list("pk", flat=True)[0]
    return _party_ids[case.pk]


def anchor_seconds() -> float:
    from cases.models import PreservationRequest, ServiceRequest

    started = time.perf_counter()
    for model in (ServiceRequest, PreservationRequest):
        rows = list(
            model.objects.values_list(
                "pk",
                "state",
                "overdue",
                "due_at",
                "acceptance_due_at",
                "entrusted_court_id",
                "requesting_court_id",
                "created_by_id",
            )
        )
        assert rows
    return time.perf_counter() - started


def inbox_queries(user, model) -> tuple[int, int, float]:
    from cases import selectors

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        page = list(selectors.request_list(user, model).filter(entrusted_court_id=user.court_id)[:50])
        elapsed = time.perf_counter() - started
        for request in page:  # what a row of the inbox shows
            str(request.requesting_court), str(request.case), request.due_at, request.created_by_id
    return len(captured), len(page), elapsed


def main() -> int:
    if connection.vendor != "postgresql":
        print("Run this on PostgreSQL (DATABASE_URL=postgres://...): the figure is for the courts' database.")
        return 2
    from cases.models import PreservationRequest, ServiceRequest
    from cases.services.request_clocks import requests_sweep_clocks
    from courts.models import User

    courts, users, cases = setup()
    started = time.perf_counter()
    services, preservations = make_rows(courts, users, cases)
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    print(
        f"rows: {services} service + {preservations} preservation requests, open "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_servicerequest; ANALYZE cases_preservationrequest;")

    jiashan = User.objects.get(username="bench.jiashan")
    for model in (ServiceRequest, PreservationRequest):
        queries, rows, elapsed = inbox_queries(jiashan, model)
        print(
            f"inbox {model._meta.model_name}: first page {rows} rows in {queries} queries, "
            f"{elapsed * 1000:.1f} ms"
        )

    anchor = anchor_seconds()
    started = time.perf_counter()
    counts = requests_sweep_clocks()
    sweep = time.perf_counter() - started
    flagged = counts["service_request_overdue"] + counts["preservation_request_overdue"]
    escalated = counts["service_request_escalated"] + counts["preservation_request_escalated"]
    print(f"anchor (one read of all {services + preservations} rows): {anchor:.2f} s")
    print(
        f"sweep: {sweep:.2f} s ({flagged} flagged overdue, {escalated} escalated) = "
        f"{sweep / anchor:.1f}x anchor; target under 5 s: {'met' if sweep < 5 else 'MISSED'}"
    )
    started = time.perf_counter()
    again = requests_sweep_clocks()
    print(
        f"second sweep (nothing new): {time.perf_counter() - started:.2f} s, "
        f"{sum(v for k, v in again.items() if k.endswith(('overdue', 'escalated')))} flagged"
    )
    return 0 if sweep < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
