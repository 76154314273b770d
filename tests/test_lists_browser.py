"""The lists in a real Chromium (issue 14, item 12), screenshots under var/screenshots/: at 390 px wide each
list row is a card whose cells stack with their column's name and nothing scrolls sideways; on a desktop the
short cells (codes, dates, states) keep to one line; the state badges are legible (WCAG AA contrast) and
buttons and checkboxes are touch-sized."""

from pathlib import Path

import pytest

from tests.cases.conftest import deliver_pending, make_case, submit
from tests.cases.test_filing_browser import log_in
from tests.cases.test_request_pages import send_preservation, send_service
from tests.conftest import make_staff
from tests.mediation.conftest import open_headline

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"

# Each list: its address, the element holding its rows, and a name for its screenshot.
LISTS = [
    ("/filings/", "filing-list", "filings"),
    ("/cases/", "case-list", "cases"),
    ("/requests/", "service-requests", "requests"),
    ("/mediations/?whose=all", "mediations", "mediations"),
]

CONTRAST = """() => {
  const channels = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (rgb) => {
    const linear = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    const [r, g, b] = rgb.map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return [...document.querySelectorAll('.state')].map((badge) => {
    const style = getComputedStyle(badge);
    const [a, b] = [luminance(channels(style.color)), luminance(channels(style.backgroundColor))];
    return {text: badge.textContent.trim(), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
  });
}"""

TARGETS = """() => [...document.querySelectorAll('main button, main a.button, main label.check')]
  .filter((element) => element.offsetParent !== null)
  .map((element) => {
    const box = element.getBoundingClientRect();
    return {what: element.outerHTML.slice(0, 60), width: box.width, height: box.height};
  })"""


# The height of what a cell holds (its row may be taller), and its line height.
ONE_LINE = """(cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return [range.getBoundingClientRect().height, parseFloat(getComputedStyle(cell).lineHeight)];
}"""


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def clerk(courts):
    """A Qingpu filing clerk who is also a Zhujiajiao judge, with something in every list: filings from
    Wujiang's window, Qingpu's cases, requests to Jiashan, and a mediation Fenhu invited Zhujiajiao to."""
    user = make_staff("qingpu.lists", "qingpu", ["filing_clerk", "judge"], "zhujiajiao")
    window = make_staff("wujiang.lists", "wujiang", ["window_clerk"])
    for _ in range(2):
        submit(window, courts)
    case = make_case("qingpu")
    make_case("qingpu")
    send_service(user, case, courts)
    send_preservation(user, case, courts)
    open_headline(make_staff("fenhu.lists", "wujiang", ["judge"], "fenhu"), invited=("zhujiajiao",))
    deliver_pending()
    return user


def test_at_390_px_every_list_is_a_stack_of_cards_and_nothing_scrolls_sideways(page, clerk):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, clerk.username)
    for url, holder, name in LISTS:
        page.goto(url)
        shot(page, f"list-{name}-390")
        row = page.locator(f'[data-testid="{holder}"] tbody tr').first
        cells = row.locator("td")
        assert cells.count() >= 5, name

        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        boxes = [cells.nth(index).bounding_box() for index in range(cells.count())]
        assert len({round(box["x"]) for box in boxes}) == 1, name  # the cells stack...
        tops = [box["y"] for box in boxes]
        assert tops == sorted(tops) and len(set(tops)) == len(tops), name  # ...one under the other
        assert max(box["x"] + box["width"] for box in boxes) <= 390, name
        label = cells.first.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label.strip('"') == cells.first.get_attribute("data-label"), name  # each says its column
        small = [target for target in page.evaluate(TARGETS) if target["height"] < 44]
        assert not small, (name, small)


def test_on_a_desktop_short_cells_keep_to_one_line_and_badges_are_legible(page, clerk):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, clerk.username)
    for url, holder, name in LISTS:
        page.goto(url)
        shot(page, f"list-{name}-desktop")
        cells = page.locator(f'[data-testid="{holder}"] tbody tr').first.locator("td.nowrap")
        assert cells.count() >= 3, name
        for index in range(cells.count()):
            height, line = cells.nth(index).evaluate(ONE_LINE)
            assert height < 1.8 * line, (name, cells.nth(index).inner_text())
        badges = page.evaluate(CONTRAST)
        assert badges, name
        assert all(badge["ratio"] >= 4.5 for badge in badges), (name, badges)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
