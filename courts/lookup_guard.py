"""The Redis side of the litigants' status lookup (issue 9): the guard in front of it, the answers kept for a
right code, and the log of every attempt.

The guard: per client address, too many failures in the window are refused; per number, 5 wrong codes in 15
minutes lock that number for 15 minutes, whoever asks. The lock applies to any number typed, known or not: a
lock only on real numbers would tell a guesser which numbers exist. Every attempt is counted before its code
is checked (parallel wrong codes all count, as the login throttle learned in issue 11); a right code gives
its counts back.

The answers: a right code's answer is kept under a key made from the number, the code and the language
(an HMAC under QUERY_CODE_KEY: Redis holds neither the code nor anything to test a guess against), so the
next lookup of that number with that code is answered from Redis alone. A wrong code or an unknown number
never has an answer kept, so both take the database's path, as before: the same path, the same answer. An
answer is only as fresh as the records it was read from. Each answer lists them (`cases.filing:7`, ...) with
the epoch read before they were; every timeline event moves the epoch on and marks its record, and the
records it points to, as changed at the new epoch (`records_changed`, from courts.timeline once the change
has committed); an answer one of whose records changed at a later epoch is not used. An answer read before
the commit was read under an older epoch, so the mark ends it, whether it saw the change or not. It also
lapses at its first appointment (the next session leaves "upcoming"), and after STATUS_ANSWER_SECONDS
whatever happens (a court's address edited in the admin records no event).

The log: each attempt is appended to a Redis stream in the same script that decides it, and moved into the
database in batches (cases.status.drain_lookup_log, every few seconds by beat): an INSERT per lookup cost
more than the rest of an answered lookup together (bench/status_lookup.py).

Why Redis, not database rows as the login throttle's: the lookup is public and must serve a crowd at a
window (bench/status_lookup.py); a script runs atomically, as a locked row would, and keys expire by
themselves, so nothing sweeps. The answers' records are read by the scripts under keys they build
(not declared in KEYS): fine on one Redis server, which is what every deployment runs.
"""

import functools
import logging
import time
from dataclasses import dataclass
from enum import StrEnum

import redis
from django.conf import settings

from courts.broker_redis import client, client_for

PREFIX = "status-guard:"
logger = logging.getLogger(__name__)
LOG_STREAM = f"{PREFIX}log"
EPOCH = f"{PREFIX}epoch"
CHANGED = f"{PREFIX}changed:"  # + "app.model:pk": the epoch at which that record last changed
# The kinds of record kept answers read ("app.model"), declared by the flows that show them (cases.status):
# courts.timeline marks only these as changed, so that an event elsewhere costs no Redis call.
FOLLOWED: set[str] = set()


# Shared by the scripts: append the attempt to the log; give back this attempt's counts (each key that
# still exists, never below zero: one lifted or expired meanwhile is not brought back at -1 without expiry).
_LUA_HELPERS = """
local function log(result, filing, case)
  redis.call('xadd', KEYS[5], '*', 'number', ARGV[1], 'address', ARGV[2], 'result', result,
             'filing', filing or '', 'case', case or '', 'at', ARGV[3])
end
local function give_back()
  for _, key in ipairs({KEYS[1], KEYS[2]}) do
    local count = tonumber(redis.call('get', key))
    if count and count > 0 then redis.call('decr', key) end
  end
end
"""

# KEYS: address counter, number counter, lock, answer, log, epoch.
# ARGV: asked, address, now, window, number limit, address limit, lock seconds, changed-prefix.
# A fresh kept answer is used without counting the attempt (counting it and giving it back at once would
# come to the same, in one atomic script): the lock and the address's failures refuse it first, as they
# refuse any attempt.
_BEGIN = (
    _LUA_HELPERS
    + """
if redis.call('exists', KEYS[3]) == 1 then
  redis.call('del', KEYS[2])  -- tries while locked do not count towards the next lock
  log('locked')
  return {'locked'}
end
if tonumber(redis.call('get', KEYS[1]) or '0') >= tonumber(ARGV[6]) then
  log('throttled')
  return {'throttled'}
end
local answer = redis.call('hmget', KEYS[4], 'body', 'epoch', 'records', 'until', 'filing', 'case')
if answer[1] and (tonumber(answer[4]) == 0 or tonumber(answer[4]) > tonumber(ARGV[3])) then
  local fresh, epoch = true, tonumber(answer[2])
  for record in string.gmatch(answer[3], '%S+') do
    local changed = tonumber(redis.call('get', ARGV[8] .. record))
    if changed and changed > epoch then
      fresh = false
      break
    end
  end
  if fresh then
    log('found', answer[5], answer[6])
    return {'found', answer[1]}
  end
end
redis.call('set', KEYS[1], 0, 'EX', ARGV[4], 'NX')
local by_address = redis.call('incr', KEYS[1])
redis.call('set', KEYS[2], 0, 'EX', ARGV[4], 'NX')
local by_number = redis.call('incr', KEYS[2])
if by_number > tonumber(ARGV[5]) then
  -- Parallel tries past the limit: none of them is checked. The lock replaces the count.
  redis.call('set', KEYS[3], 1, 'EX', ARGV[7], 'NX')
  redis.call('del', KEYS[2])
  log('locked')
  return {'locked'}
end
if by_address > tonumber(ARGV[6]) then
  log('throttled')
  return {'throttled'}
end
return {'check', redis.call('get', KEYS[6]) or '0'}
"""
)

# KEYS as _BEGIN's. ARGV: asked, address, now, body ('' keeps none), epoch, records, until, filing, case,
# seconds to keep.
_SUCCEEDED = (
    _LUA_HELPERS
    + """
give_back()
if ARGV[4] ~= '' then
  redis.call('hset', KEYS[4], 'body', ARGV[4], 'epoch', ARGV[5], 'records', ARGV[6], 'until', ARGV[7],
             'filing', ARGV[8], 'case', ARGV[9])
  redis.call('expire', KEYS[4], ARGV[10])
end
log('found', ARGV[8], ARGV[9])
return 0
"""
)

# KEYS as _BEGIN's. ARGV: asked, address, now, number limit, lock seconds.
_FAILED = (
    _LUA_HELPERS
    + """
log('refused')
if tonumber(redis.call('get', KEYS[2]) or '0') >= tonumber(ARGV[4]) then
  redis.call('set', KEYS[3], 1, 'EX', ARGV[5], 'NX')
  redis.call('del', KEYS[2])
end
return 0
"""
)

# KEYS: epoch. ARGV: changed-prefix, seconds to keep, records...
_CHANGED = """
local epoch = redis.call('incr', KEYS[1])
for i = 3, #ARGV do
  redis.call('set', ARGV[1] .. ARGV[i], epoch, 'EX', ARGV[2])
end
return epoch
"""


def _script(source: str):
    # One registered script per server and source: redis-py sends EVALSHA, and the source again only if the
    # server lost it.
    return _script_for(settings.CELERY_BROKER_URL, source)


@functools.cache
def _script_for(url: str, source: str):
    return client_for(url).register_script(source)


class Refusal(StrEnum):
    THROTTLED = "throttled"  # this address failed too often
    LOCKED = "locked"  # this number is locked


@dataclass
class Opening:
    """What `begin` found: a refusal, an answer kept for this number and code, or neither (check the code
    against the database, and keep the answer under `epoch`)."""

    refusal: Refusal | None = None
    answer: bytes | None = None
    epoch: int = 0


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
    answer_key: str = ""  # from answer_key(): where a right code's answer is kept ("": none is)
    asked: str = ""  # the number as typed, for the log

    def _script_keys(self) -> list[str]:
        answer = f"{PREFIX}answer:{self.answer_key or '-'}"
        return [*_keys(self.number, self.address), answer, LOG_STREAM, EPOCH]

    def _common(self) -> list:
        return [self.asked or self.number, self.address[:64], f"{time.time():.6f}"]

    def begin(self) -> Opening:
        """Count this attempt under the address and the number (a refusal means: check nothing), and answer
        it from a kept answer if there is a fresh one."""
        outcome = _script(_BEGIN)(
            self._script_keys(),
            [
                *self._common(),
                settings.STATUS_LOOKUP_WINDOW_SECONDS,
                settings.STATUS_LOOKUP_NUMBER_LIMIT,
                settings.STATUS_LOOKUP_FAILURE_LIMIT,
                settings.STATUS_LOOKUP_LOCK_SECONDS,
                CHANGED,
            ],
        )
        kind = outcome[0].decode()
        if kind == "found":
            return Opening(answer=outcome[1])
        if kind == "check":
            return Opening(epoch=int(outcome[1]))
        return Opening(refusal=Refusal(kind))

    def succeeded(
        self,
        *,
        answer: bytes = b"",
        epoch: int = 0,
        records: list[str] = (),
        until: float = 0,
        filing_id: int | None = None,
        case_id: int | None = None,
    ) -> None:
        """The right code: this attempt gives its counts back, is logged, and its answer is kept (if given)
        for the next lookup with this code, valid while none of `records` changes after `epoch`."""
        _script(_SUCCEEDED)(
            self._script_keys(),
            [
                *self._common(),
                answer if self.answer_key else b"",
                epoch,
                " ".join(records),
                f"{until:.6f}",
                filing_id or "",
                case_id or "",
                settings.STATUS_ANSWER_SECONDS,
            ],
        )

    def failed(self) -> None:
        """A wrong code (or an unknown number), logged: the 5th within the window locks the number."""
        _script(_FAILED)(
            self._script_keys(),
            [*self._common(), settings.STATUS_LOOKUP_NUMBER_LIMIT, settings.STATUS_LOOKUP_LOCK_SECONDS],
        )


def follow_records(labels) -> None:
    FOLLOWED.update(labels)


def records_changed(records: list[str]) -> None:
    """`records` ("app.model:pk") changed: answers read from any of them before now are not used again. Never
    fails its caller: with Redis away, lookups are refused anyway, and kept answers lapse by themselves."""
    if not records:
        return
    try:
        # Kept longer than any answer, so an answer older than a change always sees it.
        _script(_CHANGED)([EPOCH], [CHANGED, 2 * settings.STATUS_ANSWER_SECONDS, *records])
    except (redis.RedisError, ValueError):  # ValueError: a broker URL that is not Redis's
        logger.warning("status answers: could not mark %s as changed", records, exc_info=True)


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


def read_log(count: int) -> list[tuple[str, dict[str, str]]]:
    """The oldest `count` attempts not yet moved into the database: (entry id, fields)."""
    return [
        (entry.decode(), {key.decode(): value.decode() for key, value in fields.items()})
        for entry, fields in client().xrange(LOG_STREAM, count=count)
    ]


def forget_log(entries: list[str]) -> None:
    if entries:
        client().xdel(LOG_STREAM, *entries)


def forget_kept_answers(answer_keys=None) -> None:
    """The answers kept under `answer_keys` (all of them if None), nothing else: bench.status_lookup
    measures numbers' first lookups again."""
    connection = client()
    if answer_keys is not None:
        for start in range(0, len(answer_keys), 1000):
            connection.delete(*(f"{PREFIX}answer:{key}" for key in answer_keys[start : start + 1000]))
        return
    for key in connection.scan_iter(match=f"{PREFIX}answer:*", count=1000):
        connection.delete(key)


def forget_everything() -> None:
    """Tests: every guard key, so one test's failures do not lock the next test's numbers (nor its kept
    answers answer the next test's)."""
    connection = client()
    for key in connection.scan_iter(match=f"{PREFIX}*", count=1000):
        connection.delete(key)
