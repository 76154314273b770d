"""Is each court's queue being consumed? (issue 12: /healthz "reports, per court, whether a worker consumed
its queue within the last minutes").

Beat sends a heartbeat task to the zone queue every HEARTBEAT_SECONDS; it sends one on to each active
court's queue, and whichever worker consumes that queue writes the time it did so into Redis. A worker that
is up but stuck, or a queue nobody consumes, shows as stale, which a ping to the worker would not tell. The
heartbeats expire unconsumed, so a court whose machine was down for a day does not come back to a day of
them.
"""

import contextlib
import time

import redis
from django.conf import settings

from courts.broker_redis import client

KEY = "worker-seen:"  # + queue name: the Unix time a worker last consumed a heartbeat on it
ZONE_QUEUE = "zone"


def _redis_now(redis_client) -> float:
    # Redis's clock, not this machine's: a court's machine and the web host may disagree by seconds.
    seconds, microseconds = redis_client.time()
    return seconds + microseconds / 1e6


def record_seen(queue: str) -> None:
    redis_client = client()
    # Kept for a day: a court whose worker has been gone longer shows as never seen rather than as a time.
    redis_client.set(f"{KEY}{queue}", f"{_redis_now(redis_client):.3f}", ex=24 * 3600)


_noted: dict[str, float] = {}
NOTE_EVERY_SECONDS = 5.0


def note_consumed(queue: str) -> None:
    """Any task a worker runs on a queue shows it consumed that queue: a worker busy behind a backlog longer
    than a heartbeat's expiry is not stale. At most once per NOTE_EVERY_SECONDS per process, so a delivery
    pays a Redis call only now and then; never raises (the task has run)."""
    now = time.monotonic()
    if now - _noted.get(queue, -NOTE_EVERY_SECONDS) < NOTE_EVERY_SECONDS:
        return
    _noted[queue] = now
    with contextlib.suppress(redis.RedisError, ValueError):
        record_seen(queue)


def seconds_since_seen(queues: list[str]) -> dict[str, float | None]:
    """Per queue, how long ago a worker consumed it (None: not within a day). Raises RedisError."""
    if not queues:
        return {}
    redis_client = client()
    now = _redis_now(redis_client)
    seen = redis_client.mget([f"{KEY}{queue}" for queue in queues])
    ages = zip(queues, seen, strict=True)
    return {queue: None if at is None else max(0.0, now - float(at)) for queue, at in ages}


def worker_states(queues: list[str]) -> dict[str, dict]:
    """Per queue: "ok" if a worker consumed it within WORKER_STALE_SECONDS, else "stale" (or "unknown" when
    Redis does not answer), with the seconds since."""
    try:
        ages = seconds_since_seen(queues)
    except (redis.RedisError, ValueError):
        return {queue: {"status": "unknown", "seen_seconds_ago": None} for queue in queues}
    return {
        queue: {
            "status": "ok" if age is not None and age <= settings.WORKER_STALE_SECONDS else "stale",
            "seen_seconds_ago": None if age is None else round(age),
        }
        for queue, age in ages.items()
    }
