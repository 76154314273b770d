"""The home page as a workbench: what this member of staff owes, and by when, most urgent first; what came
back for them to act on; a quiet "nothing waiting" when there is nothing.

The home page belongs to this floor, but the work is the floors above's (filings, requests, mediations),
which this floor does not know. Each higher app registers a source (in its AppConfig.ready) that returns the
items of its own for the request's user: a few queries each, whatever the number of records.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# Items a source returns at most per list: the home page is a desk, the lists behind it are for the rest.
MOST = 50


@dataclass
class WorkItem:
    kind: str  # what it is, as people say it: "cross-region filing", "service request" (translated)
    reference: str  # its receipt, reference or number
    url: str
    what: str  # what to do, or what came back (translated)
    due_at: dt.datetime | dt.date | None = None
    overdue: bool = False
    court: str = ""  # the other court, where there is one
    detail: str = ""  # the cause of action, a party's name
    state: str = ""  # the record's state label


@dataclass
class Work:
    owed: list[WorkItem] = field(default_factory=list)
    back: list[WorkItem] = field(default_factory=list)
    # Things to start from the desk: (label, url, test id), e.g. a new filing.
    starts: list[tuple[str, str, str]] = field(default_factory=list)


WorkSource = Callable[[object], Work | None]
_sources: list[WorkSource] = []


def register_work(source: WorkSource) -> None:
    if source not in _sources:
        _sources.append(source)


def _when(item: WorkItem) -> dt.datetime:
    due = item.due_at
    if due is None:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    if isinstance(due, dt.datetime):
        return due
    from courts.legal_calendar import COURT_TZ

    return dt.datetime.combine(due, dt.time(23, 59, 59), tzinfo=COURT_TZ)


@dataclass
class Desk:
    owed: list[WorkItem]
    back: list[WorkItem]
    starts: list[tuple[str, str, str]]
    counts: list[tuple[str, int]]  # owed items per kind, most first
    overdue: int

    @property
    def empty(self) -> bool:
        return not self.owed and not self.back


def desk_for(request) -> Desk:
    """Everything every source has for this user: owed items overdue first, then by due time (undated
    last); what came back newest first as the sources give it."""
    owed, back, starts = [], [], []
    for source in _sources:
        work = source(request)
        if work is None:
            continue
        owed += work.owed
        back += work.back
        starts += work.starts
    for item in (*owed, *back):
        # A day (a mediation's end, a correction's deadline) runs to its end, as every deadline here does.
        if item.due_at is not None and not isinstance(item.due_at, dt.datetime):
            item.due_at = _when(item)
    owed.sort(key=lambda item: (not item.overdue, _when(item)))
    counts = Counter(item.kind for item in owed)
    return Desk(
        owed=owed,
        back=back,
        starts=starts,
        counts=counts.most_common(),
        overdue=sum(1 for item in owed if item.overdue),
    )
