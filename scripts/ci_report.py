"""The CI run's closing table (issue 11, item 8): what each whole-system group ran, from the figures the
test runs left in var/reports/ (tests/report.py). A figure missing says so: this prints what was measured,
never a number of its own."""

import json
import sys
from pathlib import Path

REPORTS = Path(__file__).resolve().parent.parent / "var" / "reports"


def load(name: str) -> dict:
    path = REPORTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def outcome(counts: dict) -> str:
    if not counts:
        return "not run"
    failed = counts.get("failed", 0)
    return f"{counts.get('passed', 0)} passed" + (f", {failed} failed" if failed else "")


def fuzzed(counts: dict) -> str:
    if not counts:
        return "not run"
    return f"{counts['operations']} operations x {counts['personas']} personas, {counts['examples']} examples"


def under_faults(counts: dict) -> str:
    if not counts:
        return "not run"
    counts = {"pending when the faults ended": "?", "sweep seconds": "?", **counts}
    return (
        f"{counts['deliveries']} deliveries, {counts['faults']} faults: {counts['lost']} lost,"
        f" {counts['duplicated']} duplicated; backlog of {counts['pending when the faults ended']}"
        f" swept in {counts['sweep seconds']} s"
    )


def main() -> int:
    main_run, slow_run = load("groups-main"), load("groups-slow")
    matrix = load("permission-matrix")
    cells = ""
    if matrix:
        cells = f"{matrix['patterns']} URL patterns, {matrix['urls']} URLs, {matrix['cells']} cells"
    rows = [
        ("journeys (Chromium, real worker)", outcome(main_run.get("journeys", {})), ""),
        ("API fuzzing, fast", outcome(main_run.get("API fuzzing", {})), fuzzed(load("api-fuzz-fast"))),
        ("API fuzzing, slow", outcome(slow_run.get("API fuzzing", {})), fuzzed(load("api-fuzz-slow"))),
        ("permission matrix", outcome(main_run.get("permission matrix", {})), cells),
        ("bad input", outcome(main_run.get("bad input", {})), "tests of bad bodies, ids, throttles"),
        ("deliveries under faults", outcome(main_run.get("faults", {})), under_faults(load("faults"))),
    ]
    width = max(len(row[0]) for row in rows)
    print("\nWhole-system proof (issue 11)")
    for name, result, detail in rows:
        print(f"  {name.ljust(width)}  {result:<22}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
