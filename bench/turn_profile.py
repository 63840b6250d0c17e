"""Where a turn's time goes, for turns that run a custom action and turns that don't, through Rasa's REST webhook
and through the gateway.

    .venv/bin/python -m bench.turn_profile [--conversations 30] [--baseline-ref REF]

The stack's Rasa calls its action server through a timing reverse proxy in this process (bench/timing_proxy.py):
per action call the round trip, the request (tracker, domain) and response sizes. The action server is rasa-sdk
with a probe (bench/action_probe.py): the action's own time and its database statements and connections. Each
turn's text is also parsed alone (`/model/parse`, right after the turn): the NLU's part. The rest of a turn is
Rasa's own work around them (tracker load, policies, tracker store writes) and, through the gateway, the
gateway's.

With `--baseline-ref REF` a second Rasa server, action server and gateway run the code of that commit (`git
archive`; the same model and database), and conversations alternate between the two stacks: a change to the
action server or to the Rasa server's wrapper measured side by side in the same run.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path

import httpx

from bench.common import chat_turn, percentile, run_identity, running_stack, write_results
from bench.timing_proxy import ProxiedCall, TimingProxy
from database.settings import REPO_ROOT
from runtime.processes import Service, Stack, free_port

#: One conversation: (turn kind, text). `{order}` and `{email}` are a seeded shipped order's number and e-mail.
SCRIPT = [
    ("no action: greeting", "hi"),
    ("action: delivery time (action_shop_info)", "how long does delivery take?"),
    ("order question (form starts)", "where is my order?"),
    ("action: order number (validate_order_form)", "{order}"),
    ("action: e-mail (verify + answer the status)", "{email}"),
    ("no action: thanks", "thanks a lot"),
]
PARTS = ["total", "nlu", "action_round_trip", "action_run", "action_db", "rest"]


@dataclass
class Variant:
    """A Rasa server and an action server (behind their own timing proxy) and a gateway running the Rasa and
    action code of a tree: this work tree, or a commit's tree for the side-by-side baseline."""
    name: str
    root: Path
    proxy: TimingProxy = field(default_factory=lambda: TimingProxy(upstreams={}))
    rasa_url: str = ""
    gateway_url: str = ""


class TreeService(Service):
    """A service started in another tree's root (its code on the path)."""
    cwd: Path = REPO_ROOT

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.start_command(), cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)


def in_tree(service: Service, root: Path) -> TreeService:
    moved = TreeService(**{f.name: getattr(service, f.name) for f in fields(Service)})
    moved.cwd, moved.env = root, {**service.env, "PYTHONPATH": str(root)}
    return moved


def profiled_stack_type(variants: list[Variant], probe_log: Path) -> type[Stack]:
    """A Stack with the processes of every variant; each Rasa reaches its action server (with the probe) through
    its variant's proxy. The first variant uses the stack's ports."""

    class ProfiledStack(Stack):
        def build(self) -> list[Service]:
            services: list[Service] = []
            for i, variant in enumerate(variants):
                rasa_port, actions_port, gateway_port = (
                    (self.rasa_port, self.actions_port, self.gateway_port) if i == 0
                    else (free_port(), free_port(), free_port()))
                variant.proxy.upstreams = {variant.name: actions_port}
                variant.proxy.target = variant.name
                variant.rasa_url = f"http://{self.host}:{rasa_port}"
                variant.gateway_url = f"http://{self.host}:{gateway_port}"
                rasa = self._rasa(f"rasa-{variant.name}", rasa_port,
                                  actions_url=f"http://{self.host}:{variant.proxy.port}/webhook")
                actions = Service(
                    name=f"actions-{variant.name}",
                    command=[sys.executable, str(REPO_ROOT / "bench" / "action_probe.py"), "--actions", "bot.actions",
                             "-p", str(actions_port)],
                    env={**self._base_env(), "SANIC_HOST": self.host, "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                         "BENCH_ACTION_PROBE_LOG": str(probe_log)},
                    health_url=f"http://{self.host}:{actions_port}/health", is_healthy=lambda r: r.status_code == 200,
                    log_path=self.var_dir / "logs" / f"actions-{variant.name}.log")
                gateway = self._gateway(f"gateway-{variant.name}", gateway_port, rasa_url=variant.rasa_url)
                services += [in_tree(rasa, variant.root), in_tree(actions, variant.root), gateway]
            return services

    return ProfiledStack


def seeded_orders(count: int) -> list[tuple[str, str]]:
    """(number, e-mail) of shipped orders of the bench's seeded shop."""
    from database.core import session_scope
    from shop.source import SqlOrderSource

    with session_scope() as db_session:
        orders = SqlOrderSource(db_session).list_orders(limit=500)
    shipped = [(o.number, o.customer_email) for o in orders if o.status == "shipped"]
    return [shipped[i % len(shipped)] for i in range(count)]


class ProbeLog:
    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def take(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as log:
            log.seek(self.offset)
            lines = log.read()
            self.offset = log.tell()
        return [json.loads(line) for line in lines.splitlines() if line.strip()]


def call_sizes(call: ProxiedCall) -> dict:
    body = json.loads(call.request_body)
    return {"action": body.get("next_action"), "request_bytes": len(call.request_body),
            "response_bytes": len(call.response_body),
            "tracker_bytes": len(json.dumps(body.get("tracker"))), "domain_bytes": len(json.dumps(body.get("domain")))
            if "domain" in body else 0, "events": len((body.get("tracker") or {}).get("events") or [])}


async def play(client: httpx.AsyncClient, *, path: str, variant: Variant, probe: ProbeLog, order: tuple[str, str],
               tokens: dict[str, str]) -> list[dict]:
    """One conversation of SCRIPT; a record per turn."""
    sender = f"bench-tp-{path[0]}-{uuid.uuid4().hex[:8]}"
    gateway, rasa, proxy = variant.gateway_url, variant.rasa_url, variant.proxy
    records = []
    for kind, template in SCRIPT:
        text = template.format(order=order[0], email=order[1])
        proxy.take_calls()
        probe.take()
        start = time.perf_counter()
        if path == "gateway":
            response = await chat_turn(client, gateway, sender, text, tokens)
        else:
            response = await client.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text})
        total = time.perf_counter() - start
        response.raise_for_status()
        calls, runs = proxy.take_calls(), probe.take()
        start = time.perf_counter()
        (await client.post(f"{rasa}/model/parse", json={"text": text})).raise_for_status()
        nlu = time.perf_counter() - start
        round_trip = sum(c.upstream_seconds for c in calls)
        sizes = [call_sizes(c) for c in calls]
        records.append({
            "variant": variant.name, "path": path, "kind": kind, "total": total, "nlu": nlu,
            "action_round_trip": round_trip, "action_run": sum(r["run_ms"] for r in runs) / 1000,
            "action_db": sum(r["db_ms"] for r in runs) / 1000, "rest": total - nlu - round_trip,
            "calls": [c["action"] for c in sizes], "statements": sum(r["statements"] for r in runs),
            "connections": sum(r["connections"] for r in runs),
            "request_bytes": sum(c["request_bytes"] for c in sizes),
            "tracker_bytes": sum(c["tracker_bytes"] for c in sizes),
            "domain_bytes": sum(c["domain_bytes"] for c in sizes),
            "response_bytes": sum(c["response_bytes"] for c in sizes),
            "events": max((c["events"] for c in sizes), default=0),
            "errors": [c.status for c in calls if c.status != 200],
            "reply": response.json() if path == "rasa" else response.json().get("messages"),
        })
    return records


async def measure(variants: list[Variant], probe: ProbeLog, conversations: int) -> list[dict]:
    runs = [(variant, path) for variant in variants for path in ("rasa", "gateway")]
    orders = seeded_orders((conversations + 1) * len(runs))
    tokens: dict[str, str] = {}
    records: list[dict] = []
    async with httpx.AsyncClient(timeout=60) as client:
        for k, (variant, path) in enumerate(runs):  # warm-up: model graph, action servers, connection pools
            await play(client, path=path, variant=variant, probe=probe, order=orders[k], tokens=tokens)
        for c in range(1, conversations + 1):
            # Every variant and path in turn, the order rotating, so all see the same machine state
            rotated = runs[c % len(runs):] + runs[:c % len(runs)]
            for k, (variant, path) in enumerate(rotated):
                records += await play(client, path=path, variant=variant, probe=probe,
                                      order=orders[c * len(runs) + k], tokens=tokens)
    return records


def baseline_tree(ref: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix="shopbot-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return root


def _ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000 if values else 0.0


def profile_table(records: list[dict]) -> dict:
    """Per turn kind: p50/p95 of each part and its share of the mean total; sizes and statements (p50)."""
    table = {}
    for kind, _ in SCRIPT:
        rows = [r for r in records if r["kind"] == kind]
        if not rows:
            continue
        total_mean = statistics.fmean(r["total"] for r in rows)
        parts = {part: {"p50_ms": _ms([r[part] for r in rows], 50), "p95_ms": _ms([r[part] for r in rows], 95),
                        "share": statistics.fmean(r[part] for r in rows) / total_mean} for part in PARTS}
        table[kind] = {"n": len(rows), "parts": parts,
                       "calls": max((r["calls"] for r in rows), key=len),
                       **{key: statistics.median(r[key] for r in rows)
                          for key in ("statements", "connections", "request_bytes", "tracker_bytes", "domain_bytes",
                                      "response_bytes", "events")},
                       "errors": sum(len(r["errors"]) for r in rows)}
    return table


def print_table(title: str, table: dict) -> None:
    print(f"\n{title}")
    print(f"  {'turn':46} " + " ".join(f"{part:>19}" for part in PARTS))
    for kind, row in table.items():
        cells = [f"{p['p50_ms']:5.1f}/{p['p95_ms']:5.1f} {p['share'] * 100:3.0f}%" for p in row["parts"].values()]
        print(f"  {kind:46} " + " ".join(f"{c:>19}" for c in cells))
    print("  (p50/p95 ms, share of the mean total; rest = total - nlu - action round trip)")
    for kind, row in table.items():
        if row["calls"]:
            print(f"  {kind}: calls {', '.join(row['calls'])}; request {row['request_bytes'] / 1000:.1f} kB "
                  f"(tracker {row['tracker_bytes'] / 1000:.1f} kB with {row['events']:.0f} events, domain "
                  f"{row['domain_bytes'] / 1000:.1f} kB), response {row['response_bytes'] / 1000:.1f} kB; "
                  f"{row['statements']:.0f} SQL statements, {row['connections']:.0f} new DB connections"
                  f"{'; ' + str(row['errors']) + ' failed calls' if row['errors'] else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=30, help="per path (and per action server)")
    parser.add_argument("--baseline-ref", help="also run the action server of this commit, side by side")
    args = parser.parse_args()
    variants = [Variant("current", REPO_ROOT)]
    if args.baseline_ref:
        variants.append(Variant("baseline", baseline_tree(args.baseline_ref)))
    for variant in variants:
        variant.proxy.start()
    probe_log = Path(tempfile.mkdtemp(prefix="shopbot-probe-")) / "actions.jsonl"
    try:
        with running_stack(stack_type=profiled_stack_type(variants, probe_log)):
            records = asyncio.run(measure(variants, ProbeLog(probe_log), args.conversations))
    finally:
        for variant in variants:
            variant.proxy.stop()
    print(f"\nTurn profile ({run_identity()})")
    result: dict = {"identity": run_identity(), "conversations": args.conversations, "tables": {}}
    for variant in [v.name for v in variants]:
        for path in ("rasa", "gateway"):
            rows = [r for r in records if r["variant"] == variant and r["path"] == path]
            table = profile_table(rows)
            title = f"{'Rasa REST webhook' if path == 'rasa' else 'gateway /api/v1/chat'}, code: {variant}"
            print_table(title, table)
            result["tables"][f"{variant}/{path}"] = table
    if len(variants) > 1:
        print("\nCurrent / baseline, p50 of the turn total and of the action round trip:")
        for path in ("rasa", "gateway"):
            for kind, _ in SCRIPT:
                cur, base = (result["tables"][f"{v}/{path}"][kind]["parts"] for v in ("current", "baseline"))
                if base["action_round_trip"]["p50_ms"] > 0:
                    print(f"  {path:8} {kind:46} total {base['total']['p50_ms']:6.1f} -> {cur['total']['p50_ms']:6.1f}"
                          f" ms = {cur['total']['p50_ms'] / base['total']['p50_ms']:.2f}x; round trip "
                          f"{base['action_round_trip']['p50_ms']:5.1f} -> {cur['action_round_trip']['p50_ms']:5.1f} ms"
                          f" = {cur['action_round_trip']['p50_ms'] / base['action_round_trip']['p50_ms']:.2f}x")
    sample = {f"{r['variant']}/{r['path']}/{r['kind']}": r["reply"] for r in records}
    result["sample_replies"] = sample
    write_results("turn_profile", result)


if __name__ == "__main__":
    main()
