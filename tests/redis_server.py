"""A throw-away Redis server on a free local port (Debian's redis-server, nothing kept on disk)."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from runtime.processes import free_port


@contextmanager
def redis_server() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server not found: make servers installs Debian's package")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)
