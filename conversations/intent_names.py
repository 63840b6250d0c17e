"""What agents read for an intent: its human name in English, never the internal one."""

#: Each intent of the catalogue (../shared/intents.yml) and the bot's own (`inform`) by its human name.
INTENT_NAMES = {
    "greet": "Greeting", "goodbye": "Goodbye", "thank_you": "Thanks", "affirm": "Yes", "deny": "No",
    "bot_challenge": "Asked whether it is a bot", "change_language": "Change of language",
    "order_status": "Order status", "cancel_order": "Cancel an order", "change_order": "Change an order",
    "place_order": "How to order", "return_item": "Return or exchange", "refund_request": "Refund request",
    "refund_status": "Refund status", "refund_policy": "Refund policy", "delivery_options": "Delivery options",
    "delivery_time": "Delivery time", "shipping_address": "Delivery address", "payment_methods": "Payment methods",
    "payment_problem": "Payment problem", "invoice": "Invoice", "account_help": "Account help",
    "newsletter": "Newsletter", "complaint": "Complaint", "feedback": "Feedback",
    "human_handoff": "Asked for a person", "out_of_scope": "Not understood", "inform": "Gave details",
}

#: Turns of the conversation rather than topics: left out of a summary's "asked about".
NOT_TOPICS = frozenset({"greet", "goodbye", "thank_you", "affirm", "deny", "inform", "out_of_scope",
                        "change_language", "bot_challenge"})


def human_name(intent: str | None) -> str | None:
    if intent is None:
        return None
    return INTENT_NAMES.get(intent, intent.replace("_", " ").capitalize())
