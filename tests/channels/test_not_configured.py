"""Without credentials in the environment a channel is off: its webhook answers 404."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("channel", ["telegram", "whatsapp", "messenger"])
def test_channel_webhooks_are_404_without_credentials(channel, monkeypatch):
    from channels.settings import get_messenger_settings, get_telegram_settings, get_whatsapp_settings
    from gateway.app import create_app

    for name in ("TELEGRAM_BOT_TOKEN", "WHATSAPP_ACCESS_TOKEN", "MESSENGER_PAGE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for settings in (get_telegram_settings, get_whatsapp_settings, get_messenger_settings):
        settings.cache_clear()
    with TestClient(create_app()) as client:
        response = client.post(f"/webhooks/{channel}", json={"update_id": 1})
        handshake = client.get(f"/webhooks/{channel}", params={"hub.mode": "subscribe"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "channel_not_configured"
    assert handshake.status_code == 404
