"""Benchmark: the history import of 100,000 past cases (200,000 rows), beside a COPY of the same rows.

Issue 10 ("Performance"): "importing 100,000 historical cases (200,000 rows) takes under 60 seconds (COPY or
batched inserts, not a row at a time)", printed beside its anchor measured in the same run: a `COPY` of the
same rows.

Run on PostgreSQL and Redis, in a scratch database whose name contains "bench" (created and migrated if
missing; its cases, parties, timeline and case-number sequences are emptied first), e.g.:
    DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SECRET_KEY=... FIELD_ENCRYPTION_KEYS=... \
        FIELD_LOOKUP_KEY=... QUERY_CODE_KEY=... \
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_history \
        CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.history_import

1. The file: `--cases` [100,000] cases of the three courts over 2015-2025, each a plaintiff (a person) and a
   defendant (a company or a person), every ID number with a valid check character, four in five cases
   closed; written as CSV to var/bench/history-<cases>.csv (rewritten each run: the same seed, the same file).
2. The anchor: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of that file's bytes into a temporary table of ten
   text columns, committed: the least any import of these rows can cost the database. Measured before and
   after the import; the median of `--anchors` [3] runs is the anchor.
3. The import: `manage.py import_history FILE` (call_command in this process, so Python's and Django's start
   are not counted), from reading the file to the commit and the marks after it; then the same file again
   (every case already there: read, check, skip) and a dry run.
Printed: both figures and their ratio, whether the import is under 60 s, the CPU this process used, the
machine's load and how busy its cores were meanwhile. The exit status is 1 if the import took 60 s or more or
did not write exactly the file's cases, parties and events.
"""

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "var" / "bench"
TARGET_SECONDS = 60
FIRST_YEAR, YEARS = 2015, 11
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁沈"
)
CAUSES = (
    "买卖合同纠纷",
    "民间借贷纠纷",
    "劳务合同纠纷",
    "租赁合同纠纷",
    "建设工程施工合同纠纷",
    "机动车交通事故责任纠纷",
)
TRADES = ("丝绸", "物流", "木业", "建材贸易", "纺织", "电子科技", "食品")
COURTS = (
    ("wujiang", "苏0509", "320509", "苏州市吴江区"),
    ("qingpu", "沪0118", "310118", "上海市青浦区"),
    ("jiashan", "浙0421", "330421", "嘉善县"),
)


def setup() -> str:
    from django.conf import settings

    from bench.handoff import ensure_database
    from bench.mediation import seed

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        sys.exit(
            "bench.history_import: DATABASE_URL must name a PostgreSQL database whose name contains 'bench' "
            "(it empties the cases and the timeline), e.g. postgres://postgres@127.0.0.1:5432/bench_history"
        )
    server_version = ensure_database(db, fresh=False)
    call_command("migrate", verbosity=0)
    seed()
    return server_version


def empty_imported() -> None:
    """Start from no cases: a scratch database, emptied by TRUNCATE (the timeline's trigger refuses row
    deletes; a truncate is not one), with the case-number counters."""
    from courts.models import Sequence

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, cases_party, courts_event CASCADE")
        Sequence.objects.filter(name__startswith="case:").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case, cases_party, courts_event")


# --- The file ---------------------------------------------------------------------------------------------


def write_file(path: Path, cases: int) -> int:
    from cases.identity import USCC_ALPHABET, resident_id_check_character, uscc_check_character
    from cases.services.history_import import COLUMNS

    rng = random.Random(2026)
    today = dt.date.today()
    rows = 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(cases):
        # Unique numbers: (court, year, sequence) is i read in three digits.
        code, number_code, region, place = COURTS[i % 3]
        year = FIRST_YEAR + (i // 3) % YEARS
        sequence = i // (3 * YEARS) + 1
        type_code = "执" if i % 5 == 4 else "民初"
        registered = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(355))
        closed = registered + dt.timedelta(days=rng.randrange(30, 200))
        closed_on = closed.isoformat() if rng.random() < 0.8 and closed <= today else ""
        case = [
            f"（{year}）{number_code}{type_code}{sequence}号",
            code,
            rng.choice(CAUSES),
            f"{rng.randrange(1_000, 5_000_000)}.{rng.randrange(100):02d}",
            registered.isoformat(),
            closed_on,
        ]
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
        first17 = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        writer.writerow(
            [
                *case,
                "plaintiff",
                "person",
                rng.choice(SURNAMES) + "某某",
                first17 + resident_id_check_character(first17),
            ]
        )
        if i % 2:
            organisation = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
            first17 = f"91{COURTS[(i + 1) % 3][2]}{organisation}"
            name = f"{COURTS[(i + 1) % 3][3]}某{rng.choice(TRADES)}有限公司"
            writer.writerow(
                [*case, "defendant", "organisation", name, first17 + uscc_check_character(first17)]
            )
        else:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
            first17 = f"{COURTS[(i + 2) % 3][2]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            id_number = first17 + resident_id_check_character(first17)
            writer.writerow([*case, "defendant", "person", rng.choice(SURNAMES) + "某", id_number])
        rows += 2
    path.write_text(out.getvalue(), encoding="utf-8")
    return rows


# --- The anchor -------------------------------------------------------------------------------------------


def copy_anchor(path: Path) -> float:
    """COPY the file's rows, as they are, into a temporary table; committed."""
    from cases.services.history_import import COLUMNS

    content = path.read_bytes()
    columns = ", ".join(f"{column} text" for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS history_anchor ({columns})")
        cursor.execute("TRUNCATE history_anchor")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.connection.cursor() as cursor,
        cursor.copy("COPY history_anchor FROM STDIN (FORMAT csv, HEADER true)") as copy,
    ):
        for start in range(0, len(content), 1 << 20):
            copy.write(content[start : start + (1 << 20)])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM history_anchor")
        assert cursor.fetchone()[0] == content.count(b"\n") - 1
    return elapsed


# --- Measuring --------------------------------------------------------------------------------------------


class Usage:
    """This process's CPU, its PostgreSQL backend's (when the server runs on this machine) and the machine's
    busy share over a stretch of time."""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.backend_cpu = self._backend_cpu()
        self.cpu = self._cpu()
        self.stat = self._stat()
        self.load = os.getloadavg()
        return self

    def __exit__(self, *exc):
        self.cpu = self._cpu() - self.cpu
        self.backend_cpu = self._backend_cpu() - self.backend_cpu
        busy, total = (after - before for after, before in zip(self._stat(), self.stat, strict=True))
        self.busy = busy / total if total else 0.0
        self.load_after = os.getloadavg()

    @staticmethod
    def _cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def _backend_cpu(self) -> float:
        if not self.backend.exists():
            return float("nan")
        fields = self.backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    @staticmethod
    def _stat() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle, iowait
        return sum(values) - idle, sum(values)

    def describe(self) -> str:
        return (
            f"this process {self.cpu:.1f} s CPU, its PostgreSQL backend {self.backend_cpu:.1f} s; peak "
            f"memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; the machine's cores "
            f"{self.busy:.0%} busy; load {self.load[0]:.2f} -> {self.load_after[0]:.2f}"
        )


def run_command(path: Path, *options) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_history", str(path), *options, stdout=out, stderr=io.StringIO())
    return time.perf_counter() - started, out.getvalue().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--anchors", type=int, default=3)
    args = parser.parse_args()

    from django.conf import settings

    from cases.models import Case, Party
    from courts.models import Event, Sequence

    server_version = setup()
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"PostgreSQL {server_version} · DEBUG={settings.DEBUG} · "
        f"load average {', '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    empty_imported()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"history-{args.cases}.csv"
    started = time.perf_counter()
    rows = write_file(path, args.cases)
    print(
        f"file: {path.relative_to(REPO)}, {args.cases:,} cases in {rows:,} rows, "
        f"{path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - started:.1f} s)"
    )

    anchors = [copy_anchor(path) for _ in range(max(1, args.anchors // 2))]
    with Usage() as usage:
        seconds, summary = run_command(path)
    anchors += [copy_anchor(path) for _ in range(max(1, args.anchors - len(anchors)))]
    anchor = statistics.median(anchors)

    counts = (
        Case.objects.count(),
        Party.objects.count(),
        Event.objects.filter(action="case.imported").count(),
    )
    expected = (args.cases, rows, args.cases)
    print(
        f"anchor: COPY of the same {rows:,} rows into a temporary table: {anchor:.2f} s "
        f"(median of {', '.join(f'{a:.2f}' for a in anchors)})"
    )
    print(
        f"import: {seconds:.2f} s = {seconds / anchor:.1f}x the COPY anchor; "
        f"target under {TARGET_SECONDS} s: {'met' if seconds < TARGET_SECONDS else 'MISSED'}"
    )
    print(f"  {summary}")
    print(f"  {usage.describe()}")
    print(
        f"  written: {counts[0]:,} cases, {counts[1]:,} parties, {counts[2]:,} case.imported events "
        f"({'as expected' if counts == expected else f'EXPECTED {expected}'}); "
        f"{Sequence.objects.filter(name__startswith='case:').count()} case-number sequences raised"
    )

    again, summary = run_command(path)
    print(f"the same file again: {again:.2f} s ({summary})")
    dry, summary = run_command(path, "--dry-run")
    print(f"dry run: {dry:.2f} s ({summary})")
    return 0 if seconds < TARGET_SECONDS and counts == expected else 1


if __name__ == "__main__":
    sys.exit(main())
