"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from database.core import session_scope
from shop.models import Customer, Order


def orders_in_status(db_session: Session, status: str) -> list[Order]:
    return list(db_session.scalars(select(Order).where(Order.status == status).order_by(Order.id)))


def any_customer(db_session: Session) -> Customer:
    """A seeded customer (tests that only need someone the shop knows, not particular orders)."""
    customer = db_session.scalars(select(Customer).order_by(Customer.id)).first()
    assert customer is not None, "the test database is seeded"
    return customer


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
    from conversations.models import Conversation, Message
    from handoff.models import OutboxEvent, Ticket, TicketNote

    db_session.rollback()
    conversation = conversation_service.get(db_session=db_session, sender_id=sender_id)
    if conversation is None:
        return
    ticket_ids = list(db_session.scalars(select(Ticket.id).where(Ticket.conversation_id == conversation.id)))
    db_session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
    db_session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    db_session.execute(delete(Conversation).where(Conversation.id == conversation.id))
    db_session.commit()


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
    from datetime import UTC, datetime
    from decimal import Decimal

    from channels.models import ChannelLink
    from shop.enums import OrderStatus, PaymentStatus
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
    from channels.models import ChannelLink, ChannelOutboxMessage
    from conversations.models import Conversation, Message
    from handoff.models import OutboxEvent, Ticket, TicketNote
    from proactive.models import CodConfirmation, OptOut, ShopEventRecord

    db_session.rollback()
    conversation_ids = select(Conversation.id).where(Conversation.sender_id == sender_id)
    ticket_ids = select(Ticket.id).where(Ticket.conversation_id.in_(conversation_ids))
    db_session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(Ticket).where(Ticket.conversation_id.in_(conversation_ids)))
    db_session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
    db_session.execute(delete(Conversation).where(Conversation.sender_id == sender_id))
    db_session.execute(delete(ChannelOutboxMessage).where(ChannelOutboxMessage.recipient == sender_id.split(":", 1)[1]))
    db_session.execute(delete(CodConfirmation).where(CodConfirmation.sender_id == sender_id))
    db_session.execute(delete(OptOut).where(OptOut.sender_id == sender_id))
    db_session.execute(delete(ChannelLink).where(ChannelLink.customer_id == customer_id))
    for order in db_session.scalars(select(Order).where(Order.customer_id == customer_id)):
        db_session.execute(delete(ShopEventRecord).where(ShopEventRecord.order_number == order.number))
        db_session.delete(order)
    db_session.execute(delete(Customer).where(Customer.id == customer_id))
    db_session.commit()
