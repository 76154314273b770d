"""What a user may see of mediations, sessions and confirmations. Every list, detail, page and API endpoint
starts here: a court with no part in a mediation does not find it (404), never a 403.

A court takes part as the lead tribunal's court, as the court of an invited tribunal (whatever its answer),
as the court the parties applied to for confirmation (it must read the agreement it confirms), or as the
court with jurisdiction over the filing a failed mediation became.
"""

import datetime as dt

from django.db.models import Case as Conditional  # SQL CASE
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value, When

from courts.models import Event
from courts.selectors import acting_court
from mediation.models import (
    MEDIATION_OPEN,
    Agreement,
    Confirmation,
    Invitation,
    Mediation,
    MediationParty,
    MediationSession,
    SessionMediator,
)


def _part_of(court) -> Q:
    invited = Invitation.objects.filter(mediation=OuterRef("pk"), court=court)
    applied = Confirmation.objects.filter(mediation=OuterRef("pk"), court=court)
    # The court that must judge the filing a failed mediation became reads the mediation it came from.
    judges_its_filing = Q(resulting_filing__jurisdiction_court=court)
    return Q(lead_court=court) | Q(Exists(invited)) | Q(Exists(applied)) | judges_its_filing


def mediations_visible_to(user) -> QuerySet[Mediation]:
    court = acting_court(user)
    if court is None:
        return Mediation.objects.none()
    return Mediation.objects.filter(_part_of(court))


def _with_relations(mediations: QuerySet[Mediation]) -> QuerySet[Mediation]:
    # A fixed number of queries whatever the page size: courts joined, invitations and parties prefetched.
    return mediations.select_related(
        "lead_court", "lead_tribunal", "lead_mediator", "jurisdiction_court", "property_court"
    ).prefetch_related(
        Prefetch(
            "invitations",
            queryset=Invitation.objects.select_related("tribunal", "court", "mediator").order_by(
                "invited_at", "id"
            ),
        ),
        Prefetch("parties", queryset=MediationParty.objects.order_by("position", "id")),
    )


def mediation_list(user) -> QuerySet[Mediation]:
    """Visible mediations, open ones first, soonest to end first, then newest. The list's filters narrow it
    (mediation.filters.MediationFilter)."""
    open_first = Conditional(When(state__in=MEDIATION_OPEN, then=Value(0)), default=Value(1))
    return _with_relations(mediations_visible_to(user)).order_by(
        open_first, "expires_on", "-created_at", "-id"
    )


def _sessions_and_agreements() -> list[Prefetch]:
    return [
        Prefetch(
            "sessions",
            queryset=MediationSession.objects.select_related("tribunal")
            .prefetch_related("mediators", "present")
            .order_by("starts_at", "id"),
        ),
        Prefetch(
            "agreements",
            queryset=Agreement.objects.prefetch_related("payments", "signatures__party").order_by(
                "created_at", "id"
            ),
        ),
    ]


def with_sessions_and_agreements(mediations: QuerySet[Mediation]) -> QuerySet[Mediation]:
    """The API's list shows each mediation's sessions and agreement too: prefetched, a fixed number of
    queries per page."""
    return mediations.prefetch_related(*_sessions_and_agreements())


def attach_timelines(mediations: list[Mediation]) -> None:
    """Each mediation's timeline (its own events and those of its invitations, sessions and agreements,
    prefetched) read in one query for the whole page, as `mediation.timeline_events`."""
    owners: dict[tuple[str, int], Mediation] = {}
    for mediation in mediations:
        owners[(Mediation._meta.label_lower, mediation.pk)] = mediation
        for model, related in (
            (Invitation, "invitations"),
            (MediationSession, "sessions"),
            (Agreement, "agreements"),
        ):
            for row in getattr(mediation, related).all():
                owners[(model._meta.label_lower, row.pk)] = mediation
        mediation.timeline_events = []
    if not owners:
        return
    by_type: dict[str, list[int]] = {}
    for subject_type, subject_id in owners:
        by_type.setdefault(subject_type, []).append(subject_id)
    condition = Q(pk__in=[])
    for subject_type, ids in by_type.items():
        condition |= Q(subject_type=subject_type, subject_id__in=ids)
    events = (
        Event.objects.filter(condition).select_related("actor", "actor_court").order_by("created_at", "id")
    )
    for event in events:
        owners[(event.subject_type, event.subject_id)].timeline_events.append(event)


def mediation_detail(user, mediation_id: int) -> Mediation:
    """The mediation with everything its page shows; raises Mediation.DoesNotExist for one the user's
    court has no part in."""
    return (
        _with_relations(mediations_visible_to(user))
        .prefetch_related(
            *_sessions_and_agreements(),
            Prefetch(
                "confirmations",
                queryset=Confirmation.objects.select_related("court", "case").order_by("applied_at", "id"),
            ),
            "extensions",
        )
        .get(pk=mediation_id)
    )


def invitations_waiting_for(user) -> QuerySet[Invitation]:
    """Invitations awaiting the answer of the user's tribunal, soonest due first. One query, on the invited
    court's inbox index, whatever the number of mediations."""
    court = acting_court(user)
    if court is None or not user.tribunal_id:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(court=court, state=Invitation.State.RECEIVED, tribunal_id=user.tribunal_id)
        .select_related("mediation__lead_tribunal", "mediation__lead_court", "tribunal")
        .order_by("due_at", "id")
    )


def invitations_waiting_at(court) -> QuerySet[Invitation]:
    """Every invitation awaiting an answer at a court (its clerks' and administrators' view)."""
    return (
        Invitation.objects.filter(court=court, state=Invitation.State.RECEIVED)
        .select_related("mediation__lead_tribunal", "mediation__lead_court", "tribunal")
        .order_by("due_at", "id")
    )


def mediation_timeline(mediation: Mediation) -> QuerySet[Event]:
    """The mediation's own events with those of its invitations, sessions and agreements, in order."""
    parts = [
        (Mediation, [mediation.pk]),
        (Invitation, list(Invitation.objects.filter(mediation=mediation).values_list("pk", flat=True))),
        (
            MediationSession,
            list(MediationSession.objects.filter(mediation=mediation).values_list("pk", flat=True)),
        ),
        (Agreement, list(Agreement.objects.filter(mediation=mediation).values_list("pk", flat=True))),
    ]
    condition = Q()
    for model, ids in parts:
        if ids:
            condition |= Q(subject_type=model._meta.label_lower, subject_id__in=ids)
    return Event.objects.filter(condition).select_related("actor", "actor_court").order_by("created_at", "id")


# --- Sessions ------------------------------------------------------------------------------------------


def sessions_visible_to(user) -> QuerySet[MediationSession]:
    return MediationSession.objects.filter(mediation__in=mediations_visible_to(user))


def session_list(user) -> QuerySet[MediationSession]:
    """Visible sessions, soonest first. The list's filters narrow it (mediation.filters.SessionFilter)."""
    return (
        sessions_visible_to(user)
        .select_related("mediation", "tribunal")
        .prefetch_related("mediators", "present")
        .order_by("starts_at", "id")
    )


def session_detail(user, session_id: int) -> MediationSession:
    return (
        sessions_visible_to(user)
        .select_related("mediation", "tribunal")
        .prefetch_related("mediators", "present")
        .get(pk=session_id)
    )


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=7)


def tribunal_week(tribunal, monday: dt.date) -> QuerySet[MediationSession]:
    """A tribunal's sessions in the week from `monday`: those it hosts, and those of mediations it leads or
    accepted (held elsewhere or online), cancelled ones included (shown struck through)."""
    from courts.legal_calendar import COURT_TZ

    start = dt.datetime.combine(monday, dt.time.min, tzinfo=COURT_TZ)
    end = start + dt.timedelta(days=7)
    accepted = Invitation.objects.filter(
        mediation=OuterRef("mediation_id"), tribunal=tribunal, state=Invitation.State.ACCEPTED
    )
    return (
        MediationSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(tribunal=tribunal) | Q(mediation__lead_tribunal=tribunal) | Q(Exists(accepted)))
        .select_related("mediation", "tribunal")
        .prefetch_related("mediators")
        .order_by("starts_at", "id")
    )


def mediator_sessions(user, *, since: dt.datetime) -> QuerySet[MediationSession]:
    """A mediator's sessions from `since` on (the .ics feed), cancelled ones too: a feed must withdraw
    them."""
    ids = SessionMediator.objects.filter(mediator=user, starts_at__gte=since).values("session_id")
    return (
        MediationSession.objects.filter(pk__in=ids)
        .select_related("mediation", "tribunal")
        .order_by("starts_at", "id")
    )


# --- Confirmations -------------------------------------------------------------------------------------


def confirmations_visible_to(user) -> QuerySet[Confirmation]:
    court = acting_court(user)
    if court is None:
        return Confirmation.objects.none()
    return Confirmation.objects.filter(mediation__in=mediations_visible_to(user))


def confirmation_list(user) -> QuerySet[Confirmation]:
    """Visible applications, soonest decision due first, then newest. The list's filters narrow it
    (mediation.filters.ConfirmationFilter)."""
    return (
        confirmations_visible_to(user)
        .select_related("mediation__origin_case", "court", "case", "agreement")
        .order_by("decision_due_at", "-applied_at", "-id")
    )


def confirmation_detail(user, confirmation_id: int) -> Confirmation:
    return (
        confirmation_list(user)
        .select_related("mediation__lead_tribunal", "mediation__lead_court", "enforcement_filing")
        .prefetch_related("applicants", "agreement__payments", "agreement__signatures__party")
        .get(pk=confirmation_id)
    )


def confirmations_to_handle(user) -> QuerySet[Confirmation]:
    """Applications at the user's court still to register or decide, soonest due first."""
    court = acting_court(user)
    if court is None:
        return Confirmation.objects.none()
    return (
        Confirmation.objects.filter(court=court, state__in=("applied", "supplement_requested", "registered"))
        .select_related("mediation", "case")
        .prefetch_related("mediation__invitations")  # who mediated it (they do not rule on it)
        .order_by("decision_due_at", "applied_at")
    )


def mediations_run_by(user) -> QuerySet[Mediation]:
    """Mediations the user's tribunal leads or accepted (their judges run them)."""
    if acting_court(user) is None or not user.tribunal_id:
        return Mediation.objects.none()
    accepted = Invitation.objects.filter(
        mediation=OuterRef("pk"), tribunal_id=user.tribunal_id, state=Invitation.State.ACCEPTED
    )
    return Mediation.objects.filter(Q(lead_tribunal_id=user.tribunal_id) | Q(Exists(accepted)))


def sessions_to_minute(user) -> QuerySet[MediationSession]:
    """Sessions the user mediates that have started and have no minutes yet."""
    from django.utils import timezone

    started = SessionMediator.objects.filter(mediator=user, active=True, starts_at__lte=timezone.now())
    return (
        MediationSession.objects.filter(
            pk__in=started.values("session_id"), state=MediationSession.State.SCHEDULED
        )
        .select_related("mediation", "tribunal")
        .order_by("starts_at", "id")
    )
