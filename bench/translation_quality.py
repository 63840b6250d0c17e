"""Machine-translation quality (sacrebleu chrF and BLEU) on NTREX-128 for every backend with weights here,
both directions, through the same TranslationService the gateway uses (placeholders and verification on).

    .venv/bin/python -m bench.translation_quality [--limit 500]

NTREX was authored in English; X->en scores translate translationese (see its SOURCE.md).
"""

import argparse
import csv
import time

import sacrebleu

from bench.common import EVALDATA, run_identity, write_results
from translation.backends.registry import configured_backends
from translation.service import TranslationService

# NTREX reference files per language code of the assistant (European and Brazilian Portuguese both count).
NTREX_FILES = {"pt": ["pt", "pt-BR"], "es": ["es", "es-MX"], "ar": ["ar"], "zh": ["zh"], "de": ["de"], "fr": ["fr"],
               "id": ["id"], "ja": ["ja"], "ko": ["ko"], "ru": ["ru"], "th": ["th"], "tr": ["tr"], "vi": ["vi"]}


def pairs(suffix: str, limit: int) -> list[tuple[str, str]]:
    with (EVALDATA / "ntrex128" / f"ntrex128_en-{suffix}.tsv").open(encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [(row[4], row[5]) for _, row in zip(range(limit), reader)]


def score(service: TranslationService, sources: list[str], references: list[str], src: str, tgt: str) -> dict:
    start = time.perf_counter()
    outputs = [service.translate(text, src_lang=src, tgt_lang=tgt) for text in sources]
    seconds = time.perf_counter() - start
    hypotheses = [o.text if o else "" for o in outputs]
    return {
        "chrf": sacrebleu.corpus_chrf(hypotheses, [references]).score,
        "bleu": sacrebleu.corpus_bleu(hypotheses, [references]).score,
        "rejected": sum(o is None for o in outputs),
        "ms_per_sentence": seconds / len(sources) * 1000,
        "backend": next((o.backend for o in outputs if o), None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=500, help="sentences per file (1,997 in all)")
    args = parser.parse_args()
    service = TranslationService(configured_backends())
    results = {}
    print(f"\nMT quality on NTREX-128 ({run_identity()}), first {args.limit} sentences per file")
    for language, suffixes in NTREX_FILES.items():
        for suffix in suffixes:
            if service.backend_for(src_lang="en", tgt_lang=language) is None:
                continue
            rows = pairs(suffix, args.limit)
            english, other = [r[0] for r in rows], [r[1] for r in rows]
            for name, (src, tgt, sources, references) in {
                f"en->{suffix}": ("en", language, english, other),
                f"{suffix}->en": (language, "en", other, english),
            }.items():
                if service.backend_for(src_lang=src, tgt_lang=tgt) is None:
                    continue
                results[name] = result = score(service, sources, references, src, tgt)
                print(f"  {name:<10} {result['backend']:<10} chrF {result['chrf']:5.1f}  BLEU {result['bleu']:5.1f}  "
                      f"rejected {result['rejected']}  {result['ms_per_sentence']:.0f} ms/sentence")
    if not results:
        print("  no translation model installed (shopbot models download LANG)")
    write_results("translation_quality", results)


if __name__ == "__main__":
    main()
