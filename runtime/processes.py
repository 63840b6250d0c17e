"""Start, watch and stop the processes of the stack: Rasa, the action server and the gateway (and, with replicas,
several of each behind a load balancer)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from database.settings import REPO_ROOT
from runtime.environment import rasa_environment
from runtime.load_balancer import MONITOR_PATH, Pool, haproxy_command, write_config
from runtime.rasa_endpoints import write_endpoints
from runtime.supervisor import DEFAULT_BACKOFF, STATUS_PATH_VARIABLE, Backoff, Supervisor


class StartupFailed(RuntimeError):
    pass


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    is_healthy: Callable[[httpx.Response], bool]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def healthy(self) -> bool:
        try:
            return self.is_healthy(httpx.get(self.health_url, timeout=2.0))
        except httpx.HTTPError:
            return False

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def rasa_server_command(rasa_venv: Path, *, host: str, port: int, model: Path, extra: tuple[str, ...] | list[str] = ()
                        ) -> list[str]:
    """`rasa run --enable-api` through bot/rasa_server.py (model switches off the event loop, parse with metadata)."""
    return [str(rasa_venv / "bin" / "python"), "-m", "bot.rasa_server", "run", "--enable-api",
            "-i", host, "-p", str(port), "-m", str(model), *extra]


def free_port() -> int:
    """A local TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(services: list[Service], *, timeout: float, progress: Callable[[str], None]) -> None:
    """Wait for every started service to answer its health check; StartupFailed if one dies or times out."""
    deadline = time.monotonic() + timeout
    waiting = list(services)
    while waiting:
        for service in list(waiting):
            if service.exited():
                raise StartupFailed(f"{service.name} exited during start-up:\n{_log_tail(service.log_path)}")
            if service.healthy():
                progress(f"{service.name} is ready at {service.health_url.rsplit('/', 1)[0]}")
                waiting.remove(service)
        if waiting and time.monotonic() > deadline:
            names = ", ".join(s.name for s in waiting)
            raise StartupFailed(f"not healthy after {timeout:.0f} s: {names}")
        time.sleep(0.5)


def rasa_model_loaded(response: httpx.Response) -> bool:
    return response.status_code == 200 and bool(response.json().get("model_file"))


class ReplicasNeedSharedServers(ValueError):
    pass


@dataclass
class Stack:
    """The running assistant. Used by `shopbot run` and by the end-to-end tests (on other ports).

    With `replicas` > 1 there are that many Rasa servers, action servers and gateways, each kind behind HAProxy
    listening on the ports a single stack would use; the replicas share PostgreSQL and Redis.
    """

    model: Path
    database_url: str
    var_dir: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    gateway_port: int = 8000
    rasa_venv: Path = REPO_ROOT / ".venv-rasa"
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: int = 1
    services: list[Service] = field(default_factory=list)

    def _base_env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "PYTHONPATH": str(REPO_ROOT), **self.extra_env}

    def _check_replicas(self) -> None:
        if self.replicas < 1:
            raise ReplicasNeedSharedServers("replicas must be at least 1")
        if self.replicas == 1:
            return
        if not self.database_url.startswith("postgresql"):
            raise ReplicasNeedSharedServers("replicas share one PostgreSQL database: set DATABASE_URL=postgresql://...")
        if not self._base_env().get("REDIS_URL"):
            raise ReplicasNeedSharedServers("replicas share one Redis (locks, limits, live messages): set REDIS_URL")

    def _rasa(self, name: str, port: int, *, actions_url: str) -> Service:
        endpoints = self.var_dir / f"endpoints-{port}.yml"
        secrets = write_endpoints(endpoints, database_url=self.database_url, actions_url=actions_url,
                                  redis_url=self._base_env().get("REDIS_URL"))
        return Service(
            name=name,
            command=rasa_server_command(
                self.rasa_venv, host=self.host, port=port, model=self.model,
                extra=["--endpoints", str(endpoints), "--credentials", "bot/credentials.yml"]),
            env={**rasa_environment(), **self.extra_env, **secrets, "DATABASE_URL": self.database_url},
            health_url=f"http://{self.host}:{port}/status",
            is_healthy=rasa_model_loaded,
            log_path=self.var_dir / "logs" / f"{name}.log",
        )

    def _actions(self, name: str, port: int) -> Service:
        return Service(
            name=name,
            command=[sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "-p", str(port)],
            env={**self._base_env(), "SANIC_HOST": self.host, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
            health_url=f"http://{self.host}:{port}/health",
            is_healthy=lambda r: r.status_code == 200,
            log_path=self.var_dir / "logs" / f"{name}.log",
        )

    def _gateway(self, name: str, port: int, *, rasa_url: str) -> Service:
        return Service(
            name=name,
            command=[sys.executable, "-m", "gateway", "--host", self.host, "--port", str(port)],
            env={**self._base_env(), "GATEWAY_RASA_URL": rasa_url, STATUS_PATH_VARIABLE: str(self.status_path)},
            health_url=f"http://{self.host}:{port}/health",
            is_healthy=lambda r: r.status_code == 200,
            log_path=self.var_dir / "logs" / f"{name}.log",
        )

    def build(self) -> list[Service]:
        self._check_replicas()
        if self.replicas == 1:
            return [
                self._rasa("rasa", self.rasa_port, actions_url=f"http://{self.host}:{self.actions_port}/webhook"),
                self._actions("actions", self.actions_port),
                self._gateway("gateway", self.gateway_port, rasa_url=f"http://{self.host}:{self.rasa_port}"),
            ]
        numbered = range(1, self.replicas + 1)
        ports = {kind: tuple(free_port() for _ in numbered) for kind in ("rasa", "actions", "gateway")}
        services = [self._rasa(f"rasa-{i}", port, actions_url=f"http://{self.host}:{self.actions_port}/webhook")
                    for i, port in zip(numbered, ports["rasa"], strict=True)]
        services += [self._actions(f"actions-{i}", port) for i, port in zip(numbered, ports["actions"], strict=True)]
        services += [self._gateway(f"gateway-{i}", port, rasa_url=f"http://{self.host}:{self.rasa_port}")
                     for i, port in zip(numbered, ports["gateway"], strict=True)]
        for gateway in services[-self.replicas:]:  # shoppers' addresses come from HAProxy's X-Forwarded-For
            gateway.env.setdefault("GATEWAY_TRUSTED_PROXIES", json.dumps([self.host]))
            gateway.env["GATEWAY_RASA_REPLICA_URLS"] = json.dumps([f"http://{self.host}:{port}"
                                                                    for port in ports["rasa"]])
        pools = [Pool("gateway", self.gateway_port, ports["gateway"], "/health/live"),
                 Pool("rasa", self.rasa_port, ports["rasa"], "/status"),
                 Pool("actions", self.actions_port, ports["actions"], "/health")]
        config = write_config(self.var_dir / f"haproxy-{self.gateway_port}.cfg", host=self.host, pools=pools)
        services.append(Service(
            name="load-balancer", command=haproxy_command(config), env=dict(os.environ),
            health_url=f"http://{self.host}:{self.gateway_port}{MONITOR_PATH}",
            is_healthy=lambda r: r.status_code == 200, log_path=self.var_dir / "logs" / "load-balancer.log",
        ))
        return services

    def start(self, *, timeout: float = 300.0, progress: Callable[[str], None] = print) -> None:
        self.services = self.build()
        for service in self.services:
            service.start()
            pid = service.process.pid if service.process else "?"
            progress(f"started {service.name} (pid {pid}, log {service.log_path})")
        try:
            wait_until_healthy(self.services, timeout=timeout, progress=progress)
        except StartupFailed:
            self.stop()
            raise

    @property
    def status_path(self) -> Path:
        return self.var_dir / f"supervisor-{self.gateway_port}.json"

    def supervisor(self, *, backoff: Backoff = DEFAULT_BACKOFF, report: Callable[[str], None] = print) -> Supervisor:
        """A supervisor of the started services; the gateway's /health reads its status file."""
        return Supervisor(self.services, backoff=backoff, status_path=self.status_path, report=report)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def wait(self, *, backoff: Backoff = DEFAULT_BACKOFF, progress: Callable[[str], None] = print) -> None:
        """Keep every service running (a dead one is restarted with backoff) until the user presses Ctrl-C."""
        self.supervisor(backoff=backoff, report=progress).run()
