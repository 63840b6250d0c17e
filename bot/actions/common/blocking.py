"""Actions that read or write the shop's database do it in a worker thread.

rasa-sdk calls a synchronous `run` on the action server's event loop, so one slow query there would hold up every
other conversation's action call on that server; `act` is the blocking body, run off the loop.
"""

import asyncio
from abc import ABCMeta, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class BlockingAction(Action, metaclass=ABCMeta):  # abstract: rasa-sdk registers only the concrete ones
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        return await asyncio.to_thread(self.act, dispatcher, tracker, domain)

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        """The action's work (database reads and writes included)."""
