"""deploy/ describes the same layout as `make prod-local` runs and the multi-process test proves: a worker per
court on that court's queue only, one zone worker, one beat (issue 12, item 3)."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
SYSTEMD = DEPLOY / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((SYSTEMD / name).read_text().replace("\\\n", " "))
    return parser


def command(name: str) -> list[str]:
    return unit(name)["Service"]["ExecStart"].split()


def test_a_court_worker_unit_consumes_only_its_courts_queue_under_its_courts_name():
    argv = command("tracker-worker@.service")
    assert argv[argv.index("-Q") + 1] == "court.%i" and argv[argv.index("-n") + 1] == "%i@%H"
    assert argv[:4] == ["/srv/tracker/.venv/bin/celery", "-A", "config", "worker"]


def test_the_zone_worker_and_beat_and_web_units_run_what_prod_local_runs(courts):
    from scripts.prod_local import Layout

    layout = Layout({"PROMETHEUS_MULTIPROC_DIR": "/tmp/m"}, ["qingpu"]).commands()
    zone = command("tracker-zone-worker.service")
    zone_layout = layout["worker-zone"]
    assert zone[zone.index("-Q") + 1] == "zone" == zone_layout[zone_layout.index("-Q") + 1]
    assert "beat" in command("tracker-beat.service") and "beat" in layout["beat"]
    web = command("tracker-web.service")
    assert web[1:] == ["-c", "deploy/gunicorn.conf.py", "config.wsgi"]
    assert layout["web"][1:3] == ["-c", "deploy/gunicorn.conf.py"] and layout["web"][-1] == "config.wsgi"


def test_a_refusal_to_start_is_not_restarted_in_a_loop():
    for name in ["tracker-web.service", "tracker-worker@.service", "tracker-zone-worker.service"]:
        assert unit(name)["Service"]["RestartPreventExitStatus"] == "2", name


def test_the_compose_file_has_a_worker_for_every_court_and_one_beat(courts):
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    queues = {
        " ".join(service["command"]).split("-Q ")[1].split()[0]
        for name, service in services.items()
        if name.startswith("worker-")
    }
    assert queues == {"zone", *(court.queue_name for court in courts.values())}
    assert sum("beat" in " ".join(service.get("command", [])) for service in services.values()) == 1
    assert "--appendonly" in services["redis"]["command"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze on this machine")
def test_systemd_finds_nothing_wrong_with_the_units_but_the_missing_install(tmp_path):
    names = [path.name for path in SYSTEMD.iterdir()]
    for name in names:
        shutil.copy(SYSTEMD / name, tmp_path / name.replace("@.service", "@qingpu.service"))
    files = [str(path) for path in sorted(tmp_path.iterdir())]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *files], capture_output=True, text=True, timeout=60
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "is not executable: No such file or directory" not in line
    ]
    assert not problems, problems


@pytest.mark.parametrize(
    "name", ["tracker-web.service", "tracker-worker@.service", "tracker-zone-worker.service"]
)
def test_the_metrics_folder_is_the_units_own_runtime_directory(name):
    """systemd makes /run/<RuntimeDirectory> (and nothing below it) afresh at each start: the folder the
    processes count into must be exactly that, or gunicorn refuses to start and the workers count nowhere."""
    runtime = unit(name)["Service"]["RuntimeDirectory"]
    prefix = "Environment=PROMETHEUS_MULTIPROC_DIR="
    lines = (SYSTEMD / name).read_text().splitlines()
    folders = [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
    assert folders == [f"/run/{runtime}"]
