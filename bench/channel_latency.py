"""Webhook-to-reply latency per messaging channel: from POSTing a recorded webhook to the gateway until the
fake platform API (tests/channels/fake_platform.py) receives the reply; and how long the webhook takes to be
acknowledged (platforms retry slow webhooks). Sequential turns ("hello" and a payment question) on a fresh
stack; the reply is produced after the acknowledgement, in a background task, and sent through the outbox.

    .venv/bin/python -m bench.channel_latency [--turns 40]
"""

import argparse
import itertools
import time
from collections.abc import Callable

from bench.common import percentile, summary_ms, write_results
from tests.channels.fake_platform import TELEGRAM_TOKEN, WHATSAPP_PHONE_NUMBER_ID, FakePlatform, Sent
from tests.channels.webhooks import messenger_event, post_meta, post_telegram, telegram_update, whatsapp_notification

TEXTS = ["hello", "what payment methods do you accept?"]


def _senders(url: str) -> dict[str, tuple[Callable[[int, str], object], Callable[[Sent], bool]]]:
    """Per channel: post the n-th message, and recognise the reply to it."""
    return {
        "telegram": (
            lambda n, words: post_telegram(url, telegram_update("text", update_id=700_000 + n, chat_id=880001,
                                                                text=words, language_code="en")),
            lambda sent: sent.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage"),
        "whatsapp": (
            lambda n, words: post_meta(url, "whatsapp", whatsapp_notification(
                "text", message_id=f"wamid.bench-{n}", wa_id="6288800001", text=words)),
            lambda sent: sent.path == f"/whatsapp/v21.0/{WHATSAPP_PHONE_NUMBER_ID}/messages"),
        "messenger": (
            lambda n, words: post_meta(url, "messenger", messenger_event("text", mid=f"m_bench-{n}",
                                                                           psid="6788800001", text=words)),
            lambda sent: sent.path == "/messenger/v21.0/me/messages"),
    }


def measure(url: str, platform: FakePlatform, turns: int) -> dict:
    results = {}
    counter = itertools.count()
    for channel, (post, is_reply) in _senders(url).items():
        post(next(counter), "hi")  # warm-up
        platform.wait_for(is_reply)
        time.sleep(0.5)
        acks, replies = [], []
        for turn in range(turns):
            before = len(platform.sent(is_reply))
            started = time.monotonic()
            response = post(next(counter), TEXTS[turn % len(TEXTS)])
            acks.append(time.monotonic() - started)
            assert response.status_code == 200 and response.json()["accepted"] == 1, response.text
            first = platform.wait_for(is_reply, count=before + 1)[before]
            replies.append(first.received_at - started)
            time.sleep(0.3)  # let multi-message answers finish before the next turn
        results[channel] = {
            "webhook_to_reply_ms": {"p50": percentile(replies, 50) * 1000, "p95": percentile(replies, 95) * 1000},
            "acknowledged_ms": {"p50": percentile(acks, 50) * 1000, "p95": percentile(acks, 95) * 1000},
            "turns": turns,
        }
        print(f"{channel:9s} webhook -> reply at the platform: {summary_ms(replies)}")
        print(f"{'':9s} webhook acknowledged:              {summary_ms(acks)}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()

    from bench.common import running_stack_with_platform

    with running_stack_with_platform() as (url, platform):
        results = measure(url, platform, args.turns)
    write_results("channel_latency", {"channels": results})


if __name__ == "__main__":
    main()
