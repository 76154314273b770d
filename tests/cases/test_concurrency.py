"""Two clerks at once, on PostgreSQL's row locks: exactly one case number per filing, none skipped."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from cases.models import Case, Filing
from cases.services.filings import filing_register
from courts.errors import TransitionNotAllowed
from tests.cases.conftest import deliver_pending, submit
from tests.conftest import make_staff, requires_postgres

pytestmark = [requires_postgres()]


def in_thread(function):
    """Run in a worker thread with its own database connection, closed afterwards."""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return run


def test_two_clerks_registering_the_same_filing_get_one_case_and_one_409(transactional_db, courts, api_as):
    window = make_staff("wj.window", "wujiang", ["window_clerk"])
    clerks = [make_staff(f"qp.filing{i}", "qingpu", ["filing_clerk"]) for i in range(2)]
    filing, _ = submit(window, courts)
    deliver_pending()
    barrier = threading.Barrier(2)

    @in_thread
    def register(clerk):
        client = api_as(clerk)
        barrier.wait()
        return client.post(f"/api/filings/{filing.pk}/register/", {}, format="json")

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(register, clerks))
    assert sorted(r.status_code for r in responses) == [201, 409]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "invalid_transition"
    assert Case.objects.count() == 1
    assert Case.objects.get().sequence == 1
    assert Filing.objects.get(pk=filing.pk).state == "registered"


def test_concurrent_registrations_number_cases_without_gaps_or_repeats(transactional_db, courts):
    window = make_staff("wj.window", "wujiang", ["window_clerk"])
    clerk = make_staff("qp.filing", "qingpu", ["filing_clerk"])
    filings = [submit(window, courts)[0] for _ in range(24)]
    deliver_pending()
    barrier = threading.Barrier(4)

    @in_thread
    def register_share(share):
        barrier.wait()
        numbers = []
        for filing in share:
            try:
                numbers.append(filing_register(filing_id=filing.pk, actor=clerk).sequence)
            except TransitionNotAllowed:  # pragma: no cover - would show a double registration
                numbers.append(None)
        return numbers

    shares = [filings[i::4] for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        sequences = [n for numbers in pool.map(register_share, shares) for n in numbers]
    assert sorted(sequences) == list(range(1, 25))
    assert sorted(Case.objects.values_list("sequence", flat=True)) == list(range(1, 25))
    assert Case.objects.values("number").distinct().count() == 24


def test_a_failed_registration_gives_its_number_back(transactional_db, courts, monkeypatch):
    """A registration failing after drawing its number rolls it back: the next one is not skipped."""
    window = make_staff("wj.window", "wujiang", ["window_clerk"])
    clerk = make_staff("qp.filing", "qingpu", ["filing_clerk"])
    first, _ = submit(window, courts)
    second, _ = submit(window, courts)
    deliver_pending()
    from cases.models import Party

    original_update = Party.objects.filter

    def failing_filter(*args, **kwargs):
        if "filing" in kwargs and kwargs["filing"].pk == first.pk:
            raise RuntimeError("disk full")
        return original_update(*args, **kwargs)

    monkeypatch.setattr(Party.objects, "filter", failing_filter)
    with pytest.raises(RuntimeError):
        filing_register(filing_id=first.pk, actor=clerk)
    monkeypatch.undo()
    assert filing_register(filing_id=second.pk, actor=clerk).sequence == 1
    assert Filing.objects.get(pk=first.pk).state == "received"
