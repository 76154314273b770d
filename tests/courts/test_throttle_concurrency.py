"""Twenty wrong passwords at once: the throttle counts each before checking it, atomically, so exactly the
limit get a 400 and the rest a 429 (they used to all get a 400: each read the count before any had added to
it). The same for wrong query codes on the litigants' status page."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from courts.models import AttemptCounter
from tests.conftest import make_staff, requires_postgres

pytestmark = [requires_postgres()]
TRIES = 20


def at_once(function, count: int) -> list:
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait(timeout=10)
            return function(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_wrong_passwords_cannot_all_slip_under_the_limit(transactional_db, courts, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    make_staff("qingpu.filing", "qingpu", ["filing_clerk"])

    def wrong(_index):
        return (
            APIClient()
            .post(
                "/api/auth/token/",
                {"username": "qingpu.filing", "password": "not-the-password"},
                format="json",
            )
            .status_code
        )

    codes = at_once(wrong, TRIES)
    assert sorted(codes) == [400] * 5 + [429] * (TRIES - 5)
    assert AttemptCounter.objects.get(key="login-failures:user:qingpu.filing").count == TRIES


def test_parallel_wrong_query_codes_cannot_all_slip_under_the_limit(transactional_db, courts, settings):
    """One number: 5 wrong codes are checked, whatever arrives at once; the rest find it locked (issue 9)."""
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 10

    def wrong(_index):
        return Client().post("/status/", {"number": "KY320509-20261201-0001", "code": "WRONG234"}).status_code

    codes = at_once(wrong, TRIES)
    assert sorted(codes) == [200] * 5 + [429] * (TRIES - 5)


def test_parallel_wrong_numbers_from_one_address_cannot_all_slip_under_its_limit(
    transactional_db, courts, settings
):
    """Another number each time: the per-address limit (10) holds."""
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 10

    def wrong(index):
        number = f"KY320509-20261201-{index:04d}"
        return Client().post("/status/", {"number": number, "code": "WRONG234"}).status_code

    codes = at_once(wrong, TRIES)
    assert sorted(codes) == [200] * 10 + [429] * (TRIES - 10)
