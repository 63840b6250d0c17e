"""Property-based fuzzing of the gateway's whole OpenAPI schema (schemathesis, valid and invalid requests):
never a 5xx, every error in the one JSON shape, responses as the schema declares them, and a rejected
request stores nothing.

The gateway runs in-process (ASGI) on a database of its own, against the fake Rasa of tests/gateway/fake_rasa.py,
with an admin token so the authenticated endpoints are reached beyond 401, and with the rate limits raised (the
fuzzer sends far more than a shopper would). The job worker is not started: queued training and evaluation
jobs stay queued instead of training models.
"""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import func, select

from conversations.models import Conversation, Message
from conversations.privacy import ERASED_PREFIX
from database.core import session_scope
from gateway.app import create_app
from handoff.agents import create_user
from handoff.models import Ticket
from tests.gateway.conftest import gateway_environment, own_database, prepare_database
from tests.gateway.fake_rasa import FakeRasa

#: Examples per operation and phase: the whole schema (about 45 operations) in under a minute on 2 cores.
MAX_EXAMPLES = 60
UNLIMITED = "1000000/minute"
FUZZ_CONFIG = {"generation": {"max-examples": MAX_EXAMPLES, "mode": "all"}, "phases": {"stateful": {"enabled": False}}}


@dataclass
class FuzzedGateway:
    app: object
    admin_token: str
    #: the last conversation stored before fuzzing
    last_conversation_id: int
    #: sender ids of the chat requests the gateway accepted (2xx)
    accepted_senders: set[str] = field(default_factory=set)


def stored_counts() -> tuple[int, int, int]:
    """Conversations, messages and tickets in the database."""
    with session_scope() as db_session:
        return tuple(db_session.scalar(select(func.count()).select_from(table))
                     for table in (Conversation, Message, Ticket))


async def _no_job_worker() -> None:
    await asyncio.Event().wait()


@pytest.fixture(scope="module")
def fuzzed_gateway(fake_rasa: FakeRasa) -> Iterator[FuzzedGateway]:
    env = {**own_database(), "GATEWAY_RASA_URL": fake_rasa.url, "GATEWAY_RATE_LIMIT_CLIENT": UNLIMITED,
           "GATEWAY_RATE_LIMIT_CONVERSATION": UNLIMITED}
    with gateway_environment(env) as patch:
        from learning import jobs

        prepare_database()
        patch.setattr(jobs, "run_worker", _no_job_worker)
        with session_scope() as db_session:
            _, token = create_user(db_session=db_session, name="fuzz-admin", role="admin")
        try:
            with session_scope() as db_session:
                last_id = db_session.scalar(select(func.coalesce(func.max(Conversation.id), 0)))
            yield FuzzedGateway(app=create_app(), admin_token=token, last_conversation_id=last_id)
        finally:
            shutdown_lifespans()  # the gateway's background tasks end with the environment they were started in


def error_shape(ctx, response, case) -> None:
    """Every 4xx/5xx answer is `{"error": {"code": str, "message": str}}` (design.md), nothing else."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}") from error
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert isinstance(body["error"], dict) and set(body["error"]) == {"code", "message"}, body
    assert all(isinstance(body["error"][key], str) and body["error"][key] for key in ("code", "message")), body


def not_a_server_error(ctx, response, case) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


# The schema is static (the same for every create_app()); requests go to the fixture's app, in-process
# The server-sent event streams answer for as long as the console listens, so a fuzzed request to one would never
# end; tests/gateway/test_replicas_live.py and the agent console's stack test exercise them.
schema = schemathesis.openapi.from_dict(
    create_app().openapi(), config=schemathesis.Config.from_dict(FUZZ_CONFIG)).exclude(path_regex="/stream$")


@schema.parametrize()
def test_fuzzed_requests(case, fuzzed_gateway: FuzzedGateway) -> None:
    before = stored_counts()
    response = case.call(app=fuzzed_gateway.app, headers={"Authorization": f"Bearer {fuzzed_gateway.admin_token}"})
    case.validate_response(response, checks=[not_a_server_error, error_shape, response_schema_conformance])
    if response.status_code >= 400:
        assert stored_counts() == before, f"a {response.status_code} answer stored something"
    elif (case.method, case.path) == ("POST", "/api/v1/chat"):
        fuzzed_gateway.accepted_senders.add(case.body["sender_id"].strip())


def test_after_fuzzing_every_stored_conversation_came_from_an_accepted_chat(fuzzed_gateway: FuzzedGateway) -> None:
    """Runs after the fuzzing above (same module, same database). The fuzzer's admin token may erase a
    conversation it created (privacy API), which renames it `erased:<id>`."""
    with session_scope() as db_session:
        stored = set(db_session.scalars(select(Conversation.sender_id).where(
            Conversation.id > fuzzed_gateway.last_conversation_id, Conversation.messages.any(),
            Conversation.sender_id.not_like(f"{ERASED_PREFIX}%"))))
    assert fuzzed_gateway.accepted_senders, "the fuzzer never got a chat request through"
    assert stored <= fuzzed_gateway.accepted_senders
