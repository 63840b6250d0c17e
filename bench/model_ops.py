"""Admins' model operations on this machine: training time of the shipped bot, the held-out evaluation
report's figures, and shopper turn latency while the active model is switched (no failed request allowed).

    .venv/bin/python -m bench.model_ops
"""

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.common import RESULTS, chat_turn, percentile, run_identity, running_stack, write_results
from bench.message_path import MESSAGES

CONVERSATIONS = 6
QUIET_SECONDS = 8.0


def train_shipped_bot(models_dir: Path) -> tuple[Path, float]:
    """`rasa train` of the repository's data from scratch (forced), as a training job runs it."""
    from database.core import session_scope
    from learning.export import write_export
    from runtime.settings import get_settings
    from runtime.training import train

    with session_scope() as db_session:
        export = write_export(db_session=db_session, out_root=models_dir / "export")
    started = time.monotonic()
    model = train(rasa_venv=get_settings().rasa_venv, models_dir=models_dir, root=export.root, force=True,
                  on_output=lambda line: None)
    return model, time.monotonic() - started


async def shopper_load(url: str, stop: asyncio.Event, samples: list[tuple[float, float, bool]]) -> None:
    """Conversations that keep talking: (start time, latency, ok) per turn."""
    async with httpx.AsyncClient(timeout=120) as client:
        async def conversation() -> None:
            sender = f"bench-switch-{uuid.uuid4().hex[:8]}"
            tokens: dict[str, str] = {}
            turn = 0
            while not stop.is_set():
                start = time.monotonic()
                try:
                    response = await chat_turn(client, url, sender, MESSAGES[turn % len(MESSAGES)], tokens)
                    ok = response.status_code == 200 and bool(response.json()["messages"])
                except httpx.HTTPError:
                    ok = False
                samples.append((start, time.monotonic() - start, ok))
                turn += 1
        await asyncio.gather(*(conversation() for _ in range(CONVERSATIONS)))


async def switch_under_load(url: str, admin_token: str, version_id: int) -> dict:
    samples: list[tuple[float, float, bool]] = []
    stop = asyncio.Event()
    load = asyncio.create_task(shopper_load(url, stop, samples))
    await asyncio.sleep(QUIET_SECONDS)
    switch_start = time.monotonic()
    async with httpx.AsyncClient(timeout=300, headers={"Authorization": f"Bearer {admin_token}"}) as client:
        response = await client.post(f"{url}/api/v1/admin/models/{version_id}/activate", json={"override": True})
    switch_end = time.monotonic()
    await asyncio.sleep(QUIET_SECONDS)
    stop.set()
    await load
    response.raise_for_status()

    def figures(selected: list[tuple[float, float, bool]]) -> dict:
        latencies = [latency for _, latency, _ in selected]
        return {"turns": len(selected), "failed": sum(not ok for *_, ok in selected),
                "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
                "p95_ms": round(percentile(latencies, 95) * 1000, 1) if latencies else None,
                "max_ms": round(max(latencies) * 1000, 1) if latencies else None}

    before = [s for s in samples if s[0] + s[1] < switch_start]
    during = [s for s in samples if s[0] < switch_end and s[0] + s[1] > switch_start]
    after = [s for s in samples if s[0] > switch_end]
    return {"switch_seconds": round(switch_end - switch_start, 2), "concurrent_conversations": CONVERSATIONS,
            "before": figures(before), "during": figures(during), "after": figures(after),
            "all": figures(samples)}


def main() -> None:
    from database.core import session_scope
    from handoff.agents import create_user
    from learning import registry
    from learning.activation import mark_active
    from learning.evaluate import headline, load_rows
    from learning.evaluation_job import evaluate_and_report
    from learning.settings import get_settings as get_learning_settings

    results: dict = {"run": run_identity()}
    with running_stack() as (url, rasa_url):
        models_dir = Path(tempfile.mkdtemp(prefix="shopbot-bench-models-"))
        print("training the shipped bot from scratch (rasa train --force)...", flush=True)
        candidate, seconds = train_shipped_bot(models_dir)
        results["training_seconds"] = round(seconds, 1)
        print(f"training time of the shipped bot: {seconds:.1f} s", flush=True)

        live = httpx.get(f"{rasa_url}/status").json()["model_file"]
        with session_scope() as db_session:
            active = registry.register(db_session=db_session, path=Path(live), fingerprint="bench",
                                       trained_by="bench", training_seconds=None)
            mark_active(db_session=db_session, version=active, activated_by="bench")
            version = registry.register(db_session=db_session, path=candidate, fingerprint="bench-retrained",
                                        trained_by="bench", training_seconds=seconds)
            version_id = version.id
            _, admin_token = create_user(db_session=db_session, name=f"bench-admin-{uuid.uuid4().hex[:6]}",
                                         role="admin")
        print(f"switching the active model under {CONVERSATIONS} talking conversations...", flush=True)
        switch = asyncio.run(switch_under_load(url, admin_token, version_id))
        results["switch"] = switch
        print(f"switch took {switch['switch_seconds']} s; turns before {switch['before']}, during "
              f"{switch['during']}, after {switch['after']}; failed requests: {switch['all']['failed']}")

        heldout = get_learning_settings().heldout_path
        report = evaluate_and_report(model=candidate, version_id=version_id, rows=load_rows(heldout),
                                     source=heldout.name, out_dir=RESULTS / "heldout_report", active=None,
                                     echo=lambda line: None)
    figures = headline(report["metrics"])
    results["heldout"] = figures
    print(f"held-out evaluation ({figures['rows']} rows, 16 languages): accuracy {figures['accuracy']}, "
          f"macro-F1 {figures['macro_f1']}, out-of-scope recall {figures['out_of_scope_recall']}, "
          f"false rejection {figures['in_scope_false_rejection']}; per language {figures['per_language']}; "
          f"report in {RESULTS / 'heldout_report' / 'report.html'}")
    write_results("model_ops", results)


if __name__ == "__main__":
    main()
