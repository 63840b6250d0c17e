"""Answers about delivery, payment and refunds, built from the shop profile at answer time."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common.blocking import BlockingAction
from bot.actions.common.customers import identified_customer_id
from bot.actions.common.payloads import money, payload, say, term
from bot.actions.common.shop import order_source
from bot.actions.orders import answer_status, owned_order
from shop.profile import Region, ShopProfile, load_profile


def _shopper_region(tracker: Tracker, profile: ShopProfile) -> Region | None:
    customer_id = identified_customer_id(tracker)
    if customer_id is None:
        return None
    with order_source() as source:
        customer = source.get_customer(customer_id)
    return profile.region_for(customer.country) if customer else None


def _methods(region: Region) -> dict[str, dict]:
    return {m.method: m for m in region.shipping}


def _region_vars(region: Region, currency: str) -> dict:
    methods = _methods(region)
    standard, express = methods["Standard"], methods["Express"]
    return {
        "region": term(f"region.{region.id}"),
        "standard_cost": money(standard.cost, currency),
        "standard_min": standard.days_min,
        "standard_max": standard.days_max,
        "express_cost": money(express.cost, currency),
        "express_min": express.days_min,
        "express_max": express.days_max,
    }


def _delivery_options(dispatcher: CollectingDispatcher, profile: ShopProfile, region: Region | None) -> None:
    if region is None:
        items = [payload("utter_delivery_region_line", **_region_vars(r, profile.currency)) for r in profile.regions]
        say(dispatcher, "utter_delivery_options_all", items=items)
        return
    items = [
        payload("utter_delivery_option_line", method=term(f"shipping.{m.method}"),
                cost=money(m.cost, profile.currency), days_min=m.days_min, days_max=m.days_max)
        for m in region.shipping
    ]
    if region.free_shipping_over:
        items.append(payload("utter_free_shipping", region=term(f"region.{region.id}"),
                             threshold=money(region.free_shipping_over, profile.currency)))
    say(dispatcher, "utter_delivery_options_region", region=term(f"region.{region.id}"), items=items)


def _delivery_time(dispatcher: CollectingDispatcher, profile: ShopProfile, region: Region | None) -> None:
    if region is not None:
        say(dispatcher, "utter_delivery_time_region", **_region_vars(region, profile.currency))
        return
    items = [payload("utter_delivery_time_line", **_region_vars(r, profile.currency)) for r in profile.regions]
    say(dispatcher, "utter_delivery_times_all", items=items)


def _payment_methods(dispatcher: CollectingDispatcher, region: Region | None) -> None:
    if region is None:
        say(dispatcher, "utter_payment_methods_all")
        return
    say(dispatcher, "utter_payment_methods_region", region=term(f"region.{region.id}"),
        methods={"list": [term(f"method.{m}") for m in region.payment_methods]})


def _refund_policy(dispatcher: CollectingDispatcher, profile: ShopProfile) -> None:
    days = profile.refund_days
    say(dispatcher, "utter_refund_policy", return_window_days=profile.return_window_days,
        refund_days_card=days.get("card", ""), refund_days_paypal=days.get("paypal", ""),
        refund_days_cod=days.get("cash_on_delivery", ""))


class ActionShopInfo(BlockingAction):
    def name(self) -> str:
        return "action_shop_info"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        profile = load_profile()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "refund_policy":
            _refund_policy(dispatcher, profile)
            return []
        region = _shopper_region(tracker, profile)
        # "When will it arrive?" about the order this conversation is about: that order's own answer
        order_in_context = owned_order(tracker, tracker.get_slot("order_id")) if intent == "delivery_time" else None
        if order_in_context is not None:
            answer_status(dispatcher, order_in_context)
        elif intent == "delivery_time":
            _delivery_time(dispatcher, profile, region)
        elif intent == "payment_methods":
            _payment_methods(dispatcher, region)
        else:
            _delivery_options(dispatcher, profile, region)
        return []
