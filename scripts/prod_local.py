"""`make prod-local`: the production layout (deploy/) as separate processes on this one machine (issue 12).

    gunicorn (the web, on 127.0.0.1:PORT)
    one Celery worker per active court, each consuming only its court's queue (court.wujiang, ...)
    the zone worker (queue zone)
    beat (the periodic tasks, one in the zone)

against the local PostgreSQL and Redis, exactly as deploy/systemd runs them on the courts' machines, so the
layout can be tried and tested here (tests/test_prod_layout.py drives it through the `Layout` class).

- The database: DATABASE_URL, by default a database of its own on the local PostgreSQL (created if missing,
  then migrated). The broker: CELERY_BROKER_URL, by default the local Redis.
- The keys: from the environment, or, for those not set, generated once and kept in var/prod-local/keys.env
  (readable by its owner only), so a restart reads the data it wrote.
- The demo logins are seeded only when DEMO_PASSWORD is given.
- Production settings (DEBUG off, the keys required), except that it serves plain http on 127.0.0.1: no HTTPS
  redirect, HSTS or secure-only cookies, which would lock a browser out of http://127.0.0.1.
- Ctrl-C or SIGTERM stops all of it: the workers with Celery's warm shutdown (the running task finishes).
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tracker_prod_local"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
KEY_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_LOOKUP_KEY", "QUERY_CODE_KEY")
# Celery's warm shutdown lets the running task finish, which may take up to CELERY_TASK_TIME_LIMIT (120 s).
STOP_SECONDS = 130


def _new_key(name: str) -> str:
    if name == "FIELD_ENCRYPTION_KEYS":
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(48)


def kept_keys(folder: Path, environ: dict[str, str]) -> dict[str, str]:
    """The keys the environment does not set, from folder/keys.env, generated there the first time."""
    path = folder / "keys.env"
    kept = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name in KEY_NAMES and value:
                kept[name] = value
    missing = [name for name in KEY_NAMES if name not in environ and name not in kept]
    if missing:
        kept.update({name: _new_key(name) for name in missing})
        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text("".join(f"{name}={value}\n" for name, value in kept.items()))
        print(f"generated {', '.join(missing)} into {path} (kept for the next start)", flush=True)
    return {name: value for name, value in kept.items() if name not in environ}


def layout_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every process of the layout runs with."""
    environ = dict(os.environ if environ is None else environ)
    folder = Path(environ.get("VAR_DIR", BASE_DIR / "var")) / "prod-local"
    environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
    environ.update(kept_keys(folder, environ))
    environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "DEMO_MODE": "0",
            "SECURE_SSL_REDIRECT": environ.get("SECURE_SSL_REDIRECT", "0"),
            "SECURE_HSTS_SECONDS": environ.get("SECURE_HSTS_SECONDS", "0"),
            "SECURE_COOKIES": environ.get("SECURE_COOKIES", "0"),
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        }
    )
    environ.setdefault("MEDIA_ROOT", str(folder / "media"))
    environ.setdefault("PORT", "8000")
    environ.setdefault("GUNICORN_BIND", f"127.0.0.1:{environ['PORT']}")
    return environ


def create_database_if_missing(database_url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    params = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "connect_timeout": 5,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                print(f"created the database {config['NAME']}", flush=True)
    except psycopg.OperationalError as error:
        first = (str(error).strip().splitlines() or ["no answer"])[0]
        print(f"refusing to start: PostgreSQL at {params['host']}:{params['port']} does not answer ({first})")
        raise SystemExit(2) from None


class Layout:
    """The processes of the layout, each started and stopped by name (the test stops one court's worker)."""

    def __init__(self, environ: dict[str, str], courts: list[str], *, web_workers: int = 2):
        self.environ = environ
        self.courts = courts
        self.web_workers = web_workers
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = Path(environ.get("PROD_LOCAL_LOG_DIR", "")) if environ.get("PROD_LOCAL_LOG_DIR") else None

    def commands(self) -> dict[str, list[str]]:
        celery = [str(BIN / "celery"), "-A", "config"]
        worker = [
            "worker",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--concurrency",
            "1",
        ]
        commands = {
            "web": [
                str(BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--workers",
                str(self.web_workers),
                "config.wsgi",
            ]
        }
        for code in self.courts:
            commands[f"worker-{code}"] = [*celery, *worker, "-Q", f"court.{code}", "-n", f"{code}@%h"]
        commands["worker-zone"] = [*celery, *worker, "-Q", "zone", "-n", "zone@%h"]
        schedule = Path(self.environ["PROMETHEUS_MULTIPROC_DIR"]).parent / "celerybeat-schedule"
        commands["beat"] = [*celery, "beat", "--loglevel", "INFO", "-s", str(schedule)]
        return commands

    def start(self, name: str) -> subprocess.Popen:
        command = self.commands()[name]
        output = None
        if self.logs is not None:
            self.logs.mkdir(parents=True, exist_ok=True)
            output = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed once the child has it)
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.environ,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        if output is not None:
            output.close()  # the child writes through its own descriptor; this one would only leak
        self.processes[name] = process
        return process

    def start_all(self) -> None:
        for name in self.commands():
            self.start(name)

    def stop(self, name: str, *, timeout: float = STOP_SECONDS) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self) -> None:
        # SIGTERM to each (Ctrl-C on a terminal has already sent every child SIGINT, which they take alike),
        # then wait for all: the workers finish their running task.
        for name in self.processes:
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for name in list(self.processes):
            process = self.processes.pop(name)
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def exited(self) -> dict[str, int]:
        return {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}


def without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def manage(environ: dict[str, str], *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=BASE_DIR, env=environ, check=True)


def active_courts(environ: dict[str, str]) -> list[str]:
    """The active courts' codes, read by a child so that this process never loads Django's settings."""
    program = (
        "import django; django.setup(); from courts.models import Court; "
        "print(' '.join(Court.objects.filter(is_active=True).order_by('id').values_list('code', flat=True)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=BASE_DIR, env=environ, check=True, capture_output=True, text=True
    )
    return out.stdout.split()


def prepare(environ: dict[str, str]) -> list[str]:
    """Database, tables, static files, demo logins: everything before the first process starts."""
    create_database_if_missing(environ["DATABASE_URL"])
    manage(environ, "migrate", "--no-input", "--verbosity", "0")
    manage(environ, "createcachetable")
    manage(environ, "collectstatic", "--no-input", "--verbosity", "0")
    if environ.get("DEMO_PASSWORD"):
        manage(environ, "seed_demo")
    metrics = Path(environ["PROMETHEUS_MULTIPROC_DIR"])
    if metrics.exists():  # an earlier run's counts would be added to this one's
        for stale in metrics.glob("*.db"):
            stale.unlink()
    metrics.mkdir(parents=True, exist_ok=True)
    return active_courts(environ)


def main() -> int:
    environ = layout_environment()
    courts = prepare(environ)
    layout = Layout(environ, courts, web_workers=int(environ.get("WEB_CONCURRENCY", "2")))
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    layout.start_all()
    port = environ["PORT"]
    print(
        "\n"
        f"  长三角示范区跨域协作案件系统 (production layout) at http://127.0.0.1:{port}/\n"
        f"  database {without_password(environ['DATABASE_URL'])}, "
        f"broker {without_password(environ['CELERY_BROKER_URL'])}\n"
        f"  processes: {', '.join(layout.commands())}\n"
        f"  /healthz and /metrics (from this machine) say how each court's worker is doing.\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    exit_code = 0
    try:
        while not stopping:
            for name, code in layout.exited().items():
                layout.processes.pop(name)
                # As on the courts' machines: one court's worker gone leaves the others working. A refusal to
                # start (2) or the web or beat gone ends the layout.
                print(f"{name} exited with {code}", file=sys.stderr, flush=True)
                if code == 2 or name in ("web", "beat"):
                    exit_code, stopping = code or 1, True
            time.sleep(0.3)
    finally:
        layout.stop_all()
        print("prod-local stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
