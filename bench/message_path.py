"""Latency of a shopper turn: the gateway's /api/v1/chat against Rasa's own REST webhook in the same run,
turn 1 against turn 50 of one conversation, and throughput with 20 concurrent conversations.

    .venv/bin/python -m bench.message_path [--url GATEWAY --rasa-url RASA]
"""

import argparse
import asyncio
import json
import time
import uuid

import httpx

from bench.common import RESULTS, chat_turn, percentile, run_identity, running_stack, summary_ms

# Turns that run the NLU, the dialogue policies and (for the policy questions) the action server.
MESSAGES = ["hi", "how long does delivery take?", "which payment methods do you accept?",
            "what is your return policy?", "thanks a lot"]
# The same turns in Spanish (understood by the encoder, localized replies, no MT) and Portuguese (Bergamot
# pt->en MT on the way in, localized replies).
MESSAGES_BY_LANGUAGE = {
    "en": MESSAGES,
    "es": ["hola", "¿cuánto tarda el envío?", "¿qué métodos de pago aceptan?", "¿cuál es su política de devoluciones?",
           "muchas gracias"],
    "pt": ["olá", "quanto tempo demora a entrega?", "quais formas de pagamento vocês aceitam?",
           "qual é a política de devolução?", "muito obrigado"],
}


#: The secret of each benchmark conversation, by sender id.
TOKENS: dict[str, str] = {}


async def gateway_turn(client: httpx.AsyncClient, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = await chat_turn(client, url, sender, text, TOKENS)
    response.raise_for_status()
    return time.perf_counter() - start


async def rasa_turn(client: httpx.AsyncClient, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return time.perf_counter() - start


async def gateway_vs_rasa(client, url, rasa_url, conversations: int = 30) -> tuple[list[float], list[float]]:
    """Alternate gateway and direct-Rasa conversations so both see the same machine state."""
    gateway, rasa = [], []
    for _ in range(conversations):
        gateway_sender, rasa_sender = f"bench-g-{uuid.uuid4().hex[:8]}", f"bench-r-{uuid.uuid4().hex[:8]}"
        for text in MESSAGES:
            gateway.append(await gateway_turn(client, url, gateway_sender, text))
            rasa.append(await rasa_turn(client, rasa_url, rasa_sender, text))
    return gateway, rasa


async def per_language(client, url, conversations: int = 20) -> dict[str, list[float]]:
    """Gateway turns per language, interleaved so that every language sees the same machine state."""
    latencies: dict[str, list[float]] = {language: [] for language in MESSAGES_BY_LANGUAGE}
    for _ in range(conversations):
        senders = {language: f"bench-{language}-{uuid.uuid4().hex[:8]}" for language in MESSAGES_BY_LANGUAGE}
        for turn in range(len(MESSAGES)):
            for language, messages in MESSAGES_BY_LANGUAGE.items():
                latencies[language].append(await gateway_turn(client, url, senders[language], messages[turn]))
    return latencies


async def escalations(client, url, count: int = 15) -> tuple[list[float], list[float]]:
    """A turn that opens a ticket (package built, ticket stored) against an ordinary turn before it."""
    ordinary, escalating = [], []
    for _ in range(count):
        sender = f"bench-esc-{uuid.uuid4().hex[:8]}"
        ordinary.append(await gateway_turn(client, url, sender, "which payment methods do you accept?"))
        escalating.append(await gateway_turn(client, url, sender, "I want to talk to a person"))
    return ordinary, escalating


async def long_conversations(client, url, turn, conversations: int = 6, turns: int = 50) -> dict[int, list[float]]:
    by_turn: dict[int, list[float]] = {}
    for _ in range(conversations):
        sender = f"bench-long-{uuid.uuid4().hex[:8]}"
        for i in range(1, turns + 1):
            by_turn.setdefault(i, []).append(await turn(client, url, sender, MESSAGES[(i - 1) % len(MESSAGES)]))
    return by_turn


async def concurrent(client, url, conversations: int = 20, turns: int = 10) -> tuple[list[float], float]:
    async def one() -> list[float]:
        sender = f"bench-c-{uuid.uuid4().hex[:8]}"
        return [await gateway_turn(client, url, sender, MESSAGES[i % len(MESSAGES)]) for i in range(turns)]

    start = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(conversations)))
    elapsed = time.perf_counter() - start
    latencies = [x for r in results for x in r]
    return latencies, len(latencies) / elapsed


def window(by_turn: dict[int, list[float]], turns: range) -> list[float]:
    return [x for t in turns for x in by_turn[t]]


async def measure(url: str, rasa_url: str) -> dict:
    async with httpx.AsyncClient(timeout=60) as client:
        for text in MESSAGES:  # warm-up: model graph, action server, connection pools
            await gateway_turn(client, url, "bench-warmup", text)
            await rasa_turn(client, rasa_url, "bench-warmup-r", text)
        gateway, rasa = await gateway_vs_rasa(client, url, rasa_url)
        languages = await per_language(client, url)
        long_gateway = await long_conversations(client, url, gateway_turn)
        long_rasa = await long_conversations(client, rasa_url, rasa_turn)
        concurrent_latencies, throughput = await concurrent(client, url)
        ordinary, escalating = await escalations(client, url)
    early, late = range(1, 6), range(46, 51)
    return {
        "gateway": gateway, "rasa": rasa,
        "gateway_turns_1_5": window(long_gateway, early), "gateway_turns_46_50": window(long_gateway, late),
        "rasa_turns_1_5": window(long_rasa, early), "rasa_turns_46_50": window(long_rasa, late),
        "concurrent": concurrent_latencies, "throughput_per_s": throughput, "languages": languages,
        "ordinary": ordinary, "escalating": escalating,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running gateway (with --rasa-url); by default a stack is started")
    parser.add_argument("--rasa-url")
    args = parser.parse_args()
    with running_stack(args.url) as (url, rasa_url):
        m = asyncio.run(measure(url, args.rasa_url or rasa_url))
    ratio = percentile(m["gateway"], 50) / percentile(m["rasa"], 50)
    growth_gateway = percentile(m["gateway_turns_46_50"], 50) / percentile(m["gateway_turns_1_5"], 50)
    growth_rasa = percentile(m["rasa_turns_46_50"], 50) / percentile(m["rasa_turns_1_5"], 50)
    print(f"\nMessage path latency ({run_identity()})")
    print(f"  gateway /api/v1/chat:          {summary_ms(m['gateway'])}")
    print(f"  Rasa /webhooks/rest/webhook:   {summary_ms(m['rasa'])}")
    print(f"  gateway / Rasa p50:            {ratio:.2f}x  (target <= 1.2x)")
    print(f"  gateway turns 1-5:             {summary_ms(m['gateway_turns_1_5'])}")
    print(f"  gateway turns 46-50:           {summary_ms(m['gateway_turns_46_50'])}")
    print(f"  turn 50 / turn 1 p50, gateway: {growth_gateway:.2f}x  (target <= 1.5x); Rasa alone: {growth_rasa:.2f}x")
    print(f"  20 concurrent conversations:   {summary_ms(m['concurrent'])}, {m['throughput_per_s']:.1f} turns/s")
    print(f"  escalation turn (opens ticket): {summary_ms(m['escalating'])}, "
          f"{percentile(m['escalating'], 50) / percentile(m['ordinary'], 50):.2f}x an ordinary turn "
          f"({summary_ms(m['ordinary'])})")
    english_p50 = percentile(m["languages"]["en"], 50)
    for language, latencies in m["languages"].items():
        print(f"  {language} turns (product path):    {summary_ms(latencies)}, "
              f"{percentile(latencies, 50) / english_p50:.2f}x English")
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {"gateway_p50_ms": percentile(m["gateway"], 50) * 1000, "rasa_p50_ms": percentile(m["rasa"], 50) * 1000,
               "gateway_over_rasa": ratio, "turn50_over_turn1_gateway": growth_gateway,
               "turn50_over_turn1_rasa": growth_rasa, "throughput_per_s": m["throughput_per_s"],
               "language_p50_ms": {lang: percentile(v, 50) * 1000 for lang, v in m["languages"].items()}}
    (RESULTS / "message_path.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
