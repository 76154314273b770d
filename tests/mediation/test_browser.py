"""The issue's browser test, in a real Chromium: the Fenhu judge opens a mediation with the parties entered
and invites Xitang; the invitation is delivered to Jiashan; Xitang's judge finds it on the home page and
accepts, naming himself; the answer is delivered back and Wujiang settles it; the Fenhu judge sees it
accepted. The deliveries run in the test's thread (deliver_pending), as the worker would run them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from mediation.models import Invitation, Mediation
from tests.cases.conftest import PLAINTIFF_ID, deliver_pending
from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PERSONA_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_fenhu_invites_xitang_and_sees_the_acceptance(chromium, live_server, fenhu_judge, xitang_judge):
    contexts = []

    def page_for(username, **options):
        context = chromium.new_context(locale="zh-CN", base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, username)
        return page

    try:
        fenhu = page_for(fenhu_judge.username)
        fenhu.get_by_test_id("nav-mediations").click()
        fenhu.get_by_test_id("new-mediation").click()
        fenhu.wait_for_load_state()
        fenhu.get_by_test_id("invited-tribunals").get_by_label("西塘人民法庭", exact=False).check()
        fenhu.fill("#id_cause", "买卖合同纠纷")
        fenhu.fill("#id_claim_amount", "1280000")
        fenhu.select_option("#id_parties-0-role", "plaintiff")
        fenhu.select_option("#id_parties-0-kind", "person")
        fenhu.fill("#id_parties-0-name", "沈建国")
        fenhu.fill("#id_parties-0-id_number", PLAINTIFF_ID)
        fenhu.fill("#id_parties-0-phone", "13812345678")
        fenhu.fill("#id_parties-0-address", "江苏省苏州市吴江区黎里镇汾湖大道88号")
        fenhu.select_option("#id_parties-1-role", "defendant")
        fenhu.select_option("#id_parties-1-kind", "organisation")
        fenhu.fill("#id_parties-1-name", "嘉善县某纺织品有限公司")
        fenhu.fill("#id_parties-1-address", "浙江省嘉兴市嘉善县西塘镇工业园区")
        fenhu.check("#id_consent")
        fenhu.get_by_test_id("submit-mediation").click()

        number = fenhu.get_by_test_id("number").inner_text()
        mediation = Mediation.objects.get(number=number)
        assert fenhu.get_by_test_id("query-code").inner_text().strip()
        assert "3205**********1239" in fenhu.get_by_test_id("parties").inner_text()

        assert deliver_pending() >= 1  # the invitation reaches Jiashan
        xitang = page_for(xitang_judge.username)
        waiting = xitang.get_by_test_id("owed")  # the workbench: what the Xitang judge owes
        expect(waiting).to_contain_text(number)
        expect(xitang.get_by_test_id("owed-count")).to_have_text("1")
        waiting.get_by_role("link", name=number).click()
        invitation = mediation.invitations.get()
        expect(xitang.locator(f"#id_invitation-{invitation.pk}-mediator")).to_have_value(str(xitang_judge.pk))
        xitang.get_by_test_id("action-accept").click()
        expect(xitang.locator(".messages")).to_be_visible()
        invitation.refresh_from_db()
        assert (invitation.state, invitation.mediator) == ("accepted", xitang_judge)

        assert deliver_pending() >= 1  # the answer reaches Wujiang, which settles the mediation
        mediation.refresh_from_db()
        assert mediation.state == "accepted"
        fenhu.reload()
        row = fenhu.get_by_test_id("invitation-xitang")
        expect(row.get_by_test_id("invitation-state")).to_have_text(zh(Invitation.State.ACCEPTED.label))
        expect(row).to_contain_text(xitang_judge.get_full_name() or xitang_judge.username)
        expect(fenhu.get_by_test_id("state")).to_have_text(zh(Mediation.State.ACCEPTED.label))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        fenhu.screenshot(path=str(SCREENSHOTS / "mediation-accepted.png"), full_page=True)

        phone = page_for(fenhu_judge.username, viewport={"width": 390, "height": 844})
        phone.goto(f"/mediations/{mediation.pk}/")
        expect(phone.get_by_test_id("number")).to_have_text(number)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.goto("/mediations/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        for context in contexts:
            context.close()
