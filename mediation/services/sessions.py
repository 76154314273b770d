"""Mediation sessions: scheduled, rescheduled, cancelled with a reason, and minuted afterwards (who came,
what was said). Every change goes through `session_transition`, with a timeline event, and the other courts
taking part hear of it by delivery.

No mediator and no room is booked twice at once, across all three courts: `_check_free` finds a conflict
in two indexed queries (one for the mediators, one for the room) and names it; on PostgreSQL exclusion
constraints (migration 0002) also refuse the second of two concurrent bookings, which neither check could
see, and that refusal comes back as the same 400 (`_booked`).
"""

import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courts.legal_calendar import COURT_TZ, HolidayCalendar
from courts.messages import Message
from courts.models import Tribunal, User
from courts.selectors import acting_court
from courts.state_machine import transition
from courts.timeline import record_event
from mediation import permissions
from mediation.models import (
    MEDIATION_RUNNING,
    SESSION_TRANSITIONS,
    Invitation,
    Mediation,
    MediationParty,
    MediationSession,
    SessionMediator,
)
from mediation.models.sessions import MAX_SESSION_LENGTH
from mediation.services.mediations import (
    MEDIATION_ENDED,
    clean_reason,
    closed,
    locked,
    mediation_transition,
    require,
    require_within_period,
    tell_other_courts,
)

# Working hours of the zone's courts; a session outside them, or on a rest day, needs a reason.
WORKING_HOURS = (dt.time(8, 30), dt.time(17, 30))
MAX_MINUTES = 20000


def session_transition(session: MediationSession, **change) -> MediationSession:
    return transition(session, transitions=SESSION_TRANSITIONS, **change)


def mediators_of(mediation: Mediation) -> list[User]:
    """The lead mediator and the mediator each accepting tribunal named."""
    mediators = [mediation.lead_mediator] if mediation.lead_mediator_id else []
    for invitation in mediation.invitations.all():
        if invitation.state == Invitation.State.ACCEPTED and invitation.mediator_id:
            mediators.append(invitation.mediator)
    return [mediator for mediator in mediators if mediator is not None]


def _session_url(mediation: Mediation) -> str:
    return f"/mediations/{mediation.pk}/"


# --- Checks --------------------------------------------------------------------------------------------


def _clean_times(starts_at: dt.datetime, ends_at: dt.datetime, off_hours_reason: str, errors: dict) -> str:
    now = timezone.now()
    if starts_at <= now:
        errors["starts_at"] = [_("A session cannot be scheduled in the past.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    elif ends_at - starts_at > MAX_SESSION_LENGTH:
        errors["ends_at"] = [_("A session lasts at most 12 hours.")]
    off_hours_reason = (off_hours_reason or "").strip()
    times_valid = "starts_at" not in errors and "ends_at" not in errors
    if times_valid and not off_hours_reason and not within_working_hours(starts_at, ends_at):
        errors["off_hours_reason"] = [
            _("The session is outside working hours (08:30-17:30 on working days): give the reason.")
        ]
    if len(off_hours_reason) > 300:
        errors["off_hours_reason"] = [_("At most 300 characters.")]
    return off_hours_reason


def within_working_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    start, end = starts_at.astimezone(COURT_TZ), ends_at.astimezone(COURT_TZ)
    if start.date() != end.date() or HolidayCalendar().is_rest_day(start.date()):
        return False
    return WORKING_HOURS[0] <= start.time() and end.time() <= WORKING_HOURS[1]


def _clean_place(mediation, *, mode, tribunal, room, meeting_url, actor, errors) -> tuple:
    room, meeting_url = (room or "").strip(), (meeting_url or "").strip()
    running = permissions.running_tribunal_ids(mediation)
    if mode == MediationSession.Mode.IN_PERSON:
        if tribunal is None:
            errors["tribunal"] = [_("Name the tribunal where the session is held.")]
        elif tribunal.pk not in running:
            errors["tribunal"] = [_("Sessions are held at a tribunal taking part in the mediation.")]
        if not room:
            errors["room"] = [_("Name the room.")]
        elif len(room) > 60:
            errors["room"] = [_("At most 60 characters.")]
        meeting_url = ""
    elif mode == MediationSession.Mode.ONLINE:
        if not meeting_url.startswith("https://"):
            errors["meeting_url"] = [_("Give the meeting link (https://...).")]
        # An online session is hosted by the scheduling judge's tribunal (its week calendar shows it).
        tribunal = tribunal if tribunal is not None and tribunal.pk in running else actor.tribunal
        room = ""
    else:
        errors["mode"] = [_("Choose in person or online.")]
    return tribunal, room, meeting_url


def _clean_mediators(mediation: Mediation, mediators: list[User] | None, errors: dict) -> list[User]:
    allowed = {mediator.pk: mediator for mediator in mediators_of(mediation)}
    if mediators is None:
        chosen = list(allowed.values())
    else:
        chosen = []
        for mediator in mediators:
            if mediator.pk not in allowed:
                errors["mediators"] = [
                    _("%(name)s is not a mediator of this mediation.")
                    % {"name": mediator.get_full_name() or mediator.username}
                ]
            elif mediator not in chosen:
                chosen.append(mediator)
    if not chosen and "mediators" not in errors:
        errors["mediators"] = [_("A session needs at least one mediator.")]
    return chosen


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M")


def _check_free(
    *, mediators: list[User], tribunal, room: str, mode: str, starts_at, ends_at, exclude: int | None = None
) -> dict:
    """Field errors for a mediator or a room already booked then, in any mediation of any court. Two
    queries whatever the number of sessions: each reads a short range of one index (a session lasts at most
    MAX_SESSION_LENGTH, so an overlapping one started no earlier than that before this one ends)."""
    errors: dict[str, list[str]] = {}
    earliest = starts_at - MAX_SESSION_LENGTH
    busy = SessionMediator.objects.filter(
        mediator__in=mediators,
        active=True,
        starts_at__gte=earliest,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude is not None:
        busy = busy.exclude(session_id=exclude)  # a session being moved does not clash with itself
    busy = busy.select_related("mediator").order_by("starts_at")
    # Another court's mediation is not named: only that the time is taken.
    for booking in busy:
        errors.setdefault("mediators", []).append(
            _("%(name)s already has a mediation session from %(start)s to %(end)s.")
            % {
                "name": booking.mediator.get_full_name() or booking.mediator.username,
                "start": _local(booking.starts_at),
                "end": _local(booking.ends_at),
            }
        )
    if mode == MediationSession.Mode.IN_PERSON and tribunal is not None and room:
        in_room = MediationSession.objects.filter(
            tribunal=tribunal,
            room=room,
            starts_at__gte=earliest,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
            mode=MediationSession.Mode.IN_PERSON,
        ).exclude(state=MediationSession.State.CANCELLED)
        if exclude is not None:
            in_room = in_room.exclude(pk=exclude)
        taken = in_room.order_by("starts_at").first()
        if taken is not None:
            errors["room"] = [
                _("%(room)s is booked from %(start)s to %(end)s.")
                % {"room": room, "start": _local(taken.starts_at), "end": _local(taken.ends_at)}
            ]
    return errors


@contextmanager
def _booked():
    """The database's own refusal of a double booking (PostgreSQL's exclusion constraints, when two
    bookings race) as the same field error the check gives; in a savepoint, so the caller's transaction
    rolls back cleanly with the ValidationError.

    Two bookings inserted at the same instant may each wait for the other's exclusion check: PostgreSQL
    then aborts one of them as a deadlock (SQLSTATE 40P01). That one lost the race as surely as if it had
    come second, and is told so the same way."""
    try:
        with transaction.atomic():
            yield
    except (IntegrityError, OperationalError) as error:
        text = str(error)
        deadlock = getattr(error.__cause__, "sqlstate", None) == "40P01"
        if "mediator_not_double_booked" in text or (deadlock and "mediation_sessionmediator" in text):
            raise ValidationError(
                {"mediators": [_("A mediator was booked for that time a moment ago: choose another time.")]}
            ) from error
        if "session_room_not_double_booked" in text or (deadlock and "mediation_mediationsession" in text):
            raise ValidationError({"room": [_("The room was booked for that time a moment ago.")]}) from error
        raise


# --- Scheduling ------------------------------------------------------------------------------------------


def session_schedule(
    *,
    mediation_id: int,
    actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: str,
    tribunal: Tribunal | None = None,
    room: str = "",
    meeting_url: str = "",
    mediators: list[User] | None = None,
    off_hours_reason: str = "",
) -> MediationSession:
    """Schedule a session. The first one puts the mediation in session."""
    with transaction.atomic(durable=True):
        mediation = locked(mediation_id)
        require(permissions.may_run(actor, mediation))
        if mediation.state not in MEDIATION_RUNNING:
            if mediation.state in ("proposed", "declined"):
                raise ValidationError(
                    {"state": [_("Sessions can be scheduled once an invited tribunal has accepted.")]}
                )
            raise closed(mediation)
        require_within_period(mediation, field_name="starts_at", day=starts_at.astimezone(COURT_TZ).date())
        errors: dict[str, list[str]] = {}
        off_hours_reason = _clean_times(starts_at, ends_at, off_hours_reason, errors)
        tribunal, room, meeting_url = _clean_place(
            mediation,
            mode=mode,
            tribunal=tribunal,
            room=room,
            meeting_url=meeting_url,
            actor=actor,
            errors=errors,
        )
        chosen = _clean_mediators(mediation, mediators, errors)
        if not errors:
            errors = _check_free(
                mediators=chosen,
                tribunal=tribunal,
                room=room,
                mode=mode,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        if errors:
            raise ValidationError(errors)
        with _booked():
            session = MediationSession.objects.create(
                mediation=mediation,
                starts_at=starts_at,
                ends_at=ends_at,
                mode=mode,
                tribunal=tribunal,
                room=room,
                meeting_url=meeting_url,
                off_hours_reason=off_hours_reason,
                created_by=actor,
            )
            SessionMediator.objects.bulk_create(
                [
                    SessionMediator(session=session, mediator=mediator, starts_at=starts_at, ends_at=ends_at)
                    for mediator in chosen
                ]
            )
        record_event(
            subject=session,
            action="session.schedule",
            actor=actor,
            to_state=session.state,
            payload=_session_payload(session, chosen),
        )
        if mediation.state == Mediation.State.ACCEPTED:
            mediation_transition(
                mediation,
                to_state=Mediation.State.IN_SESSION,
                action="mediation.first_session",
                actor=actor,
                payload={"session": session.pk, "starts_at": starts_at.isoformat()},
            )
        tell_other_courts(mediation, actor_court=acting_court(actor), note="session_scheduled")
    return session


def _session_payload(session: MediationSession, mediators: list[User]) -> dict:
    return {
        "mediation": session.mediation_id,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "mode": session.mode,
        "tribunal": session.tribunal.code if session.tribunal is not None else None,
        "room": session.room,
        "mediators": [mediator.username for mediator in mediators],
    }


def _locked_session(session_id: int) -> tuple[MediationSession, Mediation]:
    """The session and its mediation, both under a row lock (mediation first, as everywhere)."""
    mediation_id = MediationSession.objects.values_list("mediation_id", flat=True).get(pk=session_id)
    mediation = locked(mediation_id)
    session = (
        MediationSession.objects.select_for_update(of=("self",)).select_related("tribunal").get(pk=session_id)
    )
    return session, mediation


def session_reschedule(
    *,
    session_id: int,
    actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    mode: str | None = None,
    tribunal: Tribunal | None = None,
    room: str | None = None,
    meeting_url: str | None = None,
    off_hours_reason: str = "",
) -> MediationSession:
    """Move a scheduled session (the same checks as a new one, against every other session); the place may
    change with it."""
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        session, mediation = _locked_session(session_id)
        require(permissions.may_run(actor, mediation))
        if mediation.state not in MEDIATION_RUNNING:
            raise closed(mediation)
        require_within_period(mediation, field_name="starts_at", day=starts_at.astimezone(COURT_TZ).date())
        mode = mode or session.mode
        errors: dict[str, list[str]] = {}
        off_hours_reason = _clean_times(starts_at, ends_at, off_hours_reason, errors)
        tribunal, room, meeting_url = _clean_place(
            mediation,
            mode=mode,
            tribunal=tribunal or session.tribunal,
            room=session.room if room is None else room,
            meeting_url=session.meeting_url if meeting_url is None else meeting_url,
            actor=actor,
            errors=errors,
        )
        mediators = [booking.mediator for booking in session.bookings.select_related("mediator")]
        if not errors:
            errors = _check_free(
                mediators=mediators,
                tribunal=tribunal,
                room=room,
                mode=mode,
                starts_at=starts_at,
                ends_at=ends_at,
                exclude=session.pk,
            )
        if errors:
            raise ValidationError(errors)
        previous = {"starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat()}
        session.starts_at, session.ends_at, session.mode = starts_at, ends_at, mode
        session.tribunal, session.room, session.meeting_url = tribunal, room, meeting_url
        session.off_hours_reason = off_hours_reason
        # A session not yet held can only be in the scheduled state: this is "scheduled -> scheduled", checked
        # against the map like any move, so a held or cancelled session refuses it with a 409.
        with _booked():
            session_transition(
                session,
                to_state=MediationSession.State.SCHEDULED,
                action="session.reschedule",
                actor=actor,
                reason=reason,
                payload={"from": previous, **_session_payload(session, mediators)},
                update_fields=(
                    "starts_at",
                    "ends_at",
                    "mode",
                    "tribunal",
                    "room",
                    "meeting_url",
                    "off_hours_reason",
                ),
            )
            SessionMediator.objects.filter(session=session).update(starts_at=starts_at, ends_at=ends_at)
        tell_other_courts(mediation, actor_court=acting_court(actor), note="session_rescheduled")
    return session


def session_cancel(*, session_id: int, actor, reason: str) -> MediationSession:
    reason = clean_reason(reason)
    with transaction.atomic(durable=True):
        session, mediation = _locked_session(session_id)
        require(permissions.may_run(actor, mediation))
        _cancel(session, actor=actor, actor_court=acting_court(actor), reason=reason)
        tell_other_courts(mediation, actor_court=acting_court(actor), note="session_cancelled")
    return session


def _cancel(session: MediationSession, *, actor, actor_court, reason) -> None:
    # A reason the system wrote is stored as its source text (read through courts.timeline.stored_text).
    session.cancel_reason = reason.msgid if isinstance(reason, Message) else reason
    session_transition(
        session,
        to_state=MediationSession.State.CANCELLED,
        action="session.cancel",
        actor=actor,
        actor_court=actor_court,
        reason=reason,
        update_fields=("cancel_reason",),
    )
    # Its mediators' time and its room are free again.
    SessionMediator.objects.filter(session=session).update(active=False)


def sessions_cancel_for_end(mediation: Mediation, *, actor, actor_court) -> int:
    """The mediation ended: its sessions still to come are cancelled (in the caller's transaction)."""
    pending = MediationSession.objects.select_for_update(of=("self",)).filter(
        mediation=mediation, state=MediationSession.State.SCHEDULED, starts_at__gt=timezone.now()
    )
    count = 0
    for session in pending:
        _cancel(session, actor=actor, actor_court=actor_court, reason=Message(MEDIATION_ENDED))
        count += 1
    return count


def session_record(*, session_id: int, actor, minutes: str, attendance: list[int]) -> MediationSession:
    """After the session: its minutes and the parties who came (held)."""
    minutes = (minutes or "").strip()
    errors = {}
    if not minutes:
        errors["minutes"] = [_("Write the minutes of the session.")]
    elif len(minutes) > MAX_MINUTES:
        errors["minutes"] = [_("At most 20000 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        session, mediation = _locked_session(session_id)
        require(permissions.may_run(actor, mediation))
        parties = {party.pk: party for party in MediationParty.objects.filter(mediation=mediation)}
        if set(attendance) - set(parties):
            raise ValidationError({"attendance": [_("Only parties of this mediation can be present.")]})
        if session.state == MediationSession.State.SCHEDULED and session.starts_at > timezone.now():
            raise ValidationError({"minutes": [_("The session has not started yet.")]})
        session.minutes, session.recorded_at, session.recorded_by = minutes, timezone.now(), actor
        session_transition(
            session,
            to_state=MediationSession.State.HELD,
            action="session.record",
            actor=actor,
            payload={"attendance": sorted(set(attendance))},
            update_fields=("minutes", "recorded_at", "recorded_by"),
        )
        session.present.set([parties[pk] for pk in sorted(set(attendance))])
        tell_other_courts(mediation, actor_court=acting_court(actor), note="session_recorded")
    return session
