"""The guard in front of the litigants' status lookup (issue 9): per client address, the existing throttle
(too many failures from one address in the window: refused); per number, 5 wrong codes in 15 minutes lock
that number for 15 minutes, whoever asks. The lock applies to any number typed, known or not: a lock only on
real numbers would tell a guesser which numbers exist.

The counters live in Redis, the broker every deployment already runs, rather than in database rows as the
login throttle's do: the lookup is public and bounded to 4 SQL queries (bench/status_lookup.py), and an
INCR in Redis is as atomic as a locked row (parallel wrong codes all count: the attempt is counted before the
code is checked, as the login throttle learned in issue 11). Keys expire by themselves, so nothing sweeps.
"""

import functools
from dataclasses import dataclass
from enum import StrEnum

import redis
from django.conf import settings

PREFIX = "status-guard:"


@functools.cache
def _client_for(url: str) -> redis.Redis:
    if url.startswith("redis+socket://"):
        path = url.removeprefix("redis+socket://").split("?", 1)[0]
        return redis.Redis(unix_socket_path=path, socket_timeout=2)
    return redis.Redis.from_url(url, socket_timeout=2)


def client() -> redis.Redis:
    # Read at each call: the test suite points the broker at its own server once settings are loaded.
    return _client_for(settings.CELERY_BROKER_URL)


# Decrement each key that still exists, never below zero; one script, so atomic.
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 and tonumber(redis.call('get', key)) > 0 then
    redis.call('decr', key)
  end
end
return 0
"""


class Refusal(StrEnum):
    THROTTLED = "throttled"  # this address failed too often
    LOCKED = "locked"  # this number is locked


def _keys(number: str, address: str) -> tuple[str, str, str]:
    return (
        f"{PREFIX}addr:{address}",
        f"{PREFIX}number:{number}",
        f"{PREFIX}lock:{number}",
    )


@dataclass
class LookupGuard:
    number: str  # normalised (courts.numbers), so `ky…` and `KY…` share a lock
    address: str

    def begin(self) -> Refusal | None:
        """Count this attempt under the address and the number; a refusal means: check nothing."""
        address_key, number_key, lock_key = _keys(self.number, self.address)
        window = settings.STATUS_LOOKUP_WINDOW_SECONDS
        pipe = client().pipeline(transaction=True)
        pipe.exists(lock_key)
        pipe.set(address_key, 0, ex=window, nx=True)
        pipe.incr(address_key)
        pipe.set(number_key, 0, ex=window, nx=True)
        pipe.incr(number_key)
        locked, _, address_count, _, number_count = pipe.execute()
        if locked:
            client().delete(number_key)  # tries while locked do not count towards the next lock
            return Refusal.LOCKED
        if number_count > settings.STATUS_LOOKUP_NUMBER_LIMIT:
            self._lock()  # parallel tries past the limit: none of them is checked
            return Refusal.LOCKED
        if address_count > settings.STATUS_LOOKUP_FAILURE_LIMIT:
            return Refusal.THROTTLED
        return None

    def failed(self) -> None:
        """A wrong code (or an unknown number): the 5th within the window locks the number."""
        _address_key, number_key, _lock_key = _keys(self.number, self.address)
        count = int(client().get(number_key) or 0)
        if count >= settings.STATUS_LOOKUP_NUMBER_LIMIT:
            self._lock()

    def succeeded(self) -> None:
        """The right code: this attempt gives its counts back (to counters still there: one that expired or
        was lifted meanwhile is not brought back at -1 without an expiry)."""
        address_key, number_key, _lock_key = _keys(self.number, self.address)
        client().eval(_GIVE_BACK, 2, address_key, number_key)

    def _lock(self) -> None:
        # The lock replaces the count: once it expires, the number has its 5 tries again.
        _address_key, number_key, lock_key = _keys(self.number, self.address)
        pipe = client().pipeline(transaction=True)
        pipe.set(lock_key, 1, ex=settings.STATUS_LOOKUP_LOCK_SECONDS, nx=True)
        pipe.delete(number_key)
        pipe.execute()


def lock_seconds_left(number: str) -> int:
    """How long `number` stays locked (0: not locked), for the window clerk's view of the record."""
    *_, lock_key = _keys(number, "")
    return max(int(client().ttl(lock_key)), 0)


def lift_lock(number: str) -> bool:
    """The window clerk checked the litigant's identity: unlock and forget the failures. True if it was
    locked."""
    _address_key, number_key, lock_key = _keys(number, "")
    removed_lock, _ = client().delete(lock_key), client().delete(number_key)
    return bool(removed_lock)


def locks_of(numbers) -> dict[str, int]:
    """Which of a record's `numbers` are locked, and for how many more minutes (for the record's page)."""
    return {number: -(-left // 60) for number in numbers if (left := lock_seconds_left(number))}


def lift_locks(numbers) -> list[str]:
    """Unlock each of a record's `numbers`; the ones that were locked."""
    return [number for number in numbers if lift_lock(number)]


def forget_everything() -> None:
    """Tests: every guard key, so one test's failures do not lock the next test's numbers."""
    connection = client()
    for key in connection.scan_iter(match=f"{PREFIX}*", count=1000):
        connection.delete(key)
