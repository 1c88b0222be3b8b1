"""Browser fixtures: Debian's Chromium driven by Playwright against the real app on loopback.

Chromium comes from apt (never ``playwright install``); when it is missing and we are root
the fixture installs it, as ``scripts/setup.sh`` does, and skips only if that fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

import scanners
from tests.custody.conftest import district  # noqa: F401 - a fixture the tests use

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _install_chromium() -> str:
    """Install Debian's chromium once per machine (workers take turns); '' or why it failed."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not root, or no apt-get"
    with open("/tmp/custody-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if CHROMIUM.exists():
            return ""
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                return done.stderr.strip()[-300:]
    return ""


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for this test worker."""
    if not CHROMIUM.exists():
        why = _install_chromium()
        if not CHROMIUM.exists():
            pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}: "
                        f"apt-get install chromium failed ({why})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(settings, db):
    """The app, decoding in-process (the isolated decoder pool is tested elsewhere)."""
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


@pytest.fixture
def phone(browser, live_url):
    """A fresh phone-sized browser context with GPS granted at the booth."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN", permissions=["geolocation"],
        geolocation={"latitude": 30.7001, "longitude": 120.8001, "accuracy": 12},
        base_url=live_url)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """The git-ignored folder for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def supervisor_page(browser, live_url: str, who: dict, lang: str, landing: str):
    """A signed-in supervisor's page at 1366 px in ``lang``, on ``landing`` (a /supervise path);
    requests leaving the loopback are refused. Close it with ``page.context.close()``."""
    import re

    context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=live_url,
                                  locale="zh-CN" if lang == "zh" else "en-US")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/login?next={landing}")
    page.fill("#name", who["name"])
    page.fill("#password", who["password"])
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{landing}")
    return page
