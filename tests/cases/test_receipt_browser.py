"""The printed receipt carries nothing interactive, and voiding a litigant's query code asks first and says
what it will do (issue 14, item 3)."""

from pathlib import Path

import pytest

from tests.cases.conftest import submit
from tests.cases.test_filing_browser import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_printed_receipt_has_no_buttons_and_reissuing_asks_first(page, wujiang_clerk, courts):
    filing, _code = submit(wujiang_clerk, courts)
    log_in(page, "wujiang.window")
    page.goto(f"/filings/{filing.pk}/receipt/")
    reissue = page.get_by_test_id("reissue-code")
    assert not reissue.is_visible()  # behind a disclosure that says what it does
    page.get_by_test_id("reissue").locator("summary").click()
    assert reissue.is_visible()
    page.emulate_media(media="print")
    for selector in ("button", "form", "details", "nav"):
        assert all(not element.is_visible() for element in page.locator(selector).all()), selector
    assert page.get_by_test_id("receipt-number").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "receipt-printed.png"), full_page=True)
