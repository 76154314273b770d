"""Peak resident memory of a process tree (issue 12, item 7: "the peak resident memory of a gunicorn worker
and of a Celery worker ... goal: each under 150 MB").

Linux keeps each process's high-water mark of resident memory (VmHWM in /proc/<pid>/status), so nothing
needs sampling: read it just before the processes are stopped, and it covers the whole run.
"""

from pathlib import Path

GOAL_MB = 150


def peak_resident_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree_peaks(root_pid: int) -> dict[str, float]:
    """{"main": MB, "children": the largest child's MB} of a process and its descendants (a gunicorn master
    and its workers, a Celery worker and its pool processes)."""
    import psutil

    try:
        children = psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return {}
    peaks = {"main": peak_resident_mb(root_pid) or 0.0}
    child_peaks = [peak for child in children if (peak := peak_resident_mb(child.pid)) is not None]
    if child_peaks:
        peaks["children"] = max(child_peaks)
    return peaks


def report_line(what: str, peaks: dict[str, float], child_name: str) -> str:
    if not peaks:
        return f"{what}: peak resident memory not read (the process was gone)"
    parts = [f"main process {peaks['main']:.0f} MB"]
    if "children" in peaks:
        parts.append(f"largest {child_name} {peaks['children']:.0f} MB")
    worst = max(peaks.values())
    verdict = "met" if worst < GOAL_MB else "NOT met"
    return f"{what}: peak resident {', '.join(parts)} (goal: each under {GOAL_MB} MB: {verdict})"
