"""Canned replies through the running stack: an agent answers a Chinese and an Arabic shopper with a reply the
team wrote once; it arrives in the shopper's language with their order number filled."""

import httpx
import pytest
from playwright.sync_api import expect

from database.core import session_scope
from handoff.agents import create_user
from shop.auth import create_customer_token
from shop.enums import OrderStatus
from tests.stack.browser import SCREENSHOTS
from tests.stack.test_handoff import ask_then_hand_over

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("language, where, ask_for_person, written", [
    ("zh", "我的订单 {n} 在哪里？", "我要找人工客服", "我们已将订单 {n} 的发票发送到您的电子邮箱"),
    ("ar", "أين طلبي رقم {n}؟", "أريد التحدث مع ممثل خدمة العملاء", "لقد أرسلنا فاتورة الطلب {n} إلى بريدك الإلكتروني"),
])
def test_agent_answers_with_a_canned_reply_in_the_shoppers_language(
    running_stack, fresh_order, agent_token, language, where, ask_for_person, written
):
    order = fresh_order(OrderStatus.SHIPPED, language)
    sender = f"e2e-canned-{language}"
    auth = {"Authorization": f"Bearer {agent_token}"}
    handed = ask_then_hand_over(running_stack, sender, order, where, ask_for_person)
    ticket_id = handed["handoff"]["ticket_id"]

    # The console knows before sending that the reply goes out as written, not machine-translated
    replies = httpx.get(f"{running_stack.url}/api/v1/canned-replies", params={"ticket_id": ticket_id},
                        headers=auth).json()
    assert {r["name"]: r["delivery"] for r in replies}["invoice_sent"] == "written"

    sent = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/messages", headers=auth,
                      json={"canned_reply": "invoice_sent", "order_id": order.number})
    assert sent.status_code == 200, sent.text

    # The shopper reads it in their own language with their order number
    received = [m for m in running_stack.history(sender) if m["role"] == "agent"][-1]
    assert written.format(n=order.number) in received["text"]
    assert received["language"] == language
    assert received["text_en"].startswith(f"Hi {order.customer.name.split()[0]}, we have sent the invoice")
    httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/close", headers=auth)


@pytest.mark.browser
def test_agent_picks_a_canned_reply_in_the_console(running_stack, browser, fresh_order):
    order = fresh_order(OrderStatus.DELIVERED, "zh")
    with session_scope() as session:
        create_user(db_session=session, name="canned-agent", role="agent", password="canned password")
    sender = "e2e-canned-console-zh"
    token = create_customer_token(order.customer_id)
    running_stack.chat(sender, f"订单 {order.number} 的发票在哪里？", customer_token=token)
    ticket_id = running_stack.chat(sender, "转人工", customer_token=token)["handoff"]["ticket_id"]

    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(running_stack.url + "/agent")
    page.fill("#username", "canned-agent")
    page.fill("#password", "canned password")
    page.click("#signin")
    page.click(f".ticket[data-id='{ticket_id}']")
    # The shopper asked about an invoice: the console proposes the invoice reply, filled from that order
    expect(page.locator("#suggestion")).to_contain_text("invoice_sent")
    expect(page.locator("#suggestion")).to_contain_text(order.number)
    # Each reply says how it will reach a Chinese shopper before anything is sent
    expect(page.locator("#canned option[value='invoice_sent']")).to_contain_text("written in zh")
    page.select_option("#canned", "invoice_sent")
    page.select_option("#canned-order", order.number)
    expect(page.locator("#canned-preview")).to_contain_text(f"订单 {order.number} 的发票", timeout=10_000)
    page.click("#canned-send")
    expect(page.locator("#transcript")).to_contain_text(f"我们已将订单 {order.number} 的发票", timeout=15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "agent_canned_reply.png"), full_page=True)


@pytest.mark.browser
def test_admin_writes_a_canned_reply_in_the_console(running_stack, browser):
    with session_scope() as session:
        create_user(db_session=session, name="canned-admin", role="admin", password="canned password")
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(running_stack.url + "/admin#canned")
    page.fill("#username", "canned-admin")
    page.fill("#password", "canned password")
    page.click("#signin")
    page.click("#tab-canned")
    # The seeded replies, each written in the 16 languages
    expect(page.locator("#canned-list tr", has_text="shipment_delayed")).to_contain_text("16 of 16")
    page.fill("#cr-name", "gift_wrap")
    page.fill("#cr-en", "Order {order_id} will be gift-wrapped.")
    page.fill("#cr-zh", "订单 {order_id} 将进行礼品包装。")
    page.click("#canned-form button[type=submit]")
    expect(page.locator("#canned-list tr", has_text="gift_wrap")).to_contain_text("2 of 16")
    # A translation that drops a variable is refused with the reason
    page.fill("#cr-de", "Wird als Geschenk verpackt.")
    page.click("#canned-form button[type=submit]")
    expect(page.locator("#notice")).to_contain_text("same variables")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin_canned_replies.png"), full_page=True)
