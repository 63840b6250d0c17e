"""The gateway's background job for proactive messages: the COD reminder and give-up timers."""

import asyncio
import logging

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError

from database.core import session_scope
from proactive.flows import run_cod_timers
from proactive.settings import get_settings


def run_timers_once() -> int:
    with session_scope() as db_session:
        return run_cod_timers(db_session=db_session)


async def run_proactive_jobs() -> None:
    """Forever: run the COD timers every PROACTIVE_TIMER_INTERVAL_SECONDS."""
    while True:
        try:
            await to_thread.run_sync(run_timers_once)
        except SQLAlchemyError as error:
            logging.getLogger(__name__).warning("COD timers failed, retrying: %s", error)
        await asyncio.sleep(get_settings().timer_interval_seconds)
