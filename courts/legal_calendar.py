"""Time periods under CPL 85, on China's official calendar of holidays and adjusted working days.

- The hour or day in which a period starts is not counted (CPL 85 para. 2).
- A period counted in days or months whose last day is a rest day ends on the next working day (para. 3).
  A rest day is a public holiday, or a Saturday or Sunday that the State Council has not made a working day.
- A month period ends on the same-numbered day of the final month, or on that month's last day if it has no
  such day (Civil Code 202).
- A period in hours runs by the clock from the next full hour and is not extended over rest days: the 48-hour
  clock for urgent preservation (CPL 103) runs through weekends.
- A period in working days (acceptance of a pre-filing mediation within 3 working days) skips rest days.

Years without an entered calendar fall back to weekends only, and the deadline says so (`calendar_known`).
"""

import calendar as month_calendar
import datetime as dt
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

COURT_TZ = ZoneInfo("Asia/Shanghai")
# No legal period here runs anywhere near this long past its last day; a loop that does is a calendar error.
_MAX_ROLL_DAYS = 60


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    WORKING_DAYS = "working_days", _("working days")


# Upper bounds for one period; anything longer is a typo, not a legal period.
MAX_PERIOD = {Unit.HOURS: 24 * 366, Unit.DAYS: 3660, Unit.MONTHS: 120, Unit.WORKING_DAYS: 750}


@dataclass(frozen=True)
class Deadline:
    due: dt.datetime
    calendar_known: bool

    @property
    def due_date(self) -> dt.date:
        return self.due.astimezone(COURT_TZ).date()


# Each process keeps the years it has read for a few minutes: deadlines are computed on every delivery and
# the calendar changes once a year. An edit in this process clears it at once (courts.apps connects the
# signals); other processes see it within YEAR_CACHE_SECONDS.
YEAR_CACHE_SECONDS = 300
_year_cache: dict[int, tuple[float, bool, dict[dt.date, str]]] = {}


def forget_cached_years(**kwargs) -> None:
    _year_cache.clear()


def _load_year(year: int) -> tuple[bool, dict[dt.date, str]]:
    cached = _year_cache.get(year)
    if cached is not None and time.monotonic() - cached[0] < YEAR_CACHE_SECONDS:
        return cached[1], cached[2]
    from courts.models import CalendarDay, CalendarYear

    known = CalendarYear.objects.filter(year=year).exists()
    days = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind")) if known else {}
    _year_cache[year] = (time.monotonic(), known, days)
    return known, days


@dataclass
class HolidayCalendar:
    """Answers "is this a rest day?" from each year's special days (one query per year, cached)."""

    _years: dict[int, tuple[bool, dict[dt.date, str]]] = field(default_factory=dict)

    def _year(self, year: int) -> tuple[bool, dict[dt.date, str]]:
        if year not in self._years:
            self._years[year] = _load_year(year)
        return self._years[year]

    def is_known(self, year: int) -> bool:
        return self._year(year)[0]

    def is_rest_day(self, day: dt.date) -> bool:
        kind = self._year(day.year)[1].get(day)
        if kind == "holiday":
            return True
        if kind == "workday":
            return False
        return day.weekday() >= 5


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COURT_TZ)
    return moment.astimezone(COURT_TZ)


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=COURT_TZ)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def compute_deadline(
    start: dt.datetime, period: int, unit: str, *, holidays: HolidayCalendar | None = None
) -> Deadline:
    """When a period of `period` `unit`s that starts at `start` ends, as an aware Asia/Shanghai datetime."""
    unit = Unit(unit)
    if not 1 <= period <= MAX_PERIOD[unit]:
        raise ValueError(f"period must be between 1 and {MAX_PERIOD[unit]} {unit.value}")
    holidays = holidays or HolidayCalendar()
    start = _local(start)

    if unit == Unit.HOURS:
        first_full_hour = start.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return Deadline(due=first_full_hour + dt.timedelta(hours=period), calendar_known=True)

    examined: set[int] = set()
    if unit == Unit.WORKING_DAYS:
        day, counted = start.date(), 0
        while counted < period:
            day += dt.timedelta(days=1)
            examined.add(day.year)
            if not holidays.is_rest_day(day):
                counted += 1
    else:
        day = (
            start.date() + dt.timedelta(days=period)
            if unit == Unit.DAYS
            else add_months(start.date(), period)
        )
        for _rolled in range(_MAX_ROLL_DAYS):
            examined.add(day.year)
            if not holidays.is_rest_day(day):
                break
            day += dt.timedelta(days=1)
        else:
            raise ValueError(f"no working day within {_MAX_ROLL_DAYS} days of {day}: check the calendar")

    return Deadline(due=_end_of_day(day), calendar_known=all(holidays.is_known(year) for year in examined))


def next_working_day(day: dt.date, *, holidays: HolidayCalendar | None = None) -> dt.date:
    """The day itself if it is a working day, else the first working day after it (CPL 85 para. 3)."""
    holidays = holidays or HolidayCalendar()
    for _rolled in range(_MAX_ROLL_DAYS):
        if not holidays.is_rest_day(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_ROLL_DAYS} days of {day}: check the calendar")
