"""What a litigant may learn at a service window, a kiosk or on their phone with a receipt, case or mediation
number and the query code printed for it (DOMAIN.md, "Status lookup for litigants"; issue 9).

Procedural status only: where the matter stands, what happens next and by when, the milestones so far across
the three courts, and the sessions to come. Never an ID number, an address or a phone, never a member of
staff (the court and tribunal only), never a preservation before it is carried out, no internal remark.

This module is the registry and the driver; each flow declares what of it the public sees in one place:
`cases.milestones` (filings, cases, service and preservation), `mediation.status` (mediations,
sessions, confirmations). A flow registers
- a finder: the record a number names, read in one query (`register_status_finder`);
- the subjects of a matter: which records' timeline events belong to it (`register_matter_subjects`);
- its public events: which timeline actions are milestones, with their label (`register_public_events`);
- how the matter widens beyond its numbers' records, with its appointments to come, one query
  (`register_matter_widening`: mediation adds the mediations of the filing or case, their sessions and
  confirmations, and the filings and cases they led to).
A lookup costs at most 3 SQL queries whatever the matter holds (bench/status_lookup.py): the finder's, the
widening (with the appointments), the matter's events; none when a right code's answer is kept. Every id is
known before the events query, which reads them as plain lists: subqueries ORed over the million-row tables
there made PostgreSQL scan the timeline (seconds a lookup), where lists are a bitmap index scan per subject.
The guard's counters, the kept answers and the log of every lookup are in Redis (courts.lookup_guard).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from redis import RedisError

from cases.models import StatusLookup
from courts import lookup_guard, query_codes
from courts.lookup_guard import LookupGuard, Refusal
from courts.models import Event
from courts.numbers import normalise_number
from courts.selectors import court_by_id

STATUS_KINDS = ["filing", "case", "mediation", "confirmation"]  # what a number may name
NUMBER_MAX_LENGTH = 64
logger = logging.getLogger(__name__)
CODE_MAX_LENGTH = 32


@dataclass
class Milestone:
    at: dt.datetime | dt.date
    label: str
    court: str = ""


@dataclass
class Upcoming:
    at: dt.datetime
    label: str
    place: str = ""
    court: str = ""


@dataclass
class Status:
    number: str
    kind: str  # filing, case, mediation, confirmation
    title: str
    state: str
    state_label: str
    court: str = ""
    next_step: str = ""
    due_at: dt.datetime | dt.date | None = None
    milestones: list[Milestone] = field(default_factory=list)
    upcoming: list[Upcoming] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # what to bring for a correction
    contact: str = ""  # where to ask: the tribunal's or court's address and phone, from the registry
    case_number: str = ""


def contact_of(place) -> str:
    """A court's or tribunal's address and phone as the registry has them ("" until an administrator enters
    them)."""
    return " · ".join(part for part in (place.address, place.phone) if part)


# --- What the flows declare --------------------------------------------------------------------------------


@dataclass
class Matter:
    """The records one lookup follows across flows and courts: the filing, the case it became, the
    mediations on either. Ids only; each flow turns them into its records' timeline subjects."""

    filings: list[int] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    mediations: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    confirmations: list[int] = field(default_factory=list)

    def add(self, name: str, ids) -> None:
        known = getattr(self, name)
        known.extend(pk for pk in ids if pk is not None and pk not in known)

    def records(self) -> list[str]:
        """The matter's records as the timeline marks them changed (courts.timeline): what a kept answer
        depends on. A service or preservation request's events mark its case too."""
        return [f"{label}:{pk}" for name, label in _RECORD_LABELS.items() for pk in getattr(self, name)]


_RECORD_LABELS = {
    "filings": "cases.filing",
    "cases": "cases.case",
    "mediations": "mediation.mediation",
    "sessions": "mediation.mediationsession",
    "confirmations": "mediation.confirmation",
}
# What courts.timeline marks as changed for the kept answers: declared when cases' ready() imports this
# module (through cases.milestones), in every process that records events, web or worker.
lookup_guard.follow_records(_RECORD_LABELS.values())


@dataclass
class Found:
    """The record a number names. `build` makes its status from the milestones and appointments without a
    query of its own (the finder's query read what it needs); `restore` re-stores an old-style code hash."""

    code_hash: str
    matter: Matter
    build: Callable[[list[Milestone], list[Upcoming]], Status]
    restore: Callable[[str], None]
    log: dict[str, Any] = field(default_factory=dict)  # the log row's links (filing, case)


def _always(_event: Event) -> bool:
    return True


@dataclass(frozen=True)
class PublicEvent:
    """A timeline action the public sees, as a milestone: its label, and when it is shown at all."""

    label: Any  # a lazy translation
    shown: Callable[[Event], bool] = _always
    at: Callable[[Event], dt.datetime | dt.date] = lambda event: event.created_at


StatusFinder = Callable[[str], Found | None]
_finders: list[tuple[Callable[[str], bool] | None, StatusFinder]] = []
_subjects: list[Callable[[Matter], list[Q]]] = []
_widenings: list[Callable[[Matter], list[Upcoming]]] = []
_public_events: dict[str, PublicEvent] = {}


def register_status_finder(finder: StatusFinder, *, claims: Callable[[str], bool] | None = None) -> None:
    """`claims` says which numbers are the finder's (a mediation number's 诉前调); None: every number no other
    finder claims. Exactly one finder runs per lookup, so an unknown number costs what a known one does."""
    if all(existing is not finder for _claims, existing in _finders):
        _finders.append((claims, finder))


def register_matter_subjects(subjects: Callable[[Matter], list[Q]]) -> None:
    if subjects not in _subjects:
        _subjects.append(subjects)


def register_matter_widening(widening: Callable[[Matter], list[Upcoming]]) -> None:
    """`widening(matter)` adds to the matter the ids of the records it reaches, in one query, and answers
    the appointments it found on the way."""
    if widening not in _widenings:
        _widenings.append(widening)


def register_public_events(events: dict[str, PublicEvent]) -> None:
    _public_events.update(events)


def public_event(action: str) -> PublicEvent | None:
    return _public_events.get(action)


def subject(model, ids) -> Q:
    """Timeline events of `model`'s records whose ids are `ids` (a list or a subquery)."""
    return Q(subject_type=model._meta.label_lower, subject_id__in=ids)


# --- The lookup ---------------------------------------------------------------------------------------------


class Result(StrEnum):
    FOUND = "found"
    REFUSED = "refused"  # unknown number or wrong code: never told apart
    LOCKED = Refusal.LOCKED.value
    THROTTLED = Refusal.THROTTLED.value
    UNAVAILABLE = "unavailable"  # the guard's Redis does not answer: refuse rather than check unguarded


@dataclass
class Lookup:
    result: Result
    answer: bytes = b""  # found: the status as the API answers it (JSON), kept or just built

    @property
    def status(self) -> Status | None:
        return status_from_json(json.loads(self.answer)) if self.answer else None


def _finder_for(number: str) -> StatusFinder:
    specific = [finder for claims, finder in _finders if claims is not None and claims(number)]
    fallback = [finder for claims, finder in _finders if claims is None]
    return (specific or fallback)[0]


def answer_key(number: str, code: str) -> str:
    """Where a right code's answer is kept (courts.lookup_guard): the number, the code and the reader's
    language, under QUERY_CODE_KEY, so the key reveals nothing and cannot be made without the code."""
    message = "\0".join(("status-answer", get_language() or "", number, query_codes.normalise(code)))
    return hmac.new(settings.QUERY_CODE_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def status_lookup(*, number: str, code: str, address: str) -> Lookup:
    """The status, or why not. The number may be typed with brackets and digits of either width and any
    spaces (courts.numbers), the code in either case and with spaces (courts.query_codes).

    A right code asked again is answered from Redis alone, while none of the matter's records has changed
    (courts.lookup_guard). Any other lookup reads the database: an unknown number and a wrong code take the
    same path there, one finder query and the same HMAC comparison; both are logged alike."""
    asked = (number or "").strip()[:NUMBER_MAX_LENGTH]
    number = normalise_number(number or "")[:NUMBER_MAX_LENGTH]
    code = (code or "")[:CODE_MAX_LENGTH]
    guard = LookupGuard(number=number, address=address, answer_key=answer_key(number, code), asked=asked)
    try:
        opening = guard.begin()
    except RedisError:
        logger.exception("status lookup refused: the lookup guard's Redis does not answer")
        # The log stream is in that Redis: this one row goes to the database directly.
        StatusLookup.objects.create(
            number=asked, found=False, result=Result.UNAVAILABLE, address=address[:64]
        )
        return Lookup(Result.UNAVAILABLE)
    if opening.refusal is not None:
        return Lookup(Result(opening.refusal.value))
    if opening.answer is not None:
        return Lookup(Result.FOUND, opening.answer)
    found = _finder_for(number)(number)
    matches, old_hash = query_codes.matches(code, found.code_hash if found else None)
    if not matches or found is None:
        _quietly(guard.failed)
        return Lookup(Result.REFUSED)
    if old_hash:
        found.restore(query_codes.hash_code(code))
    upcoming = upcoming_of(found.matter)  # first: it widens the matter whose events are read next
    status = found.build(milestones_of(found.matter), upcoming)
    answer = json.dumps(status_json(status), ensure_ascii=False, separators=(",", ":")).encode()
    links = {name: getattr(record, "pk", None) for name, record in found.log.items()}
    _quietly(
        lambda: guard.succeeded(
            answer=answer,
            epoch=opening.epoch,
            records=found.matter.records(),
            until=min((item.at.timestamp() for item in status.upcoming), default=0),
            filing_id=links.get("filing"),
            case_id=links.get("case"),
        )
    )
    return Lookup(Result.FOUND, answer)


def _quietly(step: Callable[[], None]) -> None:
    """After the attempt was counted, Redis failing is not the litigant's problem: the answer stands."""
    try:
        step()
    except RedisError:
        logger.exception("the lookup guard's Redis failed after the attempt was counted")


def drain_lookup_log(batch: int = 1000) -> int:
    """Move the attempts logged in Redis (courts.lookup_guard) into StatusLookup rows; how many were moved.
    Each row keeps its stream entry's id, unique: a batch moved again after a crash adds nothing twice."""
    moved = 0
    while entries := lookup_guard.read_log(batch):
        StatusLookup.objects.bulk_create(
            [
                StatusLookup(
                    entry=entry,
                    number=fields["number"][:NUMBER_MAX_LENGTH],
                    result=fields["result"],
                    found=fields["result"] == Result.FOUND,
                    address=fields["address"],
                    filing_id=int(fields["filing"]) if fields["filing"] else None,
                    case_id=int(fields["case"]) if fields["case"] else None,
                    created_at=dt.datetime.fromtimestamp(float(fields["at"]), dt.UTC),
                )
                for entry, fields in entries
            ],
            ignore_conflicts=True,
        )
        lookup_guard.forget_log([entry for entry, _fields in entries])
        moved += len(entries)
        if len(entries) < batch:
            break
    return moved


# --- The answer as JSON, kept and served as it is --------------------------------------------------------


def iso_moment(value) -> str | None:
    """A date (a service date) or a moment (in the courts' time zone), as ISO 8601."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _parse_moment(text: str | None):
    if not text:
        return None
    return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)


def status_json(status: Status) -> dict:
    """The answer of `POST /api/public/status/` (cases.api.public.StatusSerializer documents it)."""
    return {
        "number": status.number,
        "kind": status.kind,
        "title": status.title,
        "state": status.state,
        "state_label": status.state_label,
        "court": status.court,
        "case_number": status.case_number,
        "next_step": status.next_step,
        "due_at": iso_moment(status.due_at),
        "items": [str(item) for item in status.items],
        "milestones": [
            {"at": iso_moment(item.at), "label": item.label, "court": item.court}
            for item in status.milestones
        ],
        "upcoming": [
            {"at": iso_moment(item.at), "label": item.label, "place": item.place, "court": item.court}
            for item in status.upcoming
        ],
        "contact": status.contact,
    }


def status_from_json(data: dict) -> Status:
    """A Status again from its JSON, for the status page and the kiosk."""
    return Status(
        **{key: data[key] for key in ("number", "kind", "title", "state", "state_label", "court")},
        case_number=data["case_number"],
        next_step=data["next_step"],
        due_at=_parse_moment(data["due_at"]),
        items=list(data["items"]),
        milestones=[
            Milestone(at=_parse_moment(item["at"]), label=item["label"], court=item["court"])
            for item in data["milestones"]
        ],
        upcoming=[
            Upcoming(
                at=_parse_moment(item["at"]), label=item["label"], place=item["place"], court=item["court"]
            )
            for item in data["upcoming"]
        ],
        contact=data["contact"],
    )


def milestones_of(matter: Matter) -> list[Milestone]:
    """The matter's public milestones in order, from its records' timeline events: one query."""
    subjects = [q for contribute in _subjects for q in contribute(matter)]
    if not subjects:
        return []
    events = (
        Event.objects.filter(reduce(or_, subjects), action__in=list(_public_events))
        .only("action", "to_state", "payload", "created_at", "actor_court_id")
        .order_by("created_at", "id")
    )
    milestones = []
    for event in events:
        rule = _public_events[event.action]
        if rule.shown(event):
            # The court by the process's registry (courts.selectors), not joined into the query.
            court = court_by_id(event.actor_court_id).name if event.actor_court_id else ""
            milestones.append(Milestone(at=rule.at(event), label=str(rule.label), court=court))
    return milestones


def upcoming_of(matter: Matter) -> list[Upcoming]:
    """Widen the matter (each flow's one query) and answer its appointments to come, soonest first."""
    return sorted((item for widen in _widenings for item in widen(matter)), key=lambda item: item.at)


def payload_date(key: str):
    """A milestone's date from its event's payload (`served_on`), else the event's own time."""

    def at(event: Event):
        value = (event.payload or {}).get(key)
        if value:
            try:
                return dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                pass
        return event.created_at

    return at


def refusal_message(result: Result) -> str:
    if result == Result.LOCKED:
        return _(
            "This number is locked for %(minutes)s minutes after %(tries)s wrong query codes. Try again "
            "later, or ask at any of the three courts' litigation service windows, where a clerk can check "
            "your identity and unlock it."
        ) % {
            "minutes": max(settings.STATUS_LOOKUP_LOCK_SECONDS // 60, 1),
            "tries": settings.STATUS_LOOKUP_NUMBER_LIMIT,
        }
    if result == Result.UNAVAILABLE:
        return _(
            "The lookup is not available just now. Please try again in a few minutes, or ask at a window."
        )
    if result == Result.THROTTLED:
        return _("Too many wrong tries. Please ask at a service window, or try again in 15 minutes.")
    return _("No matter was found with that number and query code. Check both on your receipt.")
