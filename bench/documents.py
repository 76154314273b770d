"""Benchmark: a materials receipt rendered to PDF, beside a one-line PDF rendered by the same WeasyPrint
(same fonts, same font configuration) in the same run.

Issue 9: "A receipt PDF renders in under 1 second, measured beside a one-line PDF rendered by the same
WeasyPrint in the same run."

Run on PostgreSQL, in a scratch database whose name contains "bench" (created and migrated if missing), e.g.
through `make bench`, or:
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_documents \
        .venv/bin/python -m bench.documents

It files one filing through the service (a Wujiang window for Qingpu, three parties' worth of data, the
materials list of tests/cases/conftest.py), then measures, interleaved one of each in turn:

- the anchor: `weasyprint.HTML(string="<p>一行字。</p>")` in "Noto Serif CJK SC" to PDF bytes, through the
  module's own `render_pdf` path (same font configuration and URL fetcher), so fonts, pango and the PDF
  writer are paid by both;
- the receipt, rendered: `courts.documents.rendering.render_pdf("pdf/receipt.html", context)` with the
  receipt's context (QR code included);
- the receipt, issued: `courts.documents.services.document_issue` (context, QR code, render, the issued
  copy's row), what the API's `documents/receipt.pdf` does after loading the filing;
- the receipt through the API: `GET /api/filings/{id}/documents/receipt.pdf` by Django's test client with a
  token (authentication, the selector, the issue, the response).

It prints the first (cold) render of each in this process, then each figure's median and p90 in ms and its
ratio to the anchor's median, the receipt's size and pages, and whether the issue's bound (1 s) holds at p90.
"""

import argparse
import io
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

BOUND_MS = 1000.0
ANCHOR_HTML = (
    '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><style>@page { size: A4 } '
    'html { font-family: "Noto Serif CJK SC"; }</style></head><body><p>一行字。</p></body></html>'
)


def setup():
    from django.conf import settings

    from bench.handoff import ensure_database
    from bench.mediation import seed

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        sys.exit("bench.documents: DATABASE_URL must name a PostgreSQL database whose name contains 'bench'")
    ensure_database(db, fresh=False)
    call_command("migrate", verbosity=0)
    seed()
    return filing_and_clerk()


def filing_and_clerk():
    from decimal import Decimal

    from cases.services.filings import filing_submit
    from cases.services.parties import PartyInput
    from courts.models import Court
    from courts.services import staff_upsert

    courts = {court.code: court for court in Court.objects.all()}
    clerk = staff_upsert(
        username="bench.wujiang.window",
        court=courts["wujiang"],
        tribunal=None,
        roles=["window_clerk"],
        full_name="吴江窗口",
    )
    filing, _code = filing_submit(
        actor=clerk,
        jurisdiction_court=courts["qingpu"],
        category="civil_first_instance",
        cause="买卖合同纠纷",
        claim_amount=Decimal("158000.00"),
        parties=[
            PartyInput(
                role="plaintiff",
                kind="person",
                name="张三",
                id_number="320509199001011239",
                phone="13812345678",
                address="苏州市吴江区黎里镇汾湖大道1号",
            ),
            PartyInput(
                role="defendant",
                kind="organisation",
                name="上海青浦某贸易有限公司",
                id_number="91310118MA1JL5PX4P",
                phone="021-59700000",
                address="上海市青浦区朱家角镇",
            ),
        ],
        materials=["起诉状（副本1份）", "身份证明", "证据目录及证据", "授权委托书", "证据清单（12页）"],
        e_service_consent=True,
        pre_mediation_consent=True,
    )
    return filing, clerk


def calls(filing, clerk) -> dict:
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client, RequestFactory
    from rest_framework.authtoken.models import Token

    from cases.selectors import filing_detail
    from courts.documents import registry
    from courts.documents.rendering import _fetcher, _fonts, render_pdf
    from courts.documents.services import document_issue

    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    request.user, request.session = clerk, SessionStore()
    printing = registry.Printing(request, clerk)
    kind = registry.resource("filings").kinds["receipt"]
    record = filing_detail(clerk, filing.pk)
    token, _ = Token.objects.get_or_create(user=clerk)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/filings/{filing.pk}/documents/receipt.pdf"

    def anchor():
        from weasyprint import HTML

        return HTML(string=ANCHOR_HTML, url_fetcher=_fetcher()).write_pdf(font_config=_fonts())

    def rendered():
        context = {
            **kind.context(record, printing),
            "title": kind.title,
            "issuing_court": kind.court(record),
            "number": kind.number(record),
            "date_cn": "二〇二六年十二月一日",
            "verification_code": "7KQM-3XRT-9HWC-P2ND",
            "verify_url": "http://127.0.0.1/verify/",
        }
        return render_pdf(kind.template, context)

    def issued():
        return document_issue(kind=kind, record=record, printing=printing).pdf

    def api():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    return {
        "one-line PDF (anchor)": anchor,
        "receipt, rendered": rendered,
        "receipt, issued": issued,
        "receipt, API request": api,
    }


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
            )
    except OSError:
        pass
    import weasyprint

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return (
        f"{platform.node()} · {model or platform.processor()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · WeasyPrint {weasyprint.__version__} · PostgreSQL {server}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=30, help="renders per figure [30]")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Run this on PostgreSQL (DATABASE_URL=postgres://...).")
        return 2
    from django.conf import settings
    from pypdf import PdfReader

    filing, clerk = setup()
    figures = calls(filing, clerk)
    print(f"machine: {machine()}")
    print(
        f"DEBUG={int(settings.DEBUG)}, {options.repetitions} renders per figure, "
        f"load {os.getloadavg()[0]:.2f}"
    )

    cold = {}
    for name, call in figures.items():  # the first of each in this process: fonts loaded, templates compiled
        started = time.perf_counter()
        pdf = call()
        cold[name] = (time.perf_counter() - started) * 1000
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    size = len(pdf)

    names = list(figures)
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(options.repetitions):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            started = time.perf_counter()
            figures[name]()
            times[name].append((time.perf_counter() - started) * 1000)

    anchor = statistics.median(times[names[0]])
    print(f"\n{'figure':<24}{'first ms':>10}{'median ms':>11}{'p90 ms':>9}{'ratio':>8}")
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:<24}{cold[name]:>10.0f}{median:>11.0f}{p90(times[name]):>9.0f}{median / anchor:>7.1f}x")
    worst = max(p90(times[name]) for name in names[1:])
    print(f"\nreceipt PDF: {size:,} bytes, {pages} page(s)")
    held = worst < BOUND_MS
    print(
        f"the issue's bound: a receipt under {BOUND_MS:.0f} ms (p90 of the slowest): {worst:.0f} ms, "
        f"{'met' if held else 'MISSED'}"
    )
    print(f"at the end: load {os.getloadavg()[0]:.2f}")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
