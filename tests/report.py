"""The whole-system groups' figures for the CI report (issue 11, item 8). Each pytest run writes what it ran
of each group to var/reports/groups-<run>.json ("main" for `make test`, "slow" for `make test-slow`);
the fuzzing and the matrix write their own counts beside it; `scripts/ci_report.py` prints the table."""

import json
from collections import Counter
from pathlib import Path

REPORTS = Path(__file__).resolve().parent.parent / "var" / "reports"

# A group is the test files that make it up.
GROUPS = {
    "journeys": ("tests/journeys/",),
    "API fuzzing": ("tests/test_api_fuzz.py",),
    "faults": ("tests/test_faults.py",),
    "permission matrix": ("tests/test_permission_matrix.py",),
    "bad input": (
        "tests/test_bad_requests.py",
        "tests/test_bad_input_sweep.py",
        "tests/test_hostile_text.py",
        "tests/courts/test_throttle_concurrency.py",
    ),
}


def group_of(nodeid: str) -> str | None:
    return next((name for name, files in GROUPS.items() if nodeid.startswith(files)), None)


class GroupTally:
    """A pytest plugin: outcomes of each group's tests (a setup error counts as failed)."""

    def __init__(self, run: str):
        self.run = run
        self.outcomes: dict[str, Counter] = {name: Counter() for name in GROUPS}

    def pytest_runtest_logreport(self, report):
        group = group_of(report.nodeid)
        if group is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[group][report.outcome] += 1

    def pytest_sessionfinish(self, session):
        REPORTS.mkdir(parents=True, exist_ok=True)
        body = {name: dict(counts) for name, counts in self.outcomes.items() if counts}
        (REPORTS / f"groups-{self.run}.json").write_text(json.dumps(body, indent=2) + "\n")


def write_counts(name: str, counts: dict) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(counts, indent=2, sort_keys=True) + "\n")
