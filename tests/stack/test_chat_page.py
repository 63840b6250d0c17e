"""The plain chat page at / in a real headless Chromium (Debian's), driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest

from shop.enums import OrderStatus
from tests.conftest import TEST_VAR
from tests.factories import orders_in_status

pytestmark = [pytest.mark.stack, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("SHOPBOT_SCREENSHOTS", TEST_VAR / "screenshots"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (make browser installs Debian's package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def test_chat_in_the_browser(running_stack, browser, db_session):
    shipped = orders_in_status(db_session, OrderStatus.SHIPPED)[-5]
    page = browser.new_page(viewport={"width": 900, "height": 800})
    page.goto(running_stack.url + "/")

    def send(text: str, expected_replies: int) -> str:
        page.fill("#text", text)
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('.msg.bot').length >= {expected_replies}",
                               timeout=30_000)
        return page.locator(".msg.bot").last.inner_text()

    assert "assistant" in send("hello", 1)
    assert "e-mail" in send(f"where is my order {shipped.number}", 2)
    status = send(shipped.customer.email, 3)
    assert shipped.shipments[-1].tracking_number in status

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat_page.png"), full_page=True)
    assert page.locator(".msg.shopper").count() == 3
