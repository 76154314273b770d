"""The litigants' status page: number and query code in, procedural status out, every lookup logged."""

import datetime as dt
from decimal import Decimal

import pytest

from cases.models import PreservationRequest, StatusLookup
from cases.services import filings as svc
from cases.services import requests as common
from cases.services.preservation_requests import (
    MeasureInput,
    MeasureResult,
    preservation_request_create,
    preservation_request_report,
)
from cases.status import drain_lookup_log
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending, submit
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def look_up(client, number, code):
    return client.post("/status/", {"number": number, "code": code})


def test_a_litigant_sees_the_filing_under_review_and_its_decision_date(
    client, wujiang_clerk, qingpu_clerk, courts
):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    page = look_up(client, filing.receipt_number, code.lower()).content.decode()
    assert 'data-testid="status"' in page and "审查中" in page
    filing.refresh_from_db()
    assert filing.decision_due_at.astimezone(dt.UTC).date().isoformat()[:4] in page
    drain_lookup_log()
    assert StatusLookup.objects.get().found is True


def test_no_identity_or_contacts_are_shown(client, wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    case = svc.filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    page = look_up(client, case.number, code).content.decode()
    assert case.number in page
    for secret in (PLAINTIFF_ID, "13812345678", "021-59700000", "上海市青浦区朱家角镇", "91310118MA1JL5PX4P"):
        assert secret not in page


def test_a_wrong_code_or_number_says_only_not_found_and_is_logged(client, wujiang_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    wrong_code = look_up(client, filing.receipt_number, "AAAAAAAA").content.decode()
    wrong_number = look_up(client, "KY000000-20260101-0001", code).content.decode()
    assert 'data-testid="refused"' in wrong_code and 'data-testid="refused"' in wrong_number
    assert 'data-testid="status"' not in wrong_code
    drain_lookup_log()
    assert list(StatusLookup.objects.values_list("found", flat=True)) == [False, False]


def test_repeated_wrong_tries_are_refused_for_a_while(client, wujiang_clerk, courts, settings):
    settings.STATUS_LOOKUP_FAILURE_LIMIT = 3
    filing, code = submit(wujiang_clerk, courts)
    for _ in range(3):
        look_up(client, filing.receipt_number, "AAAAAAAA")
    response = look_up(client, filing.receipt_number, code)
    assert response.status_code == 429
    assert 'data-testid="status"' not in response.content.decode()


def test_a_preservation_appears_only_once_carried_out(client, wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    case = svc.filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    officer = make_staff("jiashan.off", "jiashan", ["officer"])
    request = preservation_request_create(
        actor=qingpu_clerk,
        case=case,
        entrusted_court=courts["jiashan"],
        respondent=case.parties.get(role="defendant"),
        urgent=True,
        stage="in_suit",
        allowed_amount=Decimal("100000"),
        ruling_number="（2026）沪0118民初1号之一",
        measures=[MeasureInput("freeze", "bank_deposit", "农行嘉善支行", Decimal("100000"), "6228")],
    )
    deliver_pending()
    common.request_accept(PreservationRequest, request_id=request.pk, actor=officer)
    assert "财产保全" not in look_up(client, case.number, code).content.decode()
    measure = request.measures.get()
    preservation_request_report(
        request_id=request.pk,
        actor=officer,
        results=[MeasureResult(measure.pk, "done", Decimal("80000"), receipt="r")],
    )
    page = look_up(client, case.number, code).content.decode()
    assert "财产保全已执行" in page
    assert "6228" not in page and "农行嘉善支行" not in page


def test_the_status_page_needs_no_login_and_is_not_cached(client, db):
    response = client.get("/status/")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"] or "max-age=0" in response.headers["Cache-Control"]


def test_a_case_number_typed_half_width_or_with_full_width_digits_is_found(client, wujiang_clerk, courts):
    """Issue 14 (8): the status page normalises the number typed (brackets, width, spaces)."""
    from cases.services.filings import filing_register
    from tests.cases.conftest import deliver_pending, submit
    from tests.conftest import make_staff

    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    case = filing_register(filing_id=filing.pk, actor=make_staff("qp.f", "qingpu", ["filing_clerk"]))
    half_width = case.number.replace("（", "(").replace("）", ")")
    full_digits = case.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for typed in (half_width, full_digits, f" {half_width[:7]} {half_width[7:]} "):
        response = client.post("/status/", {"number": typed, "code": code.lower()})
        assert 'data-testid="status"' in response.content.decode(), typed


def test_the_receipt_names_the_status_page_and_the_status_names_whom_to_ask(client, wujiang_clerk, courts):
    """Issue 14 (13): the receipt says where to look; after registration the status page shows the court,
    the tribunal and its contact from the registry (as its administrator entered them)."""
    from cases.services.filings import filing_register
    from courts.models import Tribunal
    from tests.cases.conftest import deliver_pending, submit
    from tests.conftest import make_staff

    filing, code = submit(wujiang_clerk, courts)
    client.force_login(wujiang_clerk)
    receipt = client.get(f"/filings/{filing.pk}/receipt/").content.decode()
    assert "http://testserver/status/" in receipt
    deliver_pending()
    zhujiajiao = Tribunal.objects.get(code="zhujiajiao")
    zhujiajiao.address, zhujiajiao.phone = "上海市青浦区朱家角镇课植园路", "021-59230000"
    zhujiajiao.save()
    case = filing_register(
        filing_id=filing.pk, actor=make_staff("qp.f", "qingpu", ["filing_clerk"]), tribunal=zhujiajiao
    )
    client.logout()
    page = client.post("/status/", {"number": case.number, "code": code}).content.decode()
    assert "朱家角人民法庭" in page and "上海市青浦区朱家角镇课植园路 · 021-59230000" in page
