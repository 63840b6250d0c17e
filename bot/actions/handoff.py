"""Escalation to a person. The gateway sees the `handoff` field of the payload and opens the ticket."""

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common.payloads import payload, say


def handoff_reason(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "complaint":
        return "complaint"
    if tracker.get_slot("handoff_offered"):
        return "repeated_fallback"
    return "shopper_request"


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        message = payload("utter_handoff")
        message["handoff"] = {"reason": handoff_reason(tracker)}
        dispatcher.utter_message(json_message=message)
        return [SlotSet("handoff_offered", False)]


class ActionDeclineHandoff(Action):
    def name(self) -> str:
        return "action_decline_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        say(dispatcher, "utter_handoff_declined")
        return [SlotSet("handoff_offered", False)]
