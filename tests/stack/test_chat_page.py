"""The demo shop at / with the web widget, in a real headless Chromium (Debian's), driven by Playwright."""

import pytest
from playwright.sync_api import expect

from shop.enums import OrderStatus
from tests.stack.browser import SCREENSHOTS
from tests.stack.widget_page import Widget

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_english_order_status_in_the_widget_survives_a_reload(running_stack, browser, fresh_order):
    shipped = fresh_order(OrderStatus.SHIPPED)
    page = browser.new_page(viewport={"width": 1200, "height": 820})
    page.goto(running_stack.url + "/")
    assert "Lumen Market" in page.title()
    widget = Widget(page).open()
    expect(widget.input).to_be_focused()

    assert "assistant" in widget.send("hello")
    assert "e-mail" in widget.send(f"where is my order {shipped.number}")
    assert shipped.shipments[-1].tracking_number in widget.send(shipped.customer.email)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat_page.png"))

    # The same conversation after a reload: history restored, the socket reconnected with the conversation's
    # secret, and it goes on
    sender_id = widget.sender_id()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.reload()
    widget.open()
    expect(widget.shopper).to_have_count(3)
    expect(widget.replies.last).to_contain_text(shipped.shipments[-1].tracking_number)
    assert widget.sender_id() == sender_id
    secret = page.evaluate("localStorage.getItem('shopbot-widget:token')")
    assert secret and any(f"sender_id={sender_id}" in url and f"token={secret}" in url for url in sockets)
    assert "welcome" in widget.send("thanks!").lower()
    page.screenshot(path=str(SCREENSHOTS / "widget_after_reload.png"))
