"""Prometheus `/metrics`: off (404) unless GATEWAY_METRICS_TOKEN is set, then only with that bearer token."""

import hmac
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from gateway.exceptions import GatewayError, Unauthorized
from gateway.settings import get_settings
from telemetry.collector import BacklogCollector

router = APIRouter(tags=["metrics"])


class MetricsOff(GatewayError):
    status_code = 404
    code = "not_found"


@lru_cache
def _register_backlogs() -> None:
    REGISTRY.register(BacklogCollector())


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    token = get_settings().metrics_token
    if token is None:
        raise MetricsOff("metrics are off; set GATEWAY_METRICS_TOKEN to turn them on")
    sent = request.headers.get("authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token.get_secret_value()}".encode()):
        raise Unauthorized("send the metrics token as 'Authorization: Bearer TOKEN'")
    _register_backlogs()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
