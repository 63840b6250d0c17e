"""Webhooks of the messaging channels: `/webhooks/telegram`, `/webhooks/whatsapp`, `/webhooks/messenger`
(404 while a channel is not configured). A webhook is authenticated, each message in it accepted once, and
acknowledged at once; the answer follows through the platform's API (gateway/channel_flows.py)."""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from channels import service as channel_service
from channels.base import Inbound, Platform
from channels.registry import get_platform
from gateway.blocking import in_thread
from gateway.channel_flows import handle_later
from gateway.deps import RasaDep, ResponsesDep, SessionDep, TranslatorDep
from gateway.exceptions import ChannelNotConfigured, Forbidden, InvalidBody

router = APIRouter(prefix="/webhooks", tags=["channels"])


def _platform_or_404(channel: str) -> Platform:
    platform = get_platform(channel)
    if platform is None:
        raise ChannelNotConfigured(f"no channel {channel!r} is configured")
    return platform


@router.get("/{channel}", response_class=PlainTextResponse)
def verify_subscription(channel: str, request: Request) -> str:
    """Meta's subscription handshake (WhatsApp, Messenger): echo hub.challenge for the right verify token."""
    challenge = _platform_or_404(channel).challenge(request.query_params)
    if challenge is None:
        raise Forbidden("the verify token does not match")
    return challenge


def _accept_new(db_session, inbounds: list[Inbound]) -> list[tuple[int, Inbound]]:
    """The messages not received before (platforms deliver some twice), each stored once with its delivery id."""
    return [(delivery_id, inbound) for inbound in inbounds
            if (delivery_id := channel_service.accept_once(db_session=db_session, inbound=inbound)) is not None]


@router.post("/{channel}")
async def receive(
    channel: str, request: Request, db_session: SessionDep, rasa: RasaDep, responses: ResponsesDep,
    translator: TranslatorDep,
) -> dict[str, Any]:
    platform = _platform_or_404(channel)
    body = await request.body()
    if not platform.verify(request.headers, body):
        raise Forbidden("the webhook signature or secret token is missing or wrong")
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise InvalidBody("the webhook body is not JSON") from error
    if not isinstance(payload, dict):
        raise InvalidBody("the webhook body is not a JSON object")
    try:
        inbounds = platform.parse(payload)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:  # the parsers index as documented
        raise InvalidBody(f"the webhook body does not have {channel}'s shape") from error
    accepted = await in_thread(_accept_new, db_session, inbounds)
    if accepted:
        handle_later(accepted, rasa=rasa, responses=responses, translator=translator)
    return {"ok": True, "accepted": len(accepted)}
