"""What every browser journey shares (issue 11, item 1): one browser context per person, in Chinese, logged
in as that person; each step named by who does what, so a failing journey says which person's which step
failed; a screenshot of each key page under var/screenshots/journeys/<journey>/; and an accessibility check
of each key page with axe-core (from the npm registry, `make test` installs it into node_modules/), which
must find no critical violation."""

import contextlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import PERSONA_PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


class JourneyStepFailed(AssertionError):
    pass


class Journey:
    def __init__(self, name: str, chromium, live_server):
        self.name, self.chromium, self.live_server = name, chromium, live_server
        self.contexts, self.pages, self.shots, self.checked = [], {}, 0, []

    def person(self, username: str, **options):
        """A browser of this person's own, logged in."""
        context = self.chromium.new_context(locale="zh-CN", base_url=self.live_server.url, **options)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        with self.step(username, "logs in"):
            page.goto("/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PERSONA_PASSWORD)
            page.click("button.primary")
            page.wait_for_url("**/")
        self.pages[username] = page
        return page

    def anonymous(self):
        context = self.chromium.new_context(locale="zh-CN", base_url=self.live_server.url)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    @contextlib.contextmanager
    def step(self, who: str, what: str):
        try:
            yield
        except Exception as error:
            raise JourneyStepFailed(f"journey {self.name!r}: {who} {what}: failed: {error}") from error

    def key_page(self, page, who: str, name: str) -> None:
        """A key page of the journey: its screenshot, and no critical accessibility violation."""
        self.shots += 1
        folder = SCREENSHOTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{who}-{name}".lower()).strip("-")
        page.screenshot(path=str(folder / f"{self.shots:02d}-{slug}.png"), full_page=True)
        with self.step(who, f"finds {name} accessible"):
            # Evaluated, not added as a <script>: the Content-Security-Policy refuses inline script.
            page.evaluate(AXE.read_text())
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            critical = [
                f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} elements)"
                for violation in result["violations"]
                if violation["impact"] == "critical"
            ]
            self.checked.append((who, name, len(result["violations"])))
            assert not critical, critical

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, chromium, live_server):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing on CI: `make test` installs it (npm ci)")
        pytest.skip("no axe-core: run `npm ci` (make test does)")
    made = []

    def start(name: str) -> Journey:
        made.append(Journey(name, chromium, live_server))
        return made[-1]

    yield start
    for one in made:
        one.close()
