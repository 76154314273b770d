"""Refuse further attempts after repeated failures: logins (per username and per client address) and the
litigants' status lookup (per client address).

Counters live in the shared cache (the database cache by default) so that every web process sees the same
count.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class FailureCounter:
    """Failures counted under several keys at once, each with its own limit, in one time window."""

    keys: tuple[tuple[str, int], ...]
    window_seconds: int

    def is_blocked(self) -> bool:
        return any((cache.get(key) or 0) >= limit for key, limit in self.keys)

    def record_failure(self) -> None:
        for key, _limit in self.keys:
            # add() is a no-op when the key exists, so the window runs from the first failure.
            cache.add(key, 0, timeout=self.window_seconds)
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=self.window_seconds)

    def clear_first(self) -> None:
        cache.delete(self.keys[0][0])


def login_attempt(username: str, address: str) -> FailureCounter:
    return FailureCounter(
        keys=(
            (f"login-failures:user:{username.strip().lower()}", settings.LOGIN_FAILURE_LIMIT),
            (f"login-failures:addr:{address}", settings.LOGIN_FAILURE_ADDRESS_LIMIT),
        ),
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def status_lookup_attempt(address: str) -> FailureCounter:
    return FailureCounter(
        keys=((f"status-failures:addr:{address}", settings.STATUS_LOOKUP_FAILURE_LIMIT),),
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def client_address(request) -> str:
    # REMOTE_ADDR is what we can trust; behind the courts' reverse proxy, configure the proxy to set it.
    return request.META.get("REMOTE_ADDR", "unknown")


def retry_after_seconds() -> int:
    return settings.LOGIN_FAILURE_WINDOW_SECONDS
