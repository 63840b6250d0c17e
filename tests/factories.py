"""Data a test builds for itself (orders, tickets, accounts, channel shoppers) and removes afterwards, and the
seeded data found by what a test needs, not by hard-coded numbers."""

import itertools
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from database.core import session_scope
from shop.enums import OrderStatus, PaymentMethod
from shop.models import Customer, Order
from shop.seed import (
    FIRST_ORDER_NUMBER,
    MARKETS,
    METHODS_BY_MARKET_REGION,
    ORDERS,
    email_address,
    make_order,
    order_items,
)

#: Numbers of the orders `new_order` builds: seven digits like the seed's (1000001 to 1000210), from a range the
#: seed never reaches. (The proactive tests' shoppers count from the clock; a number in use is skipped.)
FIRST_NEW_ORDER_NUMBER = 1_900_001
assert FIRST_NEW_ORDER_NUMBER > FIRST_ORDER_NUMBER + ORDERS
_new_order_numbers = itertools.count(FIRST_NEW_ORDER_NUMBER)

#: Days since a new order was placed, by status: a shipped order is on its way (shipped yesterday, expected
#: within days), a delivered one arrived a few days ago (inside the return window), a refund was paid.
NEW_ORDER_AGE_DAYS = {OrderStatus.PENDING_PAYMENT: 0, OrderStatus.PROCESSING: 1, OrderStatus.SHIPPED: 2,
                      OrderStatus.DELIVERED: 12, OrderStatus.CANCELLED: 5, OrderStatus.RETURNED: 25,
                      OrderStatus.REFUNDED: 30}
#: What a new order holds unless the test says otherwise: below the shop's escalation value (600), so
#: cancelling or returning it is something the assistant does itself.
NEW_ORDER_ITEMS = {"SKU-SNEAKER": 1, "SKU-TSHIRT": 2}


def new_order(db_session: Session, status: OrderStatus = OrderStatus.SHIPPED, language: str = "en", *,
              customer: Customer | None = None, items: dict[str, int] | None = None,
              payment: PaymentMethod | None = None, **overrides) -> Order:
    """A committed order for one test, of a new shopper writing `language` (or of `customer`), with what its
    status implies as the seed builds it (shop.seed.make_order): payments, the shipment (carrier, tracking number,
    estimated delivery, delivered_at), the refund. `items` are SKUs of the demo catalogue with quantities
    (default NEW_ORDER_ITEMS); `payment` defaults to the market's most common method; `overrides` set other
    columns of the order. Remove it with `discard_order` (or use the `fresh_order` fixture, which does)."""
    number = next(_new_order_numbers)
    while db_session.scalar(select(Order.id).where(Order.number == str(number))) is not None:
        number = next(_new_order_numbers)
    rng = random.Random(number)
    now = datetime.now(UTC)
    if customer is None:
        country, _, _, firsts, lasts = next(market for market in MARKETS if market[1] == language)
        first, last = firsts[number % len(firsts)], lasts[number % len(lasts)]
        customer = Customer(name=f"{first} {last}", email=email_address(first, last, number),
                            phone=f"+{rng.randint(20, 99)}{rng.randint(10**8, 10**9 - 1)}", country=country,
                            language=language, created_at=now - timedelta(days=rng.randint(60, 1500)))
    method = payment or METHODS_BY_MARKET_REGION.get(customer.country, [PaymentMethod.CARD])[0]
    order = make_order(rng, now, number, customer, status, items=order_items(items or NEW_ORDER_ITEMS),
                       placed_at=now - timedelta(days=NEW_ORDER_AGE_DAYS[status], hours=1), method=method)
    for column, value in overrides.items():
        setattr(order, column, value)
    db_session.add(order)
    db_session.commit()
    return order


def discard_order(db_session: Session, number: str) -> None:
    """Remove an order `new_order` built, with the conversations and tickets of its shopper, and the shopper once
    they have no other order."""
    db_session.rollback()
    order = db_session.scalars(select(Order).where(Order.number == number)).first()
    if order is None:
        return
    customer_id = order.customer_id
    _discard_shop_records(db_session, order)
    db_session.flush()
    if db_session.scalar(select(Order.id).where(Order.customer_id == customer_id)) is None:
        _discard_customer(db_session, customer_id)
    db_session.commit()


def any_customer(db_session: Session) -> Customer:
    """A seeded customer (tests that only need someone the shop knows, not particular orders)."""
    customer = db_session.scalars(select(Customer).order_by(Customer.id)).first()
    assert customer is not None, "the test database is seeded"
    return customer


def seeded_order(db_session: Session, status: str) -> Order:
    """The first seeded order in `status`, for tests that only read it (change nothing, or roll back)."""
    order = db_session.scalars(select(Order).where(Order.status == status, Order.number.in_(
        [str(FIRST_ORDER_NUMBER + i) for i in range(ORDERS)])).order_by(Order.id)).first()
    assert order is not None, "the test database is seeded"
    return order


def open_ticket(db_session: Session, sender_id: str, language: str = "en", *, customer_id: int | None = None,
                text: str = "I want to talk to a person", intent: str | None = None):
    """A committed ticket for a new conversation (of an unidentified shopper unless `customer_id` is given)."""
    from handoff import service as handoff_service
    from shop.source import SqlOrderSource

    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id, channel="api",
                                                         language=language)
    conversation.customer_id = customer_id
    conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                     text=text, language=language, intent=intent)
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=customer_id,
                                    reason="shopper_request", source=SqlOrderSource(db_session))
    db_session.commit()
    return ticket


def create_account(db_session: Session, role: str = "agent", password: str | None = "correct horse battery",
                   **fields):
    """A committed account with a random name: (user, api_token)."""
    import secrets

    from handoff.agents import create_user

    user, token = create_user(db_session=db_session, name=f"{role}-{secrets.token_hex(4)}", role=role,
                              password=password, **fields)
    db_session.commit()
    return user, token


def stored_messages(sender_id: str) -> list[dict]:
    """A conversation's messages as stored (what agents see); channel conversations are not readable through
    the public API."""
    with session_scope() as db_session:
        return [{"id": m.id, "role": m.role, "text": m.text, "text_en": m.text_en, "language": m.language,
                 "intent": m.intent}
                for m in conversation_service.list_messages(db_session=db_session, sender_id=sender_id)]


def discard_conversation(db_session: Session, sender_id: str) -> None:
    """Remove a conversation a test committed, with its messages, tickets and their queued events."""
    from conversations.models import Conversation

    db_session.rollback()
    _discard_conversations(db_session, list(db_session.scalars(
        select(Conversation.id).where(Conversation.sender_id == sender_id))))
    db_session.commit()


def _discard_conversations(db_session: Session, conversation_ids: list[int]) -> None:
    """Delete conversations with their messages (and the reviews of them), tickets, notes, queued ticket events
    and satisfaction surveys."""
    from conversations.models import Conversation, Message
    from csat.models import CsatSurvey
    from handoff.models import OutboxEvent, Ticket, TicketNote
    from learning.models import InboxReview, TrainingExample

    ticket_ids = select(Ticket.id).where(Ticket.conversation_id.in_(conversation_ids))
    message_ids = select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    db_session.execute(delete(CsatSurvey).where(CsatSurvey.conversation_id.in_(conversation_ids)))
    db_session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(Ticket).where(Ticket.conversation_id.in_(conversation_ids)))
    db_session.execute(delete(InboxReview).where(InboxReview.message_id.in_(message_ids)))
    db_session.execute(update(TrainingExample).where(TrainingExample.message_id.in_(message_ids))
                       .values(message_id=None))
    db_session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    db_session.execute(delete(Conversation).where(Conversation.id.in_(conversation_ids)))


def _discard_shop_records(db_session: Session, order: Order) -> None:
    """Delete an order with the shop events and the COD confirmation recorded for it."""
    from proactive.models import CodConfirmation, ShopEventRecord

    db_session.execute(delete(ShopEventRecord).where(ShopEventRecord.order_number == order.number))
    db_session.execute(delete(CodConfirmation).where(CodConfirmation.order_number == order.number))
    db_session.delete(order)


def _discard_customer(db_session: Session, customer_id: int) -> None:
    """Delete a customer with their orders, channel links, opt-outs and every conversation (and ticket) of theirs."""
    from channels.models import ChannelLink
    from conversations.models import Conversation
    from handoff.models import Ticket
    from proactive.models import OptOut

    _discard_conversations(db_session, list(db_session.scalars(select(Conversation.id).where(or_(
        Conversation.customer_id == customer_id,
        Conversation.id.in_(select(Ticket.conversation_id).where(Ticket.customer_id == customer_id)))))))
    db_session.execute(delete(OptOut).where(OptOut.customer_id == customer_id))
    db_session.execute(delete(ChannelLink).where(ChannelLink.customer_id == customer_id))
    for order in db_session.scalars(select(Order).where(Order.customer_id == customer_id)):
        _discard_shop_records(db_session, order)
    db_session.execute(delete(Customer).where(Customer.id == customer_id))


def discard_account(db_session: Session, name: str) -> None:
    """Remove an account a test (or a command it ran) committed, with its API tokens and sessions."""
    from handoff.models import AgentSession, AgentUser, ApiToken

    db_session.rollback()
    user = db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first()
    if user is None:
        return
    db_session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db_session.execute(delete(AgentSession).where(AgentSession.user_id == user.id))
    db_session.delete(user)
    db_session.commit()


#: Country and currency of a shopper built for a language (proactive tests).
SHOPPER_LOCALES = {"ar": ("SA", "SAR", "Layla Haddad"), "es": ("MX", "MXN", "Sofía Ruiz"),
                   "tr": ("TR", "TRY", "Elif Yılmaz"), "en": ("GB", "GBP", "Sam Taylor")}


def make_channel_shopper(db_session: Session, *, number: str, language: str, channel: str, user_id: str,
                         payment: str = "cash_on_delivery", shipped: bool = False, total: str = "1234.50",
                         tracking_number: str | None = None) -> int:
    """A committed customer with one order (`number`, processing or shipped by Aramex) linked to a channel user;
    returns the customer id. Remove it with `discard_channel_shopper`."""
    from decimal import Decimal

    from channels.models import ChannelLink
    from shop.enums import PaymentStatus
    from shop.models import Payment, Shipment

    country, currency, name = SHOPPER_LOCALES[language]
    customer = Customer(name=name, email=f"{number}@shopper.example", country=country, language=language)
    order = Order(number=number, customer=customer, status=OrderStatus.SHIPPED if shipped else OrderStatus.PROCESSING,
                  currency=currency, total=Decimal(total), shipping_country=country, placed_at=datetime.now(UTC))
    order.payments.append(Payment(method=payment, status=PaymentStatus.PENDING, amount=order.total))
    if shipped:
        order.shipments.append(Shipment(carrier="Aramex", tracking_number=tracking_number or f"AX{number}",
                                        status="in_transit", shipped_at=datetime.now(UTC)))
    db_session.add_all([customer, order])
    db_session.flush()
    db_session.add(ChannelLink(channel=channel, channel_user_id=user_id, customer_id=customer.id))
    db_session.commit()
    return customer.id


def discard_channel_shopper(db_session: Session, *, customer_id: int, sender_id: str) -> None:
    """Remove a shopper `make_channel_shopper` built, with everything the proactive flows stored for them."""
    from channels.models import ChannelOutboxMessage
    from conversations.models import Conversation
    from proactive.models import CodConfirmation, OptOut

    db_session.rollback()
    _discard_conversations(db_session, list(db_session.scalars(
        select(Conversation.id).where(Conversation.sender_id == sender_id))))
    db_session.execute(delete(ChannelOutboxMessage).where(ChannelOutboxMessage.recipient == sender_id.split(":", 1)[1]))
    db_session.execute(delete(CodConfirmation).where(CodConfirmation.sender_id == sender_id))
    db_session.execute(delete(OptOut).where(OptOut.sender_id == sender_id))
    _discard_customer(db_session, customer_id)
    db_session.commit()
