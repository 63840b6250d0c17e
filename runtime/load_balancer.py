"""HAProxy in front of the replicas: one front door per kind of process (gateway, Rasa, action server).

Round robin with active health checks and no sticky sessions: any replica serves any turn, because the
conversation state lives in the shared database, Rasa's tracker store and Redis. A request whose connection is
refused (a replica that just died) is sent to another replica; a request already sent is never repeated, so a turn
cannot be answered twice.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

#: HAProxy answers this path itself: the load balancer's own health check.
MONITOR_PATH = "/lb-health"


class LoadBalancerMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Pool:
    """One kind of replica behind one listening port."""

    name: str
    listen_port: int
    replica_ports: tuple[int, ...]
    health_path: str


def haproxy_binary() -> str:
    path = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if path is None:
        raise LoadBalancerMissing("replicas need HAProxy: apt-get install haproxy")
    return path


def haproxy_config(*, host: str, pools: list[Pool]) -> str:
    """The configuration text (HAProxy 2.6)."""
    lines = [
        "global",
        "    maxconn 4096",
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 120s",
        "    timeout server 120s",
        "    timeout check 5s",  # a replica busy with turns answers its check slowly: not a reason to drop it
        "    timeout tunnel 1h",  # widget and console WebSockets
        "    retries 3",
        "    retry-on conn-failure",
        "    option redispatch 1",
    ]
    for pool in pools:
        lines += [
            f"frontend {pool.name}",
            f"    bind {host}:{pool.listen_port}",
            f"    monitor-uri {MONITOR_PATH}",
            "    option forwardfor",
            f"    default_backend {pool.name}_replicas",
            f"backend {pool.name}_replicas",
            "    balance roundrobin",
            f"    option httpchk GET {pool.health_path}",
            "    http-check expect status 200",
            "    default-server check inter 2s fall 3 rise 1 observe layer4 error-limit 1 on-error mark-down",
        ]
        lines += [f"    server {pool.name}-{i} {host}:{port}" for i, port in enumerate(pool.replica_ports, 1)]
    return "\n".join(lines) + "\n"


def write_config(path: Path, *, host: str, pools: list[Pool]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(haproxy_config(host=host, pools=pools), encoding="utf-8")
    return path


def haproxy_command(config: Path) -> list[str]:
    """HAProxy in the foreground (`-db`), so the supervisor sees it exit."""
    return [haproxy_binary(), "-db", "-f", str(config)]
