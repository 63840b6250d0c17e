"""The web widget through the running stack: Arabic right to left, the language selector, quick replies on a
shop's own (cross-origin) page with a logged-in shopper, an agent's reply arriving live during a handoff, the
WebSocket's answers to bad frames, and the HTTP fallback when the socket is blocked."""

import json
import re
import secrets
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import httpx
import pytest
from playwright.sync_api import expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conversations import service as conversation_service
from handoff import service as handoff_service
from shop.auth import create_customer_token
from shop.enums import OrderStatus
from shop.models import Order
from tests.stack.browser import SCREENSHOTS
from tests.stack.conftest import ESCALATE_ORDER_VALUE
from tests.stack.widget_page import Widget
from translation.responses import get_catalog

pytestmark = [pytest.mark.stack, pytest.mark.browser]

ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def page(browser):
    """A fresh browser context each time: a new shopper with an empty localStorage."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    yield page
    page.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def cheap_processing_order(fresh_order, language: str = "en") -> Order:
    """An order a shopper may cancel without a person (below the shop's escalation value)."""
    order = fresh_order(OrderStatus.PROCESSING, language)
    assert order.total <= ESCALATE_ORDER_VALUE
    return order


def test_arabic_shopper_gets_a_right_to_left_widget(running_stack, page, fresh_order):
    order = fresh_order(OrderStatus.SHIPPED, "ar")
    page.goto(running_stack.url + "/")
    widget = Widget(page).open()
    expect(widget.panel).to_have_attribute("dir", "ltr")

    asked = widget.send(f"أين طلبي رقم {order.number}؟")
    assert ARABIC.search(asked) and order.number in asked
    expect(widget.panel).to_have_attribute("dir", "rtl")
    expect(widget.panel).to_have_attribute("lang", "ar")
    expect(widget.input).to_have_attribute("placeholder", get_catalog().term("widget.placeholder", "ar"))

    status = widget.send(order.customer.email)
    assert ARABIC.search(status) and order.shipments[-1].tracking_number in status
    # Right to left: the shopper's messages sit on the left, the assistant's on the right
    shopper_box, reply_box = widget.shopper.last.bounding_box(), widget.replies.last.bounding_box()
    assert shopper_box["x"] < reply_box["x"]
    screenshot(page, "widget_arabic.png")


def test_language_chosen_in_the_selector_sticks(running_stack, page):
    page.goto(running_stack.url + "/")
    widget = Widget(page).open()
    page.select_option("#shopbot-language", "es")
    expect(widget.input).to_have_attribute("placeholder", get_catalog().term("widget.placeholder", "es"))
    assert "asistente" in widget.send("hello")
    assert "asistente" in widget.send("who are you? a bot?")


@pytest.fixture
def shop_site(running_stack):
    """A shop's own site on another origin (one the gateway lists): serves the page it is given on every path."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", int(running_stack.shop_origin.rsplit(":", 1)[1])), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield pages, running_stack.shop_origin
    server.shutdown()


def test_logged_in_shopper_cancels_with_a_quick_reply_on_the_shops_page(running_stack, page, db_session, fresh_order,
                                                                         shop_site):
    order = cheap_processing_order(fresh_order)
    token = create_customer_token(order.customer_id)
    # The shop's own page (another origin) embeds the widget with one tag, vouching for its logged-in shopper
    pages, shop_url = shop_site
    pages["html"] = (f"<!doctype html><title>My account</title><h1>My account</h1><script "
                     f'src="{running_stack.url}/widget.js" data-customer-token="{token}" data-open="true"></script>')
    page.goto(shop_url + "/account")
    widget = Widget(page)
    expect(widget.panel).to_be_visible()

    assert "Shall I cancel it now?" in widget.send(f"please cancel order {order.number}")
    expect(widget.quick_replies).to_have_text(["Yes, cancel it", "No, keep it"])
    screenshot(page, "widget_quick_replies.png")
    widget.quick_replies.first.focus()
    page.keyboard.press("Enter")  # keyboard only
    expect(widget.replies.last).to_contain_text(f"order {order.number} is cancelled", timeout=30_000)
    expect(widget.shopper.last).to_have_text("Yes, cancel it")
    expect(widget.quick_replies).to_have_count(0)
    db_session.expire_all()
    assert db_session.get(Order, order.id).status == OrderStatus.CANCELLED


def test_quick_reply_payload_is_understood_in_arabic(running_stack, fresh_order):
    order = cheap_processing_order(fresh_order, "ar")
    token = create_customer_token(order.customer_id)
    sender = "w-" + secrets.token_hex(16)
    confirm = running_stack.chat(sender, f"أريد إلغاء الطلب {order.number}", customer_token=token)
    buttons = confirm["messages"][-1]["buttons"]
    assert [b["title"] for b in buttons] == ["نعم، ألغِه", "لا، أبقِه"]
    done = running_stack.chat(sender, buttons[0]["payload"], customer_token=token)
    assert done["language"] == "ar" and order.number in done["messages"][0]["text"]
    assert "is cancelled" in done["messages"][0]["text_en"]
    history = running_stack.history(sender)
    assert [m["text"] for m in history if m["role"] == "shopper"][-1] == "نعم، ألغِه"


def test_agent_reply_reaches_the_widget_live(running_stack, page, db_session, agent_token):
    page.goto(running_stack.url + "/")
    widget = Widget(page).open()
    assert "queue" in widget.send("I want to talk to a person please")
    expect(widget.banner).to_be_visible()
    conversation = conversation_service.get(db_session=db_session, sender_id=widget.sender_id())
    ticket = handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id)
    auth = {"Authorization": f"Bearer {agent_token}"}

    sent = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket.id}/messages", headers=auth,
                      json={"text": "Hi, I'm Sam from the team. How can I help?"})
    assert sent.status_code == 200
    # Pushed by the gateway the moment it is stored: no reload, well within the slow poll's interval
    expect(page.locator("#shopbot-log .msg.agent")).to_have_text("Hi, I'm Sam from the team. How can I help?",
                                                                  timeout=3_000)
    widget.input.fill("My parcel is late")
    widget.input.press("Enter")
    expect(widget.shopper.last).not_to_have_class(re.compile("pending"), timeout=5_000)  # stored, not answered
    expect(widget.typing).to_be_hidden()
    screenshot(page, "widget_handoff.png")

    assert httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket.id}/close", headers=auth).status_code == 200
    # Back with the assistant, then asked for a rating (CSAT) in the same push
    expect(widget.replies.filter(has_text="I'm the assistant again")).to_have_count(1, timeout=3_000)
    expect(widget.replies.last).to_contain_text("How did we do?", timeout=3_000)
    expect(widget.banner).to_be_hidden()


def receive_turn(socket) -> list[dict]:
    """The frames of one turn, up to and including its `reply`."""
    frames = []
    while not frames or frames[-1]["type"] != "reply":
        frames.append(json.loads(socket.recv(timeout=30)))
    return frames


def test_websocket_answers_bad_frames_with_errors_and_stays_open(running_stack):
    socket_url = running_stack.url.replace("http://", "ws://") + "/api/v1/ws"
    with connect(f"{socket_url}?sender_id=guessable") as socket:
        assert json.loads(socket.recv(timeout=10))["error"]["code"] == "invalid_sender_id"
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
        assert closed.value.rcvd.code == 1008

    sender = f"w-{secrets.token_hex(16)}"
    running_stack.chat(sender, "hi")
    with connect(f"{socket_url}?sender_id={sender}&token={running_stack.tokens[sender]}") as socket:
        assert json.loads(socket.recv(timeout=10))["message"]["role"] == "shopper"  # the history so far
        assert json.loads(socket.recv(timeout=10))["message"]["role"] == "bot"
        bad_frames = [
            ("{not json", "invalid_json"),
            ("[" * 50_000, "invalid_json"),
            (json.dumps({"type": "message"}), "invalid_frame"),
            (json.dumps({"type": "typing", "text": "hi"}), "invalid_frame"),
            (b"\x00\x01", "invalid_frame"),
            (json.dumps({"type": "message", "text": "   "}), "empty_message"),
            (json.dumps({"type": "message", "text": "x" * 2001}), "message_too_long"),
            ("x" * 70_000, "frame_too_large"),
            (json.dumps({"type": "message", "text": "hello", "language": "xx"}), "unsupported_language"),
            (json.dumps({"type": "message", "text": "hello", "customer_token": "1.2.3"}), "invalid_customer_token"),
        ]
        for frame, code in bad_frames:
            socket.send(frame)
            assert json.loads(socket.recv(timeout=10))["error"]["code"] == code, frame[:40]

        socket.send(json.dumps({"type": "message", "text": "hello"}))
        frames = receive_turn(socket)
        messages = [f["message"] for f in frames if f["type"] == "message"]
        assert [m["role"] for m in messages] == ["shopper", "bot"] and "assistant" in messages[1]["text"]
        assert frames[-1] == {"type": "reply", "language": "en", "handoff": None}


def test_conversation_goes_on_over_http_when_the_socket_is_blocked(running_stack, page, fresh_order):
    order = fresh_order(OrderStatus.SHIPPED)
    refused = []
    page.route_web_socket(re.compile(r".*/api/v1/ws.*"), lambda socket: (refused.append(socket.url), socket.close()))
    page.goto(running_stack.url + "/")
    widget = Widget(page).open()
    assert "e-mail" in widget.send(f"where is my order {order.number}")
    assert order.shipments[-1].tracking_number in widget.send(order.customer.email)
    assert refused  # the widget did try its socket
    expect(widget.shopper).to_have_count(2)
