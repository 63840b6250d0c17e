"""The agent console in headless Chromium: queue, packaged history, live transcript, translated reply."""

import pytest
from playwright.sync_api import expect

from database.core import session_scope
from handoff.agents import create_user
from shop.auth import create_customer_token
from shop.enums import OrderStatus
from tests.stack.browser import SCREENSHOTS

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_agent_handles_a_ticket_in_the_console(running_stack, browser, fresh_order):
    order = fresh_order(OrderStatus.DELIVERED, "pt")
    with session_scope() as session:
        create_user(db_session=session, name="console-agent", role="agent", password="console password")
    sender = "e2e-console-pt"
    customer_token = create_customer_token(order.customer_id)
    running_stack.chat(sender, f"O meu pedido {order.number} chegou danificado", customer_token=customer_token)
    ticket_id = running_stack.chat(sender, "Quero falar com um atendente humano",
                                   customer_token=customer_token)["handoff"]["ticket_id"]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(running_stack.url + "/agent")
    page.fill("#username", "console-agent")
    page.fill("#password", "console password")
    page.click("#signin")
    page.click(f".ticket[data-id='{ticket_id}']")
    page.wait_for_selector("#transcript .line")
    assert order.customer.email in page.inner_text("#detail")
    assert order.number in page.inner_text("#detail")
    assert "danificado" in page.inner_text("#transcript")

    # Preview, then send: the shopper gets it in Portuguese with the order number intact
    page.fill("#reply", f"Sorry about that. Order {order.number} will be replaced this week.")
    page.click("#preview-btn")
    page.wait_for_selector("#preview div")
    assert order.number in page.inner_text("#preview")
    page.click("#send")
    # (expect, not wait_for_function: the console's CSP allows no string evaluation)
    expect(page.locator("#transcript")).to_contain_text("será substituída", timeout=15_000)  # the agent's reply

    # A new shopper message appears live
    running_stack.chat(sender, "Obrigado! Quando chega a substituição?", customer_token=customer_token)
    expect(page.locator("#transcript")).to_contain_text("substituição", timeout=15_000)

    # Another shopper asks for a person: the new ticket appears in the queue with no reload
    other = running_stack.chat("e2e-console-en", "I want to talk to a human agent")["handoff"]["ticket_id"]
    expect(page.locator(f".ticket[data-id='{other}']")).to_be_attached(timeout=5_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "agent_console.png"), full_page=True)
