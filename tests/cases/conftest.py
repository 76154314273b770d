"""Filing fixtures: a Wujiang window files for Qingpu, as in the issue's story."""

import datetime as dt
from decimal import Decimal

import pytest

from cases.models import Filing, Party
from cases.services.filings import filing_register, filing_submit
from cases.services.parties import PartyInput
from courts.delivery import delivery_handle
from courts.models import Delivery
from tests.conftest import make_staff

PLAINTIFF_ID = "320509199001011239"  # valid: Wujiang prefix, 1990-01-01, check digit 9
DEFENDANT_USCC = "91310118MA1JL5PX4P"  # valid unified social credit code of a Qingpu company


def filing_payload(**overrides) -> dict:
    payload = {
        "jurisdiction_court": "qingpu",
        "category": "civil_first_instance",
        "cause": "买卖合同纠纷",
        "claim_amount": "158000.00",
        "parties": [
            {
                "role": "plaintiff",
                "kind": "person",
                "name": "张三",
                "id_number": PLAINTIFF_ID,
                "phone": "13812345678",
                "address": "苏州市吴江区黎里镇汾湖大道1号",
            },
            {
                "role": "defendant",
                "kind": "organisation",
                "name": "上海青浦某贸易有限公司",
                "id_number": DEFENDANT_USCC,
                "phone": "021-59700000",
                "address": "上海市青浦区朱家角镇",
            },
        ],
        "materials": ["起诉状（副本1份）", "身份证明", "证据目录及证据"],
        "e_service_consent": True,
        "pre_mediation_consent": True,
    }
    payload.update(overrides)
    return payload


def submit(actor, courts, **overrides) -> tuple[Filing, str]:
    payload = filing_payload(**overrides)
    return filing_submit(
        actor=actor,
        jurisdiction_court=courts[payload["jurisdiction_court"]],
        category=payload["category"],
        cause=payload["cause"],
        claim_amount=payload["claim_amount"] and Decimal(payload["claim_amount"]),
        parties=[PartyInput(**party) for party in payload["parties"]],
        materials=payload["materials"],
        e_service_consent=payload["e_service_consent"],
        pre_mediation_consent=payload["pre_mediation_consent"],
    )


def deliver_pending() -> int:
    """Run every pending delivery's handler in this thread, as a worker would (service-level tests), with
    the copy of the row its message carries."""
    pending = Delivery.objects.filter(state="pending").values_list("pk", "kind", "court_id", "payload")
    return sum(delivery_handle(*message) for message in pending)


@pytest.fixture
def jiashan_clerk(courts):
    return make_staff("jiashan.both", "jiashan", ["window_clerk", "filing_clerk"])


@pytest.fixture
def qingpu_window(courts):
    return make_staff("qingpu.window", "qingpu", ["window_clerk"])


@pytest.fixture
def wujiang_filing_clerk(courts):
    return make_staff("wujiang.filing", "wujiang", ["filing_clerk"])


@pytest.fixture
def submitted(wujiang_clerk, qingpu_clerk, courts) -> Filing:
    filing, _code = submit(wujiang_clerk, courts)
    return filing


@pytest.fixture
def registered(wujiang_clerk, qingpu_clerk, courts):
    """Filed at Wujiang's window for Qingpu, registered at Qingpu: (filing, case, query code)."""
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    case = filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    return filing, case, code


@pytest.fixture
def received(submitted) -> Filing:
    deliver_pending()
    submitted.refresh_from_db()
    assert submitted.state == "received"
    return submitted


def make_case(court_code: str, *, sequence: int | None = None):
    """A registered case of `court_code` with a plaintiff and a defendant, made directly (request tests);
    `sequence` numbers it apart from what registering a filing allocates (the counter is not used here)."""
    from cases.models import Case, CaseType
    from cases.services.parties import PartyInput, party_rows
    from courts.models import Court

    court = Court.objects.get(code=court_code)
    case_type = CaseType.objects.get(code="民初")
    sequence = sequence or Case.objects.filter(court=court).count() + 1
    case = Case.objects.create(
        number=f"（2026）{court.case_code}民初{sequence}号",
        court=court,
        case_type=case_type,
        year=2026,
        sequence=sequence,
        cause="买卖合同纠纷",
        claim_amount=Decimal("500000"),
    )
    Party.objects.bulk_create(
        party_rows(
            [
                PartyInput(
                    role="plaintiff",
                    kind="person",
                    name="王五",
                    id_number=PLAINTIFF_ID,
                    phone="13812345678",
                    address="上海市青浦区",
                ),
                PartyInput(
                    role="defendant",
                    kind="person",
                    name="赵六",
                    id_number="330421197203045615",
                    phone="13912345678",
                    address="浙江省嘉善县西塘镇",
                ),
            ],
            case=case,
        )
    )
    return case


@pytest.fixture
def qingpu_case(courts):
    return make_case("qingpu")


@pytest.fixture
def jiashan_officer(courts):
    return make_staff("jiashan.off", "jiashan", ["officer"])


@pytest.fixture
def qingpu_officer(courts):
    return make_staff("qingpu.off", "qingpu", ["officer"])


def working_day(days: int) -> dt.date:
    """The first working day at least `days` days after today in the courts' calendar: a deadline the
    system keeps as it is (one on a rest day runs to the next working day, so a test that wrote
    "today + 3" failed on the days that landed on a weekend)."""
    from django.utils import timezone

    from courts.legal_calendar import HolidayCalendar

    calendar = HolidayCalendar()
    day = timezone.localdate() + dt.timedelta(days=days)
    while calendar.is_rest_day(day):
        day += dt.timedelta(days=1)
    return day
