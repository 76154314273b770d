"""No mediator and no room is booked twice at once, across all three courts, even when two judges book at the
same moment: on PostgreSQL the exclusion constraints refuse the second booking that the service's own check
could not see (both checked before either had committed)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mediation.models import MediationSession, SessionMediator
from mediation.services import sessions as session_services
from mediation.services.mediations import invitation_accept
from tests.cases.conftest import deliver_pending
from tests.conftest import requires_postgres
from tests.mediation.conftest import accepted, next_working_morning, open_headline, schedule, tribunal

pytestmark = pytest.mark.django_db


def accepted_by(lead_judge, lead_code, invitee, invited_code):
    mediation, _code = open_headline(lead_judge, invited=(invited_code,), lead_tribunal=tribunal(lead_code))
    deliver_pending()
    invitation_accept(invitation_id=mediation.invitations.get().pk, actor=invitee)
    deliver_pending()
    mediation.refresh_from_db()
    assert mediation.state == "accepted"
    return mediation


def test_a_mediator_booked_in_another_courts_mediation_is_refused(
    fenhu_judge, xitang_judge, zhujiajiao_judge
):
    ours = accepted(fenhu_judge, xitang_judge)
    theirs = accepted_by(zhujiajiao_judge, "zhujiajiao", xitang_judge, "xitang")
    start = next_working_morning()
    schedule(theirs, zhujiajiao_judge, start=start, tribunal=tribunal("zhujiajiao"), room="调解室")
    with pytest.raises(ValidationError) as refused:
        schedule(ours, fenhu_judge, start=start.replace(hour=11))
    assert "mediators" in refused.value.message_dict
    assert "xitang.judge" in refused.value.message_dict["mediators"][0]
    assert MediationSession.objects.filter(mediation=ours).count() == 0


def test_a_room_booked_at_that_time_is_refused_and_back_to_back_is_allowed(
    fenhu_judge, fenhu_judge_2, xitang_judge, zhujiajiao_judge
):
    first = accepted(fenhu_judge, xitang_judge)
    second = accepted_by(fenhu_judge_2, "fenhu", zhujiajiao_judge, "zhujiajiao")
    start = next_working_morning()
    schedule(first, fenhu_judge, start=start, hours=2)
    with pytest.raises(ValidationError) as refused:
        schedule(second, fenhu_judge_2, start=start.replace(hour=11), hours=2)
    assert set(refused.value.message_dict) == {"room"}
    back_to_back = schedule(second, fenhu_judge_2, start=start.replace(hour=12), hours=2)
    assert back_to_back.room == "第一调解室"


def test_a_cancelled_session_frees_its_room_and_mediators(fenhu_judge, xitang_judge):
    mediation = accepted(fenhu_judge, xitang_judge)
    start = next_working_morning()
    session = schedule(mediation, fenhu_judge, start=start)
    session_services.session_cancel(session_id=session.pk, actor=fenhu_judge, reason="当事人请求改期")
    assert not SessionMediator.objects.filter(session=session, active=True).exists()
    again = schedule(mediation, xitang_judge, start=start)
    assert again.state == "scheduled"


def _in_thread(function):
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return run


def _book_at_once(monkeypatch, bookings) -> list:
    """Run the bookings in two threads that both pass the service's check before either inserts, so only
    the database can tell them apart. Returns each outcome: the session, or the ValidationError."""
    check, barrier = session_services._check_free, threading.Barrier(len(bookings))

    def check_then_wait(**kwargs):
        errors = check(**kwargs)
        barrier.wait(timeout=10)
        return errors

    monkeypatch.setattr(session_services, "_check_free", check_then_wait)

    @_in_thread
    def book(arguments):
        try:
            return schedule(**arguments)
        except ValidationError as refusal:
            return refusal

    with ThreadPoolExecutor(len(bookings)) as pool:
        return list(pool.map(book, bookings))


@requires_postgres()
def test_two_concurrent_bookings_of_one_mediator_cannot_both_succeed(
    transactional_db, monkeypatch, fenhu_judge, xitang_judge, zhujiajiao_judge
):
    ours = accepted(fenhu_judge, xitang_judge)
    theirs = accepted_by(zhujiajiao_judge, "zhujiajiao", xitang_judge, "xitang")
    start = next_working_morning()
    outcomes = _book_at_once(
        monkeypatch,
        [
            {"mediation": ours, "judge": fenhu_judge, "start": start},
            {
                "mediation": theirs,
                "judge": zhujiajiao_judge,
                "start": start,
                "tribunal": tribunal("zhujiajiao"),
                "room": "调解室",
            },
        ],
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1, outcomes
    assert "mediators" in refused[0].message_dict
    assert SessionMediator.objects.filter(mediator=xitang_judge, active=True).count() == 1
    # The refused booking left nothing behind: one session in all, its mediation's state unchanged.
    assert MediationSession.objects.count() == 1


@requires_postgres()
def test_two_concurrent_bookings_of_one_room_cannot_both_succeed(
    transactional_db, monkeypatch, fenhu_judge, fenhu_judge_2, xitang_judge, zhujiajiao_judge
):
    first = accepted(fenhu_judge, xitang_judge)
    second = accepted_by(fenhu_judge_2, "fenhu", zhujiajiao_judge, "zhujiajiao")
    start = next_working_morning()
    outcomes = _book_at_once(
        monkeypatch,
        [
            {"mediation": first, "judge": fenhu_judge, "start": start},
            {"mediation": second, "judge": fenhu_judge_2, "start": start.replace(hour=11)},
        ],
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refused) == 1, outcomes
    assert set(refused[0].message_dict) == {"room"}
    assert MediationSession.objects.count() == 1


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_booking_aborted_as_a_deadlock_lost_the_race_and_is_told_so():
    """Two bookings inserted at the same instant can each wait for the other's exclusion check; PostgreSQL
    aborts one as a deadlock, which is answered like the constraint's own refusal."""
    from django.db import OperationalError

    for relation, field in (
        ("mediation_mediationsession", "room"),
        ("mediation_sessionmediator", "mediators"),
    ):
        error = OperationalError(
            f'deadlock detected\nCONTEXT:  while checking exclusion constraint in relation "{relation}"'
        )
        error.__cause__ = _Deadlock()
        with pytest.raises(ValidationError) as refused, session_services._booked():
            raise error
        assert set(refused.value.message_dict) == {field}
    with pytest.raises(OperationalError), session_services._booked():
        raise OperationalError("server closed the connection unexpectedly")
