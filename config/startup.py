"""Refuse to start, in one line, rather than serve half-configured (issue 12, "Bad input").

A missing or weak key (config/settings.py raises ImproperlyConfigured), a database that does not answer, or a
worker told to consume a queue no court has: the web server (deploy/gunicorn.conf.py), each Celery worker and
beat (config/celery.py) and `make prod-local` stop at once with

    refusing to start: <the problem>

on standard error and exit status 2, so that systemd's journal and an operator's terminal show the cause
rather than a traceback, and nothing is half started: a worker on a mistyped queue would otherwise wait for
work that never comes while the court's real queue fills up.
"""

import sys
from typing import NoReturn

EXIT_STATUS = 2


def refuse(problem: str) -> NoReturn:
    print(f"refusing to start: {problem}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_STATUS)


def load_settings() -> None:
    """Import the settings (their checks of the keys run then) and set Django up."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        refuse(str(error))


def check_database() -> None:
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
    except OperationalError as error:
        db = connection.settings_dict
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 'default'}/{db['NAME']}"
        reason = (str(error).strip().splitlines() or ["no answer"])[0]
        refuse(f"the database {where} does not answer ({reason}); check DATABASE_URL")
    finally:
        connection.close()


def check_queues(queues: list[str]) -> None:
    """Every queue a worker is told to consume must be the zone's or an active court's."""
    from django.db import DatabaseError

    from courts.tasks import court_queues

    try:
        known = court_queues()
    except DatabaseError as error:
        refuse(f"the database has no courts to read ({str(error).splitlines()[0]}); run migrate first")
    unknown = [queue for queue in queues if queue not in known]
    if unknown:
        refuse(
            f"no active court has the queue {', '.join(unknown)}; the queues are {', '.join(known)} "
            "(courts are rows: add one in the admin, then start its worker)"
        )


def check_ready(*, queues: list[str] | None = None) -> None:
    """Called from Celery's signals too, which log and swallow a handler's exception: anything unforeseen is
    a refusal as well, never a worker that starts regardless."""
    try:
        load_settings()
        check_database()
        if queues:
            check_queues(queues)
    except SystemExit:
        raise
    except Exception as error:
        refuse(f"{type(error).__name__}: {error}")
