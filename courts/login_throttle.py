"""Refuse further logins after repeated failures, per username and per client address.

Shared by the login page and the API token endpoint. Counters live in the shared cache (the database cache
by default) so that every web process sees the same count.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    address: str

    def _keys(self) -> list[tuple[str, int]]:
        return [
            (f"login-failures:user:{self.username.strip().lower()}", settings.LOGIN_FAILURE_LIMIT),
            (f"login-failures:addr:{self.address}", settings.LOGIN_FAILURE_ADDRESS_LIMIT),
        ]

    def is_blocked(self) -> bool:
        return any((cache.get(key) or 0) >= limit for key, limit in self._keys())

    def record_failure(self) -> None:
        for key, _limit in self._keys():
            # add() is a no-op when the key exists, so the window runs from the first failure.
            cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)

    def record_success(self) -> None:
        cache.delete(self._keys()[0][0])


def client_address(request) -> str:
    # REMOTE_ADDR is what we can trust; behind the courts' reverse proxy, configure the proxy to set it.
    return request.META.get("REMOTE_ADDR", "unknown")


def retry_after_seconds() -> int:
    return settings.LOGIN_FAILURE_WINDOW_SECONDS
