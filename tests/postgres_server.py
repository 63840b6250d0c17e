"""A throw-away PostgreSQL server for the test run (the machine's initdb/pg_ctl, as a non-root user)."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runtime.processes import free_port


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root.
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


@dataclass(frozen=True)
class PostgresServer:
    url: str
    data: Path
    options: str
    log: Path

    def restart(self) -> None:
        """Stop (fast: open connections are cut) and start again on the same port."""
        subprocess.run(_as_server_user(["pg_ctl", "-D", str(self.data), "-m", "fast", "-o", self.options,
                                        "-l", str(self.log), "-w", "restart"]), check=True, capture_output=True)


@contextmanager
def postgres_instance() -> Iterator[PostgresServer]:
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not found: install PostgreSQL (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="shopbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    data, port = root / "data", free_port()
    subprocess.run(_as_server_user(["initdb", "-D", str(data), "-U", "shopbot", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    subprocess.run(_as_server_user(["pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                                    "start"]), check=True, capture_output=True)
    try:
        subprocess.run(_as_server_user(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "shopbot",
                                        "shopbot"]), check=True, capture_output=True)
        yield PostgresServer(url=f"postgresql://shopbot@127.0.0.1:{port}/shopbot", data=data, options=options,
                             log=root / "log")
    finally:
        subprocess.run(_as_server_user(["pg_ctl", "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """The server's URL, for the whole test run (`--postgres`)."""
    with postgres_instance() as server:
        yield server.url
