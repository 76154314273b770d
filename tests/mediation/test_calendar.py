"""A tribunal's week of mediation sessions and a mediator's .ics feed: the week lists that week's sessions
only, with rest days marked; the feed parses as iCalendar with one event per session at the right times, a
cancelled session is withdrawn (STATUS:CANCELLED), a moved one is a new SEQUENCE; the feed needs no login,
names no party, and a new link makes the old one (and any forged one) a 404."""

import datetime as dt

import pytest
from django.core.signing import Signer
from django.utils import timezone
from icalendar import Calendar

from courts.legal_calendar import HolidayCalendar
from mediation.models import CalendarFeed, MediationSession, SessionMediator
from mediation.services.mediations import invitation_accept
from mediation.services.sessions import session_cancel, session_reschedule
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending
from tests.mediation.conftest import accepted, next_working_morning, open_headline, schedule

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def mediation(fenhu_judge, xitang_judge):
    return accepted(fenhu_judge, xitang_judge)


def feed_url(client, user) -> str:
    client.force_login(user)
    page = html(client.get("/mediations/feed/"))
    url = page.split('data-testid="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    client.logout()
    return url.removeprefix("http://testserver")


def events_of(response) -> list:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [component for component in calendar.walk() if component.name == "VEVENT"]


class TestTheWeek:
    def test_it_lists_the_weeks_sessions_only(self, client, mediation, fenhu_judge):
        this_week = schedule(mediation, fenhu_judge)
        start = this_week.starts_at
        next_week = schedule(mediation, fenhu_judge, start=start + dt.timedelta(days=7))
        client.force_login(fenhu_judge)

        page = html(client.get(f"/mediations/calendar/fenhu/?week={start.date().isoformat()}"))
        assert (
            f'data-testid="slot-{this_week.pk}"' in page and f'data-testid="slot-{next_week.pk}"' not in page
        )
        assert f'href="/mediations/{mediation.pk}/#session-{this_week.pk}"' in page
        monday = monday_of(timezone.localtime(start).date())
        assert f"?week={(monday + dt.timedelta(days=7)).isoformat()}" in page
        following = html(
            client.get(f"/mediations/calendar/fenhu/?week={(monday + dt.timedelta(days=7)).isoformat()}")
        )
        assert (
            f'data-testid="slot-{next_week.pk}"' in following
            and f'data-testid="slot-{this_week.pk}"' not in following
        )

    def test_rest_days_are_marked(self, client, fenhu_judge):
        client.force_login(fenhu_judge)
        monday = monday_of(timezone.localdate())
        page = html(client.get(f"/mediations/calendar/fenhu/?week={monday.isoformat()}"))
        calendar = HolidayCalendar()
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            column = page.split(f'data-testid="day-{day.isoformat()}"')[1].split("</section>")[0]
            assert ('data-testid="rest-day"' in column) is calendar.is_rest_day(day)

    def test_a_session_held_at_fenhu_shows_in_the_week_of_the_tribunal_that_accepted(
        self, client, mediation, fenhu_judge, xitang_judge
    ):
        session = schedule(mediation, fenhu_judge)
        client.force_login(xitang_judge)
        page = html(client.get(f"/mediations/calendar/xitang/?week={session.starts_at.date().isoformat()}"))
        assert f'data-testid="slot-{session.pk}"' in page and mediation.number in page
        other = html(
            client.get(f"/mediations/calendar/yaozhuang/?week={session.starts_at.date().isoformat()}")
        )
        assert f'data-testid="slot-{session.pk}"' not in other

    def test_a_court_with_no_part_does_not_see_the_sessions_number(
        self, client, mediation, fenhu_judge, qingpu_clerk
    ):
        session = schedule(mediation, fenhu_judge)
        client.force_login(qingpu_clerk)
        response = client.get(f"/mediations/calendar/fenhu/?week={session.starts_at.date().isoformat()}")
        assert response.status_code == 200
        assert mediation.number not in html(response) and f"slot-{session.pk}" not in html(response)

    def test_the_calendar_opens_on_the_users_tribunal(self, client, fenhu_judge, xitang_judge, wujiang_clerk):
        for user, code in ((fenhu_judge, "fenhu"), (xitang_judge, "xitang"), (wujiang_clerk, "fenhu")):
            client.force_login(user)
            response = client.get("/mediations/calendar/")
            assert response.status_code == 302 and response.url == f"/mediations/calendar/{code}/"

    def test_an_unknown_tribunal_is_not_a_page(self, client, fenhu_judge):
        client.force_login(fenhu_judge)
        assert client.get("/mediations/calendar/nowhere/").status_code == 404


class TestTheFeed:
    def test_it_has_one_event_per_session_at_the_right_times_and_names_no_party(
        self, client, mediation, fenhu_judge, xitang_judge
    ):
        in_person = schedule(mediation, fenhu_judge)
        online = schedule(
            mediation,
            fenhu_judge,
            start=next_working_morning(days=2),
            mode="online",
            tribunal=None,
            room="",
            meeting_url="https://meet.example/room-7",
        )
        url = feed_url(client, xitang_judge)

        events = {str(event["UID"]): event for event in events_of(client.get(url))}  # no login
        assert set(events) == {
            f"session-{in_person.pk}@mediation.yrd-court-tracker",
            f"session-{online.pk}@mediation.yrd-court-tracker",
        }
        first = events[f"session-{in_person.pk}@mediation.yrd-court-tracker"]
        assert first.decoded("DTSTART") == in_person.starts_at and first.decoded("DTEND") == in_person.ends_at
        assert str(first["SUMMARY"]) == f"{mediation.number} 调解"
        assert str(first["LOCATION"]) == "汾湖人民法庭 第一调解室" and str(first["STATUS"]) == "CONFIRMED"
        second = events[f"session-{online.pk}@mediation.yrd-court-tracker"]
        assert str(second["LOCATION"]) == "线上" and "https://meet.example/room-7" in str(
            second["DESCRIPTION"]
        )
        body = client.get(url).content.decode()
        assert "沈建国" not in body and PLAINTIFF_ID not in body and "纺织品" not in body

    def test_a_cancelled_session_is_withdrawn_and_a_moved_one_is_a_new_sequence(
        self, client, mediation, fenhu_judge, xitang_judge
    ):
        kept = schedule(mediation, fenhu_judge)
        dropped = schedule(mediation, fenhu_judge, start=next_working_morning(days=2))
        url = feed_url(client, fenhu_judge)
        before = {str(e["UID"]): int(e["SEQUENCE"]) for e in events_of(client.get(url))}
        later = next_working_morning(days=3)
        session_reschedule(
            session_id=kept.pk,
            actor=fenhu_judge,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
            reason="改期",
        )
        session_cancel(session_id=dropped.pk, actor=fenhu_judge, reason="当事人病假")

        events = {str(e["UID"]): e for e in events_of(client.get(url))}
        moved, cancelled = (events[f"session-{s.pk}@mediation.yrd-court-tracker"] for s in (kept, dropped))
        assert moved.decoded("DTSTART") == later and str(moved["STATUS"]) == "CONFIRMED"
        assert int(moved["SEQUENCE"]) > before[str(moved["UID"])]
        assert (
            str(cancelled["STATUS"]) == "CANCELLED"
            and int(cancelled["SEQUENCE"]) > before[str(cancelled["UID"])]
        )

    def test_sessions_older_than_30_days_are_left_out(self, client, mediation, fenhu_judge):
        old = schedule(mediation, fenhu_judge)
        recent = schedule(mediation, fenhu_judge, start=next_working_morning(days=2))
        long_ago = timezone.now() - dt.timedelta(days=40)
        MediationSession.objects.filter(pk=old.pk).update(
            starts_at=long_ago, ends_at=long_ago + dt.timedelta(hours=1)
        )
        SessionMediator.objects.filter(session=old).update(
            starts_at=long_ago, ends_at=long_ago + dt.timedelta(hours=1)
        )
        uids = {str(e["UID"]) for e in events_of(client.get(feed_url(client, fenhu_judge)))}
        assert uids == {f"session-{recent.pk}@mediation.yrd-court-tracker"}

    def test_each_mediator_gets_their_own_sessions_only(
        self, client, mediation, fenhu_judge, xitang_judge, yaozhuang_judge
    ):
        with_xitang = schedule(mediation, fenhu_judge)
        other, _code = open_headline(fenhu_judge, invited=("yaozhuang",))
        deliver_pending()
        invitation_accept(invitation_id=other.invitations.get().pk, actor=yaozhuang_judge)
        deliver_pending()
        with_yaozhuang = schedule(other, fenhu_judge, start=next_working_morning(days=2))

        def uids(user):
            return {str(e["UID"]) for e in events_of(client.get(feed_url(client, user)))}

        assert uids(xitang_judge) == {f"session-{with_xitang.pk}@mediation.yrd-court-tracker"}
        assert uids(yaozhuang_judge) == {f"session-{with_yaozhuang.pk}@mediation.yrd-court-tracker"}
        assert len(uids(fenhu_judge)) == 2

    def test_a_new_link_makes_the_old_one_a_404(self, client, fenhu_judge, mediation):
        schedule(mediation, fenhu_judge)
        old = feed_url(client, fenhu_judge)
        assert CalendarFeed.objects.get(user=fenhu_judge).version == 1
        client.force_login(fenhu_judge)
        response = client.post("/mediations/feed/")
        assert response.status_code == 302 and CalendarFeed.objects.get(user=fenhu_judge).version == 2
        client.logout()
        new = feed_url(client, fenhu_judge)
        assert new != old
        assert client.get(old).status_code == 404
        assert len(events_of(client.get(new))) == 1

    def test_another_users_token_cannot_be_forged(self, client, fenhu_judge, xitang_judge, mediation):
        schedule(mediation, fenhu_judge)
        mine = feed_url(client, xitang_judge)
        token = mine.rsplit("/", 1)[1].removesuffix(".ics")
        _user, version, signature = token.split(":")
        forged = f"{fenhu_judge.pk}:{version}:{signature}"
        assert client.get(f"/mediations/feed/{forged}.ics").status_code == 404
        other_salt = Signer(salt="something.else").sign(f"{fenhu_judge.pk}:{version}")
        assert client.get(f"/mediations/feed/{other_salt}.ics").status_code == 404
        assert client.get("/mediations/feed/garbage.ics").status_code == 404
        assert client.get(mine).status_code == 200

    def test_a_deactivated_users_feed_stops(self, client, fenhu_judge, mediation):
        url = feed_url(client, fenhu_judge)
        fenhu_judge.is_active = False
        fenhu_judge.save(update_fields=["is_active"])
        assert client.get(url).status_code == 404

    def test_the_feed_page_needs_a_login(self, client):
        response = client.get("/mediations/feed/")
        assert response.status_code == 302 and "/accounts/login/" in response.url
