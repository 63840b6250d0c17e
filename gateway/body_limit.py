"""Refuses request bodies above the configured size before they are read (413 `body_too_large`).

A plain ASGI middleware: `@app.middleware("http")` would wrap every request in Starlette's BaseHTTPMiddleware,
an extra task and memory stream per request that cost the gateway CPU on every turn (bench/scale_out.py).
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import error_response
from gateway.settings import get_settings


def body_limit(path: str) -> int:
    settings = get_settings()
    return settings.max_admin_body_bytes if path.startswith("/api/v1/admin/") else settings.max_body_bytes


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
            limit = body_limit(scope["path"])
            if length.isdigit() and int(length) > limit:
                response = error_response(413, "body_too_large", f"request bodies are limited to {limit} bytes")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
