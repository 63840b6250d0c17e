"""Shop events in: authenticated by the shop's HMAC signature, read against the contract, recorded once."""

import hmac
import json

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.webhooks import SIGNATURE_HEADER, signature
from proactive.exceptions import BadEventSignature, EventsNotConfigured, InvalidEvent
from proactive.models import ShopEventRecord
from proactive.settings import get_settings

__all__ = ["SIGNATURE_HEADER", "parse_event", "record_once", "verify_signature"]
from shop.schemas import ShopEvent


def verify_signature(*, body: bytes, header: str | None) -> None:
    """`X-Shopbot-Signature: sha256=<HMAC-SHA256 of the raw body>`, as the outgoing webhook signs."""
    secret = get_settings().shop_events_secret
    if secret is None:
        raise EventsNotConfigured("shop events are not configured (SHOP_EVENTS_SECRET)")
    expected = signature(body, secret.get_secret_value())
    if header is None or not hmac.compare_digest(header.encode(), expected.encode()):
        raise BadEventSignature("the X-Shopbot-Signature header is missing or does not match the body")


def parse_event(body: bytes) -> ShopEvent:
    try:
        return ShopEvent.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())
        raise InvalidEvent(problems) from error


def record_once(*, db_session: Session, event: ShopEvent) -> bool:
    """Store the event in the caller's transaction (flushed); False when its id was recorded before."""
    record = ShopEventRecord(id=event.id, type=event.type, order_number=event.order_number,
                             occurred_at=event.occurred_at, data=json.dumps(event.data, ensure_ascii=False))
    try:
        with db_session.begin_nested():
            db_session.add(record)
    except IntegrityError:
        return False
    return True
