"""The periodic pass over requests between courts (beat, zone queue), set-based so that it stays fast over
100,000 open requests: one query finds what crossed a line, one UPDATE flags it (compare-and-set on the flag),
the timeline events go in by bulk insert, and each court gets one digest notice rather than one per request.

- overdue: the 10-day service clock or the 48-hour / 5-day preservation clock has run out;
- escalation: still not accepted 1 working day after receipt, told to the entrusted court's administrators;
- renewal: a preservation measure's term ends within RENEWAL_NOTICE_DAYS (Interp 485: renew before expiry);
- pre-suit: 30 days since a pre-suit preservation was carried out (CPL 104: it lapses without a suit).
"""

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from cases.models import REQUEST_CLOCK_RUNNING, PreservationMeasure, PreservationRequest, ServiceRequest
from cases.services.requests import NAMES
from courts.legal_calendar import compute_deadline
from courts.messages import Message
from courts.models import Court, Event, Role, User
from courts.notifications import notify_court, notify_users
from courts.timeline import record_events

RENEWAL_NOTICE_DAYS = 30
PRE_SUIT_DAYS = 30
PRE_SUIT_NOTICE_DAYS = 5
BATCH = 2000
INBOX_URL = "/requests/?overdue=1"


def _flag(model, field: str, base, now, action: str) -> list[tuple]:
    """Set `field` to now on every row of `base` where it is unset; returns (id, entrusted, requesting,
    created_by) of the rows this pass flagged, with their timeline events written."""
    flagged: list[tuple] = []
    ids = list(base.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            # Compare-and-set: a row flagged, decided or accepted since the query above is left alone.
            rows = list(
                base.filter(pk__in=batch)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", "entrusted_court_id", "requesting_court_id", "created_by_id", "state")
            )
            pks = [row[0] for row in rows]
            updates = {field: now}
            if field == "overdue_at":
                updates["overdue"] = True
            model.objects.filter(pk__in=pks).update(**updates)
            record_events(
                [
                    Event(
                        subject_type=model._meta.label_lower,
                        subject_id=pk,
                        action=action,
                        from_state=state,
                        to_state=state,
                        actor_court_id=entrusted,
                        created_at=now,
                    )
                    for pk, entrusted, _requesting, _creator, state in rows
                ]
            )
        flagged.extend(row[:4] for row in rows)
    return flagged


def _digest(flagged: list[tuple], *, title: str, entrusted_role: str | None, tell_requesting: bool) -> None:
    """One notice per court (and per requester) with the count, not one per request."""
    courts = {court.pk: court for court in Court.objects.all()}
    if entrusted_role:
        for court_id, count in Counter(row[1] for row in flagged).items():
            notify_court(
                court=courts[court_id], role=entrusted_role, title=Message(title, count=count), url=INBOX_URL
            )
    if tell_requesting:
        by_creator: dict[tuple[int, int], int] = defaultdict(int)
        for _pk, _entrusted, requesting, creator in flagged:
            by_creator[(requesting, creator)] += 1
        users = User.objects.in_bulk({creator for _court, creator in by_creator})
        for (court_id, creator), count in by_creator.items():
            notify_users(
                recipients=[users.get(creator)],
                court=courts[court_id],
                title=Message(
                    gettext_noop("%(count)d of your requests to other courts are overdue"), count=count
                ),
                url="/requests/?direction=outgoing&overdue=1",
            )


def requests_sweep_clocks(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for model in (ServiceRequest, PreservationRequest):
        name = NAMES[model]
        overdue = _flag(
            model,
            "overdue_at",
            model.objects.filter(overdue=False, state__in=REQUEST_CLOCK_RUNNING, due_at__lt=now),
            now,
            f"{name}.overdue",
        )
        with transaction.atomic():
            _digest(
                overdue,
                title=gettext_noop("%(count)d entrusted requests are overdue"),
                entrusted_role=Role.OFFICER,
                tell_requesting=True,
            )
        escalated = _flag(
            model,
            "escalated_at",
            model.objects.filter(state="received", escalated_at__isnull=True, acceptance_due_at__lt=now),
            now,
            f"{name}.escalate",
        )
        with transaction.atomic():
            _digest(
                escalated,
                title=gettext_noop("%(count)d entrusted requests not accepted within 1 working day"),
                entrusted_role=Role.COURT_ADMIN,
                tell_requesting=False,
            )
        counts[f"{name}_overdue"], counts[f"{name}_escalated"] = len(overdue), len(escalated)
    counts["renewal_reminders"] = _remind_renewals(now)
    counts["pre_suit_reminders"] = _remind_pre_suit(now)
    return counts


def _remind_renewals(now: dt.datetime) -> int:
    horizon = timezone.localdate(now) + dt.timedelta(days=RENEWAL_NOTICE_DAYS)
    with transaction.atomic():
        measures = list(
            PreservationMeasure.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(result="done", renewal_reminder_at__isnull=True, term_ends_on__lte=horizon)
            .select_related("request__requesting_court", "request__created_by")
        )
        PreservationMeasure.objects.filter(pk__in=[m.pk for m in measures]).update(renewal_reminder_at=now)
        for measure in measures:
            request = measure.request
            assert measure.term_ends_on is not None  # the query above took only measures with a term ending
            notify_users(
                recipients=[request.created_by],
                court=request.requesting_court,
                title=Message(
                    gettext_noop(
                        "Preservation %(reference)s: %(measure)s ends on %(date)s; renew it before then"
                    ),
                    reference=request.reference,
                    measure=PreservationMeasure.Type(measure.type).label,
                    date=measure.term_ends_on.isoformat(),
                ),
                url=f"/requests/preservation/{request.pk}/",
            )
    return len(measures)


def _remind_pre_suit(now: dt.datetime) -> int:
    """Pre-suit preservation lapses unless a suit is filed within 30 days of it being carried out (CPL 104,
    counted under CPL 85). Both courts hear of it PRE_SUIT_NOTICE_DAYS before the period ends: the one that
    asked (has the applicant sued?) and the one holding the measure (it may have to release it)."""
    with transaction.atomic():
        candidates = list(
            PreservationRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                stage=PreservationRequest.Stage.PRE_SUIT,
                carried_out_at__lt=now - dt.timedelta(days=PRE_SUIT_DAYS - PRE_SUIT_NOTICE_DAYS - 1),
                suit_reminder_at__isnull=True,
            )
            .select_related("requesting_court", "entrusted_court", "created_by")
        )
        due: dict[int, dt.datetime] = {}
        for r in candidates:
            assert r.carried_out_at is not None  # the query above took only requests carried out
            due[r.pk] = compute_deadline(r.carried_out_at, PRE_SUIT_DAYS, "days").due
        requests = [r for r in candidates if now >= due[r.pk] - dt.timedelta(days=PRE_SUIT_NOTICE_DAYS)]
        PreservationRequest.objects.filter(pk__in=[r.pk for r in requests]).update(suit_reminder_at=now)
        for request in requests:
            title = Message(
                gettext_noop(
                    "Pre-suit preservation %(reference)s lapses on %(date)s unless a suit is filed (CPL 104)"
                ),
                reference=request.reference,
                date=timezone.localtime(due[request.pk]).date().isoformat(),
            )
            url = f"/requests/preservation/{request.pk}/"
            notify_users(
                recipients=[request.created_by], court=request.requesting_court, title=title, url=url
            )
            notify_court(court=request.entrusted_court, role=Role.OFFICER, title=title, url=url)
    return len(requests)
