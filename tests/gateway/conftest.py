import pytest
from fastapi.testclient import TestClient

from shopbot.processes import free_port


@pytest.fixture
def client_without_rasa(monkeypatch):
    """The gateway with Rasa down (nothing listens on its port)."""
    from gateway.app import create_app
    from gateway.settings import get_settings

    monkeypatch.setenv("GATEWAY_RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    get_settings.cache_clear()


@pytest.fixture
def console(client_without_rasa):
    """The gateway without Rasa, with fresh rate-limit counters (sign-in limits count per name and address)."""
    from gateway.rate_limits import get_rate_limiter

    get_rate_limiter.cache_clear()
    yield client_without_rasa
    get_rate_limiter.cache_clear()

