"""`make demo`'s last step: the embedded Redis, a Celery worker on every court queue, Celery beat, and the web
server, as one foreground process. Ctrl-C (SIGINT) or SIGTERM stops all of them, Redis last."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from config.embedded_redis import EmbeddedRedis  # noqa: E402
from courts.management.commands.seed_demo import DEMO_DEFAULT_PASSWORD, DEMO_STAFF  # noqa: E402
from courts.tasks import court_queues  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> int:
    port = os.environ.get("PORT", "8000")
    var = Path(settings.VAR_DIR)
    redis_server = None
    if "CELERY_BROKER_URL" not in os.environ:
        redis_server = EmbeddedRedis(var / "redis").start()
        print(f"embedded Redis on {redis_server.socket} (append-only)", flush=True)

    children: list[tuple[str, subprocess.Popen]] = []

    def spawn(name: str, *command: str) -> None:
        children.append((name, subprocess.Popen(command, cwd=BASE_DIR)))

    queues = ",".join(court_queues())
    spawn(
        "worker",
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        queues,
        "--concurrency",
        "2",
        "--loglevel",
        "INFO",
        "-n",
        "demo@%h",
    )
    spawn(
        "beat",
        str(BIN / "celery"),
        "-A",
        "config",
        "beat",
        "--loglevel",
        "INFO",
        "-s",
        str(var / "celerybeat-schedule"),
    )
    spawn("web", sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload")

    password = os.environ.get("DEMO_PASSWORD", DEMO_DEFAULT_PASSWORD)
    print(
        "\n"
        f"  长三角示范区跨域协作案件系统 running at http://127.0.0.1:{port}/\n"
        f"  API docs: http://127.0.0.1:{port}/api/docs/   admin: http://127.0.0.1:{port}/admin/\n"
        f"  worker queues: {queues}\n"
        f"  logins (password {password}): admin, " + ", ".join(name for name, *_ in DEMO_STAFF) + "\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, process in children:
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping the demo", file=sys.stderr)
                    exit_code, stopping = 1, True
            time.sleep(0.3)
    finally:
        for _name, process in reversed(children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(children):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if redis_server:
            redis_server.stop()
        print("demo stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
