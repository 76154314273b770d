from celery import shared_task

from cases.services.filings import filings_sweep_deadlines
from cases.services.request_clocks import requests_sweep_clocks
from cases.status import drain_lookup_log


@shared_task(name="cases.flag_overdue_filings")
def flag_overdue_filings() -> dict[str, int]:
    """Periodic (beat, zone queue): overdue filings flagged, uncorrected ones returned."""
    return filings_sweep_deadlines()


@shared_task(name="cases.sweep_request_clocks")
def sweep_request_clocks() -> dict[str, int]:
    """Periodic (beat, zone queue): overdue and unaccepted requests, renewals, pre-suit lapses."""
    return requests_sweep_clocks()


@shared_task(name="cases.drain_status_lookup_log")
def drain_status_lookup_log() -> int:
    """Every few seconds (beat): the status lookups logged in Redis into StatusLookup rows."""
    return drain_lookup_log()
