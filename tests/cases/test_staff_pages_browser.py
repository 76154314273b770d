"""What a first-time clerk tripped over (issue 14), in a real Chromium, with screenshots under
var/screenshots/: a reload after a failed action, the workbench, and a notice written in Chinese by a
worker and read by a clerk who chose English."""

from pathlib import Path

import pytest

from tests.cases.conftest import deliver_pending, submit
from tests.cases.test_filing_browser import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_reloading_after_a_failed_action_shows_the_record_not_an_error(
    page, wujiang_clerk, qingpu_clerk, courts
):
    filing, _code = submit(wujiang_clerk, courts)
    deliver_pending()
    log_in(page, qingpu_clerk.username)
    page.goto(f"/filings/{filing.pk}/")
    page.locator("summary", has_text="不予受理").click()
    page.locator("details[open] textarea").fill("   ")  # blank reasons: the server refuses them
    page.get_by_test_id("action-refuse").click()
    page.wait_for_url("**/refuse/")
    assert page.locator(".errorlist").first.is_visible()
    assert page.url.endswith(f"/filings/{filing.pk}/refuse/")
    # Opening that address again (Enter in the address bar, a bookmark): a GET of the action's URL.
    response = page.goto(page.url)
    assert response.status == 200
    assert page.url.endswith(f"/filings/{filing.pk}/")
    assert page.get_by_test_id("state").is_visible()
    shot(page, "reload-after-failed-action")


def test_the_workbench_puts_the_most_urgent_first_and_fits_a_phone(page, wujiang_clerk, qingpu_clerk, courts):
    for _ in range(3):
        submit(wujiang_clerk, courts)
    deliver_pending()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, qingpu_clerk.username)
    owed = page.get_by_test_id("owed")
    assert owed.is_visible()
    assert page.get_by_test_id("owed-count").inner_text() == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "workbench-390")


def test_a_notice_written_by_a_worker_reads_in_english_for_an_english_reader(
    chromium, live_server, wujiang_clerk, qingpu_clerk, courts
):
    filing, _code = submit(wujiang_clerk, courts)
    deliver_pending()  # Qingpu's filing clerks are told, in the courts' language (Chinese)
    context = chromium.new_context(locale="en-US", base_url=live_server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, qingpu_clerk.username)
        if page.get_by_test_id("lang-en").count():  # the browser's language may already be English
            page.get_by_test_id("lang-en").click()
        assert page.locator("html").get_attribute("lang") == "en"
        notices = page.get_by_test_id("notices").inner_text()
        assert f"New cross-region filing {filing.receipt_number} from Wujiang Court" in notices
        assert "吴江法院" not in notices
        shot(page, "notice-in-english")
    finally:
        context.close()
