"""A local stand-in for the Telegram Bot API, the WhatsApp Cloud API and the Messenger Send API: a real HTTP
server (uvicorn in a thread) that records what the gateway sends and fails on demand."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.local_server import LocalServer

TELEGRAM_TOKEN = "7012345678:AAH-test-bot-token"
TELEGRAM_SECRET = "telegram-webhook-secret"
WHATSAPP_TOKEN = "whatsapp-access-token"
WHATSAPP_APP_SECRET = "whatsapp-app-secret"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
MESSENGER_TOKEN = "messenger-page-token"
MESSENGER_APP_SECRET = "messenger-app-secret"
VERIFY_TOKEN = "meta-verify-token"


@dataclass(frozen=True)
class Sent:
    path: str
    body: dict[str, Any]
    authorization: str | None
    #: time.monotonic() when it arrived
    received_at: float = 0.0


class FakePlatform(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[Sent] = []
        #: Requests answered with an error (status codes), for asserting on retries.
        self.refused: list[tuple[Sent, int]] = []
        self._failures: list[tuple[int, int | None]] = []
        self._lock = threading.Lock()

    def env(self) -> dict[str, str]:
        """The gateway's channel configuration, pointed at this server."""
        return {
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": f"{self.url}/telegram",
            "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN, "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE_URL": f"{self.url}/whatsapp/v21.0",
            "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_TOKEN, "MESSENGER_APP_SECRET": MESSENGER_APP_SECRET,
            "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN, "MESSENGER_API_BASE_URL": f"{self.url}/messenger/v21.0",
            # quick retries, so outage tests take seconds
            "CHANNELS_MAX_BACKOFF_SECONDS": "2", "CHANNELS_OUTBOX_INTERVAL_SECONDS": "0.3",
            # abandoned messages taken on again within seconds (handling a message here takes well under 1 s)
            "CHANNELS_HANDLING_LEASE_SECONDS": "10", "CHANNELS_UNFINISHED_CHECK_SECONDS": "1",
        }

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> JSONResponse:
            sent = Sent("/" + path, await request.json(), request.headers.get("authorization"), time.monotonic())
            with self._lock:
                if self._failures:
                    status, retry_after = self._failures.pop(0)
                    self.refused.append((sent, status))
                    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                    return JSONResponse({"ok": False, "error_code": status}, status_code=status, headers=headers)
                self.received.append(sent)
            return JSONResponse({"ok": True, "result": {"message_id": len(self.received)}})

        return app

    def fail_next(self, count: int, status: int = 500, retry_after: int | None = None) -> None:
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    @contextmanager
    def down(self) -> Iterator[None]:
        """Nothing listens on the platform's port until the block ends."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def sent(self, matches: Callable[[Sent], bool]) -> list[Sent]:
        with self._lock:
            return [sent for sent in self.received if matches(sent)]

    def wait_for(self, matches: Callable[[Sent], bool], count: int = 1, timeout: float = 30.0) -> list[Sent]:
        """The first `count` matching requests, once they arrived (fails the test after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(matches)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the platform received {len(self.sent(matches))} matching requests, expected {count}")
