"""NLU quality through the public parse API: Bitext dev rows (mapped to the catalogue with `from:`), the
CLINC150 validation rows (small talk mapped, the rest out of scope), and HINT3's real shopper messages (the
development half; in scope where HINT3's label maps onto the catalogue, out of scope where no shop assistant
could answer; rows whose label has no catalogue intent are not scored).

    .venv/bin/python -m bench.nlu_quality [--url http://127.0.0.1:8000]
"""

import argparse
import asyncio
import json
from collections import Counter

import httpx
import yaml

from bench.common import EVALDATA, RESULTS, run_identity, running_stack, write_results
from database.settings import REPO_ROOT

OUT_OF_SCOPE = "out_of_scope"
# CLINC150 intents that are the catalogue's small talk (or order status); the rest is out of scope for a shop.
CLINC_TO_CATALOGUE = {
    "greeting": "greet", "goodbye": "goodbye", "thank_you": "thank_you", "are_you_a_bot": "bot_challenge",
    "yes": "affirm", "no": "deny", "change_language": "change_language", "order_status": "order_status",
}
# CLINC150 intents whose meaning overlaps a shop intent or is a reply without context: not scored.
CLINC_AMBIGUOUS = {"order", "cancel", "card_declined", "what_can_i_ask_you", "maybe", "repeat", "who_made_you",
                   "what_is_your_name", "who_do_you_work_for"}


def load_rows() -> list[tuple[str, str, str]]:
    """(text, expected intent, source) rows."""
    catalogue = yaml.safe_load((REPO_ROOT.parent / "shared" / "intents.yml").read_text())["intents"]
    bitext_map = {source: name for name, spec in catalogue.items() for source in spec.get("from") or []}
    rows = []
    for line in (EVALDATA / "bitext_customer_support_en.dev.jsonl").open():
        row = json.loads(line)
        rows.append((row["text"], bitext_map[row["intent"]], "bitext"))
    for line in (EVALDATA / "clinc150.train_val.jsonl").open():
        row = json.loads(line)
        if row["split"] == "val" and row["intent"] not in CLINC_AMBIGUOUS:
            rows.append((row["text"], CLINC_TO_CATALOGUE.get(row["intent"], OUT_OF_SCOPE), "clinc"))
    return rows


def load_hint3() -> list[tuple[str, list[str], str]]:
    """(text, intents that count as right, kind) of the HINT3 rows that are scored: real shoppers' messages
    and the bot designers' examples."""
    rows = []
    for line in (EVALDATA / "hint3_ecommerce.dev.jsonl").open():
        row = json.loads(line)
        if row["bot_intents"]:
            rows.append((row["text"], row["bot_intents"], "real" if row["kind"] == "real user message" else "designer"))
    return rows


def hint3_report(rows: list[tuple[str, list[str], str]], predictions: list[tuple[str, float]]) -> dict:
    """Per kind: accuracy on messages a shop assistant can answer, and how often the others fall back."""
    result: dict = {}
    for kind in ("real", "designer"):
        scored = [(accepted, predicted) for (_, accepted, k), (predicted, _) in zip(rows, predictions) if k == kind]
        in_scope = [(a, p) for a, p in scored if a != [OUT_OF_SCOPE]]
        out_scope = [p for a, p in scored if a == [OUT_OF_SCOPE]]
        result[kind] = {
            "in_scope_rows": len(in_scope),
            "in_scope_accuracy": sum(p in a for a, p in in_scope) / len(in_scope),
            "out_of_scope_rows": len(out_scope),
            "out_of_scope_fallback": sum(p == OUT_OF_SCOPE for p in out_scope) / len(out_scope) if out_scope else None,
            "in_scope_confusions": Counter((a[0], p) for a, p in in_scope if p not in a).most_common(12),
        }
    return result


async def parse_all(url: str, texts: list[str], concurrency: int = 4) -> list[tuple[str, float]]:
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def one(text: str) -> tuple[str, float]:
            async with semaphore:
                body = (await client.post("/api/v1/parse", json={"text": text[:2000], "language": "en"})).json()
                return body["intent"]["name"], body["intent"]["confidence"]
        return await asyncio.gather(*(one(t) for t in texts))


def f1_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    scores = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def report(rows, predictions) -> dict:
    gold = [r[1] for r in rows]
    predicted = [p[0] for p in predictions]
    bitext = [i for i, r in enumerate(rows) if r[2] == "bitext"]
    in_scope = [i for i, g in enumerate(gold) if g != OUT_OF_SCOPE]
    out_scope = [i for i, g in enumerate(gold) if g == OUT_OF_SCOPE]
    f1 = f1_scores(gold, predicted)
    scored = [label for label in f1 if label in set(gold)]
    return {
        "rows": len(rows),
        "bitext_accuracy": sum(gold[i] == predicted[i] for i in bitext) / len(bitext),
        "overall_accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(gold),
        "macro_f1": sum(f1[label] for label in scored) / len(scored),
        "out_of_scope_recall": sum(predicted[i] == OUT_OF_SCOPE for i in out_scope) / len(out_scope),
        "in_scope_false_rejection": sum(predicted[i] == OUT_OF_SCOPE for i in in_scope) / len(in_scope),
        "per_intent_f1": {label: round(f1[label], 3) for label in scored},
        "top_confusions": Counter((g, p) for g, p in zip(gold, predicted) if g != p).most_common(15),
    }


def plot_confusion(rows, predictions, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({r[1] for r in rows} | {p[0] for p in predictions})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for row, prediction in zip(rows, predictions):
        matrix[index[row[1]], index[prediction[0]]] += 1
    matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(12, 11))
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title("NLU confusion (row-normalised): Bitext dev + CLINC150 val")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running gateway; by default a stack is started on a scratch database")
    args = parser.parse_args()
    rows, hint3 = load_rows(), load_hint3()
    with running_stack(args.url) as (url, _rasa_url):
        print(f"parsing {len(rows) + len(hint3)} rows through {url}/api/v1/parse ...", flush=True)
        predictions = asyncio.run(parse_all(url, [r[0] for r in rows]))
        hint3_predictions = asyncio.run(parse_all(url, [r[0] for r in hint3]))
    result = {**report(rows, predictions), "hint3": hint3_report(hint3, hint3_predictions)}
    write_results("nlu_quality", result)
    plot_confusion(rows, predictions, RESULTS / "nlu_confusion.png")
    print(f"\nNLU quality ({run_identity()})")
    print(f"  Bitext dev accuracy (mapped, never trained on): {result['bitext_accuracy']:.3f}  (target >= 0.92)")
    print(f"  overall accuracy (Bitext + CLINC val):          {result['overall_accuracy']:.3f}")
    print(f"  macro-F1:                                        {result['macro_f1']:.3f}")
    print(f"  out-of-scope recall:                             {result['out_of_scope_recall']:.3f}  (target >= 0.80)")
    print(f"  in-scope false rejection:                        {result['in_scope_false_rejection']:.3f}  "
          f"(target <= 0.05)")
    for kind, label in (("real", "HINT3 real shoppers' messages"), ("designer", "HINT3 bot designers' examples")):
        figures = result["hint3"][kind]
        fallback = figures["out_of_scope_fallback"]
        print(f"  {label}: mapped intents {figures['in_scope_accuracy']:.3f} ({figures['in_scope_rows']} rows)"
              + (f", unanswerable ones falling back {fallback:.3f} ({figures['out_of_scope_rows']} rows)"
                 if fallback is not None else ""))
    print("  per-intent F1: " + ", ".join(f"{k} {v:.2f}" for k, v in result["per_intent_f1"].items()))
    print(f"  confusion matrix: {RESULTS / 'nlu_confusion.png'}")


if __name__ == "__main__":
    main()
