"""Proactive flows: acting on a shop event, reading the shopper's answer to a COD confirmation, and the COD
reminder / give-up timers."""

import logging
import re
import unicodedata
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from anyio import to_thread
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from conversations.models import Conversation
from handoff import clock
from handoff import service as handoff_service
from handoff.settings import get_settings as get_handoff_settings
from proactive import outreach, service
from proactive.models import CodConfirmation
from proactive.settings import get_settings
from shop.enums import CANCELLABLE_STATUSES, PaymentMethod
from shop.exceptions import OrderNotCancellable, OrderNotConfirmable, OrderNotFound
from shop.schemas import OrderRead, ShopEvent
from shop.settings import get_settings as get_shop_settings
from shop.source import OrderSource, get_order_source

logger = logging.getLogger(__name__)

SHIPPING_KINDS = {"order.shipped": "order_shipped", "order.delayed": "order_delayed",
                  "order.delivered": "order_delivered"}
CONFIRM_INTENTS = {"affirm"}
CANCEL_INTENTS = {"deny", "cancel_order"}
#: "stop" in the 16 launch languages (a message that is only one of these opts out of proactive messages).
STOP_WORDS = {
    "stop", "unsubscribe", "parar", "detener", "cancelar suscripción", "baja", "arrêt", "arrêter", "désabonner",
    "stopp", "abbestellen", "basta", "annulla iscrizione", "pare", "cancelar inscrição", "descadastrar",
    "стоп", "отписаться", "توقف", "إلغاء الاشتراك", "إيقاف", "停止", "取消订阅", "退订", "配信停止", "やめて",
    "중지", "수신거부", "หยุด", "ยกเลิกการสมัคร", "dur", "abonelikten çık", "dừng", "hủy đăng ký", "berhenti",
    "henti", "berhenti langganan", "berhenti berlangganan", "berhenti melanggan", "se désabonner", "abmelden",
    "disiscrivimi", "sair", "отписка", "ストップ", "수신 거부", "durdur", "huỷ đăng ký", "ngừng",
}
_PUNCTUATION = re.compile(r"[\s.!¡?¿،。！？]+")


class Parser(Protocol):
    async def parse(self, text: str, *, metadata: dict[str, Any]) -> dict[str, Any]: ...


def _source(db_session: Session) -> OrderSource:
    return get_order_source(db_session, get_shop_settings().order_source)


def _order_variables(order: OrderRead, name: str) -> dict[str, Any]:
    return {"order_id": order.number, "total": {"money": [str(order.total), order.currency]},
            "name": name.split()[0] if name else ""}


def shop_event_flow(*, db_session: Session, body: bytes, signature_header: str | None) -> bool:
    """A signed shop event; False when its id was received before (nothing is sent twice)."""
    # Authenticate and read the event
    service.verify_signature(body=body, header=signature_header)
    event = service.parse_event(body)

    # Record it once
    if not service.record_once(db_session=db_session, event=event):
        db_session.rollback()
        return False

    # Reach out where the event calls for it, in the same transaction as the record
    act_on_event(db_session=db_session, event=event)
    db_session.commit()
    return True


def act_on_event(*, db_session: Session, event: ShopEvent) -> None:
    source = _source(db_session)
    order = source.get_order(event.order_number)
    if order is None:
        logger.warning("shop event %s names unknown order %s", event.id, event.order_number)
        return
    customer = source.get_customer(order.customer_id)
    conversation = outreach.reachable_conversation(db_session=db_session, customer=customer) if customer else None
    if conversation is None:
        logger.info("shop event %s: the shopper of order %s is not reachable", event.id, order.number)
        return
    if event.type == "order.created":
        ask_cod_confirmation(db_session=db_session, conversation=conversation, order=order, name=customer.name)
    elif event.type in get_settings().shipping_updates:
        send_shipping_update(db_session=db_session, conversation=conversation, order=order, event=event)


def ask_cod_confirmation(*, db_session: Session, conversation: Conversation, order: OrderRead, name: str) -> None:
    if order.payment_method != PaymentMethod.CASH_ON_DELIVERY or order.confirmed_at is not None or \
            order.status not in CANCELLABLE_STATUSES:
        return
    if db_session.scalar(select(CodConfirmation.id).where(CodConfirmation.order_number == order.number)):
        return
    db_session.add(CodConfirmation(order_number=order.number, sender_id=conversation.sender_id,
                                   language=conversation.language, status="pending", asked_at=clock.now()))
    outreach.send(db_session=db_session, conversation=conversation, kind="cod_confirmation",
                  variables=_order_variables(order, name), buttons=outreach.cod_buttons(conversation.language))


def send_shipping_update(*, db_session: Session, conversation: Conversation, order: OrderRead,
                         event: ShopEvent) -> None:
    shipment = order.latest_shipment
    data = event.data
    variables: dict[str, Any] = {
        "order_id": order.number,
        "carrier": data.get("carrier") or (shipment.carrier if shipment else ""),
        "tracking_number": data.get("tracking_number") or (shipment.tracking_number if shipment else ""),
    }
    if event.type == "order.delayed":
        new_date = data.get("estimated_delivery") or (
            shipment.estimated_delivery.isoformat() if shipment and shipment.estimated_delivery else None)
        variables["new_date"] = {"date": new_date} if new_date else ""
    outreach.send(db_session=db_session, conversation=conversation, kind=SHIPPING_KINDS[event.type],
                  variables=variables)


def _pending(db_session: Session, sender_id: str) -> CodConfirmation | None:
    query = select(CodConfirmation).where(CodConfirmation.sender_id == sender_id,
                                          CodConfirmation.status == "pending").order_by(CodConfirmation.id.desc())
    return db_session.scalars(query.limit(1)).first()


def is_stop(text: str) -> bool:
    """A lone "stop" or "unsubscribe", however the keyboard composed its letters (Vietnamese "dừng" comes both ways)."""
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text)).strip().lower() in STOP_WORDS


async def answer_flow(*, db_session: Session, conversation: Conversation, text: str, parser: Parser) -> bool:
    """Handle a shopper's message if it is an answer to a proactive message ("stop", or the answer to a pending
    COD confirmation); False leaves it to the assistant. Free text is read by the normal NLU. The database work
    runs in worker threads, each write committed there, so the event loop serves other conversations meanwhile."""
    if is_stop(text):
        await to_thread.run_sync(partial(_opt_out, db_session, conversation, text))
        return True
    pending = await to_thread.run_sync(partial(_pending, db_session, conversation.sender_id))
    if pending is None:
        return False
    intent, confidence = _button_intent(text)
    if intent is None:
        parse = await parser.parse(text, metadata={"original_text": text, "language": conversation.language})
        intent = (parse.get("intent") or {}).get("name")
        confidence = (parse.get("intent") or {}).get("confidence")
    if intent not in CONFIRM_INTENTS | CANCEL_INTENTS:
        return False
    await to_thread.run_sync(partial(_answer_cod, db_session, conversation, pending, text, intent, confidence))
    return True


def _opt_out(db_session: Session, conversation: Conversation, text: str) -> None:
    _store_shopper_text(db_session, conversation, text, intent="opt_out")
    outreach.opt_out(db_session=db_session, conversation=conversation)
    outreach.send(db_session=db_session, conversation=conversation, kind="opted_out", variables={})
    db_session.commit()


def _answer_cod(db_session: Session, conversation: Conversation, pending: CodConfirmation, text: str, intent: str,
                confidence: float | None) -> None:
    shown = _button_title(text, conversation.language) or text
    _store_shopper_text(db_session, conversation, shown, intent=intent, confidence=confidence)
    resolve_cod(db_session=db_session, conversation=conversation, confirmation=pending,
                confirm=intent in CONFIRM_INTENTS)
    db_session.commit()


def _button_intent(text: str) -> tuple[str | None, float | None]:
    return {"/cod_confirm": ("affirm", 1.0), "/cod_cancel": ("cancel_order", 1.0)}.get(text.strip(), (None, None))


def _button_title(text: str, language: str) -> str | None:
    return next((b.title for b in outreach.cod_buttons(language) if b.payload == text.strip()), None)


def _store_shopper_text(db_session: Session, conversation: Conversation, text: str, *, intent: str,
                        confidence: float | None = None) -> None:
    conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper", text=text,
                                     language=conversation.language, intent=intent, confidence=confidence)


def resolve_cod(*, db_session: Session, conversation: Conversation, confirmation: CodConfirmation,
                confirm: bool) -> None:
    """Confirm or cancel the order (cancelling under the cancel flow's rules) and tell the shopper."""
    source = _source(db_session)
    variables = {"order_id": confirmation.order_number}
    order = None if confirm else source.get_order(confirmation.order_number)
    if order is not None and _above_cancel_limit(order):
        # The shop's rule, as in the cancel flow: cancelling a more expensive order is the team's
        handoff_service.create(db_session=db_session, conversation=conversation, customer_id=order.customer_id,
                               reason="high_value_order", source=source)
        confirmation.status, confirmation.resolved_at = "unconfirmed", clock.now()
        outreach.send(db_session=db_session, conversation=conversation, kind="cod_cancel_handed_over",
                      variables=variables)
        return
    try:
        if confirm:
            source.confirm_order(confirmation.order_number)
            kind, status = "cod_confirmed", "confirmed"
        else:
            source.cancel_order(confirmation.order_number)
            kind, status = "cod_cancelled", "cancelled"
    except (OrderNotCancellable, OrderNotConfirmable, OrderNotFound):
        kind, status = "cod_not_cancellable", "unconfirmed"
    confirmation.status, confirmation.resolved_at = status, clock.now()
    outreach.send(db_session=db_session, conversation=conversation, kind=kind, variables=variables)


def _above_cancel_limit(order: OrderRead) -> bool:
    """HANDOFF_ESCALATE_ORDER_VALUE: cancelling, returning or refunding an order above it goes to a person."""
    limit = get_handoff_settings().escalate_order_value
    return limit is not None and float(order.total) > limit


def _next_due(db_session: Session, *, remind_before: datetime, give_up_before: datetime,
              seen: set[int]) -> CodConfirmation | None:
    """The next pending confirmation due for a reminder or the give-up, locked until this one is done; one
    that another gateway replica is working on is skipped (SKIP LOCKED), so none is reminded twice."""
    return db_session.scalar(
        select(CodConfirmation)
        .where(CodConfirmation.status == "pending", CodConfirmation.id.not_in(seen),
               or_(CodConfirmation.asked_at <= give_up_before,
                   and_(CodConfirmation.reminded_at.is_(None), CodConfirmation.asked_at <= remind_before)))
        .order_by(CodConfirmation.id).limit(1).with_for_update(skip_locked=True))


def run_cod_timers(*, db_session: Session) -> int:
    """Remind once after PROACTIVE_COD_REMINDER_HOURS; after PROACTIVE_COD_GIVE_UP_HOURS hand the order to the
    team (a ticket with reason `cod_unconfirmed`, announced by the outgoing webhook). Returns the actions."""
    settings = get_settings()
    now = clock.now()
    source = _source(db_session)
    done, seen = 0, set[int]()
    while (confirmation := _next_due(db_session, remind_before=now - timedelta(hours=settings.cod_reminder_hours),
                                     give_up_before=now - timedelta(hours=settings.cod_give_up_hours),
                                     seen=seen)) is not None:
        seen.add(confirmation.id)
        asked_at = clock.aware(confirmation.asked_at)
        conversation = conversation_service.get(db_session=db_session, sender_id=confirmation.sender_id)
        order = source.get_order(confirmation.order_number)
        if conversation is None or order is None:
            continue
        if now - asked_at >= timedelta(hours=settings.cod_give_up_hours):
            confirmation.status, confirmation.resolved_at = "unconfirmed", now
            handoff_service.create(db_session=db_session, conversation=conversation, customer_id=order.customer_id,
                                   reason="cod_unconfirmed", source=source)
            done += 1
        elif confirmation.reminded_at is None and now - asked_at >= timedelta(hours=settings.cod_reminder_hours):
            confirmation.reminded_at = now
            customer = source.get_customer(order.customer_id)
            outreach.send(db_session=db_session, conversation=conversation, kind="cod_reminder",
                          variables=_order_variables(order, customer.name if customer else ""),
                          buttons=outreach.cod_buttons(conversation.language))
            done += 1
        db_session.commit()
    return done
