"""Mediation's clocks on the legal calendar: the 3 working days to answer an invitation (then flagged and
escalated), the 30 days of mediation from acceptance (then expired, unless the parties extended it), and the
30 days to apply for judicial confirmation (CPL 205), across the National Day holiday."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from courts.legal_calendar import COURT_TZ, compute_deadline
from courts.models import Event, Notification
from mediation.models import Invitation, Mediation, MediationSession
from mediation.services import confirmations
from mediation.services.clocks import mediations_sweep
from mediation.services.mediations import mediation_extend
from tests.cases.conftest import deliver_pending
from tests.conftest import make_staff
from tests.mediation.conftest import accepted, agree, open_headline, schedule

pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=COURT_TZ)


def test_an_unanswered_invitation_is_flagged_after_3_working_days_then_escalated(
    fenhu_judge, xitang_judge, courts
):
    jiashan_admin = make_staff("jiashan.admin", "jiashan", ["court_admin"])
    # Friday 2026-09-25: the 3 working days skip the weekend: Mon 28, Tue 29, Wed 30 September.
    with time_machine.travel(at(2026, 9, 25, 10), tick=False):
        mediation, _code = open_headline(fenhu_judge)
        deliver_pending()
    invitation = Invitation.objects.get(mediation=mediation)
    expected = compute_deadline(at(2026, 9, 25, 10), 3, "working_days").due
    assert invitation.due_at == expected == at(2026, 9, 30, 23, 59, 59)
    assert invitation.state == "received"

    with time_machine.travel(expected - dt.timedelta(hours=1), tick=False):
        assert mediations_sweep()["invitations_overdue"] == 0
    with time_machine.travel(expected + dt.timedelta(hours=1), tick=False):
        counts = mediations_sweep()
        assert counts["invitations_overdue"] == 1 and counts["invitations_escalated"] == 0
        assert mediations_sweep()["invitations_overdue"] == 0  # flagged once
    assert Notification.objects.filter(recipient=xitang_judge, title__contains="3").exists()
    assert Notification.objects.filter(recipient=fenhu_judge).exists()
    assert not Notification.objects.filter(recipient=jiashan_admin).exists()
    # One working day after that (the National Day holiday runs 1-7 October, so 8 October): escalated to
    # Jiashan's administrators.
    with time_machine.travel(at(2026, 10, 8, 20), tick=False):
        assert mediations_sweep()["invitations_escalated"] == 0
    with time_machine.travel(at(2026, 10, 9, 9), tick=False):
        assert mediations_sweep()["invitations_escalated"] == 1
    assert Notification.objects.filter(recipient=jiashan_admin).count() == 1
    actions = list(Event.objects.for_subject(invitation).values_list("action", flat=True))
    assert actions == ["invitation.send", "invitation.receive", "invitation.overdue", "invitation.escalate"]


def test_a_mediation_expires_30_days_after_acceptance_unless_extended(fenhu_judge, xitang_judge):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        mediation = accepted(fenhu_judge, xitang_judge)
    # 30 days from 2 November: 2 December (a Wednesday, a working day).
    assert mediation.expires_on == dt.date(2026, 12, 2)
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        # No session past the end: the parties must agree to extend first.
        with pytest.raises(ValidationError) as refused:
            schedule(mediation, fenhu_judge, start=at(2026, 12, 10, 10))
        assert "2026-12-02" in refused.value.message_dict["starts_at"][0]
        parties = list(mediation.parties.values_list("pk", flat=True))
        with pytest.raises(ValidationError) as refused:
            mediation_extend(
                mediation_id=mediation.pk,
                actor=xitang_judge,
                until=dt.date(2026, 12, 20),
                reason="双方同意延长",
                agreed_by=parties[:1],
            )
        assert "agreed_by" in refused.value.message_dict
        mediation_extend(
            mediation_id=mediation.pk, actor=xitang_judge, until=dt.date(2026, 12, 20), reason="双方同意延长"
        )
        session = schedule(mediation, fenhu_judge, start=at(2026, 12, 10, 10))
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        assert mediations_sweep()["mediations_expired"] == 0  # the old end passed; the new one did not
    with time_machine.travel(at(2026, 12, 21, 9), tick=False):
        assert mediations_sweep()["mediations_expired"] == 1
    mediation.refresh_from_db()
    assert mediation.state == "expired"
    assert mediation.extensions.get().previous_end == dt.date(2026, 12, 2)
    session.refresh_from_db()
    assert session.state == "scheduled"  # it was in the past by then: kept as it was, not cancelled
    actions = list(Event.objects.for_subject(mediation).values_list("action", flat=True))
    assert actions[-3:] == ["mediation.extend", "mediation.first_session", "mediation.expire"]


def test_past_its_end_before_the_sweep_a_mediation_takes_no_more_work(fenhu_judge, xitang_judge):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        mediation = accepted(fenhu_judge, xitang_judge)
    with time_machine.travel(at(2026, 12, 3, 8), tick=False):  # the sweep has not run yet
        with pytest.raises(ValidationError) as refused:
            schedule(mediation, fenhu_judge, start=at(2026, 12, 3, 10))
        assert "2026-12-02" in refused.value.message_dict["starts_at"][0]
        with pytest.raises(ValidationError):
            mediation_extend(
                mediation_id=mediation.pk, actor=xitang_judge, until=dt.date(2026, 12, 20), reason="晚了"
            )
        assert mediations_sweep()["mediations_expired"] == 1


def test_failing_cancels_the_sessions_still_to_come_and_tells_the_other_court(fenhu_judge, xitang_judge):
    from mediation.services.mediations import mediation_fail

    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        mediation = accepted(fenhu_judge, xitang_judge)
        session = schedule(
            mediation, fenhu_judge, start=at(2026, 11, 25, 19), off_hours_reason="当事人白天无法到场"
        )
        deliver_pending()
        mediation_fail(mediation_id=mediation.pk, actor=fenhu_judge, reason="被告明确拒绝调解")
        deliver_pending()
    session.refresh_from_db()
    assert session.state == MediationSession.State.CANCELLED
    assert Notification.objects.filter(recipient=xitang_judge, title__contains=mediation.number).exists()


def agreed_on(day: dt.date, fenhu_judge, xitang_judge) -> Mediation:
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), COURT_TZ), tick=False):
        mediation = accepted(fenhu_judge, xitang_judge)
        schedule(
            mediation,
            fenhu_judge,
            start=dt.datetime.combine(day, dt.time(10), COURT_TZ) + dt.timedelta(minutes=1),
        )
    with time_machine.travel(dt.datetime.combine(day, dt.time(11), COURT_TZ), tick=False):
        agree(mediation, fenhu_judge, effective_on=day, payments=[], amount=None)
    mediation.refresh_from_db()
    assert mediation.state == "agreed"
    return mediation


def test_the_30_days_to_apply_run_past_the_national_day_holiday(fenhu_judge, xitang_judge, courts):
    # Effective 1 September: the 30th day is 1 October, a holiday; the period runs to 8 October (CPL 85).
    mediation = agreed_on(dt.date(2026, 9, 1), fenhu_judge, xitang_judge)
    assert confirmations.application_deadline(mediation.agreements.get()) == dt.date(2026, 10, 8)
    parties = list(mediation.parties.values_list("pk", flat=True))
    with time_machine.travel(at(2026, 10, 9, 9), tick=False), pytest.raises(ValidationError) as refused:
        confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        )
    assert "2026-10-08" in refused.value.message_dict["mediation"][0]
    with time_machine.travel(at(2026, 10, 8, 16), tick=False):
        confirmation = confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        )
    assert confirmation.state == "applied"


def test_a_registered_confirmation_is_due_in_30_days_and_flagged_when_late(
    fenhu_judge, xitang_judge, wujiang_filing, wujiang_judge, courts
):
    day = dt.date(2026, 11, 2)
    mediation = agreed_on(day, fenhu_judge, xitang_judge)
    parties = list(mediation.parties.values_list("pk", flat=True))
    with time_machine.travel(at(2026, 11, 2, 14), tick=False):
        confirmation = confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        )
        confirmations.confirmation_register(confirmation_id=confirmation.pk, actor=wujiang_filing)
    confirmation.refresh_from_db()
    assert confirmation.decision_due_at == compute_deadline(at(2026, 11, 2, 14), 30, "days").due
    assert confirmation.target_due_at == compute_deadline(at(2026, 11, 2, 14), 15, "days").due
    with time_machine.travel(confirmation.decision_due_at + dt.timedelta(hours=1), tick=False):
        assert mediations_sweep()["confirmations_overdue"] == 1
        assert mediations_sweep()["confirmations_overdue"] == 0
    late = Notification.objects.filter(recipient=wujiang_judge, title__contains="民事诉讼法第一百八十七条")
    assert late.exists()


def test_an_application_not_supplemented_in_time_is_told_to_the_court(
    fenhu_judge, xitang_judge, wujiang_filing, courts
):
    """Interp 357: the court may treat it as withdrawn; the sweep tells it once, the decision stays its."""
    mediation = agreed_on(dt.date(2026, 11, 2), fenhu_judge, xitang_judge)
    parties = list(mediation.parties.values_list("pk", flat=True))
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        confirmation = confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        )
        confirmations.confirmation_request_supplement(
            confirmation_id=confirmation.pk,
            actor=wujiang_filing,
            items=["双方身份证明"],
            deadline=dt.date(2026, 11, 10),
        )
    with time_machine.travel(at(2026, 11, 10, 20), tick=False):
        assert mediations_sweep()["supplements_lapsed"] == 0
    with time_machine.travel(at(2026, 11, 11, 9), tick=False):
        assert mediations_sweep()["supplements_lapsed"] == 1
        assert mediations_sweep()["supplements_lapsed"] == 0
    confirmation.refresh_from_db()
    assert confirmation.state == "supplement_requested"
    assert Notification.objects.filter(
        recipient=wujiang_filing, url=f"/confirmations/{confirmation.pk}/"
    ).exists()
