import pytest
from fastapi.testclient import TestClient

from shopbot.processes import free_port


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
