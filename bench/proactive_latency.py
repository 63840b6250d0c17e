"""Shop event → proactive message latency: from POSTing a signed shop event to the gateway
(`POST /api/v1/shop/events`) until the local fake platform API (tests/channels/fake_platform.py) receives the
message. `order.shipped` for Spanish Telegram shoppers (a shipping update) and `order.created` for Arabic
cash-on-delivery shoppers on WhatsApp outside the 24-hour window (the confirmation template); each event is for a
shopper of its own, built in the bench's scratch database before the clock starts. First one event at a time,
then a burst of events posted at once. Target: p95 ≤ 2 s.

    .venv/bin/python -m bench.proactive_latency [--events 40] [--burst 20]
"""

import argparse
import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx

from bench.common import percentile, summary_ms, write_results
from tests.channels.fake_platform import TELEGRAM_TOKEN, WHATSAPP_PHONE_NUMBER_ID, FakePlatform, Sent

SECRET = "bench-shop-events-secret"
TARGET_P95_S = 2.0
#: event type → (channel, language, payment method, shipped)
KINDS = {"order.shipped": ("telegram", "es", "card", True),
         "order.created": ("whatsapp", "ar", "cash_on_delivery", False)}


def _signed(event_type: str, number: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"id": f"evt-{uuid.uuid4().hex}", "type": event_type, "order_number": number,
                       "occurred_at": datetime.now(UTC).isoformat(), "data": {}}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Shopbot-Signature": signature}


def _reaches(channel: str, recipient: str):
    if channel == "telegram":
        return lambda sent: sent.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage" and \
            sent.body.get("chat_id") == recipient
    return lambda sent: sent.path == f"/whatsapp/v21.0/{WHATSAPP_PHONE_NUMBER_ID}/messages" and \
        sent.body.get("to") == recipient


class Shoppers:
    """Shoppers with one order each, made in the bench database: (order number, recipient) per event type."""

    def __init__(self) -> None:
        self.next_number = 900_000_000

    def make(self, event_type: str) -> tuple[str, str]:
        from database.core import session_scope
        from tests.factories import make_channel_shopper

        channel, language, payment, shipped = KINDS[event_type]
        self.next_number += 1
        number = str(self.next_number)
        recipient = f"96650{number}" if channel == "whatsapp" else number
        with session_scope() as db_session:
            make_channel_shopper(db_session, number=number, language=language, channel=channel, user_id=recipient,
                                 payment=payment, shipped=shipped)
        return number, recipient


def _one(client: httpx.Client, url: str, platform: FakePlatform, event_type: str, number: str,
         recipient: str) -> tuple[float, float, Sent]:
    """(seconds until the platform received the message, seconds until the event was acknowledged, the message)"""
    body, headers = _signed(event_type, number)
    started = time.monotonic()
    response = client.post(f"{url}/api/v1/shop/events", content=body, headers=headers)
    acknowledged = time.monotonic() - started
    assert response.status_code == 202, response.text
    [sent] = platform.wait_for(_reaches(KINDS[event_type][0], recipient), timeout=60)
    return sent.received_at - started, acknowledged, sent


def measure(url: str, platform: FakePlatform, events: int, burst: int) -> dict:
    shoppers = Shoppers()
    results: dict = {}
    with httpx.Client(timeout=60) as client:
        for event_type, (channel, _, _, _) in KINDS.items():
            _one(client, url, platform, event_type, *shoppers.make(event_type))  # warm-up
            made = [shoppers.make(event_type) for _ in range(events)]
            latencies, acks = [], []
            for number, recipient in made:
                latency, acknowledged, sent = _one(client, url, platform, event_type, number, recipient)
                if event_type == "order.created":
                    assert sent.body["type"] == "template", sent.body
                latencies.append(latency)
                acks.append(acknowledged)
                time.sleep(0.1)
            results[event_type] = {
                "channel": channel, "events": events,
                "event_to_platform_ms": {"p50": percentile(latencies, 50) * 1000,
                                         "p95": percentile(latencies, 95) * 1000},
                "acknowledged_ms": {"p50": percentile(acks, 50) * 1000, "p95": percentile(acks, 95) * 1000},
            }
            print(f"{event_type:13s} ({channel}) event -> message at the platform: {summary_ms(latencies)}")
            print(f"{'':13s} event acknowledged (202):                  {summary_ms(acks)}")

        # A burst: the shop posts events for many orders at once (half shipped, half new COD orders)
        kinds = list(KINDS)
        made_burst = [(kinds[n % 2], *shoppers.make(kinds[n % 2])) for n in range(burst)]
        with ThreadPoolExecutor(max_workers=burst) as pool:
            burst_results = list(pool.map(lambda item: _one(client, url, platform, *item), made_burst))
        latencies = [latency for latency, _, _ in burst_results]
        results["burst"] = {"events": burst, "event_to_platform_ms": {"p50": percentile(latencies, 50) * 1000,
                                                                      "p95": percentile(latencies, 95) * 1000}}
        print(f"burst of {burst} events at once, event -> message:          {summary_ms(latencies)}")

    worst = max(results[kind]["event_to_platform_ms"]["p95"] for kind in results) / 1000
    results["target"] = {"p95_s": TARGET_P95_S, "worst_p95_s": worst, "met": worst <= TARGET_P95_S}
    print(f"worst p95 {worst * 1000:.1f} ms; target p95 <= {TARGET_P95_S:.0f} s: "
          f"{'met' if worst <= TARGET_P95_S else 'MISSED'}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=40, help="events of each type, one at a time")
    parser.add_argument("--burst", type=int, default=20, help="events posted at once")
    args = parser.parse_args()

    from bench.common import running_stack_with_platform

    with running_stack_with_platform({"SHOP_EVENTS_SECRET": SECRET}) as (url, platform):
        results = measure(url, platform, args.events, args.burst)
    write_results("proactive_latency", {"events": results})


if __name__ == "__main__":
    main()
