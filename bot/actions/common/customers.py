"""Who is the shopper? A shop-signed `customer_token` in the message metadata, or an order number + e-mail
verified earlier in the conversation (slot `customer_id`)."""

import logging

from rasa_sdk import Tracker

from shop.auth import InvalidCustomerToken, slot_customer_id, verify_customer_token

logger = logging.getLogger(__name__)


def token_customer_id(tracker: Tracker) -> int | None:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get("customer_token")
    if not token:
        return None
    try:
        return verify_customer_token(token)
    except InvalidCustomerToken as error:
        logger.warning("ignoring customer token of %s: %s", tracker.sender_id, error)
        return None


def identified_customer_id(tracker: Tracker) -> int | None:
    from_token = token_customer_id(tracker)
    if from_token is not None:
        return from_token
    return slot_customer_id(tracker.get_slot("customer_id"))
