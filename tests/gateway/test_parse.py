"""`/api/v1/parse` reports the catalogue's intent names (../shared/design.md), whatever the bot's own are."""

import pytest
from fastapi.testclient import TestClient

from tests.gateway.conftest import gateway_environment
from tests.gateway.fake_rasa import FakeRasa


@pytest.fixture
def client(fake_rasa: FakeRasa):
    from gateway.app import create_app

    with gateway_environment({"GATEWAY_RASA_URL": fake_rasa.url}), TestClient(create_app()) as client:
        yield client


def parsed(client: TestClient, text: str) -> dict:
    response = client.post("/api/v1/parse", json={"text": text, "language": "en"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_catalogue_intent_is_reported_by_its_name(client):
    body = parsed(client, "where is my order 1000101")
    assert body["intent"]["name"] == "order_status"
    assert body["entities"] == [{"entity": "order_id", "value": "1000101"}]


def test_the_bots_own_intent_and_its_fallback_are_reported_as_out_of_scope(client):
    # `inform` (a bare e-mail or order number) is the dialogue's, not the catalogue's; entities are kept
    assert parsed(client, "jo@example.com 1000101")["intent"]["name"] == "out_of_scope"
    assert parsed(client, "qwzx vbnm")["intent"]["name"] == "out_of_scope"  # Rasa's nlu_fallback
