"""Handoff through the running stack: the ticket packages the shopper's orders and transcript, the agent's
English reply reaches the shopper translated with the order number intact, the assistant stays silent until
the ticket is closed, then answers again."""

import httpx
import pytest

from database.core import session_scope
from handoff.agents import create_user
from shop.auth import create_customer_token
from shop.enums import OrderStatus
from tests.stack.conftest import ESCALATE_ORDER_VALUE
from translation.backends.apertium import ApertiumBackend

pytestmark = pytest.mark.stack


def ask_then_hand_over(running_stack, sender: str, order, where: str, ask_for_person: str) -> dict:
    """The shopper asks about an order (verified by e-mail), then asks for a person; the chat reply."""
    running_stack.chat(sender, where.format(n=order.number))
    assert order.shipments[-1].tracking_number in running_stack.say(sender, order.customer.email)
    handed = running_stack.chat(sender, ask_for_person)
    assert handed["handoff"]
    return handed


def test_portuguese_shopper_handed_to_an_agent_and_back(running_stack, fresh_order, agent_token):
    order = fresh_order(OrderStatus.SHIPPED, "pt")
    sender = "e2e-handoff-pt"
    auth = {"Authorization": f"Bearer {agent_token}"}

    handed = ask_then_hand_over(running_stack, sender, order, "Onde está o meu pedido {n}?",
                                "Quero falar com uma pessoa, por favor")
    assert handed["language"] == "pt"
    assert "fila" in handed["messages"][-1]["text"] and "queue" in handed["messages"][-1]["text_en"]
    ticket_id = handed["handoff"]["ticket_id"]

    # The ticket holds the shopper's profile, orders and the transcript in Portuguese and English
    ticket = httpx.get(f"{running_stack.url}/api/v1/tickets/{ticket_id}", headers=auth).json()
    package = ticket["package"]
    assert package["profile"]["email"] == order.customer.email
    assert order.number in {o["number"] for o in package["purchase_history"]}
    assert package["reason"] == "shopper_request" and package["language"] == "pt"
    shopper_lines = [m for m in package["inquiry_history"]["transcript"] if m["role"] == "shopper"]
    assert shopper_lines[0]["text"].startswith("Onde está") and "order" in shopper_lines[0]["text_en"].lower()
    assert order.customer.name in ticket["summary"]

    # While the ticket is open the assistant is silent
    silent = running_stack.chat(sender, "Olá? Ainda está aí?")
    assert silent["messages"] == [] and silent["handoff"]["ticket_id"] == ticket_id

    # The agent's English reply reaches the shopper in Portuguese, order number intact
    preview = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/preview", headers=auth,
                         json={"text": f"Your order {order.number} will arrive tomorrow."}).json()
    assert preview["translated"] and order.number in preview["text"] and preview["back_translation"]
    sent = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/messages", headers=auth,
                      json={"text": f"Your order {order.number} will arrive tomorrow."})
    assert sent.status_code == 200, sent.text
    last_id = sent.json()["id"]
    seen = running_stack.history(sender, after=last_id - 1)
    assert seen[0]["role"] == "agent" and order.number in seen[0]["text"] and "pedido" in seen[0]["text"].lower()

    # Internal notes stay with the team
    note = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/notes", headers=auth,
                      json={"text": "Carrier confirmed delivery for tomorrow"})
    assert note.status_code == 201
    assert httpx.get(f"{running_stack.url}/api/v1/tickets/{ticket_id}", headers=auth).json()["notes"][0]["text"] \
        == "Carrier confirmed delivery for tomorrow"
    shopper_view = running_stack.history(sender)
    assert not any("Carrier confirmed" in m["text"] for m in shopper_view)

    # Closing hands the conversation back; the assistant answers again
    closed = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/close", headers=auth).json()
    assert closed["status"] == "closed"
    back = running_stack.chat(sender, "Quais são as formas de pagamento?")
    assert back["handoff"] is None and back["messages"]


def test_ticket_endpoints_need_a_valid_agent_token(running_stack):
    assert httpx.get(f"{running_stack.url}/api/v1/tickets").status_code == 401
    bad = httpx.get(f"{running_stack.url}/api/v1/tickets", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"


def test_unknown_ticket_is_404(running_stack, agent_token):
    response = httpx.get(f"{running_stack.url}/api/v1/tickets/T-nope",
                         headers={"Authorization": f"Bearer {agent_token}"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "ticket_not_found"


def test_escalation_when_the_assistant_cannot_do_what_is_needed(running_stack, fresh_order, agent_token):
    shipped = fresh_order(OrderStatus.SHIPPED)
    token = create_customer_token(shipped.customer_id)
    sender = "e2e-failed-action"
    offer = running_stack.say(sender, f"cancel order {shipped.number}", customer_token=token)
    # Understood, but not something the assistant can do: a person is offered without claiming confusion
    assert "can no longer be cancelled" in offer and "A person on our team can help with that" in offer
    assert "not sure" not in offer
    handed = running_stack.chat(sender, "yes please", customer_token=token)
    ticket = httpx.get(f"{running_stack.url}/api/v1/tickets/{handed['handoff']['ticket_id']}",
                       headers={"Authorization": f"Bearer {agent_token}"}).json()
    assert ticket["reason"] == "failed_action"


def test_shop_rule_sends_high_value_returns_to_a_person(running_stack, fresh_order, agent_token):
    expensive = fresh_order(OrderStatus.DELIVERED, items={"SKU-WATCH": 2, "SKU-BAG": 2})
    assert expensive.total > ESCALATE_ORDER_VALUE
    handed = running_stack.chat("e2e-high-value", f"I want to return order {expensive.number}",
                                customer_token=create_customer_token(expensive.customer_id))
    assert handed["handoff"]
    ticket = httpx.get(f"{running_stack.url}/api/v1/tickets/{handed['handoff']['ticket_id']}",
                       headers={"Authorization": f"Bearer {agent_token}"}).json()
    assert ticket["reason"] == "high_value_order" and ticket["priority"] == "high"


@pytest.mark.skipif(not ApertiumBackend().supports(src_lang="en", tgt_lang="es"),
                    reason="apertium-en-es is not installed (make test installs it)")
def test_spanish_shopper_gets_the_agents_reply_in_spanish(running_stack, fresh_order, agent_token):
    order = fresh_order(OrderStatus.SHIPPED, "es")
    sender = "e2e-handoff-es"
    auth = {"Authorization": f"Bearer {agent_token}"}
    handed = ask_then_hand_over(running_stack, sender, order, "¿Dónde está mi pedido {n}?",
                                "Quiero hablar con una persona, por favor")
    ticket_id = handed["handoff"]["ticket_id"]
    package = httpx.get(f"{running_stack.url}/api/v1/tickets/{ticket_id}", headers=auth).json()["package"]
    assert order.number in {o["number"] for o in package["purchase_history"]}
    assert package["inquiry_history"]["transcript"][0]["text"].startswith("¿Dónde está")

    sent = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/messages", headers=auth,
                      json={"text": f"Your order {order.number} will arrive tomorrow."}).json()
    assert order.number in sent["text"] and "mañana" in sent["text"] and sent["language"] == "es"
    assert running_stack.chat(sender, "¿Hola?")["messages"] == []  # silent while the ticket is open
    httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/close", headers=auth)
    assert running_stack.chat(sender, "¿Qué métodos de pago aceptan?")["messages"]


def test_only_admins_assign_tickets_to_other_agents(running_stack, agent_token, admin_token):
    with session_scope() as db_session:
        colleague, _ = create_user(db_session=db_session, name="e2e-colleague", role="agent")
        colleague_id = colleague.id
    ticket_id = running_stack.chat("e2e-assign", "I want to talk to a human agent")["handoff"]["ticket_id"]
    url = f"{running_stack.url}/api/v1/tickets/{ticket_id}/assign"
    as_agent = httpx.post(url, json={"agent_id": colleague_id}, headers={"Authorization": f"Bearer {agent_token}"})
    assert as_agent.status_code == 403 and as_agent.json()["error"]["code"] == "forbidden"
    as_admin = httpx.post(url, json={"agent_id": colleague_id}, headers={"Authorization": f"Bearer {admin_token}"})
    assert as_admin.status_code == 200 and as_admin.json()["assignee_id"] == colleague_id
    unknown = httpx.post(url, json={"agent_id": 99999}, headers={"Authorization": f"Bearer {admin_token}"})
    assert unknown.status_code == 404
