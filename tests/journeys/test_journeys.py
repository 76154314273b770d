"""The system as its users meet it (issue 11, item 1): whole journeys in a real Chromium against a live
server, with a real Celery worker carrying the work between the courts, one browser per person, in
Chinese. Each key page is photographed and checked with axe-core (tests/journeys/conftest.py)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Filing, ServiceRequest
from courts.legal_calendar import COURT_TZ
from mediation.models import Confirmation, Mediation, MediationSession
from tests.cases.conftest import DEFENDANT_USCC, PLAINTIFF_ID
from tests.conftest import make_staff
from tests.mediation.conftest import next_working_morning

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def until_shown(page, testid: str, text: str, url: str = "/") -> str:
    """Open `url` again until the worker has delivered and `text` shows in that part of the page."""
    page.goto(url)
    for _ in range(60):
        part = page.get_by_test_id(testid)
        if part.count() and text in part.inner_text():
            return part.inner_text()
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"{text!r} never showed in {testid!r} of {url}")


def local(moment: dt.datetime) -> str:
    return moment.astimezone(COURT_TZ).strftime("%Y-%m-%dT%H:%M")


def test_a_filing_crosses_from_wujiang_to_qingpu_and_the_litigant_sees_the_case(
    journey, celery_worker, courts
):
    make_staff("wujiang.window", "wujiang", ["window_clerk"])
    make_staff("qingpu.filing", "qingpu", ["filing_clerk"])
    trip = journey("filing")
    wujiang = trip.person("wujiang.window")
    with trip.step("wujiang.window", "files cross-region for Qingpu"):
        wujiang.get_by_test_id("new-filing").click()
        wujiang.select_option("#id_jurisdiction_court", label="上海市青浦区人民法院")
        wujiang.fill("#id_cause", "买卖合同纠纷")
        wujiang.fill("#id_claim_amount", "158000")
        wujiang.check("input[name=materials] >> nth=0")
        wujiang.check("input[name=materials] >> nth=1")
        wujiang.fill("#id_parties-0-name", "张三")
        wujiang.fill("#id_parties-0-id_number", PLAINTIFF_ID)
        wujiang.fill("#id_parties-0-phone", "13812345678")
        wujiang.select_option("#id_parties-1-kind", "organisation")
        wujiang.fill("#id_parties-1-name", "上海青浦某贸易有限公司")
        wujiang.fill("#id_parties-1-id_number", DEFENDANT_USCC)
        trip.key_page(wujiang, "wujiang.window", "filing form")
        wujiang.get_by_test_id("submit-filing").click()
        wujiang.wait_for_selector("[data-testid=receipt]")
        receipt = wujiang.get_by_test_id("receipt-number").inner_text()
        code = wujiang.get_by_test_id("query-code").inner_text()
        trip.key_page(wujiang, "wujiang.window", "receipt")

    qingpu = trip.person("qingpu.filing")
    with trip.step("qingpu.filing", "finds it on the desk and registers it"):
        owed = until_shown(qingpu, "owed", receipt)
        assert "审查中" in owed
        trip.key_page(qingpu, "qingpu.filing", "desk")
        qingpu.get_by_role("link", name=receipt).click()
        trip.key_page(qingpu, "qingpu.filing", "filing")
        qingpu.get_by_test_id("action-register").click()
        number = qingpu.get_by_test_id("case-number").inner_text()
        assert re.fullmatch(r"（20\d\d）沪0118民初1号", number)
        trip.key_page(qingpu, "qingpu.filing", "case")

    with trip.step("wujiang.window", "sees the case number come back"):
        until_shown(wujiang, "came-back", number)

    litigant = trip.anonymous()
    with trip.step("the litigant", "looks the case up at /status/ with the receipt's code"):
        litigant.goto("/status/")
        litigant.fill("#id_number", number.replace("（", "(").replace("）", ")"))  # as a phone types it
        litigant.fill("#id_code", code.lower())
        litigant.get_by_role("button", name="查询").click()
        expect(litigant.get_by_test_id("status")).to_contain_text(number)
        assert "张三" not in litigant.get_by_test_id("status").inner_text()
        trip.key_page(litigant, "litigant", "status")
    assert Filing.objects.get(receipt_number=receipt).state == "registered"


def test_qingpu_asks_jiashan_to_serve_and_acknowledges_the_result(journey, celery_worker, courts):
    from tests.cases.conftest import make_case

    make_staff("qingpu.filing", "qingpu", ["filing_clerk"])
    make_staff("jiashan.officer", "jiashan", ["officer"])
    case = make_case("qingpu")
    trip = journey("service")
    qingpu = trip.person("qingpu.filing")
    with trip.step("qingpu.filing", "asks Jiashan to serve from the case's page"):
        qingpu.goto(f"/cases/{case.pk}/")
        trip.key_page(qingpu, "qingpu.filing", "case")
        qingpu.get_by_test_id("new-service-request").click()
        qingpu.wait_for_load_state()
        qingpu.select_option("#id_entrusted_court", label="浙江省嘉善县人民法院")
        qingpu.fill("#id_address", "浙江省嘉善县西塘镇塘东街1号")
        qingpu.select_option("#id_method", "direct")
        qingpu.fill("#id_documents-0-name", "起诉状副本")
        trip.key_page(qingpu, "qingpu.filing", "service request form")
        qingpu.get_by_test_id("submit-request").click()
        reference = qingpu.get_by_test_id("reference").inner_text()

    jiashan = trip.person("jiashan.officer")
    with trip.step("jiashan.officer", "accepts it and reports it served as the service receipt says"):
        until_shown(jiashan, "owed", reference)
        jiashan.get_by_role("link", name=reference).click()
        jiashan.get_by_test_id("action-accept").click()
        # The officer went out; the service is recorded later than the receipt of the request.
        ServiceRequest.objects.filter(reference=reference).update(
            received_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=1)
        )
        jiashan.reload()
        jiashan.select_option("#id_result", "served")
        jiashan.fill("#id_signer", "赵六")
        jiashan.fill("#id_relation", "本人")
        jiashan.fill("#id_officers", "钱七、孙八")
        trip.key_page(jiashan, "jiashan.officer", "request")
        jiashan.get_by_test_id("action-report-attempt").click()
        expect(jiashan.get_by_test_id("state")).to_have_text("已送达")

    with trip.step("qingpu.filing", "sees the result and acknowledges it"):
        until_shown(qingpu, "came-back", reference)
        trip.key_page(qingpu, "qingpu.filing", "desk")
        qingpu.get_by_role("link", name=reference).click()
        qingpu.get_by_test_id("action-acknowledge").click()
        expect(qingpu.get_by_test_id("state")).to_have_text("委托法院已确认结果")
    assert ServiceRequest.objects.get(reference=reference).state == "closed"


def test_fenhu_and_xitang_mediate_to_a_confirmed_agreement(journey, celery_worker, courts):
    make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    make_staff("xitang.judge", "jiashan", ["judge"], "xitang")
    make_staff("wujiang.filing", "wujiang", ["filing_clerk"])
    make_staff("wujiang.judge", "wujiang", ["judge"])
    trip = journey("mediation")
    fenhu = trip.person("fenhu.judge")
    with trip.step("fenhu.judge", "opens a mediation with the parties and invites Xitang"):
        fenhu.get_by_test_id("open-mediation").click()
        fenhu.wait_for_load_state()
        fenhu.get_by_test_id("invited-tribunals").get_by_label("西塘人民法庭", exact=False).check()
        fenhu.fill("#id_cause", "买卖合同纠纷")
        fenhu.fill("#id_claim_amount", "1280000")
        fenhu.select_option("#id_parties-0-role", "plaintiff")
        fenhu.fill("#id_parties-0-name", "沈建国")
        fenhu.fill("#id_parties-0-id_number", PLAINTIFF_ID)
        fenhu.fill("#id_parties-0-address", "江苏省苏州市吴江区黎里镇汾湖大道88号")
        fenhu.select_option("#id_parties-1-role", "defendant")
        fenhu.select_option("#id_parties-1-kind", "organisation")
        fenhu.fill("#id_parties-1-name", "嘉善县某纺织品有限公司")
        fenhu.fill("#id_parties-1-address", "浙江省嘉兴市嘉善县西塘镇工业园区")
        fenhu.check("#id_consent")
        trip.key_page(fenhu, "fenhu.judge", "mediation form")
        fenhu.get_by_test_id("submit-mediation").click()
        number = fenhu.get_by_test_id("number").inner_text()
        code = fenhu.get_by_test_id("query-code").inner_text().strip()
        mediation = Mediation.objects.get(number=number)

    xitang = trip.person("xitang.judge")
    with trip.step("xitang.judge", "finds the invitation on the desk and accepts it"):
        until_shown(xitang, "owed", number)
        xitang.get_by_role("link", name=number).click()
        trip.key_page(xitang, "xitang.judge", "invitation")
        xitang.get_by_test_id("action-accept").click()

    with trip.step("fenhu.judge", "sees it accepted and schedules a session at Fenhu"):
        until_shown(fenhu, "state", "已受理联调", url=f"/mediations/{mediation.pk}/")
        form = fenhu.get_by_test_id("schedule")
        form.locator("summary").click()
        start = next_working_morning()
        form.locator("[name=starts_at]").fill(local(start))
        form.locator("[name=ends_at]").fill(local(start + dt.timedelta(hours=2)))
        form.locator("[name=room]").fill("第一调解室")
        fenhu.get_by_test_id("action-schedule").click()
        expect(fenhu.get_by_test_id("state")).to_have_text("调解中")
        trip.key_page(fenhu, "fenhu.judge", "mediation in session")

    # The morning of the session has come: the parties sat at Fenhu and agreed.
    session = MediationSession.objects.get(mediation=mediation)
    MediationSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    with trip.step("xitang.judge", "records the minutes and the agreement every party signed"):
        xitang.goto(f"/mediations/{mediation.pk}/")
        record = xitang.get_by_test_id(f"record-{session.pk}")
        record.locator("summary").click()
        record.locator("textarea").fill("双方就付款方式达成一致。")
        for box in record.locator("input[type=checkbox]").all():
            box.check()
        xitang.get_by_test_id("action-record").click()
        agree = xitang.get_by_test_id("agree")
        agree.locator("summary").click()
        agree.locator("[name=terms]").fill("一、被告于2027年1月31日前支付货款128万元。")
        agree.locator("[name=amount]").fill("1280000")
        agree.locator("[name=effective_on]").fill(timezone.localdate().isoformat())
        agree.locator("[name=payments-0-due_on]").fill("2027-01-31")
        agree.locator("[name=payments-0-amount]").fill("1280000")
        for field in agree.locator("input[name$=signed_at]").all():
            field.fill(local(timezone.now()))
        xitang.get_by_test_id("action-agree").click()
        expect(xitang.get_by_test_id("state")).to_have_text("已达成调解协议")
        trip.key_page(xitang, "xitang.judge", "agreement")

    with trip.step("fenhu.judge", "records the parties' joint application to Wujiang"):
        fenhu.goto(f"/mediations/{mediation.pk}/")
        fenhu.get_by_test_id("apply").locator("select").select_option(label="江苏省苏州市吴江区人民法院")
        fenhu.get_by_test_id("action-apply").click()
        confirmation = Confirmation.objects.get(mediation=mediation)

    clerk = trip.person("wujiang.filing")
    with trip.step("wujiang.filing", "registers it as a 民特 case"):
        until_shown(clerk, "owed", number)
        clerk.goto(f"/confirmations/{confirmation.pk}/")
        clerk.get_by_test_id("action-register").click()
        trip.key_page(clerk, "wujiang.filing", "confirmation registered")

    judge = trip.person("wujiang.judge")
    with trip.step("wujiang.judge", "confirms the agreement by ruling"):
        judge.goto(f"/confirmations/{confirmation.pk}/")
        judge.get_by_test_id("action-confirm").click()
        confirmation.refresh_from_db()
        assert confirmation.state == "confirmed"
        trip.key_page(judge, "wujiang.judge", "confirmation ruled")

    with trip.step("xitang.judge", "hears of the ruling"):
        until_shown(xitang, "notices", confirmation.case.number)

    litigant = trip.anonymous()
    with trip.step("the litigant", "follows the mediation at /status/"):
        litigant.goto("/status/")
        litigant.fill("#id_number", number)
        litigant.fill("#id_code", code)
        litigant.get_by_role("button", name="查询").click()
        expect(litigant.get_by_test_id("status")).to_contain_text(confirmation.case.number)
        trip.key_page(litigant, "litigant", "mediation status")
