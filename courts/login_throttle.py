"""Refuse further attempts after repeated failures: logins (per username and per client address) and the
litigants' status lookup and the verification of printed documents (per client address).

Each attempt is counted *before* the slow check it guards (a password hash, a query code), atomically, and
the count decides: counting after the check let twenty parallel wrong passwords all pass a check that
read the count before any of them had added to it (issue 11). A success gives its count back. The counters
are rows (`courts.AttemptCounter`) incremented under the row's lock, so every web process shares them and
two increments never read the same value.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from courts.models import AttemptCounter


def _hit(key: str, window_seconds: int) -> int:
    """Add one to `key`'s counter (a new window if the old one is over) and return the new count."""
    now = timezone.now()
    with transaction.atomic():
        AttemptCounter.objects.bulk_create(
            [AttemptCounter(key=key, count=0, expires_at=now + dt.timedelta(seconds=window_seconds))],
            ignore_conflicts=True,
        )
        over = When(expires_at__lte=now, then=Value(1))
        AttemptCounter.objects.filter(key=key).update(
            count=Case(over, default=F("count") + 1),
            expires_at=Case(
                When(expires_at__lte=now, then=Value(now + dt.timedelta(seconds=window_seconds))),
                default=F("expires_at"),
            ),
        )
        # The UPDATE holds the row's lock until this transaction ends: this read sees our own increment.
        return AttemptCounter.objects.values_list("count", flat=True).get(key=key)


@dataclass(frozen=True)
class AttemptCounterSet:
    """Attempts counted under several keys at once, each with its own limit, in one time window."""

    keys: tuple[tuple[str, int], ...]
    window_seconds: int

    def begin(self) -> bool:
        """Count this attempt; True if it is one too many (refuse it without checking anything)."""
        counts = [(_hit(key, self.window_seconds), limit) for key, limit in self.keys]
        return any(count > limit for count, limit in counts)

    def succeeded(self, *, reset_first: bool = False) -> None:
        """The attempt was right: it gives its count back (and a login starts its username afresh)."""
        keys = [key for key, _limit in self.keys]
        if reset_first:
            AttemptCounter.objects.filter(key=keys[0]).delete()
            keys = keys[1:]
        AttemptCounter.objects.filter(key__in=keys, count__gt=0).update(count=F("count") - 1)


def login_attempt(username: str, address: str) -> AttemptCounterSet:
    return AttemptCounterSet(
        keys=(
            (f"login-failures:user:{username.strip().lower()}", settings.LOGIN_FAILURE_LIMIT),
            (f"login-failures:addr:{address}", settings.LOGIN_FAILURE_ADDRESS_LIMIT),
        ),
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def status_lookup_attempt(address: str) -> AttemptCounterSet:
    return AttemptCounterSet(
        keys=((f"status-failures:addr:{address}", settings.STATUS_LOOKUP_FAILURE_LIMIT),),
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def document_verify_attempt(address: str) -> AttemptCounterSet:
    """Verification of printed documents (/verify/ and its API): unknown codes per address."""
    return AttemptCounterSet(
        keys=((f"verify-failures:addr:{address}", settings.DOCUMENT_VERIFY_FAILURE_LIMIT),),
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def client_address(request) -> str:
    # REMOTE_ADDR is what we can trust; behind the courts' reverse proxy, configure the proxy to set it.
    return request.META.get("REMOTE_ADDR", "unknown")


def retry_after_seconds() -> int:
    return settings.LOGIN_FAILURE_WINDOW_SECONDS
