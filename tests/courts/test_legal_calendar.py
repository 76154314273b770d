"""CPL 85 periods on the official calendar (2026 facts: National Day 10-01..07 with 09-20 and 10-10 worked;
Spring Festival 02-15..23 with 02-14 and 02-28 worked; New Year 01-01..03 with 01-04 worked)."""

import datetime as dt

import pytest

from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return (
        dt.datetime.fromisoformat(text).replace(tzinfo=COURT_TZ)
        if "+" not in text and "Z" not in text
        else dt.datetime.fromisoformat(text)
    )


@pytest.mark.parametrize(
    ("start", "period", "unit", "due_date", "known"),
    [
        # Days: the start day is not counted; a last day on a rest day moves to the next working day.
        ("2026-09-24T10:00", 10, "days", "2026-10-08", True),  # 10th day 10-04 is in the National Day holiday
        ("2026-09-30T10:00", 7, "days", "2026-10-08", True),  # 10-07, last holiday day
        ("2026-10-01T10:00", 7, "days", "2026-10-08", True),  # started on a holiday; ends on a working day
        ("2026-10-03T10:00", 7, "days", "2026-10-10", True),  # Saturday 10-10 is an adjusted working day
        ("2026-10-04T10:00", 7, "days", "2026-10-12", True),  # Sunday 10-11 is a rest day
        ("2026-09-13T10:00", 7, "days", "2026-09-20", True),  # Sunday 09-20 is worked
        ("2026-09-30T23:59", 1, "days", "2026-10-08", True),  # late at night still counts from the next day
        ("2026-09-30T16:30:00+00:00", 1, "days", "2026-10-08", True),  # UTC 16:30 is 10-01 00:30 in Shanghai
        (
            "2026-02-10T10:00",
            7,
            "days",
            "2026-02-24",
            True,
        ),  # Spring Festival pushes to the first working day
        ("2026-02-07T10:00", 7, "days", "2026-02-14", True),  # Saturday 02-14 worked before Spring Festival
        ("2026-02-21T10:00", 7, "days", "2026-02-28", True),  # Saturday 02-28 worked after it
        ("2026-01-01T10:00", 1, "days", "2026-01-04", True),  # 01-02, 01-03 holiday; Sunday 01-04 worked
        ("2026-11-02T10:00", 7, "days", "2026-11-09", True),  # an ordinary week
        ("2026-11-06T10:00", 8, "days", "2026-11-16", True),  # ends on a plain Saturday -> Monday
        # Months: the same-numbered day, else the month's last day; then the rest-day rule.
        ("2026-07-31T10:00", 1, "months", "2026-08-31", True),  # ends on the 31st
        ("2026-01-31T10:00", 1, "months", "2026-02-28", True),  # no 31st; 02-28 is a worked Saturday
        ("2025-01-31T10:00", 1, "months", "2025-02-28", True),
        ("2024-01-31T10:00", 1, "months", "2024-02-29", True),  # leap year
        ("2026-03-31T10:00", 6, "months", "2026-09-30", True),
        ("2026-09-08T10:00", 1, "months", "2026-10-08", True),  # 10-08 is the first day back
        ("2026-09-01T10:00", 1, "months", "2026-10-08", True),  # 10-01 is National Day
        # Working days skip rest days and count worked weekends.
        ("2026-09-30T10:00", 3, "working_days", "2026-10-10", True),
        ("2026-11-27T10:00", 1, "working_days", "2026-11-30", True),
        # A year with no official calendar falls back to weekends only, and says so.
        ("2027-09-24T10:00", 10, "days", "2027-10-04", False),
        ("2026-08-31T10:00", 6, "months", "2027-03-01", False),  # 2027-02-28 is a Sunday
        ("2026-12-25T10:00", 7, "days", "2027-01-01", False),  # New Year 2027 unknown: flagged, not guessed
    ],
)
def test_day_and_month_periods(start, period, unit, due_date, known):
    deadline = compute_deadline(at(start), period, unit)
    assert deadline.due_date.isoformat() == due_date
    assert deadline.due.time() == dt.time(23, 59, 59)
    assert deadline.calendar_known is known


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        ("2026-10-01T09:30", 48, "2026-10-03T10:00"),  # the 48-hour clock runs through the holiday
        ("2026-11-27T10:00", 24, "2026-11-28T11:00"),  # the starting hour is not counted
        ("2026-11-27T23:10", 1, "2026-11-28T01:00"),
    ],
)
def test_hour_periods_run_by_the_clock_from_the_next_full_hour(start, hours, due):
    deadline = compute_deadline(at(start), hours, "hours")
    assert deadline.due == at(due)
    assert deadline.calendar_known is True


def test_a_naive_start_is_read_in_court_time():
    naive = compute_deadline(dt.datetime(2026, 9, 24, 10), 10, "days")
    assert naive.due.utcoffset() == dt.timedelta(hours=8)
    assert naive.due_date == dt.date(2026, 10, 8)


def test_a_calendar_entered_by_an_administrator_is_used_for_a_new_year():
    year = CalendarYear.objects.create(year=2027, source="manual", notice="国办发明电〔2026〕")
    for day in range(1, 8):
        CalendarDay.objects.create(
            calendar_year=year, date=dt.date(2027, 10, day), kind="holiday", name_zh="国庆节"
        )
    CalendarDay.objects.create(
        calendar_year=year, date=dt.date(2027, 10, 9), kind="workday", name_zh="国庆节"
    )

    deadline = compute_deadline(at("2027-09-24T10:00"), 10, "days")
    assert deadline.due_date == dt.date(2027, 10, 8)
    assert deadline.calendar_known is True
    assert compute_deadline(at("2027-10-02T10:00"), 7, "days").due_date == dt.date(2027, 10, 9)


@pytest.mark.parametrize(("period", "unit"), [(0, "days"), (-1, "hours"), (121, "months"), (5, "fortnights")])
def test_nonsense_periods_are_refused(period, unit):
    with pytest.raises(ValueError):
        compute_deadline(at("2026-11-27T10:00"), period, unit)


def test_the_package_calendar_was_seeded_for_every_year_it_knows():
    assert CalendarYear.objects.filter(source="package").count() >= 23
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name_zh == "国庆节"


def test_each_year_is_read_once_per_computation(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # 2026 and 2027: one existence check and one day list each
        compute_deadline(at("2026-12-20T10:00"), 30, "working_days")


class TestDeadlineApi:
    url = "/api/calendar/deadline/"

    def test_it_answers_with_due_time_in_court_time(self, api_as, wujiang_clerk):
        response = api_as(wujiang_clerk).get(
            self.url, {"start": "2026-09-24T10:00:00", "period": 10, "unit": "days"}
        )
        assert response.status_code == 200
        assert response.json() == {"due": "2026-10-08T23:59:59+08:00", "calendar_known": True}

    def test_it_flags_a_year_without_a_calendar(self, api_as, wujiang_clerk):
        response = api_as(wujiang_clerk).get(
            self.url, {"start": "2027-09-24T10:00:00+08:00", "period": 10, "unit": "days"}
        )
        assert response.json() == {"due": "2027-10-04T23:59:59+08:00", "calendar_known": False}

    def test_hours(self, api_as, wujiang_clerk):
        response = api_as(wujiang_clerk).get(
            self.url, {"start": "2026-10-01T01:30:00Z", "period": 48, "unit": "hours"}
        )
        assert response.json()["due"] == "2026-10-03T10:00:00+08:00"

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"period": 10, "unit": "days"}, "start"),
            ({"start": "yesterday", "period": 10, "unit": "days"}, "start"),
            ({"start": "2026-09-24T10:00:00", "period": "ten", "unit": "days"}, "period"),
            ({"start": "2026-09-24T10:00:00", "period": 0, "unit": "days"}, "period"),
            ({"start": "2026-09-24T10:00:00", "period": 500, "unit": "months"}, "period"),
            ({"start": "2026-09-24T10:00:00", "period": 10, "unit": "weeks"}, "unit"),
        ],
    )
    def test_bad_queries_get_400_naming_the_field(self, api_as, wujiang_clerk, query, field):
        response = api_as(wujiang_clerk).get(self.url, query)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert field in body["fields"]
        assert field in body["message"]

    def test_it_needs_a_login(self, api):
        response = api.get(self.url, {"start": "2026-09-24T10:00:00", "period": 10, "unit": "days"})
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


class TestCalendarPage:
    def test_it_shows_holidays_and_adjusted_working_days(self, client, wujiang_clerk):
        client.force_login(wujiang_clerk)
        page = client.get("/calendar/2026/").content.decode()
        assert "国庆节" in page
        assert "2026-10-10" in page
        assert "2026-02-14" in page

    def test_it_warns_about_a_year_without_a_calendar(self, client, wujiang_clerk):
        client.force_login(wujiang_clerk)
        response = client.get("/calendar/2027/")
        assert 'data-testid="calendar-unknown"' in response.content.decode()

    def test_it_needs_a_login(self, client, db):
        assert client.get("/calendar/2026/").status_code == 302
