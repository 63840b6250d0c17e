"""A stand-in for the Rasa server: the HTTP API the gateway calls (assistant/rasa_client.py), answered from a few
rules instead of a model, and the parsed user event written to the tracker store table, as Rasa's SQL tracker
store does before its REST webhook answers (the gateway reads the intent from there)."""

import json
import re
import threading
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from database.core import get_engine
from tests.local_server import LocalServer

MODEL_FILE = "fake-model.tar.gz"
ORDER_NUMBER = re.compile(r"\b\d{7}\b")

_TRACKER_TABLE = text(
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), "
    "data TEXT)"
)
_USER_EVENT = text(
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
    "VALUES (:sender_id, 'user', :timestamp, :intent, :data)"
)


def understand(message: str) -> dict[str, Any]:
    """Rasa's parse result for a message: a button's payload as its intent, else an intent by keyword, order
    numbers as entities."""
    lowered = message.lower()
    intent, confidence = next(((name, 0.93) for keyword, name in (
        ("/affirm", "affirm"), ("/deny", "deny"), ("person", "human_handoff"), ("help", "need_help"), ("@", "inform"),
        ("order", "order_status"), ("thank", "thank_you"), ("hi", "greet"),
    ) if keyword in lowered), ("nlu_fallback", 0.2))
    entities = [{"entity": "order_id", "value": match, "start": 0, "end": 7, "extractor": "RegexEntityExtractor"}
                for match in ORDER_NUMBER.findall(message)]
    return {"text": message, "intent": {"name": intent, "confidence": confidence}, "entities": entities,
            "intent_ranking": [{"name": intent, "confidence": confidence}]}


def bot_messages(intent: str) -> list[dict[str, Any]]:
    """What the bot answers: a response key (rendered by the gateway), plain text, or a handoff."""
    if intent == "human_handoff":
        return [{"custom": {"response": "utter_handoff", "handoff": {"reason": "shopper_request"}}}]
    if intent == "need_help":  # a yes/no question with buttons; "yes" hands over
        return [{"custom": {"response": "utter_offer_human"}}]
    if intent == "affirm":
        return [{"custom": {"response": "utter_handoff", "handoff": {"reason": "offered"}}}]
    if intent == "deny":
        return [{"custom": {"response": "utter_handoff_declined"}}]
    if intent == "greet":
        return [{"custom": {"response": "utter_greet"}}]
    if intent == "nlu_fallback":
        return [{"custom": {"response": "utter_out_of_scope"}}, {"text": "Could you say that differently?"}]
    return [{"text": f"(fake Rasa) you asked about {intent}"}]


class FakeRasa(LocalServer):
    def __init__(self) -> None:
        super().__init__()
        self.turns: list[dict[str, Any]] = []
        #: sender ids whose Rasa session was restarted (action_session_start), in order
        self.session_starts: list[str] = []
        self._lock = threading.Lock()

    def turns_of(self, sender_id: str) -> list[str]:
        """The texts the gateway sent to Rasa for one sender."""
        with self._lock:
            return [turn["message"] for turn in self.turns if turn["sender"] == sender_id]

    def _store_user_event(self, sender_id: str, parse: dict[str, Any], metadata: dict[str, Any]) -> None:
        event = {"event": "user", "text": parse["text"], "parse_data": parse, "metadata": metadata}
        with get_engine().begin() as connection:
            connection.execute(_TRACKER_TABLE)
            connection.execute(_USER_EVENT, {"sender_id": sender_id, "timestamp": time.time(),
                                             "intent": parse["intent"]["name"], "data": json.dumps(event)})

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> list[dict[str, Any]]:
            body = await request.json()
            parse = understand(body["message"])
            self._store_user_event(body["sender"], parse, body.get("metadata") or {})
            with self._lock:
                self.turns.append(body)
            return bot_messages(parse["intent"]["name"])

        @app.post("/model/parse_with_metadata")
        @app.post("/model/parse")
        async def parse(request: Request) -> dict[str, Any]:
            return understand((await request.json())["text"])

        @app.get("/status")
        def status() -> dict[str, Any]:
            return {"model_file": MODEL_FILE, "model_id": "fake", "num_active_training_jobs": 0}

        @app.put("/model")
        def load_model() -> Response:
            return Response(status_code=204)

        @app.post("/conversations/{sender_id}/execute")
        def execute(sender_id: str) -> dict[str, Any]:
            with self._lock:
                self.session_starts.append(sender_id)
            return {"tracker": {"sender_id": sender_id, "events": []}, "messages": []}

        @app.get("/conversations/{sender_id}/tracker")
        def tracker(sender_id: str) -> dict[str, Any]:
            return {"sender_id": sender_id, "slots": {}, "events": []}

        return app
