"""A process that cannot work properly refuses to start, in one line naming the problem, with exit status 2
(issue 12, "Bad input"; config/startup.py): missing or weak keys, a database that does not answer, a worker
told to consume a queue no court has."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from tests.conftest import requires_postgres

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
GOOD_KEYS = {
    "SECRET_KEY": "k" * 50,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_LOOKUP_KEY": "l" * 40,
    "QUERY_CODE_KEY": "q" * 40,
}
NOWHERE = "postgres://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


def production(**changes) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in GOOD_KEYS and key != "DEBUG"}
    env.update(GOOD_KEYS, DEBUG="0", DATABASE_URL=NOWHERE, DJANGO_SETTINGS_MODULE="config.settings")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=90)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "refusing to start" in line]
    return done.returncode, lines


def the_test_database_url() -> str:
    db = connection.settings_dict
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER'] or 'postgres'}@{where}/{db['NAME']}"


WEB = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--bind", "127.0.0.1:0", "config.wsgi"]
MANAGE = [sys.executable, "manage.py", "check"]


def worker(*queues: str) -> list[str]:
    return [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "-Q", ",".join(queues)]


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS and FIELD_LOOKUP_KEY"),
        ({"FIELD_LOOKUP_KEY": "too-short"}, "FIELD_ENCRYPTION_KEYS and FIELD_LOOKUP_KEY"),
        ({"QUERY_CODE_KEY": None}, "QUERY_CODE_KEY (32+ characters)"),
    ],
)
@pytest.mark.parametrize("process", ["web", "worker", "manage"])
def test_a_missing_or_weak_key_stops_every_process_in_one_line(change, problem, process):
    command = {"web": WEB, "worker": worker("court.qingpu"), "manage": MANAGE}[process]
    status, lines = run(command, production(**change))
    assert status == 2
    assert len(lines) == 1 and problem in lines[0], lines


@pytest.mark.parametrize("process", ["web", "worker"])
def test_a_database_that_does_not_answer_stops_the_web_and_the_workers_in_one_line(process):
    command = {"web": WEB, "worker": worker("court.qingpu")}[process]
    status, lines = run(command, production())
    assert status == 2
    assert len(lines) == 1 and "127.0.0.1:1/nowhere does not answer" in lines[0], lines


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_a_queue_no_court_has_refuses_naming_the_real_ones(courts):
    env = production(DATABASE_URL=the_test_database_url())
    status, lines = run(worker("court.qingpu", "court.qinpu"), env)
    assert status == 2
    assert len(lines) == 1, lines
    assert "no active court has the queue court.qinpu" in lines[0]
    assert "court.qingpu" in lines[0].split("the queues are")[1]  # the real names, to correct the typo
