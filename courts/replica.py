"""Reads that may lag a little go to a streaming replica, when there is one (issue 12, item 8).

The zone's dashboard, statistics and search read a lot and never need the last second's writes; a clerk's
own lists and every transition must see their own writes, so they stay on the primary. Code that may read
from the replica says so for a block:

    with replica_reads():
        figures = ...  # every read here goes to the "replica" alias, if DATABASE_REPLICA_URL is set

Everything else, writes always, goes to "default". Without a replica configured the block changes nothing.
The router is `ReplicaRouter` (settings.DATABASE_ROUTERS); tests/courts/test_replica.py runs such reads
through a second alias pointing at the same database, so the routing is proven where there is no replica.
"""

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"
_reading_replica = contextvars.ContextVar("reading_replica", default=False)


@contextlib.contextmanager
def replica_reads():
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_alias() -> str:
    """The alias a `replica_reads()` block reads from: the replica's if one is configured, else "default"."""
    return settings.READ_REPLICA_ALIAS or "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get():
            return replica_alias()
        return None  # the default

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, seen twice

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's migrations by replication
