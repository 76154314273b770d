"""The cases floor's figures for /metrics (courts.metrics): work past its legal deadline, per court.

Counted from the deadlines themselves, not from the overdue flags the sweeps set every few minutes, so a
scrape sees a filing the moment its decision is late.
"""

from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import Metric

from cases.models import (
    FILING_UNDER_REVIEW,
    REQUEST_CLOCK_RUNNING,
    Filing,
    PreservationRequest,
    ServiceRequest,
)
from courts.metrics import per_court

REQUEST_KINDS = (("service", ServiceRequest), ("preservation", PreservationRequest))


def _counts(queryset, court_field: str) -> dict[str, int]:
    rows = queryset.values(f"{court_field}__code").annotate(n=Count("id"))
    return {row[f"{court_field}__code"]: row["n"] for row in rows}


def overdue_figures() -> Iterable[Metric]:
    now = timezone.now()
    filings = Filing.objects.filter(state__in=FILING_UNDER_REVIEW, decision_due_at__lt=now)
    yield per_court(
        "tracker_filings_overdue",
        "Filings under review past their decision deadline, by the court with jurisdiction",
        _counts(filings, "jurisdiction_court"),
    )
    late = {
        kind: _counts(
            model.objects.filter(state__in=REQUEST_CLOCK_RUNNING, due_at__lt=now), "entrusted_court"
        )
        for kind, model in (("service", ServiceRequest), ("preservation", PreservationRequest))
    }
    yield per_court(
        "tracker_requests_overdue",
        "Entrusted requests past their deadline, by the entrusted court and kind",
        late,
        by="kind",
    )
