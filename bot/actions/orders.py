"""Order questions: identify the order (and the shopper), then answer status, cancel, return and refund."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common.blocking import BlockingAction
from bot.actions.common.customers import identified_customer_id, token_customer_id
from bot.actions.common.payloads import day, money, payload, say, term
from bot.actions.common.shop import order_source, orders_read_once, read_order
from bot.actions.handoff import hand_over, offer_person
from handoff.settings import get_settings as get_handoff_settings
from shop.enums import CANCELLABLE_STATUSES, OrderStatus, PaymentStatus, RefundStatus
from shop.exceptions import OrderNotCancellable, OrderNotFound
from shop.profile import load_profile
from shop.schemas import OrderRead
from shop.source import normalize_order_number

#: Order questions a person handles when the order is worth more than HANDOFF_ESCALATE_ORDER_VALUE.
HIGH_VALUE_TASKS = {"cancel_order", "refund_request", "return_item"}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def owned_order(tracker: Tracker, number: str | None) -> OrderRead | None:
    """The order, if the identified shopper owns it; never another customer's order."""
    customer_id = identified_customer_id(tracker)
    if not number or customer_id is None:
        return None
    order = read_order(number)
    return order if order and order.customer_id == customer_id else None


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        with orders_read_once():
            return await super().run(dispatcher, tracker, domain)

    # The order reads run in worker threads (bot/actions/common/blocking.py says why)
    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if await asyncio.to_thread(owned_order, tracker, tracker.get_slot("order_id")):
            return ["order_id"]
        return ["order_id", "order_email"]

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await asyncio.to_thread(self._order_id, slot_value, dispatcher, tracker)

    async def validate_order_email(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await asyncio.to_thread(self._order_email, slot_value, dispatcher, tracker)

    @staticmethod
    def _order_id(slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        raw = _first(slot_value)
        if not raw:
            return {"order_id": None}
        number = normalize_order_number(raw)
        order = owned_order(tracker, number)
        if order:
            return {"order_id": number, "customer_id": str(order.customer_id)}
        if token_customer_id(tracker) is not None:
            # A logged-in shopper asked about an order that is not theirs (or does not exist).
            say(dispatcher, "utter_order_not_in_account", order_id=number)
            return {"order_id": None}
        # Not yet identified: the e-mail decides. Existence is not revealed before that.
        return {"order_id": number, "order_email": None}

    @staticmethod
    def _order_email(slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        email = (_first(slot_value) or "").strip()
        number = tracker.get_slot("order_id")
        order = read_order(number) if number else None
        if order and email and order.customer_email.casefold() == email.casefold():
            return {"order_email": email, "customer_id": str(order.customer_id)}
        say(dispatcher, "utter_order_not_found", order_id=number or "")
        return {"order_id": None, "order_email": None}


def _return_deadline(order: OrderRead) -> datetime | None:
    shipment = order.latest_shipment
    if shipment is None or shipment.delivered_at is None:
        return None
    return shipment.delivered_at + timedelta(days=load_profile().return_window_days)


def _refund_days(order: OrderRead) -> str:
    return load_profile().refund_days.get(order.payment_method or "card", "5-10")


def _refund_answer(dispatcher: CollectingDispatcher, order: OrderRead) -> None:
    refund = order.refunds[-1]
    amount = money(refund.amount, order.currency)
    if refund.status == RefundStatus.PAID:
        say(dispatcher, "utter_refund_status_paid", order_id=order.number, amount=amount,
            completed_date=day(refund.completed_at))
    else:
        say(dispatcher, "utter_refund_status", order_id=order.number, amount=amount,
            refund_status=term(f"refund.{refund.status}"))


def answer_status(dispatcher: CollectingDispatcher, order: OrderRead) -> None:
    amount = money(order.total, order.currency)
    shipment = order.latest_shipment
    status = order.status
    if status == OrderStatus.PROCESSING and order.payment_method == "cash_on_delivery":
        say(dispatcher, "utter_order_status_processing_cod", order_id=order.number, amount=amount)
    elif status == OrderStatus.SHIPPED and shipment:
        say(dispatcher, "utter_order_status_shipped", order_id=order.number, carrier=shipment.carrier,
            tracking_number=shipment.tracking_number, expected_date=day(shipment.estimated_delivery))
    elif status == OrderStatus.DELIVERED and shipment:
        say(dispatcher, "utter_order_status_delivered", order_id=order.number,
            delivered_date=day(shipment.delivered_at))
    elif status == OrderStatus.CANCELLED:
        say(dispatcher, "utter_order_status_cancelled", order_id=order.number, cancelled_date=day(order.cancelled_at))
    elif status == OrderStatus.RETURNED and order.refunds:
        say(dispatcher, "utter_order_status_returned", order_id=order.number, amount=amount,
            refund_status=term(f"refund.{order.refunds[-1].status}"))
    else:
        say(dispatcher, f"utter_order_status_{status}", order_id=order.number, amount=amount)


def _answer_cancel(dispatcher: CollectingDispatcher, order: OrderRead) -> list[dict]:
    if order.status in CANCELLABLE_STATUSES:
        say(dispatcher, "utter_confirm_cancel", order_id=order.number, amount=money(order.total, order.currency))
        return [SlotSet("cancel_pending", True)]
    if order.status == OrderStatus.CANCELLED:
        say(dispatcher, "utter_order_already_cancelled", order_id=order.number)
    else:
        say(dispatcher, "utter_cancel_not_possible", order_id=order.number,
            status_phrase=term(f"status_phrase.{order.status}"),
            return_window_days=load_profile().return_window_days)
        # The shopper needed something the assistant cannot do: offer a person
        return offer_person(dispatcher, "failed_action")
    return []


def _answer_return(dispatcher: CollectingDispatcher, order: OrderRead, *, refund_wording: bool = False) -> None:
    window = load_profile().return_window_days
    if order.refunds:
        say(dispatcher, "utter_return_already", order_id=order.number,
            refund_status=term(f"refund.{order.refunds[-1].status}"))
        return
    deadline = _return_deadline(order)
    if deadline is None:
        say(dispatcher, "utter_return_not_delivered", order_id=order.number, return_window_days=window)
    elif deadline < datetime.now(UTC):
        say(dispatcher, "utter_return_window_passed", order_id=order.number, return_window_days=window,
            delivered_date=day(order.latest_shipment.delivered_at), deadline=day(deadline))
    elif refund_wording:
        say(dispatcher, "utter_refund_request_eligible", order_id=order.number, deadline=day(deadline),
            amount=money(order.total, order.currency), payment_method=term(f"payment.{order.payment_method}"),
            refund_days=_refund_days(order))
    else:
        say(dispatcher, "utter_return_eligible", order_id=order.number, deadline=day(deadline))


class ActionAnswerOrderTask(BlockingAction):
    """Runs when the order form is complete: answers the question that started it."""

    def name(self) -> str:
        return "action_answer_order_task"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        order = owned_order(tracker, tracker.get_slot("order_id"))
        if order is None:
            say(dispatcher, "utter_order_not_found", order_id=tracker.get_slot("order_id") or "")
            return [SlotSet("order_id", None), SlotSet("order_email", None)]
        # The e-mail proved ownership once (customer_id); it is never reused for another order.
        events = [SlotSet("order_email", None)]
        task = tracker.get_slot("order_task") or "order_status"
        limit = get_handoff_settings().escalate_order_value
        if task in HIGH_VALUE_TASKS and limit is not None and float(order.total) > limit:
            # Shop rule: changes to high-value orders are handled by a person
            return events + hand_over(dispatcher, "high_value_order")
        if task == "cancel_order":
            return events + _answer_cancel(dispatcher, order)
        if task == "return_item":
            _answer_return(dispatcher, order)
        elif task == "refund_request":
            if order.refunds:
                _refund_answer(dispatcher, order)
            else:
                _answer_return(dispatcher, order, refund_wording=True)
        elif task == "refund_status":
            if order.refunds:
                _refund_answer(dispatcher, order)
            else:
                say(dispatcher, "utter_no_refund", order_id=order.number,
                    return_window_days=load_profile().return_window_days)
        else:
            answer_status(dispatcher, order)
        return events


class ActionCancelOrder(BlockingAction):
    """The shopper confirmed: cancel the order in the shop."""

    def name(self) -> str:
        return "action_cancel_order"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        number = tracker.get_slot("order_id")
        if owned_order(tracker, number) is None:
            say(dispatcher, "utter_order_not_found", order_id=number or "")
            return [SlotSet("cancel_pending", False)]
        try:
            with order_source() as source:
                order = source.cancel_order(number)
        except (OrderNotCancellable, OrderNotFound):
            with order_source() as source:
                current = source.get_order(number)
            if current:
                _answer_cancel(dispatcher, current)
            return [SlotSet("cancel_pending", False)]
        paid = any(p.status == PaymentStatus.PAID for p in order.payments)
        note = (
            payload("utter_refund_note_paid", amount=money(order.total, order.currency),
                    payment_method=term(f"payment.{order.payment_method}"), refund_days=_refund_days(order))
            if paid
            else payload("utter_refund_note_unpaid")
        )
        say(dispatcher, "utter_order_cancelled", order_id=order.number, refund_note=note)
        return [SlotSet("cancel_pending", False)]


class ActionKeepOrder(Action):
    def name(self) -> str:
        return "action_keep_order"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        say(dispatcher, "utter_cancel_kept", order_id=tracker.get_slot("order_id") or "")
        return [SlotSet("cancel_pending", False)]
