"""Security headers for the pages the gateway serves itself: the consoles (/agent, /admin, /static/*) and the
demo shop page (/). Not for /widget.js or the API: the widget runs inside shops' pages, under their policy.

No inline scripts anywhere (the consoles' code is in /static/); inline styles are allowed. The demo shop page
loads /widget.js, which talks to this origin over HTTP and a WebSocket.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.rate_limits import is_https

_COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
#: The consoles: nothing but this origin (the admin's evaluation report is a blob: iframe with data: images).
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
               "connect-src 'self'; frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
SHOP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
HSTS = "max-age=31536000; includeSubDomains"


def headers_for(path: str) -> dict[str, str] | None:
    """The headers a path gets, or None for paths left alone (the widget script, the API, webhooks)."""
    if path in ("/agent", "/admin") or path.startswith("/static/"):
        return {**_COMMON, "content-security-policy": CONSOLE_CSP, "x-frame-options": "DENY"}
    if path == "/":
        return {**_COMMON, "content-security-policy": SHOP_CSP}
    return None


class SecurityHeadersMiddleware:
    """Adds `headers_for(path)` to HTTP responses, and HSTS to those when the request came over https."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = headers_for(scope["path"]) if scope["type"] == "http" else None
        if headers is None:
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        if is_https(Request(scope)):
            headers = {**headers, "strict-transport-security": HSTS}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      *((name.encode(), value.encode()) for name, value in headers.items())]
            await send(message)

        await self.app(scope, receive, send_with_headers)
