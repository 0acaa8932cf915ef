"""End-to-end tests of the console in a real headless Chromium: the system's ``chromium`` (Debian's
package), driven by Playwright for Python through ``executable_path``, never a downloaded browser.
When no Chromium is found, the setup installs it with apt-get (as root); the tests skip, saying
why, only when that cannot be done. Screenshots of each page go to ``test-artifacts/console/``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from huiwu.runner import Platform

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
APT_PACKAGES = ("chromium", "fonts-noto-cjk")
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
WAIT_MS = 30_000  # events cross NATS and four processes: generous, never asserted as a duration

expect.set_options(timeout=WAIT_MS)


def _found() -> str | None:
    configured = os.environ.get("HUIWU_CHROMIUM")
    return configured or next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _apt_install() -> None:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *APT_PACKAGES]
    if subprocess.run(install, env=env, check=False, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False, capture_output=True)
        subprocess.run(install, env=env, check=False, capture_output=True)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = _found()
    if found is None:
        _apt_install()
        found = _found()
    if found is None:
        pytest.skip("no Chromium on PATH (or HUIWU_CHROMIUM), and `apt-get install chromium` failed")
    return found


# Module scope, not session: Playwright's sync driver keeps an event loop running in this thread
# until it stops, and every asyncio test collected after the console's would fail to start one.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright, chromium_path: str) -> Iterator[Browser]:
    # As root (CI, containers) Chromium refuses to start its sandbox.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    launched = playwright_driver.chromium.launch(executable_path=chromium_path, headless=True, args=args)
    yield launched
    launched.close()


class Console:
    """Browser contexts (separate users: sessionStorage and localStorage each their own) on the
    console of one platform, and the screenshots taken along the way."""

    def __init__(self, browser: Browser, platform: Platform, test_name: str) -> None:
        self.browser = browser
        self.platform = platform
        self.url = f"{platform.url('gateway')}/console/"
        self.shots = ARTEFACTS / re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        self.contexts: list[BrowserContext] = []

    def page(self, *, width: int = 1280, height: int = 900) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        self.contexts.append(context)
        page = context.new_page()
        page.goto(self.url)
        return page

    def signed_in(self, meeting_id: str, token: str | None = None, **size: int) -> Page:
        """A page signed in on ``meeting_id`` with the admin's token, which chooses the meeting,
        or with ``token``, one for that meeting only (a kiosk's), which goes straight in."""
        page = self.page(**size)
        page.get_by_label("访问令牌").fill(token or self.platform.token)
        page.get_by_role("button", name="下一步").click()
        if token is None:
            page.get_by_label("会议", exact=True).select_option(meeting_id)
            page.get_by_role("button", name="进入").click()
        return page

    def screenshot(self, page: Page, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def console(browser: Browser, platform: Platform, request: pytest.FixtureRequest) -> Iterator[Console]:
    opened = Console(browser, platform, request.node.name)
    yield opened
    opened.close()
