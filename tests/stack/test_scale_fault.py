"""Replicas on one machine, as `shopbot run --replicas 2` starts them: a real PostgreSQL and Redis, HAProxy in front
of 2 gateways, 2 Rasa servers and 2 action servers. Conversations in six languages talk through the load balancer
while one process of each kind is killed (the supervisor restarts it) and PostgreSQL is restarted once.

Shoppers behave like the widget: a turn whose answer is lost (the process died mid-request) is looked up in the
conversation's history and sent again only if it was not stored. In the end no shopper message is lost or stored
twice, every one is answered (at once, or stored while the assistant was down and answered later), and no reply is
stored twice in a row.
"""

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from database.settings import REPO_ROOT
from runtime.processes import Stack, free_port
from runtime.supervisor import Backoff
from tests.conftest import TEST_VAR
from tests.postgres_server import postgres_instance
from tests.redis_server import redis_server

pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                reason="starts its own PostgreSQL; runs once, in the default pass")

CONVERSATIONS = 50
MIN_TURNS = 4
MAX_TURNS = 12
TURNS = {
    "en": ["hi", "where is my order?", "how long does delivery take?", "which payment methods do you accept?",
           "thanks"],
    "es": ["hola", "¿dónde está mi pedido?", "¿cuánto tarda el envío?", "¿qué formas de pago aceptan?", "gracias"],
    "de": ["hallo", "wo ist meine Bestellung?", "wie lange dauert der Versand?", "welche Zahlungsarten gibt es?",
           "danke"],
    "fr": ["bonjour", "où est ma commande ?", "combien de temps prend la livraison ?",
           "quels moyens de paiement acceptez-vous ?", "merci"],
    "id": ["halo", "di mana pesanan saya?", "berapa lama pengirimannya?", "metode pembayaran apa saja?",
           "terima kasih"],
    "ar": ["مرحبا", "أين طلبي؟", "كم يستغرق التوصيل؟", "ما طرق الدفع المتاحة؟", "شكرا"],
}
#: "Stored, I'll reply": what a shopper is told while the assistant is down, in every language.
STORED_OFFLINE = {yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]["utter_message_stored_offline"]
                  for path in (REPO_ROOT / "bot" / "responses").glob("*.yml")}


@dataclass
class Figures:
    turns: int = 0
    lost_answers: int = 0  # a turn whose HTTP answer never came (5xx or a cut connection)
    resent: int = 0
    stored_offline: int = 0
    seconds: list[float] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


class Shopper:
    def __init__(self, url: str, sender_id: str, language: str, figures: Figures) -> None:
        self.url, self.sender_id, self.language, self.figures = url, sender_id, language, figures
        self.token: str | None = None
        self.sent: list[str] = []

    def _history(self) -> list[dict]:
        answer = httpx.get(f"{self.url}/api/v1/conversations/{self.sender_id}/messages",
                           headers={"X-Conversation-Token": self.token or ""}, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def _stored_count(self) -> int | None:
        try:
            return sum(1 for m in self._history() if m["role"] == "shopper")
        except httpx.HTTPError:
            return None

    def turn(self, text_: str) -> None:
        deadline = time.monotonic() + 180
        started = time.monotonic()
        while True:
            assert time.monotonic() < deadline, f"{self.sender_id}: '{text_}' never got through"
            try:
                headers = {"X-Conversation-Token": self.token} if self.token else {}
                answer = httpx.post(f"{self.url}/api/v1/chat", json={"sender_id": self.sender_id, "text": text_},
                                    headers=headers, timeout=60)
                if answer.status_code == 200:
                    body = answer.json()
                    self.token = self.token or body.get("conversation_token")
                    self.sent.append(text_)
                    self.figures.turns += 1
                    self.figures.seconds.append(time.monotonic() - started)
                    if any(m["text"] in STORED_OFFLINE for m in body["messages"]):
                        self.figures.stored_offline += 1
                    return
            except httpx.TransportError:
                pass
            self.figures.lost_answers += 1
            if self.token is None:
                time.sleep(0.5)
                continue
            # Stored by a process that died before answering? Then it is answered later; else send it again
            stored = self._wait_for_stored_count()
            if stored == len(self.sent) + 1:
                self.sent.append(text_)
                self.figures.turns += 1
                self._wait_for_answer(deadline)
                return
            self.figures.resent += 1
            time.sleep(0.3)

    def _wait_for_answer(self, deadline: float) -> None:
        """As the widget shows it once pushed: a reply after the shopper's last message (or a person took over)."""
        while True:
            try:
                history = self._history()
                if history[-1]["role"] != "shopper" or any(m.get("handoff") == "opened" for m in history):
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{self.sender_id}: a stored message was never answered"
            time.sleep(0.5)

    def _wait_for_stored_count(self) -> int:
        for _ in range(60):
            stored = self._stored_count()
            if stored is not None:
                return stored
            time.sleep(0.5)
        raise AssertionError(f"{self.sender_id}: history unreachable")


def _reply_blocks(history: list[dict]) -> list[list[str]]:
    """The assistant's replies between two shopper messages, except a block that also answers messages stored
    while it was down (it may repeat an answer legitimately)."""
    blocks: list[list[str]] = [[]]
    for message in history:
        if message["role"] == "shopper":
            blocks.append([])
        elif message["role"] == "bot":
            blocks[-1].append(message["text"])
    return [block for previous, block in zip(blocks, blocks[1:]) if not STORED_OFFLINE & set(previous)]


def _doubled(block: list[str]) -> bool:
    """One turn's replies stored twice: [a, a] or [a, b, a, b]."""
    half = len(block) // 2
    return len(block) >= 2 and len(block) % 2 == 0 and block[:half] == block[half:]


def _kill(stack: Stack, name: str) -> None:
    process = stack.service(name).process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)


def _wait_healthy(stack: Stack, name: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not (not stack.service(name).exited() and stack.service(name).healthy()):
        assert time.monotonic() < deadline, f"{name} was not restarted"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def replicas(trained_model):
    with postgres_instance() as postgres, redis_server() as redis_url:
        env = {**os.environ, "DATABASE_URL": postgres.url}
        for command in (["db", "upgrade"], ["shop", "seed"]):
            subprocess.run([sys.executable, "-m", "shopbot.cli", *command], env=env, check=True, capture_output=True)
        var_dir = TEST_VAR / "replicas"
        stack = Stack(model=trained_model, database_url=postgres.url, var_dir=var_dir, replicas=2,
                      rasa_port=free_port(), actions_port=free_port(), gateway_port=free_port(),
                      extra_env={"REDIS_URL": redis_url, "GATEWAY_RATE_LIMIT_CLIENT": "100000/minute",
                                 "GATEWAY_RATE_LIMIT_CONVERSATION": "10000/minute",
                                 "GATEWAY_REPLAY_INTERVAL_SECONDS": "1"})
        stack.start(timeout=900, progress=lambda line: None)
        reports: list[str] = []
        supervisor = stack.supervisor(backoff=Backoff(initial=0.5, maximum=2, stable_after=30),
                                      report=reports.append)
        stop = threading.Event()

        def supervise() -> None:
            while not stop.is_set():
                supervisor.check()
                time.sleep(0.2)

        watcher = threading.Thread(target=supervise, daemon=True)
        watcher.start()
        try:
            yield stack, postgres, f"http://127.0.0.1:{stack.gateway_port}", reports
        finally:
            stop.set()
            watcher.join(5)
            stack.stop()


def test_nothing_is_lost_while_every_kind_of_process_dies(replicas):
    stack, postgres, url, reports = replicas
    figures = Figures()
    languages = list(TURNS)
    shoppers = [Shopper(url, f"scale-{i}", languages[i % len(languages)], figures) for i in range(CONVERSATIONS)]
    with ThreadPoolExecutor(10) as pool:  # every conversation is opened before the first fault
        list(pool.map(lambda s: s.turn(TURNS[s.language][0]), shoppers))

    faults_done = threading.Event()

    def talk(shopper: Shopper) -> None:
        turn = 1
        while turn < MAX_TURNS and (turn < MIN_TURNS or not faults_done.is_set()):
            shopper.turn(TURNS[shopper.language][turn % len(TURNS[shopper.language])])
            turn += 1
            time.sleep(0.2)

    def faults() -> None:
        try:
            for name in ("rasa-1", "actions-1", "gateway-1", "load-balancer", "gateway-2", "rasa-2"):
                time.sleep(2)
                _kill(stack, name)
                figures.faults.append(f"killed {name}")
                _wait_healthy(stack, name)
            time.sleep(2)
            postgres.restart()
            figures.faults.append("restarted PostgreSQL")
            time.sleep(5)
        finally:
            faults_done.set()

    fault_thread = threading.Thread(target=faults)
    fault_thread.start()
    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        for outcome in [pool.submit(talk, shopper) for shopper in shoppers]:
            outcome.result()
    fault_thread.join()

    # Everything stored is answered (messages stored while the assistant was down, by the replay)
    engine = create_engine(postgres.url, pool_pre_ping=True)
    deadline = time.monotonic() + 240
    with engine.connect() as connection:
        while connection.execute(text("SELECT COUNT(*) FROM messages WHERE role = 'shopper' AND NOT delivered"
                                      )).scalar():
            assert time.monotonic() < deadline, "stored messages were never answered"
            time.sleep(1)
    engine.dispose()

    lost, duplicated, repeated_replies, unanswered = [], [], [], []
    for shopper in shoppers:
        history = shopper._history()
        said = [m["text"] for m in history if m["role"] == "shopper"]
        if said != shopper.sent:
            (lost if len(said) < len(shopper.sent) else duplicated).append(shopper.sender_id)
        # Every shopper message gets a reply before the next one, until a person takes over (then the assistant
        # is silent and the person answers)
        handed_over = next((i for i, m in enumerate(history) if m.get("handoff") == "opened"), len(history))
        roles = [m["role"] for m in history[:handed_over]]
        if (roles and roles[-1] == "shopper" and handed_over == len(history)) or \
                any(a == b == "shopper" for a, b in zip(roles, roles[1:])):
            unanswered.append(shopper.sender_id)
        if any(_doubled(block) for block in _reply_blocks(history)):
            repeated_replies.append(shopper.sender_id)

    print(f"\n{CONVERSATIONS} conversations, {figures.turns} shopper messages through HAProxy to 2 gateways, "
          f"2 Rasa and 2 action servers; faults: {', '.join(figures.faults)}")
    print(f"answers lost in transit {figures.lost_answers}, messages sent again {figures.resent}, "
          f"stored while the assistant was down {figures.stored_offline}; turn p50 "
          f"{statistics.median(figures.seconds):.2f} s, p95 "
          f"{statistics.quantiles(figures.seconds, n=20)[18]:.2f} s")
    print(f"lost {len(lost)}, duplicated {len(duplicated)}, unanswered {len(unanswered)}, "
          f"replies stored twice {len(repeated_replies)}; supervisor: {'; '.join(reports)}")
    assert len(figures.faults) == 7
    assert (lost, duplicated, unanswered, repeated_replies) == ([], [], [], [])
    assert sum(1 for line in reports if line.startswith("restarted")) >= 6
