"""Mediation fixtures: the zone's headline case. The plaintiff lives in Wujiang, the defendant company is in
Jiashan; the Fenhu tribunal (Wujiang) leads and invites the Xitang tribunal (Jiashan)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Filing
from cases.services.filings import filing_divert_to_mediation
from cases.services.parties import PartyInput
from courts.legal_calendar import COURT_TZ
from courts.models import Tribunal
from mediation.models import Mediation, MediationParty
from mediation.services.agreements import PaymentInput, SignatureInput, mediation_agree
from mediation.services.mediations import Origin, invitation_accept, mediation_open
from mediation.services.sessions import session_schedule
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, submit
from tests.conftest import make_staff

DEFENDANT_USCC = "91330421MA2B12345X"  # shape only; its check character is not asserted here


def headline_parties() -> list[PartyInput]:
    return [
        PartyInput(
            role="plaintiff",
            kind="person",
            name="沈建国",
            id_number=PLAINTIFF_ID,
            phone="13812345678",
            address="江苏省苏州市吴江区黎里镇汾湖大道88号",
        ),
        PartyInput(
            role="defendant",
            kind="organisation",
            name="嘉善县某纺织品有限公司",
            phone="0573-84000000",
            address="浙江省嘉兴市嘉善县西塘镇工业园区",
        ),
    ]


@pytest.fixture
def fenhu_judge(courts):
    return make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")


@pytest.fixture
def fenhu_judge_2(courts):
    return make_staff("fenhu.judge2", "wujiang", ["judge"], "fenhu")


@pytest.fixture
def zhujiajiao_judge(courts):
    return make_staff("zhujiajiao.judge", "qingpu", ["judge"], "zhujiajiao")


@pytest.fixture
def yaozhuang_judge(courts):
    return make_staff("yaozhuang.judge", "jiashan", ["judge"], "yaozhuang")


@pytest.fixture
def wujiang_judge(courts):
    """A judge of Wujiang's court who sits at no tribunal (decides confirmations at the court)."""
    return make_staff("wujiang.judge", "wujiang", ["judge"])


@pytest.fixture
def wujiang_filing(courts):
    return make_staff("wujiang.filing", "wujiang", ["filing_clerk"])


@pytest.fixture
def jiashan_window(courts):
    return make_staff("jiashan.window", "jiashan", ["window_clerk"])


@pytest.fixture
def xitang_judge_2(courts):
    return make_staff("xitang.judge2", "jiashan", ["judge"], "xitang")


@pytest.fixture
def jiashan_filing(courts):
    return make_staff("jiashan.filing", "jiashan", ["filing_clerk"])


@pytest.fixture
def qingpu_window(courts):
    return make_staff("qingpu.window", "qingpu", ["window_clerk"])


@pytest.fixture
def diverted(qingpu_window, wujiang_filing, courts) -> Filing:
    """Filed at Qingpu's window for Wujiang, received there and diverted to pre-filing mediation by
    Wujiang's filing clerk."""
    filing, _code = submit(qingpu_window, courts, jurisdiction_court="wujiang")
    deliver_pending()
    filing_divert_to_mediation(filing_id=filing.pk, actor=wujiang_filing)
    deliver_pending()
    filing.refresh_from_db()
    assert filing.state == "diverted_to_mediation"
    return filing


def tribunal(code: str) -> Tribunal:
    return Tribunal.objects.select_related("court").get(code=code)


def open_headline(judge, invited=("xitang",), **overrides) -> tuple[Mediation, str]:
    values = {
        "actor": judge,
        "lead_tribunal": tribunal("fenhu"),
        "invited_tribunals": [tribunal(code) for code in invited],
        "origin": Origin(parties=headline_parties()),
        "consent": True,
        "cause": "买卖合同纠纷",
        "claim_amount": Decimal("1280000.00"),
        "jurisdiction_court": tribunal("fenhu").court,
    }
    values.update(overrides)
    return mediation_open(**values)


def accepted(judge, invitee) -> Mediation:
    """Opened by Fenhu, received and accepted by Xitang, settled at Wujiang: accepted."""
    mediation, _code = open_headline(judge)
    deliver_pending()
    invitation = mediation.invitations.get()
    invitation_accept(invitation_id=invitation.pk, actor=invitee)
    deliver_pending()
    mediation.refresh_from_db()
    assert mediation.state == "accepted"
    return mediation


def next_working_morning(days: int = 1) -> dt.datetime:
    """10:00 on a working day at least `days` days ahead (inside working hours)."""
    from courts.legal_calendar import HolidayCalendar

    calendar = HolidayCalendar()
    day = timezone.localdate() + dt.timedelta(days=days)
    while calendar.is_rest_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=COURT_TZ)


def schedule(mediation, judge, *, start=None, hours=2, **overrides):
    start = start or next_working_morning()
    values = {
        "mediation_id": mediation.pk,
        "actor": judge,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=hours),
        "mode": "in_person",
        "tribunal": tribunal("fenhu"),
        "room": "第一调解室",
    }
    values.update(overrides)
    return session_schedule(**values)


def agree(mediation, judge, **overrides):
    parties = list(MediationParty.objects.filter(mediation=mediation))
    now = timezone.now()
    values = {
        "mediation_id": mediation.pk,
        "actor": judge,
        "terms": "一、被告于2027年1月31日前支付货款80万元；二、余款48万元于2027年3月31日前付清。",
        "amount": Decimal("1280000.00"),
        "payments": [
            PaymentInput(due_on=timezone.localdate() + dt.timedelta(days=30), amount=Decimal("800000.00")),
            PaymentInput(due_on=timezone.localdate() + dt.timedelta(days=90), amount=Decimal("480000.00")),
        ],
        "signatures": [SignatureInput(party=p.pk, signed_at=now, method="handwritten") for p in parties],
        "effective_on": timezone.localdate(),
    }
    values.update(overrides)
    return mediation_agree(**values)
