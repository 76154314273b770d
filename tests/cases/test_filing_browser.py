"""The issue's story in a real Chromium, with a real worker delivering between the courts: a Wujiang window
clerk files for Qingpu, Qingpu registers, Wujiang sees the case number; Jiashan sees nothing."""

import re

import pytest

from cases.models import Filing
from tests.cases.conftest import DEFENDANT_USCC, PLAINTIFF_ID
from tests.conftest import PERSONA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PERSONA_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")


def test_a_filing_crosses_from_wujiang_to_qingpu_and_back(
    chromium, live_server, celery_worker, wujiang_clerk, qingpu_clerk, courts
):
    from tests.conftest import make_staff

    make_staff("jiashan.window", "jiashan", ["window_clerk", "filing_clerk"])
    contexts = {}

    def page_for(username):
        context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
        contexts[username] = context
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, username)
        return page

    try:
        wujiang = page_for("wujiang.window")
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
        wujiang.get_by_role("button", name="添加当事人").click()
        wujiang.select_option("#id_parties-2-role", "third_party")
        wujiang.fill("#id_parties-2-name", "李四")
        wujiang.check("#id_e_service_consent")
        wujiang.get_by_test_id("submit-filing").click()

        wujiang.wait_for_selector("[data-testid=receipt]")
        receipt_number = wujiang.get_by_test_id("receipt-number").inner_text()
        assert re.fullmatch(r"[23456789A-HJ-NP-Z]{8}", wujiang.get_by_test_id("query-code").inner_text())
        filing = Filing.objects.get(receipt_number=receipt_number)
        assert filing.parties.count() == 3

        qingpu = page_for("qingpu.filing")
        # Delivered by the worker within seconds: the inbox shows it as under review.
        for _ in range(50):
            if (
                receipt_number in qingpu.get_by_test_id("owed").inner_text()
                if qingpu.locator("[data-testid=owed]").count()
                else False
            ):
                break
            qingpu.wait_for_timeout(200)
            qingpu.reload()
        inbox = qingpu.get_by_test_id("owed").inner_text()
        assert receipt_number in inbox and "审查中" in inbox
        qingpu.get_by_role("link", name=receipt_number).click()
        assert "3205**********1239" in qingpu.get_by_test_id("parties").inner_text()
        assert PLAINTIFF_ID not in qingpu.content()
        qingpu.get_by_test_id("action-register").click()
        case_number = qingpu.get_by_test_id("case-number").inner_text()
        assert re.fullmatch(r"（20\d\d）沪0118民初1号", case_number)

        wujiang.goto("/")
        for _ in range(50):
            if case_number in wujiang.get_by_test_id("came-back").inner_text():
                break
            wujiang.wait_for_timeout(200)
            wujiang.reload()
        assert case_number in wujiang.get_by_test_id("came-back").inner_text()
        assert "已立案" in wujiang.get_by_test_id("notices").inner_text()

        jiashan = page_for("jiashan.window")
        assert receipt_number not in jiashan.content()
        response = jiashan.goto(f"/filings/{filing.pk}/")
        assert response.status == 404
    finally:
        for context in contexts.values():
            context.close()
