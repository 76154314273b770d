"""The Content-Security-Policy (issue 12, item 1): no inline script or style anywhere a browser is sent.

The header's policy is read through the test client; the templates are read for inline code; and a real
Chromium visits a page of every kind (the login, a clerk's home, a filing and its form, a receipt with its
print button pressed, a mediation with its elapsed-time bar, the mediator's feed, the kiosk with its camera,
the public status and verification pages, the admin, the API docs) and fails on any violation the browser
reports, by its `securitypolicyviolation` event or on the console. A canary shows the watch sees one.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from cases.services.filings import filing_register
from config.urls import REDOC_POLICY as REDOC_ALLOWS
from tests.cases.conftest import deliver_pending, submit
from tests.conftest import PERSONA_PASSWORD, make_staff

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
# The Redoc page's: the two <style> contents its bundle makes, by hash, and its search's blob: worker
# (config/urls.py).
REDOC_POLICY = {
    **POLICY,
    "style-src": POLICY["style-src"] + REDOC_ALLOWS["style-src"],
    "worker-src": ["'self'", "blob:"],
}
# Redoc's side menu shows Redocly's logo from their CDN: the policy refuses it (the court networks are
# closed anyway) and Redoc drops the broken image. The one refusal the watch lets pass, on that page only.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
LOOPHOLES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'nonce-", "*", "http:", "https:")


def loopholes(header: str, *more: str) -> list[str]:
    images = "img-src 'self' data:"  # data: for images only (the QR codes, Swagger UI's icons)
    assert images in header
    return [loophole for loophole in (*LOOPHOLES, "data:", *more) if loophole in header.replace(images, "")]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in filter(None, (piece.strip() for piece in header.split(";"))):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class TestTheHeader:
    @pytest.mark.parametrize("path", ["/accounts/login/", "/status/", "/verify/", "/kiosk/", "/healthz"])
    def test_an_anonymous_answer_carries_the_policy(self, client, courts, path):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == POLICY

    @pytest.mark.parametrize("path", ["/", "/filings/new/", "/api/docs/", "/api/docs/?script="])
    def test_a_signed_in_answer_carries_the_policy(self, client, wujiang_clerk, path):
        client.force_login(wujiang_clerk)
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == POLICY

    def test_the_redoc_page_allows_two_styles_by_hash_and_its_worker_and_nothing_else(
        self, client, wujiang_clerk
    ):
        client.force_login(wujiang_clerk)
        header = client.get("/api/redoc/")["Content-Security-Policy"]
        assert directives(header) == REDOC_POLICY
        assert not loopholes(header)

    def test_a_refusal_carries_it_too(self, client, courts):
        assert "Content-Security-Policy" in client.get("/filings/")  # the redirect to the login
        assert "Content-Security-Policy" in client.get("/no-such-page/")

    def test_nothing_inline_is_allowed(self, client, courts):
        header = client.get("/accounts/login/")["Content-Security-Policy"]
        assert not loopholes(header, "'sha256-", "blob:")

    def test_the_swagger_ui_start_up_script_is_its_own_answer(self, client, wujiang_clerk):
        client.force_login(wujiang_clerk)
        page = client.get("/api/docs/").content.decode()
        assert '<script src="/api/docs/?script="></script>' in page
        script = client.get("/api/docs/?script=")
        assert script["Content-Type"].startswith("application/javascript")
        assert b"SwaggerUIBundle(" in script.content


# Templates that reach a browser: every one but the printed documents (WeasyPrint reads templates/pdf/).
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    Path(settings.BASE_DIR) / app / "templates" for app in ("courts", "cases", "mediation")
]
TAG = re.compile(r"<[a-zA-Z][^>]*>")
INLINE = {
    "an inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_served_to_browsers_has_inline_script_or_style():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if folder / "pdf" in path.parents:
                continue
            for tag in TAG.findall(path.read_text()):
                found += [
                    f"{path.relative_to(settings.BASE_DIR)}: {what}: {tag[:80]}"
                    for what, pattern in INLINE.items()
                    if pattern.search(tag)
                ]
    assert not found, "\n".join(found)


# --- In Chromium -----------------------------------------------------------------------------------------

# Before any script of the page: every violation is recorded, and handed to the test at once (the page's own
# record goes with it on the next navigation). window.print is replaced by a counter, to see the button work
# without a print dialog.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const seen = {directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile,
                line: event.lineNumber, sample: event.sample, page: location.pathname};
  window.__cspViolations.push(seen);
  window.cspViolationSeen(JSON.stringify(seen));
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


class Watch:
    """One browser context whose every page is watched for violations of the policy."""

    def __init__(self, context):
        self.context, self.violations, self.pages = context, [], []
        context.expose_function("cspViolationSeen", lambda seen: self.violations.append(json.loads(seen)))
        context.add_init_script(WATCH)

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.violations.append({"page error": str(error)}))
        return page

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append({"console": message.text})

    def visit(self, page, path: str, policy=POLICY):
        """Go to the page and check its answer carries the policy."""
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        assert directives(response.headers.get("content-security-policy", "")) == policy, path
        self.pages.append(path)
        return response

    def clean(self, page, but: str | None = None) -> None:
        """Nothing was refused so far, on this page or any before it (but this one address on this page)."""
        page.wait_for_load_state("networkidle")
        self.violations += [
            seen for seen in page.evaluate("window.__cspViolations") if seen not in self.violations
        ]
        if but:
            self.violations = [
                seen
                for seen in self.violations
                if seen.get("blocked") != but and f"'{but}'" not in seen.get("console", "")
            ]
        assert not self.violations, json.dumps(self.violations, ensure_ascii=False, indent=1)


@pytest.fixture
def watched(chromium, live_server, courts):
    contexts = []

    def start(browser=chromium, **options) -> Watch:
        context = browser.new_context(locale="zh-CN", base_url=live_server.url, **options)
        contexts.append(context)
        return Watch(context)

    yield start
    for context in contexts:
        context.close()


def log_in(watch: Watch, page, username: str) -> None:
    watch.visit(page, "/accounts/login/")
    watch.clean(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PERSONA_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/")


@pytest.fixture
def fenhu_judge(courts):
    return make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")


@pytest.fixture
def registered_filing(wujiang_clerk, qingpu_clerk, courts):
    filing, code = submit(wujiang_clerk, courts)
    deliver_pending()
    filing_register(filing_id=filing.pk, actor=qingpu_clerk)
    return filing, code


@pytest.mark.browser
class TestInChromium:
    def test_the_watch_sees_an_inline_script_and_a_style_attribute(self, watched):
        watch = watched()
        page = watch.new_page()
        watch.visit(page, "/accounts/login/")
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.ranInline = true";
              document.body.append(script);
              document.body.setAttribute("style", "background: red");
            }"""
        )
        page.wait_for_function("() => window.__cspViolations.length >= 2")
        assert page.evaluate("window.ranInline") is None
        events = {seen["directive"] for seen in watch.violations if "directive" in seen}
        assert events >= {"script-src-elem", "style-src-attr"}
        assert any("Content Security Policy" in seen.get("console", "") for seen in watch.violations)

    def test_a_clerks_pages_break_no_rule(self, watched, registered_filing):
        filing, _code = registered_filing
        watch = watched()
        page = watch.new_page()
        log_in(watch, page, "wujiang.window")
        watch.clean(page)
        for path in ("/", "/filings/", f"/filings/{filing.pk}/", "/cases/", "/requests/", "/calendar/2026/"):
            watch.visit(page, path)
            watch.clean(page)
        watch.visit(page, "/filings/new/")
        page.click("#add-party")  # static/js/filing_form.js copies the party template in
        watch.clean(page)

        watch.visit(page, f"/filings/{filing.pk}/receipt/")
        page.get_by_test_id("receipt-print").click()
        watch.clean(page)
        assert page.evaluate("window.__printed") == 1  # static/js/page.js handles data-print

        watch.visit(page, "/api/docs/")
        page.locator(".swagger-ui .info .title").wait_for()
        page.locator(".opblock").first.wait_for()
        watch.clean(page)
        watch.visit(page, "/api/redoc/", REDOC_POLICY)
        page.locator("redoc h1").first.wait_for()
        page.get_by_text("Something went wrong").wait_for(state="detached")  # Redoc's own error page
        page.locator("redoc input[placeholder]").fill("filing")  # the search, in its worker
        page.locator("redoc [role=search] li, redoc [data-role='search:results'] li").first.wait_for()
        watch.clean(page, but=REDOCLY_LOGO)

    def test_a_mediation_with_its_elapsed_bar_and_the_feed_break_no_rule(
        self, watched, fenhu_judge, xitang_judge
    ):
        from tests.mediation.conftest import accepted

        mediation = accepted(fenhu_judge, xitang_judge)
        watch = watched()
        page = watch.new_page()
        log_in(watch, page, fenhu_judge.username)
        watch.visit(page, f"/mediations/{mediation.pk}/")
        elapsed = page.get_by_test_id("elapsed")
        elapsed.wait_for()
        # Each part of the bar is as wide as its share (static/js/page.js sets it from data-width).
        bar = elapsed.locator(".bar").bounding_box()
        parts = elapsed.locator(".bar-part")
        assert parts.count() >= 2
        for index in range(parts.count()):
            part = parts.nth(index)
            share = float(part.get_attribute("data-width"))
            assert part.bounding_box()["width"] == pytest.approx(max(bar["width"] * share / 100, 2), abs=1.5)
        watch.clean(page)

        watch.visit(page, "/mediations/feed/")
        page.get_by_test_id("feed-url").focus()
        assert page.evaluate("document.activeElement.selectionEnd") == len(
            page.get_by_test_id("feed-url").input_value()
        )
        watch.clean(page)

    def test_the_admin_breaks_no_rule(self, watched, superuser, courts):
        watch = watched()
        page = watch.new_page()
        log_in(watch, page, superuser.username)
        court = courts["wujiang"]
        for path in (
            "/admin/",
            "/admin/courts/court/",
            "/admin/courts/event/",  # its date hierarchy
            "/admin/courts/calendaryear/",
            f"/admin/courts/court/{court.pk}/change/",
            f"/admin/courts/user/{superuser.pk}/change/",
            "/admin/courts/user/add/",
        ):
            watch.visit(page, path)
            watch.clean(page)

    def test_the_public_pages_and_the_kiosk_break_no_rule(self, watched, registered_filing):
        filing, code = registered_filing
        watch = watched()
        page = watch.new_page()
        watch.visit(page, "/verify/")
        watch.clean(page)
        watch.visit(page, "/status/")
        page.fill("#id_number", filing.receipt_number)
        page.fill("#id_code", code)
        page.click("button.primary")
        page.get_by_test_id("status").wait_for()
        watch.clean(page)

        watch.visit(page, "/kiosk/")
        page.get_by_test_id("kiosk-number").click()
        for character in filing.receipt_number:
            page.locator(f'.keypad button[data-key="{character}"]').click()
        page.get_by_test_id("kiosk-code").click()
        for character in code:
            page.locator(f'.keypad button[data-key="{character}"]').click()
        page.get_by_test_id("kiosk-submit").click()
        page.get_by_test_id("status").wait_for()
        watch.clean(page)

    def test_the_kiosk_reading_a_qr_code_with_the_camera_breaks_no_rule(
        self, chromium, watched, registered_filing, live_server, tmp_path
    ):
        from tests.conftest import CHROMIUM_CANDIDATES
        from tests.test_kiosk_browser import _qr_video

        filing, _code = registered_filing
        clip = tmp_path / "receipt-qr.y4m"
        _qr_video(clip, f"{live_server.url}/status/?number={filing.receipt_number}")
        camera_browser = chromium.browser_type.launch(
            executable_path=next(path for path in CHROMIUM_CANDIDATES if Path(path).exists()),
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
            watch = watched(camera_browser)
            watch.context.grant_permissions(["camera"])
            page = watch.new_page()
            watch.visit(page, "/kiosk/")
            page.get_by_test_id("kiosk-scan-start").click()
            page.wait_for_function(
                "expected => document.getElementById('id_number').value === expected",
                arg=filing.receipt_number,
            )
            watch.clean(page)
        finally:
            camera_browser.close()
