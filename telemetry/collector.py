"""Backlogs read from the database at scrape time (read-only counts on tables of channels/ and handoff/)."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from channels.models import ChannelDelivery, ChannelOutboxMessage
from database.core import session_scope
from handoff.models import OutboxEvent, Ticket


class BacklogCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        with session_scope() as db_session:
            def count(query) -> int:
                return db_session.scalar(query) or 0

            outbox = GaugeMetricFamily("shopbot_outbox_backlog", "Messages and events waiting to be delivered",
                                       labels=["outbox"])
            outbox.add_metric(["channels"], count(select(func.count(ChannelOutboxMessage.id)).where(
                ChannelOutboxMessage.delivered_at.is_(None), ChannelOutboxMessage.failed_at.is_(None))))
            outbox.add_metric(["helpdesk_webhook"], count(select(func.count(OutboxEvent.id)).where(
                OutboxEvent.delivered_at.is_(None))))
            yield outbox
            yield GaugeMetricFamily(
                "shopbot_channel_queue_length", "Accepted channel messages not yet handled",
                value=count(select(func.count(ChannelDelivery.id)).where(ChannelDelivery.handled_at.is_(None))))
            yield GaugeMetricFamily(
                "shopbot_unclaimed_tickets", "Tickets waiting for an agent to claim them",
                value=count(select(func.count(Ticket.id)).where(Ticket.status == "open")))
