"""The gateway's database work runs off its event loop: one slow query stalls its own conversation only."""

import asyncio
import time

from sqlalchemy import event

from assistant.rasa_client import RasaClient
from database.core import get_engine, get_session_factory
from gateway.flows import handle_message_flow
from gateway.schemas import ChatRequest
from tests.gateway.fake_rasa import FakeRasa
from tests.gateway.test_flows import RESPONSES, TRANSLATOR, chat, new_sender

SLOW_SECONDS = 3.0


def test_one_slow_query_does_not_stall_other_conversations(fake_rasa: FakeRasa):
    slow, *quick = [new_sender("slow"), *(new_sender("quick") for _ in range(4))]
    tokens = {sender: chat(fake_rasa.url, sender, "hi").conversation_token for sender in (slow, *quick)}
    slowed: list[str] = []

    def slow_first_read_of_the_slow_conversation(_connection, _cursor, statement, parameters, *_args) -> None:
        if not slowed and statement.lstrip().upper().startswith("SELECT") and slow in str(parameters):
            slowed.append(statement)
            time.sleep(SLOW_SECONDS)  # as a query waiting for a lock or a busy disk blocks its thread

    async def turns() -> tuple[float, list[float]]:
        rasa = RasaClient(fake_rasa.url, timeout=10.0)
        started = time.monotonic()

        async def turn(sender: str) -> float:
            with get_session_factory()() as db_session:
                response = await handle_message_flow(
                    request=ChatRequest(sender_id=sender, text="thank you"), channel="api", db_session=db_session,
                    rasa=rasa, responses=RESPONSES, translator=TRANSLATOR, conversation_token=tokens[sender])
            assert response.messages, f"{sender} got no reply"
            return time.monotonic() - started

        try:
            slow_turn = asyncio.create_task(turn(slow))
            await asyncio.sleep(0.2)  # the slow conversation is inside its query now
            quick_times = await asyncio.gather(*(turn(sender) for sender in quick))
            return await slow_turn, list(quick_times)
        finally:
            await rasa.close()

    event.listen(get_engine(), "before_cursor_execute", slow_first_read_of_the_slow_conversation)
    try:
        slow_time, quick_times = asyncio.run(turns())
    finally:
        event.remove(get_engine(), "before_cursor_execute", slow_first_read_of_the_slow_conversation)
    assert slowed, "the slow conversation's query was never run"
    assert slow_time >= SLOW_SECONDS
    assert max(quick_times) < SLOW_SECONDS / 2, f"other conversations waited {max(quick_times):.2f} s"
