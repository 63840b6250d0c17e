import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from runtime.processes import free_port
from tests.conftest import TEST_VAR
from tests.gateway.fake_rasa import FakeRasa


def clear_settings_caches() -> None:
    """Forget every cached settings object (and the engine built from them), so the environment is read again."""
    from channels import settings as channel_settings
    from database import core
    from database import settings as database_settings
    from gateway import rate_limits
    from gateway.settings import get_settings

    for cached in (get_settings, rate_limits.get_rate_limiter, database_settings.get_settings,
                   core.get_session_factory, channel_settings.get_channel_queue_settings,
                   channel_settings.get_telegram_settings, channel_settings.get_whatsapp_settings,
                   channel_settings.get_messenger_settings):
        cached.cache_clear()
    if core.get_engine.cache_info().currsize:
        core.get_engine().dispose()
    core.get_engine.cache_clear()


@contextmanager
def gateway_environment(env: dict[str, str]) -> Iterator[pytest.MonkeyPatch]:
    """The environment with `env` added, read afresh by every settings object; all restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        clear_settings_caches()
        try:
            yield patch
        finally:
            clear_settings_caches()
    clear_settings_caches()


def own_database() -> dict[str, str]:
    """A new SQLite database of its own (migrated and seeded once the environment points at it)."""
    return {"DATABASE_URL": f"sqlite:///{TEST_VAR / f'gateway-{uuid.uuid4().hex[:8]}.db'}"}


def prepare_database() -> None:
    from database.core import session_scope
    from database.migrate import upgrade_database
    from shop.seed import seed_demo_shop

    upgrade_database()
    with session_scope() as db_session:
        seed_demo_shop(db_session)


@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[FakeRasa]:
    """The Rasa HTTP API answered by tests/gateway/fake_rasa.py."""
    rasa = FakeRasa()
    rasa.start()
    yield rasa
    rasa.stop()


@pytest.fixture
def client_without_rasa(monkeypatch):
    """The gateway with Rasa down (nothing listens on its port), with fresh rate-limit counters."""
    from gateway.app import create_app
    from gateway.rate_limits import get_rate_limiter
    from gateway.settings import get_settings

    monkeypatch.setenv("GATEWAY_RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    get_rate_limiter.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()
    get_rate_limiter.cache_clear()


def start_conversation(client: TestClient, sender_id: str, text: str = "hello") -> str:
    """Create a conversation through the public API; its secret."""
    response = client.post("/api/v1/chat", json={"sender_id": sender_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()["conversation_token"]


@pytest.fixture
def console(client_without_rasa):
    """The gateway as the consoles and scripts use it (sign-in, tickets, admin API: no Rasa needed)."""
    return client_without_rasa
