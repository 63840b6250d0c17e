"""The retention rule on a schedule, run by the gateway when `PRIVACY_RETENTION_DAYS` is set."""

import asyncio
import logging

from anyio import to_thread

from database.core import session_scope
from privacy import service
from privacy.settings import PrivacySettings

logger = logging.getLogger(__name__)


def apply_retention(days: int) -> int:
    with session_scope() as db_session:
        erased = service.erase_older_than(db_session=db_session, days=days)
    if erased:
        with session_scope() as db_session:
            service.purge_freed_pages(db_session)
    return erased


async def run_retention(settings: PrivacySettings) -> None:
    while True:
        erased = await to_thread.run_sync(apply_retention, settings.retention_days)
        if erased:
            logger.info("retention: erased %d conversations older than %d days", erased, settings.retention_days)
        await asyncio.sleep(settings.retention_interval_seconds)
