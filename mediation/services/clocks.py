"""The periodic pass over mediation's clocks (beat, zone queue):

- an invitation unanswered 3 working days after it was sent is flagged overdue: the invited tribunal's
  judges and the lead mediator hear of it; one working day later still unanswered, it is escalated to the
  invited court's administrators (as an unaccepted request is);
- a mediation whose 30 days (or agreed extension) ended without agreement expires;
- a confirmation not decided within the 30 days of CPL 187 is flagged overdue;
- an application not supplemented by the deadline is told to the court, which may treat it as withdrawn
  (Interp 357).

Set-based where rows can be many: one query finds what crossed a line, one compare-and-set UPDATE flags it,
events go in by bulk insert, and each tribunal or court gets one digest notice.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from courts.legal_calendar import compute_deadline
from courts.messages import Message
from courts.models import Court, Event, Role, Tribunal, User
from courts.notifications import notify_court, notify_users
from courts.selectors import staff_of_tribunal
from courts.timeline import record_events
from mediation.models import MEDIATION_RUNNING, Confirmation, Invitation, Mediation
from mediation.services.confirmations import confirmation_flag_overdue, confirmation_flag_supplement_lapsed
from mediation.services.mediations import mediation_expire

ESCALATE_AFTER_WORKING_DAYS = 1


def _flag_invitations(base, field: str, now: dt.datetime, action: str) -> list[tuple]:
    """Set `field` on the invitations of `base` (still awaiting an answer, not yet flagged); returns
    (id, mediation id, tribunal id, court id, lead mediator id) of those this pass flagged."""
    with transaction.atomic():
        rows = list(
            base.select_for_update(skip_locked=True, of=("self",)).values_list(
                "pk", "mediation_id", "tribunal_id", "court_id", "mediation__lead_mediator_id"
            )
        )
        Invitation.objects.filter(pk__in=[row[0] for row in rows], state=Invitation.State.RECEIVED).update(
            **{field: now}
        )
        record_events(
            [
                Event(
                    subject_type=Invitation._meta.label_lower,
                    subject_id=pk,
                    action=action,
                    from_state=Invitation.State.RECEIVED,
                    to_state=Invitation.State.RECEIVED,
                    actor_court_id=court_id,
                    created_at=now,
                )
                for pk, _mediation, _tribunal, court_id, _lead in rows
            ]
        )
    return rows


def invitations_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    waiting = Invitation.objects.filter(state=Invitation.State.RECEIVED)
    overdue = _flag_invitations(
        waiting.filter(overdue_at__isnull=True, due_at__lt=now), "overdue_at", now, "invitation.overdue"
    )
    with transaction.atomic():
        by_tribunal: dict[int, int] = defaultdict(int)
        by_lead: dict[int, int] = defaultdict(int)
        for _pk, _mediation, tribunal_id, _court, lead_id in overdue:
            by_tribunal[tribunal_id] += 1
            if lead_id:
                by_lead[lead_id] += 1
        tribunals = Tribunal.objects.in_bulk(by_tribunal)
        courts = Court.objects.in_bulk()
        for tribunal_id, count in by_tribunal.items():
            tribunal = tribunals[tribunal_id]
            notify_users(
                recipients=list(staff_of_tribunal(tribunal, Role.JUDGE)),
                court=courts[tribunal.court_id],
                title=Message(
                    gettext_noop("%(count)d invitations to mediate are past the 3 working days to answer"),
                    count=count,
                ),
                url="/mediations/invitations/",
            )
        leads = User.objects.in_bulk(by_lead)
        for lead_id, count in by_lead.items():
            lead = leads[lead_id]
            notify_users(
                recipients=[lead],
                court=courts[lead.court_id] if lead.court_id else courts[next(iter(courts))],
                title=Message(
                    gettext_noop(
                        "%(count)d of your invitations to mediate are unanswered after 3 working days"
                    ),
                    count=count,
                ),
                url="/mediations/?mine=1",
            )

    # Escalated one working day after the answer was due.
    candidates = list(
        waiting.filter(escalated_at__isnull=True, overdue_at__isnull=False).values_list("pk", "due_at")
    )
    ripe = [
        pk
        for pk, due in candidates
        if compute_deadline(due, ESCALATE_AFTER_WORKING_DAYS, "working_days").due < now
    ]
    escalated = (
        _flag_invitations(
            waiting.filter(pk__in=ripe, escalated_at__isnull=True), "escalated_at", now, "invitation.escalate"
        )
        if ripe
        else []
    )
    with transaction.atomic():
        by_court: dict[int, int] = defaultdict(int)
        for _pk, _mediation, _tribunal, court_id, _lead in escalated:
            by_court[court_id] += 1
        courts = Court.objects.in_bulk(by_court)
        for court_id, count in by_court.items():
            notify_court(
                court=courts[court_id],
                role=Role.COURT_ADMIN,
                title=Message(
                    gettext_noop("%(count)d invitations to mediate from other courts are still unanswered"),
                    count=count,
                ),
                url="/mediations/invitations/",
            )
    return {"invitations_overdue": len(overdue), "invitations_escalated": len(escalated)}


def mediations_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = invitations_sweep(now)
    ended = Mediation.objects.filter(state__in=MEDIATION_RUNNING, expires_on__lt=today).values_list(
        "pk", flat=True
    )
    counts["mediations_expired"] = sum(1 for pk in ended if mediation_expire(mediation_id=pk, today=today))
    late = Confirmation.objects.filter(
        state=Confirmation.State.REGISTERED, overdue=False, decision_due_at__lt=now
    ).values_list("pk", flat=True)
    counts["confirmations_overdue"] = sum(1 for pk in late if confirmation_flag_overdue(confirmation_id=pk))
    lapsed = Confirmation.objects.filter(
        state=Confirmation.State.SUPPLEMENT_REQUESTED,
        supplement_lapsed_at__isnull=True,
        supplement_deadline__lt=today,
    ).values_list("pk", flat=True)
    counts["supplements_lapsed"] = sum(
        1 for pk in lapsed if confirmation_flag_supplement_lapsed(confirmation_id=pk)
    )
    return counts
