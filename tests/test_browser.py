"""Journeys in a real headless Chromium (Debian's package, driven by Playwright) against a live server."""

import pytest

from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PERSONA_PASSWORD)
    page.click("button.primary")


def test_the_login_page_renders_in_chinese(page):
    page.goto("/")  # anonymous: sent to the login page
    assert page.url.endswith("/accounts/login/?next=/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"
    assert "登录" in page.title()


def test_a_clerk_logs_in_and_sees_their_courts_home_page(page, wujiang_clerk):
    log_in(page, "wujiang.window")
    page.wait_for_url("**/")
    assert page.get_by_test_id("acting-court").inner_text() == "江苏省苏州市吴江区人民法院"
    assert page.get_by_test_id("home-title").inner_text() == "江苏省苏州市吴江区人民法院"
    assert "窗口立案员" in page.get_by_test_id("whoami").inner_text()


def test_a_wrong_password_says_so_in_chinese(page, wujiang_clerk):
    page.goto("/accounts/login/")
    page.fill("#id_username", "wujiang.window")
    page.fill("#id_password", "wrong-password")
    page.click("button.primary")
    assert "请输入一个正确的" in page.locator(".errors").inner_text()


def test_the_english_switch_works_and_sticks(page, wujiang_clerk):
    log_in(page, "wujiang.window")
    page.wait_for_url("**/")
    page.get_by_test_id("lang-en").click()
    page.wait_for_selector("[data-testid=lang-zh]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.get_by_test_id("acting-court").inner_text() == "Wujiang District People's Court, Suzhou, Jiangsu"
    )
    page.goto("/calendar/2026/")
    assert "Legal calendar 2026" in page.locator("h1").inner_text()
    page.get_by_test_id("lang-zh").click()
    page.wait_for_selector("[data-testid=lang-en]")
    assert "2026 年法定期间日历" in page.locator("h1").inner_text()


def test_the_holiday_calendar_marks_national_day(page, wujiang_clerk):
    log_in(page, "wujiang.window")
    page.wait_for_url("**/")
    page.goto("/calendar/2026/")
    assert "国庆节" in page.get_by_test_id("holidays").inner_text()
    assert "2026-10-10" in page.get_by_test_id("workdays").inner_text()
    assert page.locator("td.holiday").count() >= 20
