"""The zone's headline case, day by day on the legal calendar: a six-year goods-payment dispute between a
plaintiff in Wujiang and a company in Jiashan. The complaint is filed at Jiashan's window for Wujiang (Monday
09:00), Wujiang diverts it to pre-filing mediation, the Fenhu judge opens the mediation from the filing and
invites Xitang, Xitang accepts, they hold a session at Fenhu on Tuesday, the parties sign, apply jointly, and
Wujiang registers a 民特 case and confirms the agreement on Thursday at 11:00: three days and two hours, read
from the timeline, with each step's share."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from cases.models import Filing
from cases.services.filings import filing_divert_to_mediation
from courts.legal_calendar import COURT_TZ
from courts.models import Event
from mediation.elapsed import days_and_hours, elapsed_for
from mediation.models import Mediation, MediationParty
from mediation.services import confirmations
from mediation.services.mediations import Origin, invitation_accept, mediation_open
from mediation.services.sessions import session_record
from tests.cases.conftest import deliver_pending, submit
from tests.mediation.conftest import agree, schedule, tribunal

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=COURT_TZ)


@pytest.fixture
def story(courts, jiashan_window, wujiang_filing, fenhu_judge, xitang_judge, wujiang_judge):
    def step(when, action):
        with time_machine.travel(when, tick=False):
            result = action()
            deliver_pending()
            return result

    filing, _code = step(
        at(7, 9),
        lambda: submit(
            jiashan_window,
            courts,
            jurisdiction_court="wujiang",
            parties=[
                {
                    "role": "plaintiff",
                    "kind": "person",
                    "name": "沈建国",
                    "id_number": "320509199001011239",
                    "phone": "13812345678",
                    "address": "江苏省苏州市吴江区黎里镇汾湖大道88号",
                },
                {
                    "role": "defendant",
                    "kind": "organisation",
                    "name": "嘉善县某纺织品有限公司",
                    "address": "浙江省嘉兴市嘉善县西塘镇",
                },
            ],
            claim_amount="1280000.00",
        ),
    )
    step(at(7, 9, 40), lambda: filing_divert_to_mediation(filing_id=filing.pk, actor=wujiang_filing))
    mediation, _code = step(
        at(7, 10),
        lambda: mediation_open(
            actor=fenhu_judge,
            lead_tribunal=tribunal("fenhu"),
            invited_tribunals=[tribunal("xitang")],
            origin=Origin(filing_id=filing.pk),
            consent=True,
        ),
    )
    invitation = mediation.invitations.get()
    step(at(7, 11), lambda: invitation_accept(invitation_id=invitation.pk, actor=xitang_judge))
    session = step(at(7, 15), lambda: schedule(mediation, fenhu_judge, start=at(8, 14), hours=2))
    parties = list(MediationParty.objects.filter(mediation=mediation).values_list("pk", flat=True))
    step(
        at(8, 16, 10),
        lambda: session_record(
            session_id=session.pk, actor=xitang_judge, minutes="双方达成一致。", attendance=parties
        ),
    )
    step(at(8, 16, 20), lambda: agree(mediation, fenhu_judge, effective_on=dt.date(2026, 12, 8)))
    confirmation = step(
        at(8, 16, 30),
        lambda: confirmations.confirmation_apply(
            mediation_id=mediation.pk, actor=fenhu_judge, court=courts["wujiang"], applicants=parties
        ),
    )
    step(
        at(9, 9, 30),
        lambda: confirmations.confirmation_register(confirmation_id=confirmation.pk, actor=wujiang_filing),
    )
    step(
        at(10, 11),
        lambda: confirmations.confirmation_confirm(confirmation_id=confirmation.pk, actor=wujiang_judge),
    )
    mediation.refresh_from_db()
    confirmation.refresh_from_db()
    return {"filing": filing, "mediation": mediation, "confirmation": confirmation}


def test_the_parties_arrive_from_the_filing_intact(story):
    filing, mediation = story["filing"], story["mediation"]
    assert mediation.origin == Mediation.Origin.FILING
    assert mediation.cause == filing.cause and mediation.claim_amount == Decimal("1280000.00")
    assert mediation.jurisdiction_court.code == "wujiang"
    copied = ["role", "kind", "name", "id_number_cipher", "id_number_masked", "phone_cipher", "address"]
    assert list(mediation.parties.values_list(*copied)) == list(filing.parties.values_list(*copied))
    assert mediation.materials == filing.materials
    assert Filing.objects.get(pk=filing.pk).state == "diverted_to_mediation"


def test_only_the_court_that_diverted_the_filing_is_competent(story):
    assert [court.code for court in confirmations.competent_courts(story["mediation"])] == ["wujiang"]
    assert story["confirmation"].competent_courts == ["wujiang"]


def test_complaint_to_ruling_is_three_days_and_two_hours_from_the_timeline(story):
    confirmation = story["confirmation"]
    assert confirmation.state == "confirmed"
    assert confirmation.case.number == "（2026）苏0509民特1号"
    # The 民特 case closes with the ruling, on its own timeline.
    assert confirmation.case.state == "closed" and confirmation.case.closed_at == at(10, 11)
    case_actions = list(Event.objects.for_subject(confirmation.case).values_list("action", flat=True))
    assert case_actions == ["case.register", "case.close"]
    elapsed = elapsed_for(story["mediation"], confirmation, now=at(20, 9))
    assert elapsed.started_at == at(7, 9)
    assert elapsed.ended_at == at(10, 11)
    assert days_and_hours(elapsed.seconds) == (3, 2)
    steps = {step.key: step for step in elapsed.steps}
    assert list(steps) == ["opened", "accepted", "agreed", "applied", "registered", "decided"]
    # complaint -> opened: 1 hour (filed, received, diverted, opened); -> accepted: 1 hour; -> agreed:
    # 29 h 20 min (the session on Tuesday); -> applied: 10 min; -> registered: 17 h; -> ruling: 25.5 h.
    assert steps["opened"].seconds == 3600
    assert steps["accepted"].seconds == 3600
    assert steps["agreed"].seconds == 29 * 3600 + 20 * 60
    assert steps["registered"].seconds == 17 * 3600
    assert steps["decided"].seconds == 25 * 3600 + 30 * 60
    assert sum(step.share for step in elapsed.steps) == pytest.approx(1.0)
    assert steps["decided"].share == pytest.approx(25.5 / 74)


def test_the_system_steps_take_no_time_of_their_own(story):
    """What the people did not do, the system did within the same minute: the invitation reached Xitang
    and the answer reached Wujiang at once (the deliveries ran inside each step here, as a worker does
    within milliseconds; tests/mediation/test_story_worker.py shows it with a real worker)."""
    invitation = story["mediation"].invitations.get()
    assert invitation.received_at == invitation.invited_at == at(7, 10)
    assert story["mediation"].accepted_at == at(7, 11)
