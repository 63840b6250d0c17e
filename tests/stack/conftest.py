"""The real stack (Rasa, action server, gateway) on free local ports, against the test database."""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from database.core import session_scope
from database.settings import REPO_ROOT
from handoff.agents import create_user
from learning.activation import ensure_active_model
from runtime.processes import Stack, free_port
from runtime.settings import get_settings
from tests.channels.fake_platform import FakePlatform
from tests.conftest import TEST_VAR
from tests.local_server import LocalServer
from tests.stack.browser import launch_chromium

pytestmark = pytest.mark.stack

#: The shop rule under test: cancelling, returning or refunding an order above this goes to a person.
ESCALATE_ORDER_VALUE = 600
#: Signs the shop's events to the stack (SHOP_EVENTS_SECRET) and the stack's ticket webhooks (HANDOFF_WEBHOOK_SECRET).
SHOP_EVENTS_SECRET = "stack-shop-events-secret"
TICKET_WEBHOOK_SECRET = "stack-ticket-webhook-secret"
#: The COD timers in hours, short enough to watch: a reminder 7.2 s after the question, the give-up after 14.4 s.
#: Only an `order.created` event asks a COD question, so no other test meets them.
COD_REMINDER_HOURS = 0.002
COD_GIVE_UP_HOURS = 0.004


class WebhookReceiver(LocalServer):
    """The shop's end of the outgoing ticket webhook (HANDOFF_WEBHOOK_URL): records what the stack POSTs."""

    def __init__(self) -> None:
        super().__init__()
        #: (event, X-Shopbot-Signature, raw body) of each POST
        self.received: list[tuple[dict, str | None, bytes]] = []

    def _app(self):
        from fastapi import FastAPI, Request

        app = FastAPI()

        @app.post("/tickets")
        async def receive(request: Request) -> dict:
            raw = await request.body()
            self.received.append((json.loads(raw), request.headers.get("x-shopbot-signature"), raw))
            return {"ok": True}

        return app


@dataclass
class RunningStack:
    stack: Stack
    url: str
    profile_path: Path
    #: A shop's own site on another origin, allowed to embed the widget (GATEWAY_WIDGET_ORIGINS).
    shop_origin: str
    #: The secret of each conversation the tests started through the public API, by sender id.
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def stack_rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.rasa_port}"

    def _secret(self, sender_id: str) -> dict[str, str]:
        return {"X-Conversation-Token": self.tokens[sender_id]} if sender_id in self.tokens else {}

    def chat(self, sender_id: str, text: str, **fields) -> dict:
        """One turn as the conversation's owner (its secret is kept from the first turn's answer)."""
        response = httpx.post(f"{self.url}/api/v1/chat", json={"sender_id": sender_id, "text": text, **fields},
                              headers=self._secret(sender_id), timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get("conversation_token"):
            self.tokens[sender_id] = body["conversation_token"]
        return body

    def history(self, sender_id: str, after: int = 0) -> list[dict]:
        """The conversation's messages as its owner reads them."""
        response = httpx.get(f"{self.url}/api/v1/conversations/{sender_id}/messages", params={"after": after},
                             headers=self._secret(sender_id), timeout=30)
        response.raise_for_status()
        return response.json()

    def say(self, sender_id: str, text: str, **fields) -> str:
        """The assistant's replies to one message, joined into one string."""
        return "\n".join(m["text"] for m in self.chat(sender_id, text, **fields)["messages"])


@pytest.fixture(scope="session")
def trained_model(seeded_database) -> Path:
    """The model for the current training data, registered as the active version (as `shopbot run` does);
    trained once and cached in bot/models by data fingerprint."""
    settings = get_settings()
    with session_scope() as db_session:
        return ensure_active_model(db_session=db_session, var_dir=TEST_VAR, rasa_venv=settings.rasa_venv,
                                   models_dir=REPO_ROOT / "bot" / "models", activated_by="tests")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium (tests/stack/browser.py), one per test module."""
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def agent_token(seeded_database) -> str:
    """An agent's API token (handoff.agents.create_user), for the ticket endpoints."""
    with session_scope() as db_session:
        _, token = create_user(db_session=db_session, name="e2e-agent", role="agent")
    return token


@pytest.fixture(scope="session")
def admin_token(seeded_database) -> str:
    """An admin's API token: ticket assignment and the admin API."""
    with session_scope() as db_session:
        _, token = create_user(db_session=db_session, name="e2e-admin", role="admin")
    return token


@pytest.fixture(scope="session")
def fake_platform() -> FakePlatform:
    """The Telegram / WhatsApp / Messenger APIs the stack's gateway sends to (tests/channels/fake_platform.py)."""
    platform = FakePlatform()
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def ticket_webhook() -> WebhookReceiver:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def running_stack(trained_model, seeded_database, fake_platform, ticket_webhook) -> RunningStack:
    profile = TEST_VAR / "profile.yml"
    shutil.copy(REPO_ROOT / "shop" / "profile.yml", profile)
    gateway_port = free_port()
    shop_origin = f"http://127.0.0.1:{free_port()}"
    stack = Stack(
        model=trained_model, database_url=os.environ["DATABASE_URL"], var_dir=TEST_VAR,
        rasa_port=free_port(), actions_port=free_port(), gateway_port=gateway_port,
        extra_env={"SHOP_PROFILE_PATH": str(profile), "HANDOFF_ESCALATE_ORDER_VALUE": str(ESCALATE_ORDER_VALUE),
                   # The suite talks from one address, faster than a person: the limits are tested on their own
                   "GATEWAY_RATE_LIMIT_CLIENT": "100000/minute", "GATEWAY_RATE_LIMIT_CONVERSATION": "10000/minute",
                   "GATEWAY_WIDGET_ORIGINS": json.dumps([shop_origin]),
                   # Shop events and the COD timers (tests/stack/test_proactive.py), the ticket webhook
                   "SHOP_EVENTS_SECRET": SHOP_EVENTS_SECRET, "PROACTIVE_COD_REMINDER_HOURS": str(COD_REMINDER_HOURS),
                   "PROACTIVE_COD_GIVE_UP_HOURS": str(COD_GIVE_UP_HOURS), "PROACTIVE_TIMER_INTERVAL_SECONDS": "0.5",
                   "HANDOFF_WEBHOOK_URL": f"{ticket_webhook.url}/tickets",
                   "HANDOFF_WEBHOOK_SECRET": TICKET_WEBHOOK_SECRET,
                   **fake_platform.env()},
    )
    stack.start(timeout=400, progress=lambda line: None)
    yield RunningStack(stack=stack, url=f"http://127.0.0.1:{gateway_port}", profile_path=profile,
                       shop_origin=shop_origin)
    stack.stop()
