"""Pages of the ground floor: login, the per-court home page, the holiday calendar."""

import calendar as month_calendar
import datetime as dt

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from courts.forms import ThrottledAuthenticationForm
from courts.home_panels import panels_for
from courts.models import CalendarDay, CalendarYear, Notification
from courts.selectors import acting_court, courts_with_tribunals


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "courts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """The court's desk: what is waiting (panels from the floors above), notices, and the zone's courts."""
    court = acting_court(request.user)
    notices = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    return render(
        request,
        "courts/home.html",
        {
            "court": court,
            "tribunals": court.tribunals.all() if court else [],
            "courts": courts_with_tribunals(),
            "panels": panels_for(request),
            "notices": notices[:20],
            "notice_count": notices.count(),
        },
    )


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark a notice read and follow its link (a user finds only their own notices)."""
    notice = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(notice.url if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None) else "home")


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
