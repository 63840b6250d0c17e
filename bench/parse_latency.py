"""What a change to the NLU pipeline costs a parse: the same messages parsed by a baseline model and by the
current one, two Rasa servers side by side in one run, their requests interleaved so both see the same load.

    .venv/bin/python -m bench.parse_latency --baseline bot/models/OLD.tar.gz [--model NEW.tar.gz]

The baseline is a model trained from the configuration and data to compare against (e.g. `shopbot train` on
the previous commit; trained models are kept in bot/models/ by data fingerprint). The current model is trained
from the working tree when `--model` is not given. Target: current / baseline p50 <= 1.3x.
"""

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import percentile, run_identity, write_results
from bench.message_path import MESSAGES_BY_LANGUAGE
from runtime.environment import rasa_environment
from runtime.processes import Service, free_port, rasa_model_loaded, rasa_server_command, wait_until_healthy
from runtime.settings import get_settings
from runtime.training import train

ROUNDS = 20


def rasa_service(name: str, model: Path, logs: Path) -> Service:
    port = free_port()
    return Service(name=name, command=rasa_server_command(get_settings().rasa_venv, host="127.0.0.1", port=port,
                                                          model=model),
                   env=rasa_environment(), health_url=f"http://127.0.0.1:{port}/status",
                   is_healthy=rasa_model_loaded, log_path=logs / f"{name}.log")


def timed_parses(client: httpx.Client, services: list[Service], rounds: int = ROUNDS
                 ) -> dict[str, dict[str, list[float]]]:
    """Seconds per parse for each service and language, every message of every language, services alternating."""
    latencies: dict[str, dict[str, list[float]]] = {
        service.name: {language: [] for language in MESSAGES_BY_LANGUAGE} for service in services}
    messages = [(text, language) for language, texts in MESSAGES_BY_LANGUAGE.items() for text in texts]
    for round_number in range(rounds):
        for text, language in messages:
            order = services if round_number % 2 == 0 else services[::-1]
            for service in order:
                url = service.health_url.replace("/status", "/model/parse_with_metadata")
                start = time.perf_counter()
                response = client.post(url, json={"text": text,
                                                  "metadata": {"language": language, "original_text": text}})
                response.raise_for_status()
                latencies[service.name][language].append(time.perf_counter() - start)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True, help="the model to compare against")
    parser.add_argument("--model", type=Path, help="the current model (default: trained from the working tree)")
    args = parser.parse_args()
    settings = get_settings()
    model = args.model or train(rasa_venv=settings.rasa_venv, models_dir=settings.models_dir)
    logs = Path(tempfile.mkdtemp(prefix="shopbot-parse-bench-"))
    services = [rasa_service("baseline", args.baseline.resolve(), logs), rasa_service("current", model, logs)]
    for service in services:
        service.start()
    try:
        wait_until_healthy(services, timeout=400, progress=lambda line: None)
        with httpx.Client(timeout=30) as client:
            timed_parses(client, services, rounds=2)  # warm-up: the first parses load lazily
            latencies = timed_parses(client, services)
    finally:
        for service in services:
            service.stop()
    every = {name: [v for values in by_language.values() for v in values] for name, by_language in latencies.items()}
    p50 = {name: percentile(values, 50) * 1000 for name, values in every.items()}
    p95 = {name: percentile(values, 95) * 1000 for name, values in every.items()}
    by_language = {language: {name: percentile(latencies[name][language], 50) * 1000 for name in latencies}
                   for language in MESSAGES_BY_LANGUAGE}
    result = {"identity": run_identity(), "baseline": str(args.baseline), "model": str(model),
              "p50_ms": p50, "p95_ms": p95, "p50_ms_by_language": by_language,
              "p50_ratio": p50["current"] / p50["baseline"]}
    write_results("parse_latency", result)
    print(f"\nParse latency ({run_identity()}): {len(every['current'])} parses each, "
          f"{len(MESSAGES_BY_LANGUAGE)} languages")
    print(f"  baseline {args.baseline.name}: p50 {p50['baseline']:.1f} ms, p95 {p95['baseline']:.1f} ms")
    print(f"  current  {model.name}: p50 {p50['current']:.1f} ms, p95 {p95['current']:.1f} ms")
    for language, figures in by_language.items():
        print(f"  {language}: p50 {figures['baseline']:.1f} -> {figures['current']:.1f} ms")
    print(f"  current / baseline p50: {result['p50_ratio']:.2f}x  (target <= 1.3x)")


if __name__ == "__main__":
    main()
