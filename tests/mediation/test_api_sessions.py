"""Mediation sessions through the API: scheduled on the mediation (/api/mediations/{id}/sessions/), then
moved, cancelled or minuted on the session (/api/mediation-sessions/{id}/record|reschedule|cancel/).

No mediator and no room is booked twice: the scenes put a second mediation beside the headline one, led by
another pair of tribunals that shares the Xitang judge (Zhujiajiao inviting Xitang), or that uses Fenhu's
room (a second Fenhu judge inviting Yaozhuang). The two concurrent bookings on PostgreSQL are in
test_double_booking.py.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courts.legal_calendar import COURT_TZ, HolidayCalendar
from courts.models import Event
from mediation.models import Mediation, MediationSession, SessionMediator
from mediation.services.mediations import invitation_accept
from tests.cases.conftest import deliver_pending
from tests.mediation.conftest import accepted, next_working_morning, open_headline, schedule, tribunal
from tests.mediation.test_api_mediations import (
    at,
    error,
    events,
    iso,
    ok,
    party_ids,
    refused,
    working_morning_after,
)

pytestmark = pytest.mark.django_db

SESSIONS = "/api/mediation-sessions/"


def session_at(session_id: int, action: str = "") -> str:
    return f"{SESSIONS}{session_id}/{action}/" if action else f"{SESSIONS}{session_id}/"


def session_payload(start: dt.datetime | None = None, hours: float = 2, **overrides) -> dict:
    start = start or next_working_morning()
    payload = {
        "starts_at": iso(start),
        "ends_at": iso(start + dt.timedelta(hours=hours)),
        "mode": "in_person",
        "tribunal": "fenhu",
        "room": "第一调解室",
    }
    payload.update(overrides)
    return payload


def accepted_by(lead_judge, lead_code: str, invitee, invited_code: str) -> Mediation:
    """Another pair of tribunals: `lead_code` leads, `invited_code` accepted."""
    mediation, _code = open_headline(lead_judge, invited=(invited_code,), lead_tribunal=tribunal(lead_code))
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=invitee)
    deliver_pending()
    mediation.refresh_from_db()
    assert mediation.state == "accepted"
    return mediation


def next_rest_day() -> dt.date:
    calendar = HolidayCalendar()
    day = timezone.localdate() + dt.timedelta(days=1)
    while not calendar.is_rest_day(day):
        day += dt.timedelta(days=1)
    return day


def started(session: MediationSession, hours_ago: float = 3) -> None:
    """Move a session into the past (as if it had been held), with its bookings' copies of the times."""
    start = timezone.now() - dt.timedelta(hours=hours_ago)
    end = start + dt.timedelta(hours=2)
    MediationSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=end)
    SessionMediator.objects.filter(session=session).update(starts_at=start, ends_at=end)


@pytest.fixture
def fenhu(api_as, fenhu_judge):
    return api_as(fenhu_judge)


@pytest.fixture
def headline(fenhu_judge, xitang_judge) -> Mediation:
    """Fenhu leads, Xitang accepted: the headline mediation, not yet in session."""
    return accepted(fenhu_judge, xitang_judge)


@pytest.fixture
def sharing_xitang(zhujiajiao_judge, xitang_judge) -> Mediation:
    """Zhujiajiao leads and Xitang accepted: the Xitang judge mediates this one too."""
    return accepted_by(zhujiajiao_judge, "zhujiajiao", xitang_judge, "xitang")


@pytest.fixture
def sharing_the_room(fenhu_judge_2, yaozhuang_judge) -> Mediation:
    """Another Fenhu judge leads and Yaozhuang accepted: no mediator in common, but Fenhu's rooms."""
    return accepted_by(fenhu_judge_2, "fenhu", yaozhuang_judge, "yaozhuang")


class TestScheduling:
    def test_the_first_session_puts_the_mediation_in_session(self, headline, fenhu, api_as, xitang_judge):
        start = next_working_morning()

        body = ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)

        assert (body["state"], body["mode"], body["tribunal"], body["room"]) == (
            "scheduled",
            "in_person",
            "fenhu",
            "第一调解室",
        )
        assert dt.datetime.fromisoformat(body["starts_at"]) == start
        assert body["starts_at"].endswith("+08:00")
        assert sorted(body["mediators"]) == ["fenhu.judge", "xitang.judge"]
        detail = ok(api_as(xitang_judge).get(at(headline.pk)))
        assert detail["state"] == "in_session"
        assert [s["id"] for s in detail["sessions"]] == [body["id"]]
        assert events(detail, "mediation.first_session") == [
            ("mediation.first_session", "accepted", "in_session")
        ]

    def test_a_second_session_leaves_it_in_session_with_one_event(self, headline, fenhu):
        first = ok(fenhu.post(at(headline.pk, "sessions"), session_payload(), format="json"), 201)
        later = working_morning_after(dt.datetime.fromisoformat(first["starts_at"]))

        ok(
            fenhu.post(at(headline.pk, "sessions"), session_payload(later), format="json"),
            201,
        )

        detail = ok(fenhu.get(at(headline.pk)))
        assert detail["state"] == "in_session"
        assert len(events(detail, "mediation.first_session")) == 1
        assert len(events(detail, "session.schedule")) == 2

    def test_an_online_session_has_an_https_link_and_is_hosted_by_the_scheduling_tribunal(
        self, headline, api_as, xitang_judge
    ):
        body = ok(
            api_as(xitang_judge).post(
                at(headline.pk, "sessions"),
                session_payload(
                    mode="online", tribunal=None, room="", meeting_url="https://meet.court.example/r/88"
                ),
                format="json",
            ),
            201,
        )

        assert (body["mode"], body["tribunal"], body["room"], body["meeting_url"]) == (
            "online",
            "xitang",
            "",
            "https://meet.court.example/r/88",
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"room": ""}, "room", id="in-person-without-a-room"),
            pytest.param({"tribunal": None}, "tribunal", id="in-person-without-a-tribunal"),
            pytest.param({"tribunal": "yaozhuang"}, "tribunal", id="at-a-tribunal-not-taking-part"),
            pytest.param({"mode": "online", "meeting_url": ""}, "meeting_url", id="online-without-a-link"),
            pytest.param(
                {"mode": "online", "meeting_url": "http://meet.example/r/1"},
                "meeting_url",
                id="online-not-https",
            ),
            pytest.param({"mode": "by_letter"}, "mode", id="unknown-mode"),
            pytest.param({"mediators": ["yaozhuang.judge"]}, "mediators", id="not-its-mediator"),
            pytest.param({"mediators": []}, "mediators", id="no-mediator"),
        ],
    )
    def test_a_bad_place_or_mediator_is_a_400_naming_the_field_and_nothing_is_booked(
        self, headline, fenhu, yaozhuang_judge, overrides, field
    ):
        refused(fenhu.post(at(headline.pk, "sessions"), session_payload(**overrides), format="json"), field)

        assert not MediationSession.objects.exists() and not SessionMediator.objects.exists()
        assert Mediation.objects.get(pk=headline.pk).state == "accepted"

    def test_a_session_in_the_past_is_refused(self, headline, fenhu):
        start = timezone.now() - dt.timedelta(hours=1)

        refused(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), "starts_at")

        assert not MediationSession.objects.exists()

    def test_a_session_ending_before_it_starts_is_refused(self, headline, fenhu):
        start = next_working_morning()

        refused(
            fenhu.post(
                at(headline.pk, "sessions"),
                session_payload(start, ends_at=iso(start - dt.timedelta(hours=1))),
                format="json",
            ),
            "ends_at",
        )
        refused(
            fenhu.post(at(headline.pk, "sessions"), session_payload(start, hours=0), format="json"), "ends_at"
        )

        assert not MediationSession.objects.exists()

    def test_a_session_outside_working_hours_needs_a_reason(self, headline, fenhu):
        evening = next_working_morning().replace(hour=19)

        refused(
            fenhu.post(at(headline.pk, "sessions"), session_payload(evening), format="json"),
            "off_hours_reason",
        )
        assert not MediationSession.objects.exists()

        body = ok(
            fenhu.post(
                at(headline.pk, "sessions"),
                session_payload(evening, off_hours_reason="原告白天在外地务工"),
                format="json",
            ),
            201,
        )

        assert body["off_hours_reason"] == "原告白天在外地务工"

    def test_a_session_on_a_rest_day_needs_a_reason(self, headline, fenhu):
        saturday_morning = dt.datetime.combine(next_rest_day(), dt.time(10), tzinfo=COURT_TZ)

        refused(
            fenhu.post(at(headline.pk, "sessions"), session_payload(saturday_morning), format="json"),
            "off_hours_reason",
        )

        ok(
            fenhu.post(
                at(headline.pk, "sessions"),
                session_payload(saturday_morning, off_hours_reason="当事人请求周末调解"),
                format="json",
            ),
            201,
        )

    def test_a_session_just_inside_working_hours_needs_no_reason(self, headline, fenhu):
        start = next_working_morning().replace(hour=8, minute=30)

        body = ok(
            fenhu.post(at(headline.pk, "sessions"), session_payload(start, hours=9), format="json"), 201
        )

        assert body["off_hours_reason"] == ""

    def test_no_session_before_an_invited_tribunal_accepted(self, fenhu_judge, fenhu):
        mediation, _code = open_headline(fenhu_judge)
        deliver_pending()

        refused(fenhu.post(at(mediation.pk, "sessions"), session_payload(), format="json"), "state")

        assert not MediationSession.objects.exists()

    def test_no_session_once_the_mediation_has_ended(self, headline, fenhu):
        ok(fenhu.post(at(headline.pk, "fail"), {"reason": "调解不成"}, format="json"))

        error(
            fenhu.post(at(headline.pk, "sessions"), session_payload(), format="json"),
            409,
            "invalid_transition",
        )


class TestNoDoubleBooking:
    def test_a_mediator_booked_in_another_mediation_is_refused(
        self, headline, sharing_xitang, fenhu, api_as, zhujiajiao_judge
    ):
        start = next_working_morning()
        ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)

        body = refused(
            api_as(zhujiajiao_judge).post(
                at(sharing_xitang.pk, "sessions"),
                session_payload(start + dt.timedelta(hours=1), tribunal="zhujiajiao", room="调解室"),
                format="json",
            ),
            "mediators",
        )

        assert set(body["fields"]) == {"mediators"}
        assert "xitang.judge" in body["fields"]["mediators"][0]
        assert headline.number not in body["message"]  # another court's mediation is not named
        assert not MediationSession.objects.filter(mediation=sharing_xitang).exists()
        assert Mediation.objects.get(pk=sharing_xitang.pk).state == "accepted"

    def test_the_same_room_at_the_same_time_is_refused(
        self, headline, sharing_the_room, fenhu, api_as, fenhu_judge_2
    ):
        start = next_working_morning()
        ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)

        body = refused(
            api_as(fenhu_judge_2).post(
                at(sharing_the_room.pk, "sessions"),
                session_payload(start + dt.timedelta(minutes=30)),
                format="json",
            ),
            "room",
        )

        assert set(body["fields"]) == {"room"}
        assert not MediationSession.objects.filter(mediation=sharing_the_room).exists()

    def test_another_room_at_the_same_time_is_free(
        self, headline, sharing_the_room, fenhu, api_as, fenhu_judge_2
    ):
        start = next_working_morning()
        ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)

        ok(
            api_as(fenhu_judge_2).post(
                at(sharing_the_room.pk, "sessions"), session_payload(start, room="第二调解室"), format="json"
            ),
            201,
        )

    def test_back_to_back_sessions_are_allowed(
        self, headline, sharing_xitang, sharing_the_room, fenhu, api_as, zhujiajiao_judge, fenhu_judge_2
    ):
        start = next_working_morning()
        ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)
        end = start + dt.timedelta(hours=2)

        ok(
            api_as(zhujiajiao_judge).post(
                at(sharing_xitang.pk, "sessions"),
                session_payload(end, tribunal="zhujiajiao", room="调解室"),
                format="json",
            ),
            201,
        )
        ok(
            api_as(fenhu_judge_2).post(
                at(sharing_the_room.pk, "sessions"),
                session_payload(start - dt.timedelta(hours=1), hours=1),
                format="json",
            ),
            201,
        )

        assert MediationSession.objects.count() == 3

    def test_a_cancelled_session_frees_its_room_and_mediators(
        self, headline, sharing_xitang, sharing_the_room, fenhu, api_as, zhujiajiao_judge, fenhu_judge_2
    ):
        start = next_working_morning()
        first = ok(fenhu.post(at(headline.pk, "sessions"), session_payload(start), format="json"), 201)
        ok(fenhu.post(session_at(first["id"], "cancel"), {"reason": "被告申请改期"}, format="json"))

        ok(
            api_as(zhujiajiao_judge).post(
                at(sharing_xitang.pk, "sessions"),
                session_payload(start, tribunal="zhujiajiao", room="调解室"),
                format="json",
            ),
            201,
        )
        ok(
            api_as(fenhu_judge_2).post(
                at(sharing_the_room.pk, "sessions"), session_payload(start), format="json"
            ),
            201,
        )


class TestReschedulingAndCancelling:
    def test_a_session_is_moved_with_a_reason(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)
        later = next_working_morning(3)

        body = ok(
            fenhu.post(
                session_at(session.pk, "reschedule"),
                {
                    "starts_at": iso(later),
                    "ends_at": iso(later + dt.timedelta(hours=1)),
                    "reason": "原告住院",
                },
                format="json",
            )
        )

        assert (body["state"], dt.datetime.fromisoformat(body["starts_at"])) == ("scheduled", later)
        assert set(SessionMediator.objects.filter(session=session).values_list("starts_at", flat=True)) == {
            later
        }
        detail = ok(fenhu.get(at(headline.pk)))
        assert events(detail, "session.reschedule") == [("session.reschedule", "scheduled", "scheduled")]
        assert detail["timeline"][-1]["reason"] == "原告住院"

    def test_moving_a_session_needs_a_reason(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)
        later = next_working_morning(3)

        refused(
            fenhu.post(
                session_at(session.pk, "reschedule"),
                {"starts_at": iso(later), "ends_at": iso(later + dt.timedelta(hours=1))},
                format="json",
            ),
            "reason",
        )

        assert MediationSession.objects.get(pk=session.pk).starts_at == session.starts_at

    @pytest.mark.parametrize(
        ("when", "field"),
        [
            pytest.param("past", "starts_at", id="into-the-past"),
            pytest.param("backwards", "ends_at", id="ending-before-it-starts"),
            pytest.param("evening", "off_hours_reason", id="off-hours-without-a-reason"),
        ],
    )
    def test_a_move_is_checked_as_a_new_session_is(self, headline, fenhu, when, field):
        session = schedule(headline, headline.lead_mediator)
        start = {
            "past": timezone.now() - dt.timedelta(days=1),
            "backwards": next_working_morning(3),
            "evening": next_working_morning(3).replace(hour=19),
        }[when]
        end = start - dt.timedelta(hours=1) if when == "backwards" else start + dt.timedelta(hours=1)

        refused(
            fenhu.post(
                session_at(session.pk, "reschedule"),
                {"starts_at": iso(start), "ends_at": iso(end), "reason": "改期"},
                format="json",
            ),
            field,
        )

        assert MediationSession.objects.get(pk=session.pk).starts_at == session.starts_at

    def test_a_move_onto_a_booked_mediator_or_room_is_refused(
        self, headline, sharing_xitang, sharing_the_room, fenhu, zhujiajiao_judge, fenhu_judge_2
    ):
        ours = schedule(headline, headline.lead_mediator)
        theirs = working_morning_after(ours.starts_at)
        schedule(
            sharing_xitang, zhujiajiao_judge, start=theirs, tribunal=tribunal("zhujiajiao"), room="调解室"
        )
        in_our_room = next_working_morning(5).replace(hour=14)
        schedule(sharing_the_room, fenhu_judge_2, start=in_our_room)

        refused(
            fenhu.post(
                session_at(ours.pk, "reschedule"),
                {"starts_at": iso(theirs), "ends_at": iso(theirs + dt.timedelta(hours=1)), "reason": "改期"},
                format="json",
            ),
            "mediators",
        )
        body = refused(
            fenhu.post(
                session_at(ours.pk, "reschedule"),
                {
                    "starts_at": iso(in_our_room),
                    "ends_at": iso(in_our_room + dt.timedelta(hours=1)),
                    "reason": "改期",
                },
                format="json",
            ),
            "room",
        )

        assert set(body["fields"]) == {"room"}
        assert MediationSession.objects.get(pk=ours.pk).starts_at == ours.starts_at

    def test_a_session_may_be_moved_onto_its_own_time(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)

        ok(
            fenhu.post(
                session_at(session.pk, "reschedule"),
                {
                    "starts_at": iso(session.starts_at + dt.timedelta(minutes=30)),
                    "ends_at": iso(session.ends_at + dt.timedelta(minutes=30)),
                    "reason": "推迟半小时",
                },
                format="json",
            )
        )

    def test_a_session_is_cancelled_with_a_reason(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)

        refused(fenhu.post(session_at(session.pk, "cancel"), {}, format="json"), "reason")
        assert MediationSession.objects.get(pk=session.pk).state == "scheduled"

        body = ok(fenhu.post(session_at(session.pk, "cancel"), {"reason": "被告申请改期"}, format="json"))

        assert (body["state"], body["cancel_reason"]) == ("cancelled", "被告申请改期")
        assert not SessionMediator.objects.filter(session=session, active=True).exists()
        assert events(ok(fenhu.get(at(headline.pk))), "session.cancel") == [
            ("session.cancel", "scheduled", "cancelled")
        ]

    def test_a_cancelled_session_cannot_be_moved_or_cancelled_again(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)
        ok(fenhu.post(session_at(session.pk, "cancel"), {"reason": "取消"}, format="json"))
        later = next_working_morning(3)

        error(
            fenhu.post(
                session_at(session.pk, "reschedule"),
                {"starts_at": iso(later), "ends_at": iso(later + dt.timedelta(hours=1)), "reason": "改期"},
                format="json",
            ),
            409,
            "invalid_transition",
        )
        error(
            fenhu.post(session_at(session.pk, "cancel"), {"reason": "再取消"}, format="json"),
            409,
            "invalid_transition",
        )


class TestMinutes:
    def test_a_held_session_is_minuted_with_who_came(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)
        started(session)
        parties = party_ids(headline.pk)

        body = ok(
            fenhu.post(
                session_at(session.pk, "record"),
                {"minutes": "双方就付款期限达成初步一致。", "attendance": parties[:1]},
                format="json",
            )
        )

        assert (body["state"], body["minutes"], body["attendance"]) == (
            "held",
            "双方就付款期限达成初步一致。",
            parties[:1],
        )
        assert body["recorded_at"] is not None
        assert events(ok(fenhu.get(at(headline.pk))), "session.record") == [
            ("session.record", "scheduled", "held")
        ]

    @pytest.mark.parametrize("minutes", ["", "   "])
    def test_minutes_are_required(self, headline, fenhu, minutes):
        session = schedule(headline, headline.lead_mediator)
        started(session)

        refused(
            fenhu.post(
                session_at(session.pk, "record"), {"minutes": minutes, "attendance": []}, format="json"
            ),
            "minutes",
        )

        assert MediationSession.objects.get(pk=session.pk).state == "scheduled"

    def test_only_parties_of_this_mediation_are_present(self, headline, sharing_the_room, fenhu):
        session = schedule(headline, headline.lead_mediator)
        started(session)
        stranger = party_ids(sharing_the_room.pk)[0]

        refused(
            fenhu.post(
                session_at(session.pk, "record"),
                {"minutes": "到场情况", "attendance": [party_ids(headline.pk)[0], stranger]},
                format="json",
            ),
            "attendance",
        )

        assert MediationSession.objects.get(pk=session.pk).state == "scheduled"
        assert not MediationSession.objects.get(pk=session.pk).present.exists()

    def test_a_session_not_started_yet_cannot_be_minuted(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)

        refused(
            fenhu.post(
                session_at(session.pk, "record"), {"minutes": "提前记录", "attendance": []}, format="json"
            ),
            "minutes",
        )

        assert MediationSession.objects.get(pk=session.pk).state == "scheduled"

    def test_a_session_is_minuted_once(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)
        started(session)
        ok(fenhu.post(session_at(session.pk, "record"), {"minutes": "笔录", "attendance": []}, format="json"))
        before = Event.objects.count()

        error(
            fenhu.post(
                session_at(session.pk, "record"), {"minutes": "再记", "attendance": []}, format="json"
            ),
            409,
            "invalid_transition",
        )

        assert Event.objects.count() == before
        assert MediationSession.objects.get(pk=session.pk).minutes == "笔录"


class TestReading:
    def test_a_session_reads_with_its_mediation_number(self, headline, fenhu):
        session = schedule(headline, headline.lead_mediator)

        body = ok(fenhu.get(session_at(session.pk)))

        assert (body["id"], body["mediation"], body["mediation_number"]) == (
            session.pk,
            headline.pk,
            headline.number,
        )

    def test_the_list_filters_by_tribunal_and_day(
        self, headline, sharing_xitang, fenhu, api_as, xitang_judge, zhujiajiao_judge
    ):
        ours = schedule(headline, headline.lead_mediator)
        day = working_morning_after(ours.starts_at)
        theirs = schedule(
            sharing_xitang, zhujiajiao_judge, start=day, tribunal=tribunal("zhujiajiao"), room="调解室"
        )
        xitang = api_as(xitang_judge)  # sees both: Jiashan takes part in both mediations

        everything = ok(xitang.get(SESSIONS))
        at_fenhu = ok(xitang.get(SESSIONS, {"tribunal": "fenhu"}))
        that_day = ok(
            xitang.get(SESSIONS, {"starts_from": day.date().isoformat(), "starts_to": day.date().isoformat()})
        )

        assert {row["id"] for row in everything["results"]} == {ours.pk, theirs.pk}
        assert [row["id"] for row in at_fenhu["results"]] == [ours.pk]
        assert [row["id"] for row in that_day["results"]] == [theirs.pk]
        assert [row["id"] for row in ok(fenhu.get(SESSIONS))["results"]] == [ours.pk]

    def test_the_list_costs_the_same_queries_with_2_and_6_sessions(self, headline, fenhu):
        def queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                body = ok(fenhu.get(SESSIONS))
            return len(captured), body["count"]

        day = next_working_morning()
        for hour in (9, 10):
            schedule(headline, headline.lead_mediator, start=day.replace(hour=hour), hours=1)
        with_two, count = queries()
        assert count == 2
        for hour in (11, 13, 14, 15):
            schedule(headline, headline.lead_mediator, start=day.replace(hour=hour), hours=1)

        assert queries() == (with_two, 6)
