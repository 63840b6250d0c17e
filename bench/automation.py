"""Automation rate: how often the assistant serves a shopper by itself, conversation by conversation.

Scripted conversations (bench/automation/<lang>.yml, written for this bench, never taken from the evaluation
sets) are played through POST /api/v1/chat; what happened is then read from the database (the stored
messages' response keys and intents, and whether a ticket was opened) and each conversation is scored.

    .venv/bin/python -m bench.automation [--url GATEWAY] [--languages es,ar] [--readme]

With --url the stack must share this process's DATABASE_URL (and raise the rate limits, see
bench.common.LOAD_TEST_LIMITS); by default a fresh stack is started on a scratch seeded database.

Script format, one file per language:

    language: es
    conversations:
      - id: es-status-late                # unique in the run
        topic: order_status               # the kind of request, for the report
        order: shipped                    # optional: a seeded order of this kind fills {order} and {email}
        turns: ["hola, mi pedido no llega", "{order}", "{email}"]
        expect: [utter_order_status_shipped]

`turns` are the shopper's messages, sent in order. `order` is an order status (pending_payment, processing,
shipped, delivered, cancelled, returned, refunded) or `cancellable` (pending payment or processing),
`returnable` (delivered, inside the return window, no refund yet), `return_window_passed` (delivered, window
closed); each conversation gets its own order where the seed has enough. `expect` is the outcome the assistant
should reach: response keys of bot/responses/en.yml, all of them at some point ("a|b": either), or `handoff`
(a ticket is opened) or `out_of_scope` (the assistant says what it can do and gives no task answer).

Scores per conversation: *automated* (expects response keys, reached them, no fallback reply, no ticket),
*handed off* (a ticket was opened), *fell back* (a fallback reply: the NLU did not understand a turn). The
automation rate is over the conversations that expect response keys (in scope); the handoff and fallback
rates are over all conversations.
"""

import argparse
import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.common import RESULTS, chat_turn, run_identity, running_stack

SCRIPTS = Path(__file__).with_name("automation")
LANGUAGES = ["en", "es", "pt", "fr", "de", "it", "ar", "tr", "ru", "zh", "ja", "ko", "id", "vi", "th", "ms"]
CONCURRENCY = 4
REQUEST_TIMEOUT_S = 60.0

HANDOFF, OUT_OF_SCOPE = "handoff", "out_of_scope"
#: Replies of the fallback (bot/actions/fallback.py: utter_out_of_scope, then a person offered after two misses
#: in a row) and of a message in a language the shop does not serve.
FALLBACK_KEYS = {"utter_out_of_scope", "utter_offer_human", "utter_language_not_supported"}
#: Replies that answer no request: small talk, and what the assistant says when it is down.
NEUTRAL_KEYS = {"utter_greet", "utter_goodbye", "utter_you_are_welcome", "utter_iamabot", "utter_anything_else",
                "utter_language_changed", "utter_try_again", "utter_message_stored_offline"}
ORDER_KINDS = {"pending_payment", "processing", "shipped", "delivered", "cancelled", "returned", "refunded",
               "cancellable", "returnable", "return_window_passed"}


@dataclass
class Script:
    """One scripted conversation."""

    id: str
    language: str
    topic: str
    turns: list[str]
    expect: list[str]
    order: str | None = None

    @property
    def in_scope(self) -> bool:
        return self.expect not in ([HANDOFF], [OUT_OF_SCOPE])


@dataclass
class Played:
    """What happened in one conversation, as stored."""

    script: Script
    sender_id: str
    order_number: str | None
    http_errors: list[int] = field(default_factory=list)
    intents: list[str | None] = field(default_factory=list)
    response_keys: list[str | None] = field(default_factory=list)
    ticket_reason: str | None = None

    @property
    def handed_off(self) -> bool:
        return self.ticket_reason is not None

    @property
    def fell_back(self) -> bool:
        return bool(FALLBACK_KEYS & set(self.response_keys))

    @property
    def reached_expected(self) -> bool:
        keys = set(self.response_keys)
        return all(keys & set(step.split("|")) for step in self.script.expect)

    @property
    def automated(self) -> bool:
        return (self.script.in_scope and not self.http_errors and self.reached_expected and not self.fell_back
                and not self.handed_off)

    @property
    def met(self) -> bool:
        """Whether the expected outcome happened (for in-scope conversations: automated)."""
        if self.script.expect == [HANDOFF]:
            return self.handed_off
        if self.script.expect == [OUT_OF_SCOPE]:
            answers = set(self.response_keys) - FALLBACK_KEYS - NEUTRAL_KEYS - {None}
            return self.fell_back and not answers and not self.handed_off
        return self.automated

    @property
    def outcome(self) -> str:
        if self.http_errors:
            return "error"
        if self.handed_off:
            return "handed_off"
        if self.automated:
            return "automated"
        if self.fell_back:
            return "fell_back"
        return "answered" if self.reached_expected else "wrong_answer"


def load_scripts(languages: list[str]) -> list[Script]:
    """Every scripted conversation of the languages, checked against the response catalogue."""
    known = set(yaml.safe_load((SCRIPTS.parent.parent / "bot" / "responses" / "en.yml").read_text())["responses"])
    scripts, seen = [], set()
    for language in languages:
        data = yaml.safe_load((SCRIPTS / f"{language}.yml").read_text(encoding="utf-8"))
        for item in data["conversations"]:
            script = Script(id=item["id"], language=language, topic=item["topic"], turns=list(item["turns"]),
                            expect=list(item["expect"]), order=item.get("order"))
            unknown = {k for step in script.expect for k in step.split("|")} - known - {HANDOFF, OUT_OF_SCOPE}
            needs_order = any("{order}" in t or "{email}" in t for t in script.turns)
            problems = [f"unknown response keys {sorted(unknown)}" if unknown else "",
                        f"unknown order kind {script.order}" if script.order and script.order not in ORDER_KINDS
                        else "",
                        "placeholders without `order`" if needs_order and not script.order else "",
                        "duplicate id" if script.id in seen else "",
                        "needs 2-4 turns" if not 2 <= len(script.turns) <= 4 else ""]
            if any(problems):
                raise ValueError(f"{language}.yml {script.id}: {'; '.join(p for p in problems if p)}")
            seen.add(script.id)
            scripts.append(script)
    return scripts


def _order_kinds(order: Any, window_days: int, now: datetime) -> set[str]:
    """The kinds (see the module docstring) a seeded order belongs to."""
    from shop.enums import CANCELLABLE_STATUSES

    kinds = {str(order.status)}
    if order.status in CANCELLABLE_STATUSES:
        kinds.add("cancellable")
    shipment = order.latest_shipment
    if order.status == "delivered" and shipment and shipment.delivered_at and not order.refunds:
        inside = shipment.delivered_at + timedelta(days=window_days) > now + timedelta(days=1)
        kinds.add("returnable" if inside else "return_window_passed")
    return kinds


def assign_orders(scripts: list[Script]) -> dict[str, tuple[str, str]]:
    """(order number, customer e-mail) per conversation id: a distinct seeded order of the needed kind for
    each while they last (cancellations change the order), below the shop's hand-to-a-person order value."""
    from database.core import session_scope
    from handoff.settings import get_settings as get_handoff_settings
    from shop.profile import load_profile
    from shop.source import SqlOrderSource

    limit = get_handoff_settings().escalate_order_value
    window, now = load_profile().return_window_days, datetime.now(UTC)
    with session_scope() as db_session:
        orders = SqlOrderSource(db_session).list_orders(limit=100_000)
    pools: dict[str, list[tuple[str, str]]] = {}
    for order in sorted(orders, key=lambda o: int(o.number) if o.number.isdigit() else 0):
        if limit is not None and float(order.total) > limit:
            continue
        for kind in _order_kinds(order, window, now):
            pools.setdefault(kind, []).append((order.number, order.customer_email))
    assigned: dict[str, tuple[str, str]] = {}
    used: Counter[str] = Counter()
    cancelled: set[tuple[str, str]] = set()
    # Cancellations first: the orders they cancel are kept away from every other conversation
    for script in sorted((s for s in scripts if s.order), key=lambda s: s.order != "cancellable"):
        pool = pools.get(script.order, [])
        if script.order != "cancellable":
            pool = [order for order in pool if order not in cancelled] or pool
        if not pool:
            raise RuntimeError(f"no seeded order of kind {script.order} for {script.id}")
        if used[script.order] == len(pool) and script.order == "cancellable":
            print(f"  warning: more cancellations than cancellable orders; {script.id} reuses one")
        assigned[script.id] = pool[used[script.order] % len(pool)]
        used[script.order] += 1
        if script.order == "cancellable":
            cancelled.add(assigned[script.id])
    return assigned


async def play(client: httpx.AsyncClient, url: str, script: Script, order: tuple[str, str] | None, run_id: str,
               tokens: dict[str, str], gate: asyncio.Semaphore) -> Played:
    """Send the shopper's turns one after the other."""
    sender = f"automation-{run_id}-{script.id}"
    played = Played(script=script, sender_id=sender, order_number=order[0] if order else None)
    async with gate:
        for turn in script.turns:
            text = turn.replace("{order}", order[0]).replace("{email}", order[1]) if order else turn
            try:
                response = await chat_turn(client, url, sender, text, tokens)
            except httpx.HTTPError:
                played.http_errors.append(0)
                break
            if response.status_code != 200:
                played.http_errors.append(response.status_code)
                break
    return played


def read_outcome(played: Played) -> None:
    """Fill in what the database holds about the conversation: intents, reply keys, ticket."""
    from conversations import service as conversation_service
    from database.core import session_scope
    from handoff import service as handoff_service

    with session_scope() as db_session:
        conversation = conversation_service.get(db_session=db_session, sender_id=played.sender_id)
        if conversation is None:
            return
        for message in conversation_service.list_messages(db_session=db_session, sender_id=played.sender_id):
            if message.role == "shopper":
                played.intents.append(message.intent)
            elif message.role == "bot":
                played.response_keys.append(message.response_key)
        ticket = handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id)
        played.ticket_reason = ticket.reason if ticket else None


async def run(url: str, scripts: list[Script]) -> list[Played]:
    """Play every conversation (at most CONCURRENCY at a time), then read their outcomes."""
    orders = assign_orders(scripts)
    run_id, tokens, gate = uuid.uuid4().hex[:6], {}, asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        await chat_turn(client, url, f"automation-{run_id}-warmup", "hello", tokens)
        played = await asyncio.gather(*(play(client, url, s, orders.get(s.id), run_id, tokens, gate)
                                        for s in scripts))
    for conversation in played:
        read_outcome(conversation)
    return played


def rates(played: list[Played]) -> dict[str, Any]:
    """The figures of a group of conversations."""
    in_scope = [p for p in played if p.script.in_scope]
    to_person = [p for p in played if p.script.expect == [HANDOFF]]
    out_of_scope = [p for p in played if p.script.expect == [OUT_OF_SCOPE]]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    return {
        "conversations": len(played), "in_scope": len(in_scope),
        "automated": sum(p.automated for p in in_scope),
        "automation_rate": share(sum(p.automated for p in in_scope), len(in_scope)),
        "handoff_rate": share(sum(p.handed_off for p in played), len(played)),
        "fallback_rate": share(sum(p.fell_back for p in played), len(played)),
        "in_scope_handoff_rate": share(sum(p.handed_off for p in in_scope), len(in_scope)),
        "in_scope_fallback_rate": share(sum(p.fell_back for p in in_scope), len(in_scope)),
        "person_requests_handed_off": f"{sum(p.met for p in to_person)}/{len(to_person)}",
        "out_of_scope_recognized": f"{sum(p.met for p in out_of_scope)}/{len(out_of_scope)}",
        "as_expected_rate": share(sum(p.met for p in played), len(played)),
        "errors": sum(bool(p.http_errors) for p in played),
    }


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def table_rows(summary: dict[str, dict[str, Any]]) -> list[list[str]]:
    return [[name, str(r["conversations"]), str(r["in_scope"]), pct(r["automation_rate"]), pct(r["handoff_rate"]),
             pct(r["fallback_rate"]), r["person_requests_handed_off"], r["out_of_scope_recognized"]]
            for name, r in summary.items()]


HEADER = ["language", "conversations", "in scope", "automated", "handed off", "fell back", "person asked → ticket",
          "out of scope → fallback"]


def print_table(summary: dict[str, dict[str, Any]]) -> None:
    rows = [HEADER, *table_rows(summary)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    for row in rows:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))


def markdown_table(summary: dict[str, dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADER) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(summary)]
    return "\n".join(lines)


def detail(played: Played) -> dict[str, Any]:
    script = asdict(played.script)
    return {"id": script["id"], "language": script["language"], "topic": script["topic"], "expect": script["expect"],
            "outcome": played.outcome, "met": played.met, "order": played.order_number, "turns": script["turns"],
            "intents": played.intents, "response_keys": played.response_keys, "ticket_reason": played.ticket_reason,
            "http_errors": played.http_errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running gateway on this DATABASE_URL; by default a stack is started")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated, default all 16")
    parser.add_argument("--readme", action="store_true", help="also print the table as Markdown")
    args = parser.parse_args()
    scripts = load_scripts([lang.strip() for lang in args.languages.split(",") if lang.strip()])
    print(f"{len(scripts)} scripted conversations")
    with running_stack(args.url) as (url, _rasa_url):
        start = time.perf_counter()
        played = asyncio.run(run(url, scripts))
        elapsed = time.perf_counter() - start
    by_language = {lang: [p for p in played if p.script.language == lang]
                   for lang in dict.fromkeys(s.language for s in scripts)}
    summary = {lang: rates(group) for lang, group in by_language.items()}
    summary["all"] = rates(played)
    topics = {topic: rates([p for p in played if p.script.topic == topic])
              for topic in sorted({p.script.topic for p in played})}
    print(f"\nAutomation by conversation ({run_identity()}; {len(played)} conversations in {elapsed:.0f} s)")
    print_table(summary)
    print("\nBy topic (as expected: automated, or for person requests and out of scope the expected outcome):")
    for topic, r in topics.items():
        print(f"  {topic:20} {r['conversations']:3}  as expected {pct(r['as_expected_rate']):>4}  "
              f"handed off {pct(r['handoff_rate']):>4}  fell back {pct(r['fallback_rate']):>4}")
    outcomes = Counter(p.outcome for p in played if not p.met)
    print(f"\nNot as expected: {sum(outcomes.values())} ({dict(outcomes)}); details in bench/results/automation.json")
    if args.readme:
        print("\n" + markdown_table(summary))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "automation.json").write_text(json.dumps(
        {"run": run_identity(), "seconds": round(elapsed, 1), "languages": summary, "topics": topics,
         "conversations": [detail(p) for p in played]}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
