"""Pages of the ground floor: login, the per-court home page, the holiday calendar."""

import calendar as month_calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from courts.forms import ThrottledAuthenticationForm
from courts.models import CalendarDay, CalendarYear, Notification
from courts.notifications import notifications_read
from courts.page_actions import post_action
from courts.selectors import acting_court, courts_with_tribunals
from courts.workbench import desk_for


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "courts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """The court's desk (courts.workbench): what this user owes, most urgent first, and what came back;
    their unread notices; the zone's courts folded away."""
    court = acting_court(request.user)
    notices = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    return render(
        request,
        "courts/home.html",
        {
            "court": court,
            "tribunals": court.tribunals.all() if court else [],
            "courts": courts_with_tribunals(),
            "desk": desk_for(request),
            "notices": notices[:20],
            "notice_count": notices.count(),
        },
    )


@login_required
@post_action("home")
def notification_open(request, notification_id: int):
    """Mark a notice read and follow its link (a user finds only their own notices)."""
    notice = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications_read(user=request.user, ids=[notice.pk])
    return redirect(notice.url if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None) else "home")


@login_required
@post_action("home")
def notification_read(request, notification_id: int):
    """Mark one notice read without following it (another's notice is not found, as everywhere)."""
    notice = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications_read(user=request.user, ids=[notice.pk])
    return redirect(reverse("home") + "#notices")


@login_required
@post_action("home")
def notifications_read_all(request):
    """Mark every unread notice of this user read."""
    count = notifications_read(user=request.user)
    messages.success(request, _("%(count)d notices marked read.") % {"count": count})
    return redirect(reverse("home") + "#notices")


@login_required
def holiday_calendar(request, year: int | None = None):
    year = year or timezone.localdate().year
    if not 1900 <= year <= 2200:
        raise Http404
    known = CalendarYear.objects.filter(year=year).first()
    special = {day.date: day for day in CalendarDay.objects.filter(date__year=year)}
    months = []
    weeks_of = month_calendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = [
            [
                None
                if day.month != month
                else {"date": day, "special": special.get(day), "weekend": day.weekday() >= 5}
                for day in week
            ]
            for week in weeks_of.monthdatescalendar(year, month)
        ]
        months.append({"month": month, "weeks": weeks})
    return render(
        request,
        "courts/calendar.html",
        {
            "year": year,
            "calendar_year": known,
            "holidays": [d for d in special.values() if d.kind == CalendarDay.Kind.HOLIDAY],
            "workdays": [d for d in special.values() if d.kind == CalendarDay.Kind.WORKDAY],
            "months": months,
            "today": timezone.localdate(),
            "previous_year": year - 1,
            "next_year": year + 1,
            "first_day": dt.date(year, 1, 1),
        },
    )
