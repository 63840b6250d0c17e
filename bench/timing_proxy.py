"""A small HTTP/1.1 reverse proxy for the benchmarks: Rasa's action endpoint points at it, it forwards each call to
an action server (one of several, chosen per call by `target`) and records the call's round trip upstream and the
request and response bodies. It runs in a thread of the benchmark process."""

import asyncio
import threading
import time
from dataclasses import dataclass, field


@dataclass
class ProxiedCall:
    target: str
    started: float
    upstream_seconds: float
    request_body: bytes
    response_body: bytes
    status: int


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


@dataclass
class TimingProxy:
    #: name -> port of an action server on 127.0.0.1
    upstreams: dict[str, int]
    target: str = ""
    port: int = 0
    calls: list[ProxiedCall] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            server.close()

        threading.Thread(target=serve, name="timing-proxy", daemon=True).start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def take_calls(self) -> list[ProxiedCall]:
        with self._lock:
            calls, self.calls = self.calls, []
        return calls

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                body = await reader.readexactly(_content_length(head))
                target = self.target
                started = time.perf_counter()
                # A new upstream connection per call, as Rasa 3.6 opens one per action call
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstreams[target])
                up_writer.write(head + body)
                await up_writer.drain()
                response_head = await up_reader.readuntil(b"\r\n\r\n")
                response_body = await up_reader.readexactly(_content_length(response_head))
                upstream = time.perf_counter() - started
                up_writer.close()
                writer.write(response_head + response_body)
                await writer.drain()
                status = int(response_head.split(b" ", 2)[1])
                with self._lock:
                    self.calls.append(ProxiedCall(target, started, upstream, body, response_body, status))
                if b"connection: close" in head.lower() or b"connection: close" in response_head.lower():
                    break
        finally:
            writer.close()
