"""`rasa run` with one change: `PUT /model` loads the new model in a worker thread.

Rasa loads a model inside its event loop, so while an admin switches models (~10 s here) every shopper's turn
waits (bench/model_ops.py measured turns held for up to 14 s). Loading in a thread keeps the server answering
with the old model until the new one is ready; Rasa then swaps them as before (trackers and lock store kept).

    .venv-rasa/bin/python -m bot.rasa_server run --enable-api -m MODEL ...   (the same arguments as `rasa`)
"""

import asyncio
import sys

import rasa.server
from rasa.__main__ import main

_load_agent_in_loop = rasa.server._load_agent


async def _load_agent_in_thread(*args, **kwargs):
    return await asyncio.to_thread(asyncio.run, _load_agent_in_loop(*args, **kwargs))


rasa.server._load_agent = _load_agent_in_thread

if __name__ == "__main__":
    sys.exit(main())
