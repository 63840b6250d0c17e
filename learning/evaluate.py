"""Score a model on labelled rows through the path live traffic takes (language ID, MT in, encoder, Rasa)."""

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.rasa_client import RasaClient
from assistant.understanding import OUT_OF_SCOPE, Understanding, understand
from learning.exceptions import LearningError
from translation.service import TranslationService

MAX_ERRORS_LISTED = 200


class InvalidEvaluationData(LearningError):
    pass


@dataclass(frozen=True)
class EvalRow:
    text: str
    intent: str
    language: str | None = None


def rows_from_dicts(items: list[dict], source: str = "rows") -> list[EvalRow]:
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("text") or "").strip() or not item.get("intent"):
            raise InvalidEvaluationData(f"{source} line {number}: needs non-empty \"text\" and \"intent\"")
        rows.append(EvalRow(text=str(item["text"])[:2000], intent=str(item["intent"]),
                            language=str(item["language"]).lower() if item.get("language") else None))
    if not rows:
        raise InvalidEvaluationData(f"{source}: no rows")
    return rows


def load_rows(path: Path) -> list[EvalRow]:
    """Rows of a JSON-lines file `{"text", "intent", "language"?}`; errors name the line."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidEvaluationData(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise InvalidEvaluationData(f"{path} line {number}: not JSON ({error.msg})") from error
    return rows_from_dicts(items, source=str(path))


async def predict(
    rows: list[EvalRow], *, rasa_url: str, translator: TranslationService,
    progress: Callable[[int, int], None] = lambda done, total: None, concurrency: int = 4,
) -> list[Understanding]:
    rasa = RasaClient(rasa_url, timeout=60)
    semaphore = asyncio.Semaphore(concurrency)
    done = 0

    async def one(row: EvalRow) -> Understanding:
        nonlocal done
        async with semaphore:
            result = await understand(row.text, None, rasa=rasa, translator=translator)
        done += 1
        if done % 20 == 0 or done == len(rows):
            progress(done, len(rows))
        return result

    try:
        return await asyncio.gather(*(one(row) for row in rows))
    finally:
        await rasa.close()


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def score(rows: list[EvalRow], predictions: list[Understanding]) -> dict:
    """Accuracy, macro-F1 over the expected intents, per intent and per language, out-of-scope recall,
    language-ID accuracy, the confusion matrix and the misclassified rows."""
    gold = [row.intent for row in rows]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(gold) | set(predicted))
    per_intent = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        per_intent[label] = {"precision": _ratio(tp, tp + fp) or 0.0, "recall": _ratio(tp, tp + fn) or 0.0,
                             "f1": _ratio(2 * tp, 2 * tp + fp + fn) or 0.0, "support": tp + fn}
    expected_labels = sorted(set(gold))
    per_language: dict[str, dict] = {}
    for language in sorted({row.language or "?" for row in rows}):
        indices = [i for i, row in enumerate(rows) if (row.language or "?") == language]
        per_language[language] = {"rows": len(indices),
                                  "accuracy": _ratio(sum(gold[i] == predicted[i] for i in indices), len(indices))}
    out_scope = [i for i, g in enumerate(gold) if g == OUT_OF_SCOPE]
    in_scope = [i for i, g in enumerate(gold) if g != OUT_OF_SCOPE]
    with_language = [i for i, row in enumerate(rows) if row.language]
    index = {label: n for n, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    errors = [
        {"text": row.text, "language": row.language, "detected": p.language, "expected": row.intent,
         "predicted": p.intent, "confidence": round(p.confidence, 3)}
        for row, p in zip(rows, predictions) if row.intent != p.intent
    ]
    return {
        "rows": len(rows),
        "accuracy": _ratio(sum(g == p for g, p in zip(gold, predicted)), len(rows)),
        "macro_f1": round(sum(per_intent[label]["f1"] for label in expected_labels) / len(expected_labels), 4),
        "out_of_scope_recall": _ratio(sum(predicted[i] == OUT_OF_SCOPE for i in out_scope), len(out_scope)),
        "in_scope_false_rejection": _ratio(sum(predicted[i] == OUT_OF_SCOPE for i in in_scope), len(in_scope)),
        "language_id_accuracy": _ratio(sum(predictions[i].language == rows[i].language for i in with_language),
                                       len(with_language)),
        "per_intent": per_intent,
        "per_language": per_language,
        "top_confusions": [[g, p, n] for (g, p), n in
                           Counter((g, p) for g, p in zip(gold, predicted) if g != p).most_common(15)],
        "confusion": {"labels": labels, "matrix": matrix},
        "errors": errors[:MAX_ERRORS_LISTED],
    }


HEADLINE = ("accuracy", "macro_f1", "out_of_scope_recall", "in_scope_false_rejection")


def headline(metrics: dict) -> dict:
    """The figures kept in the model registry: the headline numbers and per-language accuracy."""
    return {**{key: metrics.get(key) for key in HEADLINE}, "rows": metrics.get("rows"),
            "per_language": {lang: figures["accuracy"] for lang, figures in metrics["per_language"].items()}}


def compare(candidate: dict, active: dict) -> dict:
    """Candidate minus active for the headline figures and per language (positive = candidate better)."""
    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(a - b, 4)

    return {
        **{key: delta(candidate.get(key), active.get(key)) for key in HEADLINE},
        "per_language": {lang: delta(acc, active.get("per_language", {}).get(lang))
                         for lang, acc in candidate.get("per_language", {}).items()},
    }
