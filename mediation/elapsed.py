"""How long a matter took from the complaint to the confirmation ruling, and each step's share, read from
the timeline (never from a separate field: the timeline is what happened, and when).

The steps: the complaint reaching the court (the filing's submission at a window, the case's registration,
or the mediation opened at the tribunal), the mediation opened, accepted by the invited tribunals, agreed,
the application for confirmation, its registration as a 民特 case, and the ruling.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Filing
from courts.models import Event
from mediation.models import Confirmation, Mediation

DECISIONS = ("confirmation.confirm", "confirmation.reject", "confirmation.not_accept")

# (key, label, subject, the actions that mark it)
MILESTONES = [
    ("complaint", _("complaint received"), "origin", ("filing.submit", "case.register")),
    ("opened", _("mediation opened"), "mediation", ("mediation.propose",)),
    ("accepted", _("invitation accepted"), "mediation", ("mediation.accept",)),
    ("agreed", _("agreement signed"), "mediation", ("mediation.agree",)),
    ("applied", _("confirmation applied for"), "confirmation", ("confirmation.apply",)),
    ("registered", _("registered as a 民特 case"), "confirmation", ("confirmation.register",)),
    ("decided", _("ruling"), "confirmation", DECISIONS),
]


# The matter ended without a ruling: the clock stops there (a failed, withdrawn or expired mediation, a
# withdrawn application), it does not run on "so far".
STOPS = {
    "mediation": ("mediation.fail", "mediation.withdraw", "mediation.expire"),
    "confirmation": ("confirmation.withdraw",),
}


@dataclass
class Step:
    key: str
    label: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    seconds: int
    share: float  # of the total so far, 0..1


@dataclass
class Elapsed:
    started_at: dt.datetime | None
    ended_at: dt.datetime | None  # the ruling; None while it is still running
    seconds: int
    steps: list[Step] = field(default_factory=list)
    stopped_at: dt.datetime | None = None  # it ended without a ruling

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


def _origin_subjects(mediation: Mediation) -> list[tuple[str, int]]:
    if mediation.origin_filing_id:
        return [(Filing._meta.label_lower, mediation.origin_filing_id)]
    if mediation.origin_case_id:
        case = mediation.origin_case  # select_related by the lists that ask for many
        subjects = [(Case._meta.label_lower, case.pk)]
        if case.origin_filing_id:
            subjects.append((Filing._meta.label_lower, case.origin_filing_id))
        return subjects
    return []


def _subjects(mediation: Mediation, confirmation: Confirmation | None) -> dict[str, list[tuple[str, int]]]:
    return {
        "mediation": [(Mediation._meta.label_lower, mediation.pk)],
        "origin": _origin_subjects(mediation),
        "confirmation": [(Confirmation._meta.label_lower, confirmation.pk)]
        if confirmation is not None
        else [],
    }


_ACTIONS = [action for *_rest, marks in MILESTONES for action in marks] + [
    action for stops in STOPS.values() for action in stops
]


def milestone_events(subject_sets) -> list[tuple]:
    """(subject_type, subject_id, action, created_at) of the milestones of every subject in
    `subject_sets` (as `_subjects` gives them), in one query: a list page's elapsed times at once."""
    condition = Q(pk__in=[])
    for subjects in subject_sets:
        for pairs in subjects.values():
            for subject_type, subject_id in pairs:
                condition |= Q(subject_type=subject_type, subject_id=subject_id)
    return list(
        Event.objects.filter(condition, action__in=_ACTIONS)
        .order_by("created_at", "id")
        .values_list("subject_type", "subject_id", "action", "created_at")
    )


def elapsed_for_confirmations(confirmations) -> dict[int, "Elapsed"]:
    """The elapsed time of each of `confirmations` (with `mediation__origin_case` joined), in one query."""
    sets = {
        confirmation.pk: _subjects(confirmation.mediation, confirmation) for confirmation in confirmations
    }
    events = milestone_events(sets.values())
    return {
        confirmation.pk: elapsed_for(confirmation.mediation, confirmation, events=events)
        for confirmation in confirmations
    }


def elapsed_for(
    mediation: Mediation, confirmation: Confirmation | None = None, *, now=None, events=None
) -> Elapsed:
    """Complaint to ruling for `mediation`, through `confirmation` (its latest, if not given). `events`:
    the milestones read already (milestone_events), for a list."""
    now = now or timezone.now()
    if confirmation is None:
        confirmation = Confirmation.objects.filter(mediation=mediation).order_by("-applied_at", "-id").first()
    subjects = _subjects(mediation, confirmation)
    if events is None:
        events = milestone_events([subjects])
    reached: list[tuple[str, str, dt.datetime]] = []
    for key, label, subject, marks in MILESTONES:
        wanted = set(subjects[subject])
        at = next(
            (when for kind, pk, action, when in events if (kind, pk) in wanted and action in marks), None
        )
        if at is not None and (not reached or at >= reached[-1][2]):
            reached.append((key, str(label), at))
    if not reached:
        return Elapsed(started_at=None, ended_at=None, seconds=0)
    started_at = reached[0][2]
    finished = reached[-1][0] == "decided"
    ended_at = reached[-1][2] if finished else None
    stopped_at = None
    if not finished:
        stops = [
            when
            for kind, pk, action, when in events
            for subject, marks in STOPS.items()
            if (kind, pk) in set(subjects[subject]) and action in marks and when >= reached[-1][2]
        ]
        stopped_at = min(stops) if stops else None
    total = max(((ended_at or stopped_at or now) - started_at).total_seconds(), 0)
    steps = []
    for index, (key, label, at) in enumerate(reached[1:], start=1):
        since = reached[index - 1][2]
        seconds = (at - since).total_seconds()
        steps.append(Step(key, label, since, at, int(seconds), seconds / total if total else 0.0))
    if not finished:
        until = stopped_at or now
        seconds = (until - reached[-1][2]).total_seconds()
        key, label = ("stopped", _("ended without a ruling")) if stopped_at else ("running", _("so far"))
        steps.append(
            Step(key, str(label), reached[-1][2], stopped_at, int(seconds), seconds / total if total else 0.0)
        )
    return Elapsed(
        started_at=started_at, ended_at=ended_at, seconds=int(total), steps=steps, stopped_at=stopped_at
    )


def days_and_hours(seconds: int) -> tuple[int, int]:
    """Whole days and the hours left over (rounded down): what the courts report, "3 天 2 小时"."""
    hours = seconds // 3600
    return hours // 24, hours % 24
