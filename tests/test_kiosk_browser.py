"""The window terminal in headless Chromium (issue 9, item 4): at 1080x1920 portrait and 1920x1080 landscape,
a number and code typed on the on-screen keypad, a found and a refused lookup, back to the start screen when
left idle, no way out to the staff pages, and the receipt's QR code read by a (fake) camera. Screenshots go to
var/screenshots/kiosk/."""

from pathlib import Path

import pytest

from cases.services.filings import filing_register
from tests.cases.conftest import deliver_pending, submit

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots" / "kiosk"
PORTRAIT, LANDSCAPE = {"width": 1080, "height": 1920}, {"width": 1920, "height": 1080}


@pytest.fixture
def matter(wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    return filing, code


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def kiosk_page(chromium, live_server, viewport):
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/kiosk/")
    return context, page


def type_on_keypad(page, field: str, text: str) -> None:
    page.get_by_test_id(field).click()
    for character in text:
        page.locator(f'.keypad button[data-key="{character}"]').click()


def no_way_out(page) -> None:
    """Nothing on the screen leads to a staff page: no link, forms only to the kiosk or the language."""
    assert page.locator("a[href]").count() == 0
    actions = page.eval_on_selector_all("form", "forms => forms.map(f => new URL(f.action).pathname)")
    assert set(actions) <= {"/kiosk/", "/i18n/setlang/"}, actions


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_a_litigant_types_on_the_keypad_and_sees_the_status(chromium, live_server, matter, viewport):
    filing, code = matter
    context, page = kiosk_page(chromium, live_server, viewport)
    orientation = "portrait" if viewport is PORTRAIT else "landscape"
    try:
        no_way_out(page)
        # Everything fits the screen: the keypad's last row and the look-up button are in view.
        for testid in ("kiosk-submit", "keypad"):
            box = page.get_by_test_id(testid).bounding_box()
            assert box and box["y"] + box["height"] <= viewport["height"], testid
        shot(page, f"{orientation}-1-start")
        type_on_keypad(page, "kiosk-number", filing.receipt_number)
        type_on_keypad(page, "kiosk-code", code)
        assert page.get_by_test_id("kiosk-number").input_value() == filing.receipt_number
        page.get_by_test_id("kiosk-submit").click()
        status = page.get_by_test_id("status")
        status.wait_for()
        assert "已立案" in status.inner_text() and "上海市青浦区人民法院" in status.inner_text()
        no_way_out(page)
        shot(page, f"{orientation}-2-found")
        page.get_by_test_id("kiosk-done").click()
        page.get_by_test_id("keypad").wait_for()
        # The result is gone from the history: going back does not show it again.
        page.go_back()
        assert page.get_by_test_id("status").count() == 0
    finally:
        context.close()


def test_a_wrong_code_is_refused_and_the_code_is_not_left_on_screen(chromium, live_server, matter):
    filing, code = matter
    context, page = kiosk_page(chromium, live_server, PORTRAIT)
    try:
        type_on_keypad(page, "kiosk-number", filing.receipt_number)
        wrong = "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"
        type_on_keypad(page, "kiosk-code", wrong)
        page.get_by_test_id("kiosk-submit").click()
        page.get_by_test_id("refused").wait_for()
        assert page.get_by_test_id("kiosk-code").input_value() == ""
        assert wrong not in page.content()
        shot(page, "portrait-3-refused")
    finally:
        context.close()


def test_left_idle_it_goes_back_to_a_clean_start_screen(chromium, live_server, matter, settings):
    settings.KIOSK_IDLE_SECONDS = 2
    filing, code = matter
    context, page = kiosk_page(chromium, live_server, LANDSCAPE)
    try:
        type_on_keypad(page, "kiosk-number", filing.receipt_number)
        type_on_keypad(page, "kiosk-code", code)
        page.get_by_test_id("kiosk-submit").click()
        page.get_by_test_id("status").wait_for()
        # Nobody touches the screen: the status disappears and the start screen is back, empty.
        page.get_by_test_id("keypad").wait_for(timeout=6_000)
        assert page.get_by_test_id("status").count() == 0
        assert page.get_by_test_id("kiosk-number").input_value() == ""
        shot(page, "landscape-4-after-idle")
    finally:
        context.close()


def _qr_video(path: Path, text: str) -> None:
    """A Y4M clip of the receipt's QR code (what Chromium's fake camera plays): 640x480, grey, 4:2:0."""
    import segno
    from PIL import Image

    qr = segno.make(text, error="m")
    png = path.with_suffix(".png")
    qr.save(str(png), scale=8, border=4)
    image = Image.new("L", (640, 480), 255)
    code = Image.open(png).convert("L")
    image.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    luma = image.tobytes()
    chroma = bytes([128]) * (320 * 240)
    with path.open("wb") as clip:
        clip.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _frame in range(10):
            clip.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_receipts_qr_code_read_by_the_camera_fills_in_the_number(chromium, live_server, matter, tmp_path):
    filing, _code = matter
    clip = tmp_path / "receipt-qr.y4m"
    _qr_video(clip, f"{live_server.url}/status/?number={filing.receipt_number}")
    from tests.conftest import CHROMIUM_CANDIDATES

    executable = next(path for path in CHROMIUM_CANDIDATES if Path(path).exists())
    camera_browser = chromium.browser_type.launch(
        executable_path=executable,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}",
        ],
    )
    try:
        context = camera_browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=PORTRAIT)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/kiosk/")
        page.get_by_test_id("kiosk-scan-start").click()
        page.wait_for_function(
            "expected => document.getElementById('id_number').value === expected", arg=filing.receipt_number
        )
        assert page.evaluate("document.activeElement.id") == "id_code"
        shot(page, "portrait-5-scanned")
    finally:
        camera_browser.close()
