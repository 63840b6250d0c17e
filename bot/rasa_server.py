"""`rasa run` with three changes for the gateway:

- `PUT /model` loads the new model in a worker thread. Rasa loads a model inside its event loop, so while an
  admin switches models (~10 s here) every shopper's turn waits (bench/model_ops.py measured turns held for up to
  14 s). Loading in a thread keeps the server answering with the old model until the new one is ready; Rasa then
  swaps them as before (trackers and lock store kept).
- `POST /model/parse_with_metadata` ({"text", "metadata"}): `/model/parse` passes the text alone, so the NLU
  components cannot see what a chat turn gives them in its metadata (the shopper's original text and language).
  `/api/v1/parse` and the model evaluations use this route and so understand a message exactly as a chat turn does.
- The action server's answer is validated against Rasa's response schema with a validator built once. Rasa calls
  `jsonschema.validate`, which first checks the schema itself against JSON Schema's meta-schema: ~17 ms of CPU
  per custom action call here (bench/turn_profile.py), the same work every time. An answer that does not fit
  still goes through Rasa's own check, so it fails with Rasa's error as before.

    .venv-rasa/bin/python -m bot.rasa_server run --enable-api -m MODEL ...   (the same arguments as `rasa`)
"""

import asyncio
import sys
from http import HTTPStatus

import rasa.server
from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.__main__ import main
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from sanic import response

_load_agent_in_loop = rasa.server._load_agent
_create_app = rasa.server.create_app


async def _load_agent_in_thread(*args, **kwargs):
    return await asyncio.to_thread(asyncio.run, _load_agent_in_loop(*args, **kwargs))


def _create_app_with_parse_metadata(*args, auth_token=None, **kwargs):
    app = _create_app(*args, auth_token=auth_token, **kwargs)

    @app.post("/model/parse_with_metadata")
    @rasa.server.requires_auth(app, auth_token)
    @rasa.server.ensure_loaded_agent(app)
    async def parse_with_metadata(request):
        body = request.json if isinstance(request.json, dict) else {}
        text, metadata = body.get("text"), body.get("metadata") or {}
        if not isinstance(text, str) or not isinstance(metadata, dict):
            raise rasa.server.ErrorResponse(
                HTTPStatus.BAD_REQUEST, "BadRequest", 'expected {"text": string, "metadata": object}')
        parsed = await app.ctx.agent.processor.parse_message(UserMessage(text, metadata=metadata))
        return response.json(parsed)

    return app


def _action_result_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


_action_result = _action_result_validator()
_validate_action_result_with_schema_check = RemoteAction._validate_action_result


def _validate_action_result(self, result) -> bool:
    if best_match(_action_result.iter_errors(result)) is None:
        return True
    return _validate_action_result_with_schema_check(self, result)  # raises Rasa's ValidationError


rasa.server._load_agent = _load_agent_in_thread
rasa.server.create_app = _create_app_with_parse_metadata
RemoteAction._validate_action_result = _validate_action_result

if __name__ == "__main__":
    sys.exit(main())
