"""The Redis behind the Celery broker, for the few things kept beside the queues: the status lookups' guard
(courts.lookup_guard) and the workers' heartbeats (courts.heartbeats)."""

import functools

import redis
from django.conf import settings


@functools.cache
def client_for(url: str) -> redis.Redis:
    if url.startswith("sentinel://"):
        return _sentinel_master(url)
    if url.startswith("redis+socket://"):
        path = url.removeprefix("redis+socket://").split("?", 1)[0]
        return redis.Redis(unix_socket_path=path, socket_timeout=2)
    return redis.Redis.from_url(url, socket_timeout=2)


def client() -> redis.Redis:
    # Read at each call: the test suite points the broker at its own server once settings are loaded.
    return client_for(settings.CELERY_BROKER_URL)


def _sentinel_master(url: str) -> redis.Redis:
    """kombu's sentinel URL, `sentinel://host:26379;sentinel://host2:26379/0`, as one redis-py client of the
    master the sentinels name (CELERY_BROKER_SENTINEL_MASTER): it follows a failover as the broker does."""
    from urllib.parse import urlsplit

    from redis.sentinel import Sentinel

    parts = [urlsplit(part) for part in url.split(";")]
    # As kombu reads it: the database and the password from the first address that gives them.
    db = next((int(part.path.strip("/")) for part in parts if part.path.strip("/")), 0)
    password = next((part.password for part in parts if part.password), None)
    sentinels = [(part.hostname or "127.0.0.1", part.port or 26379) for part in parts]
    options = {"socket_timeout": 2}
    return Sentinel(sentinels, **options).master_for(
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["master_name"], db=db, password=password, **options
    )
