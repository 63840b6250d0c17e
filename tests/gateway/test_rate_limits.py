"""Rate limits: a client or a conversation over its limit gets 429 with Retry-After and the JSON error, and
nothing is stored; other clients and conversations are served as before."""

import pytest
from fastapi.testclient import TestClient

from gateway.rate_limits import client_address
from gateway.settings import get_settings
from tests.gateway.conftest import start_conversation


@pytest.fixture
def limited(monkeypatch):
    """Tight limits, and the gateway behind a proxy at 127.0.0.1 (X-Forwarded-For names the client)."""
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_CLIENT", "5/minute")
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_CONVERSATION", "3/minute")
    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", '["127.0.0.1"]')
    get_settings.cache_clear()


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_flooding_client_is_refused_while_another_is_answered(limited, client_without_rasa):
    client = TestClient(client_without_rasa.app, client=("127.0.0.1", 40000))
    for n in range(5):
        assert client.post("/api/v1/parse", json={"text": f"hello {n}"}, headers=_from("203.0.113.9")
                           ).status_code == 503  # (Rasa is down: counted all the same)
    _assert_rate_limited(client.post("/api/v1/chat", json={"sender_id": "flood-1", "text": "hi"},
                                     headers=_from("203.0.113.9")))
    assert client.post("/api/v1/chat", json={"sender_id": "calm-1", "text": "hi"}, headers=_from("198.51.100.7")
                       ).status_code == 200


def test_a_conversation_over_its_limit_is_refused_and_nothing_is_stored(limited, client_without_rasa):
    token = start_conversation(client_without_rasa, "busy-1")
    for n in range(2):
        assert client_without_rasa.post("/api/v1/chat", json={"sender_id": "busy-1", "text": f"turn {n}"},
                                        headers={"X-Conversation-Token": token}).status_code == 200
    _assert_rate_limited(client_without_rasa.post("/api/v1/chat", json={"sender_id": "busy-1", "text": "again"},
                                                  headers={"X-Conversation-Token": token}))
    history = client_without_rasa.get("/api/v1/conversations/busy-1/messages",
                                      headers={"X-Conversation-Token": token}).json()
    assert "again" not in [m["text"] for m in history]


def test_strangers_cannot_use_up_a_conversations_limit(limited, client_without_rasa):
    token = start_conversation(client_without_rasa, "victim-1")
    stranger = TestClient(client_without_rasa.app, client=("127.0.0.1", 40001))
    for n in range(4):
        assert stranger.post("/api/v1/chat", json={"sender_id": "victim-1", "text": "x"},
                             headers=_from(f"192.0.2.{n}")).status_code == 404
    assert client_without_rasa.post("/api/v1/chat", json={"sender_id": "victim-1", "text": "still me"},
                                    headers={"X-Conversation-Token": token}).status_code == 200


def test_forwarded_addresses_count_only_from_trusted_proxies(monkeypatch):
    from starlette.requests import Request

    def request(peer: str, forwarded: str) -> Request:
        return Request({"type": "http", "client": (peer, 1), "headers": [(b"x-forwarded-for", forwarded.encode())]})

    monkeypatch.setenv("GATEWAY_TRUSTED_PROXIES", '["10.0.0.0/8"]')
    get_settings.cache_clear()
    try:
        assert client_address(request("10.0.0.5", "198.51.100.7")) == "198.51.100.7"
        # A client cannot hide behind an address it puts in front of the header itself
        assert client_address(request("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
        assert client_address(request("203.0.113.1", "198.51.100.7")) == "203.0.113.1"
    finally:
        get_settings.cache_clear()


def test_gateway_replicas_share_their_counters_through_redis(monkeypatch):
    """Two gateway processes' limiters on one Redis: together they let through no more than the limit."""
    import asyncio

    import redis

    from gateway.rate_limits import RateLimited, RateLimiter, get_rate_limiter
    from tests.redis_server import redis_server

    async def hits(replicas: list[RateLimiter]) -> list[bool]:
        answered = []
        for n in range(9):
            try:
                await replicas[n % 2].hit("6/minute", "client", "203.0.113.5")
                answered.append(True)
            except RateLimited as error:
                assert error.retry_after >= 1
                answered.append(False)
        return answered

    with redis_server() as url:
        assert asyncio.run(hits([RateLimiter(f"async+{url}"), RateLimiter(f"async+{url}")])) == [True] * 6 + [False] * 3
        assert redis.Redis.from_url(url).dbsize() >= 1  # the counters live in Redis, not in either process
        monkeypatch.setenv("REDIS_URL", url)
        get_settings.cache_clear()
        get_rate_limiter.cache_clear()
        try:
            asyncio.run(get_rate_limiter().hit("1/minute", "client", "198.51.100.1"))
            assert redis.Redis.from_url(url).dbsize() >= 2  # REDIS_URL puts the gateway's own limiter there
        finally:
            get_settings.cache_clear()
            get_rate_limiter.cache_clear()


def test_socket_messages_over_the_limit_get_an_error_frame_and_the_socket_stays_open(limited, client_without_rasa):
    sender = "w-" + "a" * 32
    token = start_conversation(client_without_rasa, sender)
    with client_without_rasa.websocket_connect(f"/api/v1/ws?sender_id={sender}&token={token}") as socket:
        for expected in ("shopper", "bot"):  # the history so far
            assert socket.receive_json()["message"]["role"] == expected
        ends = []
        for n in range(4):  # the conversation allows 3 a minute and its first turn was one of them
            socket.send_json({"type": "message", "text": f"turn {n}"})
            frame = socket.receive_json()
            while frame["type"] == "message":  # the turn's stored messages come before its end
                frame = socket.receive_json()
            ends.append(frame)
        assert [frame["type"] for frame in ends] == ["reply", "reply", "error", "error"]
        assert ends[2]["error"]["code"] == "rate_limited" and ends[2]["error"]["retry_after"] >= 1
        socket.send_json({"type": "message", "text": "   "})
        assert socket.receive_json()["error"]["code"] in ("empty_message", "rate_limited")


def test_a_combined_limit_refuses_once_its_tightest_rate_is_used_up(monkeypatch, client_without_rasa):
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_CLIENT", "3/hour;100/day")
    get_settings.cache_clear()
    statuses = [client_without_rasa.post("/api/v1/parse", json={"text": f"hi {n}"}).status_code for n in range(4)]
    assert statuses[:3] == [503] * 3  # (Rasa is down: counted all the same)
    assert statuses[3] == 429


def test_a_limit_that_is_not_in_the_limits_notation_stops_the_gateway_at_start(monkeypatch):
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_CLIENT", "300 per minute please")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="not a rate limit"):
        get_settings()
    monkeypatch.delenv("GATEWAY_RATE_LIMIT_CLIENT")
    get_settings.cache_clear()
