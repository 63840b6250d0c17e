"""HAProxy as `shopbot run --replicas N` configures it: requests spread over the replicas, a dead replica's share
goes to the others without one failed request, and a replica that comes back gets traffic again."""

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request

from runtime.load_balancer import MONITOR_PATH, Pool, haproxy_binary, haproxy_command, write_config
from runtime.processes import ReplicasNeedSharedServers, Stack, free_port
from tests.local_server import LocalServer


class Replica(LocalServer):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.forwarded_for: list[str | None] = []

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/health")
        def health() -> dict[str, str]:
            return {"status": "ok"}

        @app.post("/api/v1/chat")
        def chat(request: Request) -> dict[str, str]:
            self.forwarded_for.append(request.headers.get("x-forwarded-for"))
            return {"replica": self.name}

        return app


@pytest.fixture
def balanced(tmp_path: Path):
    replicas = [Replica("one"), Replica("two")]
    for replica in replicas:
        replica.start()
    listen = free_port()
    config = write_config(tmp_path / "haproxy.cfg", host="127.0.0.1",
                          pools=[Pool("gateway", listen, tuple(r.port for r in replicas), "/health")])
    checked = subprocess.run([haproxy_binary(), "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    process = subprocess.Popen(haproxy_command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{listen}"
    deadline = time.monotonic() + 10
    while True:
        try:
            if httpx.get(url + MONITOR_PATH).status_code == 200 and _answered_by(url, 4) == {"one", "two"}:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "HAProxy did not come up"
        time.sleep(0.2)
    yield url, replicas
    process.terminate()
    process.wait(10)
    for replica in replicas:
        if replica._server is not None and not replica._server.should_exit:
            replica.stop()


def _answered_by(url: str, turns: int) -> set[str]:
    return {httpx.post(url + "/api/v1/chat", json={}, timeout=5).json()["replica"] for _ in range(turns)}


def test_requests_spread_over_replicas_and_a_dead_one_fails_no_request(balanced):
    url, (one, two) = balanced
    assert _answered_by(url, 6) == {"one", "two"}
    assert one.forwarded_for[-1] == "127.0.0.1"  # the gateway sees the shopper's address

    one.stop()
    answers = [httpx.post(url + "/api/v1/chat", json={}, timeout=5) for _ in range(20)]
    assert [a.status_code for a in answers] == [200] * 20
    assert {a.json()["replica"] for a in answers} == {"two"}

    one.start()  # back on its port: health checks bring it in again
    deadline = time.monotonic() + 10
    while _answered_by(url, 4) != {"one", "two"}:
        assert time.monotonic() < deadline, "the replica that came back got no traffic"
        time.sleep(0.3)


def test_replicas_need_postgresql_and_redis(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    sqlite = Stack(model=tmp_path / "m.tar.gz", database_url="sqlite:///x.db", var_dir=tmp_path, replicas=2)
    with pytest.raises(ReplicasNeedSharedServers, match="PostgreSQL"):
        sqlite.build()
    no_redis = Stack(model=tmp_path / "m.tar.gz", database_url="postgresql://u@h/db", var_dir=tmp_path, replicas=2)
    with pytest.raises(ReplicasNeedSharedServers, match="REDIS_URL"):
        no_redis.build()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    built = Stack(model=tmp_path / "m.tar.gz", database_url="postgresql://u@h/db", var_dir=tmp_path, replicas=2,
                  gateway_port=free_port()).build()
    assert [s.name for s in built] == ["rasa-1", "rasa-2", "actions-1", "actions-2", "gateway-1", "gateway-2",
                                       "load-balancer"]
    gateways = [s for s in built if s.name.startswith("gateway")]
    assert {s.env["GATEWAY_RASA_URL"] for s in gateways} == {"http://127.0.0.1:5005"}  # Rasa's load balancer
    assert {s.env["GATEWAY_TRUSTED_PROXIES"] for s in gateways} == {'["127.0.0.1"]'}
    rasa_ports = [s.health_url.split(":")[-1].split("/")[0] for s in built if s.name.startswith("rasa")]
    assert {s.env["GATEWAY_RASA_REPLICA_URLS"] for s in gateways} == {  # an activation reaches each
        json.dumps([f"http://127.0.0.1:{port}" for port in rasa_ports])}


def test_a_restarted_rasa_is_started_with_the_model_current_then(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    current = [tmp_path / "start.tar.gz"]
    stack = Stack(model=tmp_path / "start.tar.gz", database_url="postgresql://u@h/db", var_dir=tmp_path, replicas=2,
                  gateway_port=free_port(), current_model=lambda: current[0])
    rasa = next(s for s in stack.build() if s.name == "rasa-1")
    assert str(tmp_path / "start.tar.gz") in rasa.start_command()
    current[0] = tmp_path / "activated.tar.gz"  # an admin activated another version
    assert str(tmp_path / "activated.tar.gz") in rasa.start_command()
    assert str(tmp_path / "start.tar.gz") not in rasa.start_command()
