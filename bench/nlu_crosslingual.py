"""Cross-lingual understanding through /api/v1/parse:
- xSID (13 languages; every row is outside a shop's scope) must come out `out_of_scope` (target >= 0.90 each);
- the Bitext dev rows machine-translated into Portuguese (Bergamot en->pt, cached in bench/results/) against
  the English rows (target: >= 90% of the English accuracy), through the gateway (Portuguese goes through
  pt->en MT) and straight to Rasa without MT (the multilingual encoder alone), to show what MT buys.

    .venv/bin/python -m bench.nlu_crosslingual [--url GATEWAY --rasa-url RASA] [--limit N]

All 3,995 Bitext rows by default: the file is grouped by intent, so its first 1,000 rows hold 7 of its 27 intents.
"""

import argparse
import asyncio
import json
from collections import Counter, defaultdict

import httpx

from bench.common import EVALDATA, RESULTS, run_identity, running_stack
from bench.nlu_quality import OUT_OF_SCOPE, load_rows, parse_all
from translation.backends.bergamot import BergamotBackend
from translation.service import TranslationService


def portuguese_bitext(limit: int | None) -> list[tuple[str, str, str]]:
    """(English text, Portuguese MT, expected intent), translated once and cached."""
    cache = RESULTS / "bitext_pt.jsonl"
    rows = [r for r in load_rows() if r[2] == "bitext"][:limit]
    cached = {}
    if cache.exists():
        cached = {(d := json.loads(line))["en"]: d["pt"] for line in cache.open()}
    missing = [text for text, _, _ in rows if text not in cached]
    if missing:
        print(f"translating {len(missing)} Bitext rows into Portuguese with Bergamot...", flush=True)
        service = TranslationService([BergamotBackend()])
        with cache.open("a") as out:
            for text in missing:
                translation = service.translate(text, src_lang="en", tgt_lang="pt")
                cached[text] = translation.text if translation else text
                out.write(json.dumps({"en": text, "pt": cached[text]}, ensure_ascii=False) + "\n")
    return [(text, cached[text], intent) for text, intent, _ in rows]


async def rasa_parse_all(rasa_url: str, texts: list[str]) -> list[str]:
    async with httpx.AsyncClient(base_url=rasa_url, timeout=60) as client:
        names = []
        for text in texts:
            intent = (await client.post("/model/parse", json={"text": text})).json()["intent"]["name"]
            names.append(OUT_OF_SCOPE if intent == "nlu_fallback" else intent)
        return names


async def gateway_parse_auto(url: str, texts: list[str]) -> list[str]:
    """Parse with the language detected by the gateway (as live traffic)."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        names = []
        for text in texts:
            names.append((await client.post("/api/v1/parse", json={"text": text[:2000]})).json()["intent"]["name"])
        return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--rasa-url")
    parser.add_argument("--limit", type=int, help="score only the first N Bitext rows")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    bitext = portuguese_bitext(args.limit)
    xsid = [json.loads(line) for line in (EVALDATA / "xsid.valid.jsonl").open()]
    with running_stack(args.url) as (url, rasa_url):
        rasa_url = args.rasa_url or rasa_url
        english = [p[0] for p in asyncio.run(parse_all(url, [r[0] for r in bitext]))]
        portuguese_gateway = asyncio.run(gateway_parse_auto(url, [r[1] for r in bitext]))
        portuguese_encoder = asyncio.run(rasa_parse_all(rasa_url, [r[1] for r in bitext]))
        xsid_predicted = asyncio.run(gateway_parse_auto(url, [r["text"] for r in xsid]))
    gold = [r[2] for r in bitext]

    def accuracy(predicted: list[str]) -> float:
        return sum(p == g for p, g in zip(predicted, gold)) / len(gold)

    per_language: dict[str, Counter] = defaultdict(Counter)
    for row, predicted in zip(xsid, xsid_predicted):
        per_language[row["lang"]][predicted == OUT_OF_SCOPE] += 1
    oos = {lang: c[True] / (c[True] + c[False]) for lang, c in sorted(per_language.items())}
    result = {
        "bitext_en_accuracy": accuracy(english),
        "bitext_pt_accuracy_gateway_mt": accuracy(portuguese_gateway),
        "bitext_pt_accuracy_encoder_only": accuracy(portuguese_encoder),
        "xsid_out_of_scope_rate": oos,
    }
    (RESULTS / "nlu_crosslingual.json").write_text(json.dumps(result, indent=2))
    ratio = result["bitext_pt_accuracy_gateway_mt"] / result["bitext_en_accuracy"]
    print(f"\nCross-lingual NLU ({run_identity()}), {len(bitext)} Bitext dev rows, {len(xsid)} xSID rows")
    print(f"  Bitext English accuracy:                         {result['bitext_en_accuracy']:.3f}")
    print(f"  Bitext Portuguese (Bergamot MT) via the gateway:  {result['bitext_pt_accuracy_gateway_mt']:.3f}"
          f"  = {ratio:.2f} of English (target >= 0.90)")
    print(f"  Bitext Portuguese, encoder only (no MT in):       {result['bitext_pt_accuracy_encoder_only']:.3f}")
    print("  xSID out_of_scope rate per language (target >= 0.90): "
          + ", ".join(f"{lang} {rate:.2f}" for lang, rate in oos.items()))


if __name__ == "__main__":
    main()
