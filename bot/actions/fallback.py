"""What the assistant says when it did not understand; after two misses in a row it offers a person. Right after
a person was offered ("Want me to pass you to a person?"), a message it cannot read ("what do I do now?") gets
the offer again instead of "Sorry, I didn't get that"."""

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common.payloads import say
from bot.actions.handoff import offer_person

FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
MISSES_BEFORE_OFFER = 2


def consecutive_misses(tracker: Tracker) -> int:
    """How many of the latest shopper messages in a row were not understood (the current one included)."""
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in FALLBACK_INTENTS:
            break
        misses += 1
    return misses


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        offered_for = tracker.get_slot("handoff_offer_reason")
        if tracker.get_slot("handoff_offered") and offered_for and offered_for != "repeated_fallback":
            return offer_person(dispatcher, offered_for)
        if consecutive_misses(tracker) >= MISSES_BEFORE_OFFER:
            return offer_person(dispatcher, "repeated_fallback")
        say(dispatcher, "utter_out_of_scope")
        return []
