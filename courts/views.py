"""Pages of the ground floor: login, the per-court home page, the holiday calendar."""

import calendar as month_calendar
import datetime as dt

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from courts.forms import ThrottledAuthenticationForm
from courts.models import CalendarDay, CalendarYear
from courts.selectors import acting_court, courts_with_tribunals


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "courts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """The court's desk. Later flows put their inboxes here; for now it says who and where the user is."""
    court = acting_court(request.user)
    return render(
        request,
        "courts/home.html",
        {
            "court": court,
            "tribunals": court.tribunals.all() if court else [],
            "courts": courts_with_tribunals(),
        },
    )


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
