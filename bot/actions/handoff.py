"""Escalation to a person. The gateway sees the `handoff` field of the payload and opens the ticket."""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common.payloads import payload, say


def handoff_reason(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "complaint":
        return "complaint"
    if tracker.get_slot("handoff_offered"):
        return tracker.get_slot("handoff_offer_reason") or "repeated_fallback"
    return "shopper_request"


def hand_over(dispatcher: CollectingDispatcher, reason: str) -> list[dict]:
    """Tell the shopper a person takes over; the gateway opens the ticket from the `handoff` field. A form
    the shopper was in stops: the turn that hands over asks nothing else."""
    message = payload("utter_handoff")
    message["handoff"] = {"reason": reason}
    dispatcher.utter_message(json_message=message)
    return [SlotSet("handoff_offered", False), SlotSet("handoff_offer_reason", None), ActiveLoop(None),
            SlotSet("requested_slot", None)]


def offer_person(dispatcher: CollectingDispatcher, reason: str) -> list[dict]:
    """Ask whether the shopper wants a person: after repeated misunderstandings, in those words; after an
    answer the assistant understood but cannot act on (e.g. a shipped order), without claiming confusion."""
    say(dispatcher, "utter_offer_human" if reason == "repeated_fallback" else "utter_offer_human_help")
    return [SlotSet("handoff_offered", True), SlotSet("handoff_offer_reason", reason)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        return hand_over(dispatcher, handoff_reason(tracker))


class ActionRememberPersonOffered(Action):
    """After an answer that ends by offering a person (utter_payment_problem), a yes hands over and a no is
    taken as no, as after the assistant's other offers."""

    def name(self) -> str:
        return "action_remember_person_offered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "shopper_request"
        return [SlotSet("handoff_offered", True), SlotSet("handoff_offer_reason", intent)]


class ActionDeclineHandoff(Action):
    def name(self) -> str:
        return "action_decline_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        say(dispatcher, "utter_handoff_declined")
        return [SlotSet("handoff_offered", False), SlotSet("handoff_offer_reason", None)]
