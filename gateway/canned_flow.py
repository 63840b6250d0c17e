"""Canned replies on a ticket: the order in question, the reply filled for the shopper, the suggestion."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from canned import service as canned_service
from canned.models import CannedReply
from conversations import service as conversation_service
from gateway.exceptions import GatewayError
from handoff.models import Ticket
from shop.schemas import CustomerRead, OrderRead
from shop.source import get_order_source, normalize_order_number
from translation.service import TranslationService


class OrderNotInTicket(GatewayError):
    status_code = 422
    code = "order_not_in_ticket"


@dataclass(frozen=True)
class TicketOrders:
    customer: CustomerRead | None
    orders: list[OrderRead]


def ticket_orders(*, db_session: Session, ticket: Ticket) -> TicketOrders:
    """The ticket's shopper and their orders as the order source holds them now (none when unidentified)."""
    if ticket.customer_id is None:
        return TicketOrders(None, [])
    source = get_order_source(db_session)
    return TicketOrders(source.get_customer(ticket.customer_id),
                        source.list_orders(customer_id=ticket.customer_id, limit=500))


def order_in_question(*, db_session: Session, ticket: Ticket, known: TicketOrders) -> OrderRead | None:
    """The shopper's order named last in the conversation, else their latest order."""
    if not known.orders:
        return None
    conversation = conversation_service.get_by_id_or_raise(db_session=db_session,
                                                           conversation_id=ticket.conversation_id)
    for message in reversed(conversation.messages):
        named = [order for order in known.orders if message.role == "shopper" and order.number in message.text]
        if named:
            return named[0]
    return max(known.orders, key=lambda order: order.placed_at)


def pick_order(*, db_session: Session, ticket: Ticket, known: TicketOrders, order_id: str | None) -> OrderRead | None:
    """The order the agent named, which must be the ticket's shopper's; by default the order in question."""
    if order_id is None:
        return order_in_question(db_session=db_session, ticket=ticket, known=known)
    number = normalize_order_number(order_id)
    order = next((order for order in known.orders if order.number == number), None)
    if order is None:
        raise OrderNotInTicket(f"order {order_id} is not one of this shopper's orders")
    return order


def render_for_ticket(
    *, db_session: Session, ticket: Ticket, reply: CannedReply, order_id: str | None, translator: TranslationService
) -> canned_service.Rendered:
    """The reply as the ticket's shopper would receive it (machine-translated when needed)."""
    known = ticket_orders(db_session=db_session, ticket=ticket)
    order = pick_order(db_session=db_session, ticket=ticket, known=known, order_id=order_id)
    return canned_service.render(reply, language=ticket.language, order=order, customer=known.customer,
                                 translator=translator)
