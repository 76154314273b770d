"""gunicorn's settings for the zone's web servers (deploy/systemd/tracker-web.service, `make prod-local`).

`gunicorn -c deploy/gunicorn.conf.py config.wsgi`; the address and the number of processes come from the
environment (GUNICORN_BIND, WEB_CONCURRENCY), everything else is fixed here so every court runs alike.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers: every request is short (the longest, a PDF, renders in well under a second, bench/), and the
# database connection each worker keeps (CONN_MAX_AGE) is reused request after request.
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# Workers are not recycled after N requests (max_requests): under prometheus-client's multiprocess mode each
# new process leaves its counter files in PROMETHEUS_MULTIPROC_DIR until the next start, and scrapes slow
# down as they pile up. The benchmarks measure a worker's peak memory instead (make bench).
max_requests = 0
# Our access line (courts.request_ids, JSON with the request id) replaces gunicorn's; its errors stay.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:
    """Before any worker is forked: refuse at once, in one line, if the keys are missing or weak or the
    database does not answer (config/startup.py). PROMETHEUS_MULTIPROC_DIR must exist and hold no earlier
    run's counts, which would be added to this run's: systemd's RuntimeDirectory is made afresh at each
    start, and `make prod-local` empties its own once, before it starts any process."""
    from config.startup import check_ready, refuse

    check_ready()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and not os.path.isdir(directory):
        refuse(f"PROMETHEUS_MULTIPROC_DIR={directory} is not a directory")


def child_exit(server, worker) -> None:
    """A worker that exits leaves its live gauges behind; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
