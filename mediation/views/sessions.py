"""Pages of mediation sessions: a session's actions (move, cancel, minute) posted from its mediation's page,
a tribunal's week calendar, and each mediator's .ics feed for their calendar app.

The feed needs no login (calendar apps cannot log in): its URL carries a signature over the user and the
version of their CalendarFeed row, so "new link" (the version moves on) makes every older link a 404. The
feed names sessions by mediation number, time and place only: no party's name or ID number."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from cases.forms.requests import attach_request_errors
from courts.errors import ActionForbidden, TransitionNotAllowed
from courts.legal_calendar import COURT_TZ, HolidayCalendar
from courts.models import Event, Tribunal
from courts.selectors import acting_court
from mediation import permissions, selectors
from mediation.forms.sessions import RecordForm, RescheduleForm, SessionCancelForm, WeekForm
from mediation.models import Mediation, MediationSession
from mediation.services import sessions
from mediation.services.feeds import feed_renew, feed_token, feed_user
from mediation.views.mediations import render_detail

FEED_PAST_DAYS = 30
# A stable domain for the sessions' UIDs: calendar apps match updates by UID, whatever host served the feed.
UID_DOMAIN = "mediation.yrd-court-tracker"


# --- A session's actions, from its mediation's page ---------------------------------------------------------

SESSION_ACTIONS = {"reschedule", "cancel", "record"}


def _bound_form(session: MediationSession, mediation: Mediation, action: str, data):
    if action == "reschedule":
        return RescheduleForm(data, session=session, tribunal_ids=permissions.running_tribunal_ids(mediation))
    if action == "cancel":
        return SessionCancelForm(data, session=session)
    return RecordForm(data, session=session, parties=mediation.parties.all())


def _run(request, session: MediationSession, action: str, form) -> str:
    data, user = form.cleaned_data, request.user
    if action == "reschedule":
        moved = sessions.session_reschedule(
            session_id=session.pk,
            actor=user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            mode=data["mode"] or None,
            tribunal=data["tribunal"],
            room=data["room"],
            meeting_url=data["meeting_url"],
            off_hours_reason=data["off_hours_reason"],
        )
        when = timezone.localtime(moved.starts_at)
        return _("The session was moved to %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"}
    if action == "cancel":
        sessions.session_cancel(session_id=session.pk, actor=user, reason=data["reason"])
        return _("The session was cancelled; its room and mediators are free again.")
    sessions.session_record(
        session_id=session.pk,
        actor=user,
        minutes=data["minutes"],
        attendance=[party.pk for party in data["attendance"]],
    )
    return _("The minutes were recorded.")


@login_required
def session_action(request, session_id: int, action: str):
    """POST /mediation-sessions/<id>/<action>/ (reschedule, cancel, record), back to the mediation's page;
    a GET there (a reload after a failed action) goes back to that page too (courts.page_actions)."""
    try:
        session = selectors.session_detail(request.user, session_id)
    except MediationSession.DoesNotExist:
        raise Http404 from None
    if action not in SESSION_ACTIONS:
        raise Http404
    if request.method != "POST":
        return redirect(reverse("mediation-detail", args=[session.mediation_id]) + f"#session-{session.pk}")
    mediation = selectors.mediation_detail(request.user, session.mediation_id)
    form = _bound_form(session, mediation, action, request.POST)
    if form.is_valid():
        try:
            messages.success(request, _run(request, session, action, form))
            return redirect(reverse("mediation-detail", args=[mediation.pk]) + f"#session-{session.pk}")
        except (TransitionNotAllowed, ActionForbidden) as refusal:
            messages.error(request, str(refusal))
            return redirect("mediation-detail", mediation.pk)
        except ValidationError as error:
            attach_request_errors(error, form)
    return render_detail(
        request,
        mediation,
        status=400,
        session_forms={session.pk: {action: form}},
        open_action=f"{action}-{session.pk}",
    )


# --- A tribunal's week ------------------------------------------------------------------------------------


@require_safe
@login_required
def my_week(request):
    """The user's tribunal's week; staff at no tribunal see their court's first tribunal."""
    user = request.user
    court = acting_court(user)
    if court is None:
        raise Http404
    tribunal = user.tribunal or Tribunal.objects.filter(court=court).order_by("id").first()
    if tribunal is None:
        raise Http404
    return redirect("tribunal-week", tribunal.code)


@require_safe
@login_required
def tribunal_week(request, tribunal: str):
    """Monday to Sunday of one tribunal's sessions: those it hosts and those of mediations it leads or
    accepted. Staff of any court may open it; it lists only sessions of mediations their court takes part
    in (mediation.selectors), so another court's session is not even named."""
    if acting_court(request.user) is None:
        raise Http404
    found = Tribunal.objects.select_related("court").filter(code=tribunal).first()
    if found is None:
        raise Http404
    form = WeekForm(request.GET or None)
    day = (form.cleaned_data["week"] if form.is_valid() else None) or timezone.localdate()
    monday, next_monday = selectors.week_of(day)
    visible = selectors.mediations_visible_to(request.user)
    week_sessions = list(selectors.tribunal_week(found, monday).filter(mediation__in=visible))
    calendar = HolidayCalendar()
    days = []
    for offset in range(7):
        date = monday + dt.timedelta(days=offset)
        days.append(
            {
                "date": date,
                "rest": calendar.is_rest_day(date),
                "adjusted": date.weekday() >= 5 and not calendar.is_rest_day(date),
                "today": date == timezone.localdate(),
                "sessions": [s for s in week_sessions if s.starts_at.astimezone(COURT_TZ).date() == date],
            }
        )
    tribunals = Tribunal.objects.select_related("court").order_by("court_id", "id")
    return render(
        request,
        "mediation/week.html",
        {
            "tribunal": found,
            "tribunals": tribunals,
            "monday": monday,
            "sunday": next_monday - dt.timedelta(days=1),
            "previous": monday - dt.timedelta(days=7),
            "next": next_monday,
            "days": days,
            "count": len(week_sessions),
            "calendar_known": calendar.is_known(monday.year) and calendar.is_known(next_monday.year),
        },
    )


# --- A mediator's .ics feed -------------------------------------------------------------------------------


@never_cache
@login_required
def feed_link(request):
    """The mediator's own feed link, and "new link" (POST) to stop the old one."""
    if request.method == "POST":
        feed_renew(request.user)
        messages.success(request, _("A new link was made; the old one no longer works."))
        return redirect("mediator-feed-link")
    url = request.build_absolute_uri(reverse("mediator-feed", args=[feed_token(request.user)]))
    return render(request, "mediation/feed.html", {"feed_url": url})


def _place(session: MediationSession) -> str:
    # The feed is read by calendar apps that cannot ask for a language: it is written as the courts write.
    if session.mode == MediationSession.Mode.ONLINE:
        return "线上"
    return " ".join(
        part for part in (session.tribunal.name if session.tribunal_id else "", session.room) if part
    )


def _sequences(session_list) -> dict[int, int]:
    """How often each session was changed since it was scheduled (RFC 5545 SEQUENCE): its moves and its
    cancellation, counted from the timeline in one query."""
    counts = (
        Event.objects.filter(
            subject_type=MediationSession._meta.label_lower,
            subject_id__in=[session.pk for session in session_list],
            action__in=("session.reschedule", "session.cancel"),
        )
        .values("subject_id")
        .annotate(changes=Count("id"))
    )
    return {row["subject_id"]: row["changes"] for row in counts}


def mediator_calendar(request, user) -> Calendar:
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    session_list = list(selectors.mediator_sessions(user, since=since))
    sequences = _sequences(session_list)
    calendar = Calendar()
    calendar.add("prodid", "-//YRD demonstration zone courts//mediation sessions//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"调解日程 · {user.get_full_name() or user.username}")
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for session in session_list:
        page = request.build_absolute_uri(reverse("mediation-detail", args=[session.mediation_id]))
        event = CalendarEvent()
        event.add("uid", f"session-{session.pk}@{UID_DOMAIN}")
        event.add("dtstamp", session.updated_at.astimezone(dt.UTC))
        event.add("last-modified", session.updated_at.astimezone(dt.UTC))
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", f"{session.mediation.number} 调解")
        event.add("location", _place(session))
        event.add("url", page)
        description = [page]
        if session.meeting_url:
            description.insert(0, f"会议链接：{session.meeting_url}")
        event.add("description", "\n".join(description))
        event.add("status", "CANCELLED" if session.state == MediationSession.State.CANCELLED else "CONFIRMED")
        event.add("sequence", sequences.get(session.pk, 0))
        calendar.add_component(event)
    return calendar


@never_cache
def mediator_feed(request, token: str):
    """GET /mediations/feed/<token>.ics: no login; 404 for a bad, forged or replaced token."""
    user = feed_user(token)
    if user is None:
        raise Http404
    body = mediator_calendar(request, user).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mediation-sessions.ics"'
    return response
