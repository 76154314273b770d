"""Benchmark: the session-overlap check and the invitations inbox with 100,000 sessions and 10,000 open
mediations, beside an anchor (one indexed lookup) measured in the same run.

Issue 8: "The session-overlap check and the invitations inbox stay a fixed number of queries with 100,000
sessions and 10,000 open mediations; printing the anchor (one indexed lookup) beside them in the same run."

Run on PostgreSQL, in a scratch database whose name contains "bench" (created and migrated if missing; its
mediation tables are emptied first), e.g. through `make bench`, or:
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_mediation \
        .venv/bin/python -m bench.mediation

It builds the rows twice, small (100 open mediations, 1,000 sessions) then full size, straight through the
models with bulk_create (the services are too slow for 100,000 sessions; the exclusion constraints of
migration 0002 still refuse any double booking the builder got wrong), and measures at each size:

- the anchor: `Mediation.objects.filter(pk=...).values_list("state").first()` for random mediations;
- the overlap check `mediation.services.sessions._check_free` (in person: the mediators and the room) at a
  time that is taken (both conflicts found) and at a time that is free;
- the inbox `mediation.selectors.invitations_waiting_for(judge)[:50]` of random judges;

and prints each figure's median and p90 beside the anchor's, the query count of every call, and at full size
the plans (EXPLAIN ANALYZE) of the three statements. The calls are interleaved, one of each in turn, so a
moment of noise on the shared machine lands on all of them alike. Timed calls run without the query capture;
the counts come from a separate pass over the same samples.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from courts.legal_calendar import COURT_TZ  # noqa: E402

TRIBUNALS = ("fenhu", "zhujiajiao", "xitang", "yaozhuang")
JUDGES_PER_TRIBUNAL = 10
ROOMS_PER_TRIBUNAL = 10
# Sessions start on the half hour between 08:00 and 20:00 and last 30, 60 or 90 minutes.
FIRST_SLOT = dt.time(8, 0)
SLOTS = 24
PAST_DAYS, FUTURE_DAYS = 365, 90
# Closed mediations (agreed, failed, ...) hold most past sessions: 6,000 beside the 10,000 open ones.
CLOSED_SHARE = 0.6
BATCH = 5000
PAGE = 50
# What the issue asks: the statements of one call, whatever the number of rows.
EXPECTED_QUERIES = {"overlap check, taken": 2, "overlap check, free": 2, "inbox, first page": 1}
EXPECTED_INDEXES = {
    "overlap check: the mediators": "booking_mediator_idx",
    "overlap check: the room": "session_room_idx",
    "inbox": "invitation_inbox_idx",
}


@dataclass(frozen=True)
class Size:
    mediations: int  # open ones
    sessions: int
    waiting: int  # invitations received and awaiting an answer

    def __str__(self) -> str:
        return f"{self.mediations:,} open mediations, {self.sessions:,} sessions"


@dataclass
class World:
    """The registry rows every build uses: tribunals, their judges and rooms, the mediation case type."""

    tribunals: list
    judges: dict  # tribunal id -> [User]
    rooms: dict  # tribunal id -> [str]
    case_type: object


@dataclass
class Built:
    counts: Counter = field(default_factory=Counter)
    seconds: dict = field(default_factory=dict)  # step -> seconds
    mediation_ids: list = field(default_factory=list)
    # (mediators, tribunal, room, starts_at, ends_at) of in-person sessions not cancelled, still to come
    upcoming: list = field(default_factory=list)
    waiting_by_tribunal: Counter = field(default_factory=Counter)
    # (user id, day, slot) and (tribunal id, room, day, slot) taken, to find free times
    mediator_busy: set = field(default_factory=set)
    room_busy: set = field(default_factory=set)
    today: dt.date | None = None


# --- The scratch database -------------------------------------------------------------------------------


def setup() -> World:
    from django.conf import settings

    from bench.handoff import ensure_database

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        # It empties the mediation tables: only ever a scratch PostgreSQL database.
        sys.exit("bench.mediation: DATABASE_URL must name a PostgreSQL database whose name contains 'bench'")
    ensure_database(db, fresh=False)  # created if missing
    call_command("migrate", verbosity=0)
    seed()
    return world()


def seed() -> None:
    """The rows the data migrations seed (courts, tribunals, roles, calendar, case types), put back if a flush
    emptied them: as tests/conftest.py `ensure_seed_data` does."""
    import importlib

    from django.apps import apps

    from cases.models import CaseType
    from courts.calendar_import import import_package_calendar
    from courts.models import CalendarDay, CalendarYear, Court

    if not Court.objects.exists():
        importlib.import_module("courts.migrations.0002_seed_registry").seed(apps, None)
    if not CalendarYear.objects.exists():
        import_package_calendar(CalendarYear, CalendarDay)
    if not CaseType.objects.exists():
        importlib.import_module("cases.migrations.0002_seed_case_types").seed(apps, None)


def world() -> World:
    from cases.models import CaseType
    from courts.models import Tribunal, User
    from courts.services import staff_upsert

    tribunals = list(Tribunal.objects.select_related("court").filter(code__in=TRIBUNALS).order_by("id"))
    assert len(tribunals) == len(TRIBUNALS), "the seeded registry lacks a tribunal"
    for tribunal in tribunals:
        for number in range(1, JUDGES_PER_TRIBUNAL + 1):
            staff_upsert(
                username=f"bench.{tribunal.code}.judge{number:02d}",
                court=tribunal.court,
                tribunal=tribunal,
                roles=["judge"],
                full_name=f"{tribunal.name_zh[:2]}调解员{number:02d}",
            )
    judges = defaultdict(list)
    # The default manager joins each user's court and tribunal, as the login does: acting_court() then
    # costs no query.
    for user in User.objects.filter(username__startswith="bench.", tribunal__isnull=False).order_by("pk"):
        if user.tribunal.code in TRIBUNALS:
            judges[user.tribunal_id].append(user)
    rooms = {
        tribunal.pk: [f"第{n}调解室" for n in range(1, ROOMS_PER_TRIBUNAL + 1)] for tribunal in tribunals
    }
    return World(tribunals, dict(judges), rooms, CaseType.objects.get(code="民诉前调"))


def empty() -> None:
    """TRUNCATE every table of the mediation app: the timeline refuses row deletes, and no event is made
    here anyway."""
    from django.apps import apps

    tables = [
        model._meta.db_table
        for model in apps.get_app_config("mediation").get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


# --- The rows ---------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """One mediation to build: who leads, who was invited, when, and the days its sessions may fall on."""

    kind: str  # waiting, sent, declined, running, closed
    lead: object
    invited: object
    lead_mediator: object
    mediator: object
    created_at: dt.datetime
    first_day: int = 0  # session days, relative to today: first_day <= day < last_day
    last_day: int = 0
    sessions: list = field(default_factory=list)


def at(day: dt.date, slot: int) -> dt.datetime:
    """The start of a half-hour slot of a day, in the courts' time zone."""
    start = dt.datetime.combine(day, FIRST_SLOT, tzinfo=COURT_TZ)
    return start + dt.timedelta(minutes=30 * slot)


def plan_mediations(size: Size, world: World, rng: random.Random, now: dt.datetime) -> list[Plan]:
    """Open ones (some awaiting an answer, some just sent, some declined, most running) and closed ones,
    led by the four tribunals in turn, each inviting a tribunal of another court."""
    today = now.astimezone(COURT_TZ).date()
    sent = declined = size.mediations // 20
    running = size.mediations - size.waiting - sent - declined
    kinds = ["waiting"] * size.waiting + ["sent"] * sent + ["declined"] * declined + ["running"] * running
    kinds += ["closed"] * int(size.mediations * CLOSED_SHARE)
    rng.shuffle(kinds)
    plans = []
    for index, kind in enumerate(kinds):
        lead = world.tribunals[index % len(world.tribunals)]
        invited = rng.choice([t for t in world.tribunals if t.court_id != lead.court_id])
        plan = Plan(
            kind,
            lead,
            invited,
            rng.choice(world.judges[lead.pk]),
            rng.choice(world.judges[invited.pk]),
            created_at=now,
        )
        if kind == "waiting":
            plan.created_at = now - dt.timedelta(days=rng.uniform(0.05, 6))
        elif kind == "sent":
            plan.created_at = now - dt.timedelta(minutes=rng.uniform(1, 60))
        elif kind == "declined":
            plan.created_at = now - dt.timedelta(days=rng.uniform(3, 20))
        elif kind == "running":
            # Accepted in the last 30 days; sessions from then to three months ahead (extended, as parties
            # may agree to: the Extension rows are not built).
            plan.first_day = -rng.randint(1, 30)
            plan.last_day = FUTURE_DAYS
            plan.created_at = at(today + dt.timedelta(days=plan.first_day - 2), 2)
        else:
            # 30 days of mediation, started between 395 and 31 days ago; sessions in the past year only.
            start = -rng.randint(31, PAST_DAYS + 30)
            plan.first_day, plan.last_day = max(start, -PAST_DAYS), min(start + 30, 0)
            plan.created_at = at(today + dt.timedelta(days=start - 2), 2)
        plans.append(plan)
    return plans


def plan_sessions(size: Size, plans: list[Plan], rng: random.Random, world: World, built: Built) -> None:
    """Sessions on days drawn evenly over the past year and the next three months, each at a slot when its
    mediators, its room and its mediation are free. Cancelled sessions block nothing (as in the database)."""
    days = range(-PAST_DAYS, FUTURE_DAYS)
    on_day = defaultdict(list)
    for number, plan in enumerate(plans):
        for day in range(plan.first_day, plan.last_day):
            on_day[day].append(number)
    mediation_busy = set()
    placed = attempts = 0
    while placed < size.sessions:
        attempts += 1
        if attempts > 200 * size.sessions:
            raise RuntimeError(
                f"could place only {placed} sessions: too few mediators for the sessions asked"
            )
        day = rng.choice(days)
        if not on_day[day]:
            continue
        number = rng.choice(on_day[day])
        plan = plans[number]
        length = rng.choice((1, 2, 2, 3))
        slot = rng.randrange(SLOTS - length + 1)
        both = rng.random() < 0.5
        mediators = (
            [plan.lead_mediator, plan.mediator] if both else [rng.choice((plan.lead_mediator, plan.mediator))]
        )
        in_person = rng.random() < 0.85
        tribunal = rng.choice((plan.lead, plan.invited)) if in_person else plan.lead
        room = rng.choice(world.rooms[tribunal.pk]) if in_person else ""
        slots = range(slot, slot + length)
        if any((number, day, s) in mediation_busy for s in slots):
            continue
        if any((m.pk, day, s) in built.mediator_busy for m in mediators for s in slots):
            continue
        if room and any((tribunal.pk, room, day, s) in built.room_busy for s in slots):
            continue
        cancelled = rng.random() < 0.05
        if not cancelled:
            mediation_busy.update((number, day, s) for s in slots)
            built.mediator_busy.update((m.pk, day, s) for m in mediators for s in slots)
            if room:
                built.room_busy.update((tribunal.pk, room, day, s) for s in slots)
        plan.sessions.append((day, slot, length, mediators, tribunal, room, cancelled))
        placed += 1


def build(size: Size, world: World, seed: int) -> Built:
    from mediation.models import Invitation, Mediation, MediationSession, SessionMediator

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    today = now.astimezone(COURT_TZ).date()
    built = Built(today=today)
    empty()
    plans = plan_mediations(size, world, rng, now)
    plan_sessions(size, plans, rng, world, built)
    built.seconds["planned"] = time.perf_counter() - started

    sequences = Counter()
    mediations, invitations = [], []
    for plan in plans:
        year = plan.created_at.astimezone(COURT_TZ).year
        sequences[plan.lead.court_id, year] += 1
        session_days = [day for day, *_rest in plan.sessions]
        mediation = Mediation(
            number=f"（{year}）{plan.lead.court.case_code}民诉前调{sequences[plan.lead.court_id, year]}号",
            case_type=world.case_type,
            year=year,
            sequence=sequences[plan.lead.court_id, year],
            lead_court_id=plan.lead.court_id,
            lead_tribunal=plan.lead,
            lead_mediator=plan.lead_mediator,
            jurisdiction_court_id=plan.lead.court_id,
            cause="买卖合同纠纷",
            claim_amount=rng.randint(5, 500) * 1000,
            consent=True,
            origin=Mediation.Origin.DIRECT,
            query_code_hash="bench",
            created_by=plan.lead_mediator,
            created_at=plan.created_at,
        )
        invitation = Invitation(
            mediation=mediation,
            tribunal=plan.invited,
            court_id=plan.invited.court_id,
            invited_at=plan.created_at + dt.timedelta(minutes=1),
            invited_by=plan.lead_mediator,
            due_at=plan.created_at + dt.timedelta(days=3),
        )
        if plan.kind != "sent":
            invitation.received_at = invitation.invited_at + dt.timedelta(seconds=2)
        if plan.kind == "waiting":
            invitation.state = Invitation.State.RECEIVED
            if invitation.due_at < now:
                invitation.overdue_at = invitation.due_at + dt.timedelta(minutes=5)
            built.waiting_by_tribunal[plan.invited.pk] += 1
        elif plan.kind == "sent":
            invitation.state = Invitation.State.SENT
        elif plan.kind == "declined":
            mediation.state = Mediation.State.DECLINED
            invitation.state = Invitation.State.DECLINED
            invitation.answered_at = invitation.received_at + dt.timedelta(days=1)
            invitation.answered_by = plan.mediator
            invitation.decline_reason = "本庭近期调解员不足"
        else:
            accepted_on = today + dt.timedelta(days=plan.first_day)
            mediation.accepted_at = at(accepted_on, 1)
            mediation.expires_on = max(
                accepted_on + dt.timedelta(days=30), today + dt.timedelta(days=max(session_days, default=0))
            )
            invitation.state = Invitation.State.ACCEPTED
            invitation.answered_at = mediation.accepted_at
            invitation.answered_by = invitation.mediator = plan.mediator
            if plan.kind == "running":
                mediation.state = Mediation.State.IN_SESSION if plan.sessions else Mediation.State.ACCEPTED
            else:
                mediation.state = rng.choice(("agreed", "failed", "expired", "withdrawn"))
                mediation.ended_at = at(today + dt.timedelta(days=plan.last_day - 1), 18)
                if mediation.state in ("failed", "withdrawn"):
                    mediation.end_reason = "当事人不同意继续调解"
        mediations.append(mediation)
        invitations.append(invitation)
        if plan.kind == "running" and rng.random() < 0.1:
            # Another tribunal invited and then cancelled (the lead found the first one was enough).
            other = rng.choice(
                [t for t in world.tribunals if t.court_id != plan.lead.court_id and t != plan.invited]
            )
            invitations.append(
                Invitation(
                    mediation=mediation,
                    tribunal=other,
                    court_id=other.court_id,
                    state=Invitation.State.CANCELLED,
                    invited_at=invitation.invited_at,
                    invited_by=plan.lead_mediator,
                    received_at=invitation.received_at,
                    due_at=invitation.due_at,
                    answered_at=invitation.answered_at,
                )
            )

    with transaction.atomic():
        Mediation.objects.bulk_create(mediations, batch_size=BATCH)
        for invitation in invitations:
            invitation.mediation_id = invitation.mediation.pk
        Invitation.objects.bulk_create(invitations, batch_size=BATCH)
        sessions, mediators = [], []
        for plan, mediation in zip(plans, mediations, strict=True):
            for day, slot, length, people, tribunal, room, cancelled in plan.sessions:
                starts_at = at(today + dt.timedelta(days=day), slot)
                ends_at = starts_at + dt.timedelta(minutes=30 * length)
                session = new_session(mediation, starts_at, ends_at, people, tribunal, room, cancelled, now)
                sessions.append(session)
                mediators.append(people)
                if room and not cancelled and starts_at > now:
                    built.upcoming.append((people, tribunal, room, starts_at, ends_at))
        for start in range(0, len(sessions), BATCH):
            MediationSession.objects.bulk_create(sessions[start : start + BATCH])
        bookings = [
            SessionMediator(
                session_id=session.pk,
                mediator=person,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                active=session.state != MediationSession.State.CANCELLED,
            )
            for session, people in zip(sessions, mediators, strict=True)
            for person in people
        ]
        for start in range(0, len(bookings), BATCH):
            SessionMediator.objects.bulk_create(bookings[start : start + BATCH])
    built.seconds["inserted"] = time.perf_counter() - started - built.seconds["planned"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # autovacuum may be off (it is on this machine), or not have come yet

    built.mediation_ids = [mediation.pk for mediation in mediations]
    built.counts.update(
        {
            "mediations open": sum(
                1 for m in mediations if m.state in ("proposed", "declined", "accepted", "in_session")
            ),
            "mediations closed": sum(
                1 for m in mediations if m.state in ("agreed", "failed", "expired", "withdrawn")
            ),
            "sessions": len(sessions),
            "bookings": len(bookings),
        }
    )
    built.counts.update(f"invitations {invitation.state}" for invitation in invitations)
    built.counts.update(f"sessions {session.state}" for session in sessions)
    built.seconds["total"] = time.perf_counter() - started
    return built


def new_session(mediation, starts_at, ends_at, people, tribunal, room, cancelled, now):
    from mediation.models import MediationSession

    local_start, local_end = starts_at.astimezone(COURT_TZ), ends_at.astimezone(COURT_TZ)
    outside_hours = (
        local_start.time() < dt.time(8, 30)
        or local_end.time() > dt.time(17, 30)
        or local_start.weekday() >= 5
    )
    session = MediationSession(
        mediation=mediation,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=MediationSession.Mode.IN_PERSON if room else MediationSession.Mode.ONLINE,
        tribunal=tribunal,
        room=room,
        meeting_url="" if room else f"https://meeting.example.invalid/{mediation.number}",
        off_hours_reason="当事人只能在工作时间外到场" if outside_hours else "",
        created_by=people[0],
        created_at=mediation.created_at,
    )
    if cancelled:
        session.state = MediationSession.State.CANCELLED
        session.cancel_reason = "当事人申请改期"
    elif ends_at < now:
        session.state = MediationSession.State.HELD
        session.minutes = "双方当事人到场，就还款期限进行协商。"
        session.recorded_at = ends_at + dt.timedelta(minutes=30)
        session.recorded_by = people[0]
    return session


# --- The figures ------------------------------------------------------------------------------------------


def samples(built: Built, world: World, count: int, rng: random.Random) -> dict:
    """For each figure, `count` calls to make (closures over their arguments) and what each must find."""
    from mediation.models import Mediation
    from mediation.selectors import invitations_waiting_for
    from mediation.services.sessions import _check_free

    def anchor(pk):
        return lambda: Mediation.objects.filter(pk=pk).values_list("state").first()

    def check(mediators, tribunal, room, starts_at, ends_at):
        return lambda: _check_free(
            mediators=mediators,
            tribunal=tribunal,
            room=room,
            mode="in_person",
            starts_at=starts_at,
            ends_at=ends_at,
        )

    def inbox(judge):
        return lambda: list(invitations_waiting_for(judge)[:PAGE])

    taken = []
    chosen = rng.choices(built.upcoming, k=count)
    # The first of each is the one whose plans are printed: a session of two mediators here, an inbox of a
    # Jiashan tribunal below (the court's index range holds both its tribunals' invitations).
    chosen.sort(key=lambda booked: len(booked[0]) < 2)
    for people, tribunal, room, starts_at, _ends_at in chosen:
        # Fifteen minutes into a booked session, for an hour: the mediators and the room are both taken.
        start = starts_at + dt.timedelta(minutes=15)
        taken.append(
            (check(people, tribunal, room, start, start + dt.timedelta(hours=1)), {"mediators", "room"})
        )
    free = []
    judges = [judge for tribunal in world.tribunals for judge in world.judges[tribunal.pk]]
    while len(free) < count:
        day = rng.randrange(1, FUTURE_DAYS)
        slot = rng.randrange(SLOTS - 1)
        people = rng.sample(judges, rng.choice((1, 2)))
        tribunal = rng.choice(world.tribunals)
        room = rng.choice(world.rooms[tribunal.pk])
        slots = (slot, slot + 1)
        if any((p.pk, day, s) in built.mediator_busy for p in people for s in slots):
            continue
        if any((tribunal.pk, room, day, s) in built.room_busy for s in slots):
            continue
        start = at(built.today + dt.timedelta(days=day), slot)
        free.append((check(people, tribunal, room, start, start + dt.timedelta(hours=1)), set()))
    waiting = [t for t in world.tribunals if built.waiting_by_tribunal[t.pk]]
    inboxes = []
    shared = [t for t in waiting if sum(1 for other in world.tribunals if other.court_id == t.court_id) > 1]
    for number in range(count):
        tribunal = rng.choice(shared if number == 0 and shared else waiting)
        expected = min(PAGE, built.waiting_by_tribunal[tribunal.pk])
        inboxes.append((inbox(rng.choice(world.judges[tribunal.pk])), expected))
    return {
        "anchor (one indexed lookup)": [
            (anchor(pk), None) for pk in rng.choices(built.mediation_ids, k=count)
        ],
        "overlap check, taken": taken,
        "overlap check, free": free,
        "inbox, first page": inboxes,
    }


def outcome_ok(expected, result) -> bool:
    if expected is None:
        return result is not None
    if isinstance(expected, set):
        return set(result) == expected
    return len(result) == expected


def count_queries(calls: dict) -> dict:
    """Per figure: how many statements each call ran ({count: calls}) and how many calls found what they
    should (the conflicts where the time is taken, none where it is free, a full first page)."""
    counted = {}
    for name, pairs in calls.items():
        counts, right, rows = Counter(), 0, set()
        for call, expected in pairs:
            with CaptureQueriesContext(connection) as captured:
                result = call()
            counts[len(captured)] += 1
            right += outcome_ok(expected, result)
            if isinstance(result, list):
                rows.add(len(result))
        counted[name] = (counts, right, len(pairs), rows)
    return counted


def time_calls(calls: dict) -> dict:
    """Wall time of every call, in ms, the figures interleaved (each round in another order)."""
    names = list(calls)
    times = {name: [] for name in names}
    for call, _expected in [pair for pairs in calls.values() for pair in pairs[:10]]:
        call()  # warm up: the ORM's caches, the connection, the pages of the indexes
    for index in range(len(calls[names[0]])):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            call = calls[name][index][0]
            started = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def report(size: Size, built: Built, counted: dict, times: dict) -> None:
    counts = built.counts
    invitations = ", ".join(
        f"{counts[f'invitations {state}']:,} {state}"
        for state in ("sent", "received", "accepted", "declined", "cancelled")
    )
    sessions = ", ".join(
        f"{counts[f'sessions {state}']:,} {state}" for state in ("held", "scheduled", "cancelled")
    )
    print(
        f"\n== {size}: built in {built.seconds['total']:.1f} s (planned {built.seconds['planned']:.1f} s, "
        f"inserted {built.seconds['inserted']:.1f} s) ==\n"
        f"mediations: {counts['mediations open']:,} open, {counts['mediations closed']:,} closed\n"
        f"invitations: {invitations} (waiting per tribunal: "
        f"{', '.join(str(n) for n in built.waiting_by_tribunal.values())})\n"
        f"sessions: {counts['sessions']:,} ({sessions}), {counts['bookings']:,} mediator bookings, "
        f"{JUDGES_PER_TRIBUNAL} judges and {ROOMS_PER_TRIBUNAL} rooms per tribunal"
    )
    anchor_median = statistics.median(next(iter(times.values())))
    print(f"{'figure':<30}{'median ms':>10}{'p90 ms':>9}{'ratio':>8}  queries per call  as expected")
    for name, values in times.items():
        per_call, right, total, rows = counted[name]
        queries = ", ".join(
            f"{n} ({calls} calls)" if len(per_call) > 1 else str(n) for n, calls in sorted(per_call.items())
        )
        median = statistics.median(values)
        print(
            f"{name:<30}{median:>10.2f}{p90(values):>9.2f}{median / anchor_median:>8.1f}  "
            f"{queries:<18}{right}/{total}" + (f" (pages of {min(rows)}-{max(rows)} rows)" if rows else "")
        )


# --- The plans --------------------------------------------------------------------------------------------


def plans(calls: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements one taken-time check and one inbox ran, as they ran."""
    statements = {}
    for name, figure in (("overlap check", "overlap check, taken"), ("inbox", "inbox, first page")):
        with CaptureQueriesContext(connection) as captured:
            calls[figure][0][0]()
        statements[name] = [query["sql"] for query in captured.captured_queries]
    mediators, room = statements["overlap check"]
    explained = {}
    for name, sql in (
        ("overlap check: the mediators", mediators),
        ("overlap check: the room", room),
        ("inbox", statements["inbox"][0]),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            explained[name] = (sql, "\n".join(row[0] for row in cursor.fetchall()))
    return explained


def print_plans(explained: dict) -> list[str]:
    """Print the plans; returns what looks wrong (an expected index not used, a sequential scan)."""
    problems = []
    for name, (sql, plan) in explained.items():
        print(f"\n-- {name}\n{sql}\n{plan}")
        index = EXPECTED_INDEXES[name]
        if index not in plan:
            problems.append(f"{name}: the plan does not use {index}")
        # The registry's tables (3 courts, 4 tribunals, a few dozen staff) are read whole, as they should
        # be; a sequential scan of a mediation table is what would grow with the data.
        scanned = {
            line.split("Seq Scan on ")[1].split()[0] for line in plan.splitlines() if "Seq Scan on " in line
        }
        large = sorted(table for table in scanned if table.startswith("mediation_"))
        if large:
            problems.append(f"{name}: sequential scan of {', '.join(large)}")
    return problems


# --- The run ----------------------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
            )
    except OSError:
        pass
    return (
        f"{platform.node()} · {model or platform.processor()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · "
        f"PostgreSQL {server_version()}"
    )


def load() -> str:
    """The machine is shared: what else was running shows in the load average."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=200, help="calls per figure and size [200]")
    parser.add_argument("--mediations", type=int, default=10_000, help="open mediations at full size [10000]")
    parser.add_argument("--sessions", type=int, default=100_000, help="sessions at full size [100000]")
    parser.add_argument("--waiting", type=int, default=2_000, help="invitations awaiting an answer [2000]")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print(
            "Run this on PostgreSQL (DATABASE_URL=postgres://...): the figures are for the courts' database."
        )
        return 2
    from django.conf import settings

    world_ = setup()
    print(f"machine: {machine()}")
    print(f"DEBUG={int(settings.DEBUG)}, {options.repetitions} calls per figure and size, {load()}")

    sizes = (
        Size(100, 1_000, max(4, options.waiting * 100 // options.mediations)),
        Size(options.mediations, options.sessions, options.waiting),
    )
    per_size = []
    for number, size in enumerate(sizes):
        built = build(size, world_, options.seed + number)
        calls = samples(built, world_, options.repetitions, random.Random(options.seed))
        counted = count_queries(calls)
        times = time_calls(calls)
        report(size, built, counted, times)
        per_size.append(counted)

    explained = plans(calls)
    problems = print_plans(explained)

    print("\n== queries per call, small -> full size (the issue: a fixed number) ==")
    failed = False
    for name, expected in EXPECTED_QUERIES.items():
        small, full = (set(counted[name][0]) for counted in per_size)
        fixed = small == full == {expected}
        failed |= not fixed
        print(
            f"{name:<26} {sorted(small)} -> {sorted(full)} (expected {expected}): "
            f"{'met' if fixed else 'MISSED'}"
        )
    for name in per_size[-1]:
        _counts, right, total, _rows = per_size[-1][name]
        if right != total:
            failed = True
            print(f"{name}: {total - right} of {total} calls did not find what they should")
    for problem in problems:
        print(f"plan: {problem}")
    print(f"at the end: {load()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
