"""A service request in a real Chromium, with a real worker delivering between the courts: a Qingpu clerk asks
Jiashan from the case's page, Jiashan's officer finds it in the home inbox, accepts it and reports it served,
and Qingpu sees the result and acknowledges it; Wujiang sees nothing."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cases.models import ServiceRequest
from courts.legal_calendar import COURT_TZ
from tests.conftest import PERSONA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PERSONA_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")


def wait_on_home(page, testid: str, text: str) -> str:
    """Reload the home page until the worker has delivered and `text` shows in that panel."""
    page.goto("/")
    for _ in range(50):
        if text in page.get_by_test_id(testid).inner_text():
            break
        page.wait_for_timeout(200)
        page.reload()
    shown = page.get_by_test_id(testid).inner_text()
    assert text in shown
    return shown


def test_qingpu_asks_jiashan_to_serve_and_acknowledges_the_result(
    chromium, live_server, celery_worker, qingpu_clerk, jiashan_officer, wujiang_clerk, qingpu_case
):
    contexts = []

    def page_for(username):
        context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, username)
        return page

    try:
        qingpu = page_for(qingpu_clerk.username)
        qingpu.goto(f"/cases/{qingpu_case.pk}/")
        qingpu.get_by_test_id("new-service-request").click()
        qingpu.wait_for_load_state()  # the form's script must be listening before a recipient is chosen
        qingpu.select_option("#id_entrusted_court", label="浙江省嘉善县人民法院")
        # The defendant is proposed, with their address; choosing the plaintiff brings theirs.
        expect(qingpu.locator("#id_address")).to_have_value("浙江省嘉善县西塘镇")
        qingpu.select_option("#id_recipient", index=1)
        expect(qingpu.locator("#id_address")).to_have_value("上海市青浦区")
        qingpu.select_option("#id_recipient", index=2)
        qingpu.fill("#id_address", "浙江省嘉善县西塘镇塘东街1号")
        qingpu.select_option("#id_method", "direct")
        qingpu.fill("#id_letter_number", "（2026）沪0118委送1号")
        qingpu.fill("#id_documents-0-name", "起诉状副本")
        qingpu.get_by_test_id("add-document").click()
        qingpu.fill("#id_documents-1-name", "应诉通知书")
        qingpu.fill("#id_documents-1-copies", "2")
        qingpu.get_by_test_id("submit-request").click()

        reference = qingpu.get_by_test_id("reference").inner_text()
        request = ServiceRequest.objects.get(reference=reference)
        assert [(d.name, d.copies) for d in request.documents.all()] == [("起诉状副本", 1), ("应诉通知书", 2)]

        jiashan = page_for(jiashan_officer.username)
        owed = wait_on_home(jiashan, "owed", reference)
        request.refresh_from_db()
        assert request.due_at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M") in owed
        jiashan.get_by_role("link", name=reference).click()
        assert "3304**********5615" in jiashan.get_by_test_id("party").inner_text()
        jiashan.get_by_test_id("action-accept").click()
        assert jiashan.get_by_test_id("state").inner_text() == "已受理"

        # The officer went out and served it; the receipt is recorded an hour later than its receipt here.
        ServiceRequest.objects.filter(pk=request.pk).update(
            received_at=dt.datetime.now(COURT_TZ) - dt.timedelta(days=1)
        )
        jiashan.select_option("#id_result", "served")
        jiashan.fill("#id_signer", "赵六")
        jiashan.fill("#id_relation", "本人")
        jiashan.fill("#id_officers", "钱七、孙八")
        jiashan.get_by_test_id("action-report-attempt").click()
        assert jiashan.get_by_test_id("state").inner_text() == "已送达"
        assert "赵六" in jiashan.get_by_test_id("attempt-0").inner_text()

        results = wait_on_home(qingpu, "came-back", reference)
        assert "已送达" in results
        assert "已送达" in qingpu.get_by_test_id("notices").inner_text()
        qingpu.get_by_role("link", name=reference).click()
        attempt = qingpu.get_by_test_id("attempt-0").inner_text()
        assert "赵六" in attempt and "钱七、孙八" in attempt and "西塘镇塘东街1号" in attempt
        qingpu.get_by_test_id("action-acknowledge").click()
        assert (
            qingpu.get_by_test_id("state").inner_text() == "委托法院已确认结果"
        )  # not 已结案: the case goes on

        wujiang = page_for(wujiang_clerk.username)
        assert reference not in wujiang.content()
        assert wujiang.goto(f"/requests/service/{request.pk}/").status == 404
    finally:
        for context in contexts:
            context.close()
