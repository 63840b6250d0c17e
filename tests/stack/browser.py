"""Debian's Chromium for the browser tests, driven by Playwright (nothing is downloaded by Playwright).
The `browser` fixture (tests/stack/conftest.py) launches it; screenshots go to SCREENSHOTS."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TEST_VAR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("SHOPBOT_SCREENSHOTS", TEST_VAR / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def launch_chromium() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (make browser installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def screenshot(page, name: str, **options) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), **options)
    return path
