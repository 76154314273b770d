"""The print button in a browser: closed until asked, then the documents the filing has, each a PDF in a
new tab; nothing of it is printed with the page."""

from pathlib import Path

import pytest

from tests.cases.conftest import submit
from tests.cases.test_filing_browser import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_print_button_offers_the_filings_documents(page, wujiang_clerk, courts):
    filing, _code = submit(wujiang_clerk, courts)
    log_in(page, "wujiang.window")
    page.goto(f"/filings/{filing.pk}/")
    receipt = page.get_by_test_id("document-receipt")
    assert not receipt.is_visible()
    page.get_by_test_id("print-button").click()
    assert receipt.is_visible()
    assert page.get_by_test_id("print-documents").locator("a").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "filing-print-button.png"))
    with page.expect_popup() as popup:
        receipt.click()
    pdf = popup.value
    pdf.wait_for_load_state()
    assert pdf.url.endswith(f"/api/filings/{filing.pk}/documents/receipt.pdf")
    page.emulate_media(media="print")
    assert not page.get_by_test_id("print-documents").is_visible()
