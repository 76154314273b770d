from celery import shared_task

from cases.services.filings import filings_sweep_deadlines


@shared_task(name="cases.flag_overdue_filings")
def flag_overdue_filings() -> dict[str, int]:
    """Periodic (beat, zone queue): overdue filings flagged, uncorrected ones returned."""
    return filings_sweep_deadlines()
