"""Talking to the Rasa server over its HTTP API."""

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    pass


class RasaClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        # Every connection is kept open: with fewer kept than in use, busy turns opened and closed connections,
        # and Rasa spent ~10 ms more CPU per turn on them at 100 conversations (bench/scale_out.py).
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits)

    async def close(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(path, json=body)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(f"{path}: {error!r}") from error

    async def send_message(self, *, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One shopper turn through Rasa's REST channel; returns the bot's messages."""
        return await self._post("/webhooks/rest/webhook", {"sender": sender_id, "message": text, "metadata": metadata})

    async def start_new_session(self, sender_id: str) -> None:
        """Run Rasa's action_session_start: a new session with the slots carried over (shorter history)."""
        await self._post(f"/conversations/{sender_id}/execute?include_events=NONE", {"name": "action_session_start"})

    async def load_model(self, model_file: str, timeout: float = 300.0) -> None:
        """Make Rasa serve another model (it loads it, then swaps; conversations and trackers carry on)."""
        try:
            response = await self._http.put("/model", json={"model_file": model_file}, timeout=timeout)
            response.raise_for_status()
        except httpx.HTTPError as error:
            detail = getattr(getattr(error, "response", None), "text", "")[:300]
            raise RasaUnavailable(f"PUT /model: {error!r} {detail}") from error

    async def parse(self, text: str, *, metadata: dict[str, Any]) -> dict[str, Any]:
        """The NLU's reading of one message, given the metadata a chat turn would carry (bot/rasa_server.py)."""
        return await self._post("/model/parse_with_metadata", {"text": text, "metadata": metadata})

    async def status(self) -> dict[str, Any] | None:
        try:
            response = await self._http.get("/status", timeout=3.0)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError):
            return None
