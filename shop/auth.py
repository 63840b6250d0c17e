"""`customer_token`: how a shop vouches for a logged-in shopper.

The token is `<customer_id>.<expires_unix>.<hex HMAC-SHA256 of "<customer_id>.<expires_unix>">`, signed with
the secret the shop and this service share (`SHOP_CUSTOMER_TOKEN_SECRET`).
"""

import hashlib
import hmac
import time
from typing import Any

from shop.settings import get_settings


class InvalidCustomerToken(ValueError):
    pass


def _secret() -> bytes:
    secret = get_settings().customer_token_secret
    if secret is None or not secret.get_secret_value():
        raise InvalidCustomerToken("customer tokens are disabled: SHOP_CUSTOMER_TOKEN_SECRET is not set")
    return secret.get_secret_value().encode()


def _signature(payload: str) -> str:
    return hmac.new(_secret(), payload.encode(), hashlib.sha256).hexdigest()


def create_customer_token(customer_id: int, *, ttl_seconds: int | None = None) -> str:
    ttl = ttl_seconds if ttl_seconds is not None else get_settings().customer_token_ttl_days * 86400
    payload = f"{customer_id}.{int(time.time()) + ttl}"
    return f"{payload}.{_signature(payload)}"


def verify_customer_token(token: str) -> int:
    """Return the customer id the token vouches for, or raise `InvalidCustomerToken`."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise InvalidCustomerToken("malformed customer token")
    customer_id, expires, signature = parts
    if not hmac.compare_digest(_signature(f"{customer_id}.{expires}"), signature):
        raise InvalidCustomerToken("customer token signature does not match")
    if int(expires) < time.time():
        raise InvalidCustomerToken("customer token has expired")
    return int(customer_id)


def slot_customer_id(value: Any) -> int | None:
    """The customer id in Rasa's `customer_id` slot (set once an order number + e-mail check verified the shopper),
    or None when the slot holds no id."""
    return int(value) if value and str(value).isdigit() else None
