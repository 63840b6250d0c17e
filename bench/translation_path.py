"""What machine translation costs a shopper's turn, on random weights of the real opus-mt architecture:
- the product's Spanish turn against its English turn, measured in the same run on a stack whose translator has
  the models (CTranslate2 int8) installed;
- the per-message cost of the translation path (detect + protect + MT in + MT out) with a fixed output length,
  transformers fp32 against CTranslate2 int8: what a turn would cost with MT on the critical path;
- rendering a localized response and a translation-memory hit.

    .venv/bin/python -m bench.translation_path [--runs 30]

Models are built in a temporary TRANSLATION_MODELS_DIR where the manifest puts es->en and en->es, converted
with `shopbot models convert`'s own function and loaded by the product's backends (1 thread each).
"""

import argparse
import contextlib
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import percentile, run_identity, running_stack, summary_ms, write_results
from shopbot.models_cli import convert_model
from tests.translation.tiny_marian import ENGLISH, SPANISH, spm_pieces, train_sentencepiece
from translation.backends.ctranslate2_backend import CTranslate2Backend
from translation.backends.marian import MarianBackend, Seq2SeqBackend
from translation.detect import detect_language
from translation.manifest import get_manifest, hf_dir
from translation.protect import PlaceholderMismatch, protect, restore
from translation.responses import get_catalog
from translation.service import TranslationService
from translation.settings import get_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing above imports huggingface_hub; the models are local
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
MESSAGE = "¿Dónde está mi pedido 1000234? Lo pagué con tarjeta hace una semana."
REPLY = {"response": "utter_order_status_shipped", "vars": {
    "order_id": "1000234", "carrier": "DHL Express", "tracking_number": "TRK4926226243",
    "expected_date": {"date": "2025-03-14"}}}
#: opus-mt-en-de's vocabulary (58,101 pieces); the es/en pairs have ~65k, which costs a little more per token.
VOCAB_SIZE = 58101
OPUS_MT = {"d_model": 512, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 8,
           "decoder_attention_heads": 8, "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048,
           "max_position_embeddings": 512, "activation_function": "swish", "scale_embedding": True,
           "share_encoder_decoder_embeddings": True}
OUTPUT_TOKENS = (24, 8)


def full_vocabulary(pieces: list[str]) -> dict[str, int]:
    """opus-mt's layout (</s> 0, <unk> 1, pieces, <pad> last), padded to VOCAB_SIZE with letter-only pieces
    (no digits, so the garbage output cannot invent numbers)."""
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in ("<unk>", "<s>", "</s>", "<pad>"):
            vocab.setdefault(piece, len(vocab))
    index = 0
    while len(vocab) < VOCAB_SIZE - 1:
        index += 1
        vocab.setdefault("▁" + "".join(chr(ord("a") + int(digit)) for digit in str(index)), len(vocab))
    vocab["<pad>"] = VOCAB_SIZE - 1
    return vocab


def build_marian(directory: Path, source: list[str], target: list[str], src: str, tgt: str) -> int:
    """A random opus-mt-sized MarianMT with a small SentencePiece tokenizer; returns its parameter count."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    source_spm, target_spm = train_sentencepiece(source, 400), train_sentencepiece(target, 400)
    (directory / "source.spm").write_bytes(source_spm)
    (directory / "target.spm").write_bytes(target_spm)
    vocab = full_vocabulary(spm_pieces(source_spm) + spm_pieces(target_spm))
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(str(directory / "source.spm"), str(directory / "target.spm"),
                                str(directory / "vocab.json"), source_lang=src, target_lang=tgt)
    pad = VOCAB_SIZE - 1
    config = MarianConfig(vocab_size=VOCAB_SIZE, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
                          forced_eos_token_id=0, **OPUS_MT)
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return sum(parameter.numel() for parameter in model.parameters())


class FixedLength:
    """Wraps a backend's loaded model so each call decodes exactly `tokens` tokens: the backends cap the output
    at 2x input + 8 but stop at EOS, which random weights emit at any step or never. The rest is the backend's."""

    def __init__(self, inner: Any, tokens: int) -> None:
        self.inner, self.tokens, self.produced = inner, tokens, set()

    def generate(self, **kwargs: Any) -> Any:  # transformers
        kwargs.update(min_new_tokens=self.tokens, max_new_tokens=self.tokens)
        output = self.inner.generate(**kwargs)
        self.produced.add(output.shape[1] - 1)  # minus the decoder start token
        return output

    def translate_batch(self, sources: list[list[str]], **kwargs: Any) -> Any:  # CTranslate2
        kwargs.update(min_decoding_length=self.tokens, max_decoding_length=self.tokens)
        results = self.inner.translate_batch(sources, **kwargs)
        self.produced.update(len(result.hypotheses[0]) for result in results)
        return results


def fix_length(backend: Seq2SeqBackend, tokens: int) -> list[FixedLength]:
    """Load both pairs through the backend, then put the wrapper between it and the model (a private slot)."""
    wrappers = []
    for src, tgt in (("es", "en"), ("en", "es")):
        entry = backend.manifest.model_for(src, tgt)
        (tokenizer, model), lock = backend._get(entry)
        wrapper = model if isinstance(model, FixedLength) else FixedLength(model, tokens)
        wrapper.tokens, wrapper.produced = tokens, set()
        backend._models[backend.model_dir(entry)] = ((tokenizer, wrapper), lock)
        wrappers.append(wrapper)
    return wrappers


def message_cost(service: TranslationService, reply_en: str) -> dict[str, float]:
    """The service's own steps, timed: verification would reject random output and retry piece by piece (a cost
    a real model pays only on a failed translation), so restore is attempted but a mismatch is ignored."""
    settings = get_settings()
    start = time.perf_counter()
    language = detect_language(MESSAGE, allowed=settings.languages, current="en",
                               min_confidence=settings.min_detection_confidence).language
    assert language == "es", language
    detected = time.perf_counter()
    times = {"detect": detected - start}
    for step, text, src, tgt in (("mt_in", MESSAGE, language, "en"), ("mt_out", reply_en, "en", language)):
        begin = time.perf_counter()
        protected = protect(text, service.glossary)
        backend = service.backend_for(src_lang=src, tgt_lang=tgt)
        [translated] = backend.translate([protected.text], src_lang=src, tgt_lang=tgt)
        with contextlib.suppress(PlaceholderMismatch):
            restore(translated, protected.values)
        times[step] = time.perf_counter() - begin
    times["total"] = time.perf_counter() - start
    return times


def timed(function: Any, repeat: int = 200) -> list[float]:
    """Seconds per call, after one warm-up call."""
    function()
    values = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        values.append(time.perf_counter() - start)
    return values


def memory_hit(service: TranslationService, text: str) -> tuple[list[float], bool]:
    """translate_cached on a repeated text against a scratch SQLite DB; the first call is a real miss."""
    from sqlalchemy.orm import Session

    from database.core import Base, make_engine
    from translation.models import TranslationMemory  # importing it registers the table on Base
    from translation.service import _hash

    with tempfile.TemporaryDirectory(prefix="bench-tm-") as directory:
        engine = make_engine(f"sqlite:///{directory}/tm.db")
        Base.metadata.create_all(engine)
        with Session(engine) as db_session:
            stored = service.translate_cached(text, src_lang="en", tgt_lang="es", db_session=db_session) is not None
            if not stored:  # random output failed verification: store a row as a verified translation would be
                db_session.add(TranslationMemory(src_lang="en", tgt_lang="es", source_hash=_hash(text),
                                                 source_text=text, translated_text=text, backend="ctranslate2"))
            db_session.commit()
            hits = timed(lambda: service.translate_cached(text, src_lang="en", tgt_lang="es", db_session=db_session))
            assert service.translate_cached(text, src_lang="en", tgt_lang="es", db_session=db_session).cached
        engine.dispose()
    return hits, stored


def english_text_of(sender_id: str, timeout: float = 30.0) -> Any:
    """The Spanish shopper message of `sender_id` once the gateway has stored its English (made after the reply)."""
    from conversations import service as conversation_service
    from database.core import session_scope

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as db_session:
            shopper = [m for m in conversation_service.list_messages(db_session=db_session, sender_id=sender_id)
                       if m.role == "shopper"]
            if shopper and shopper[0].translation_backend:
                return shopper[0]
        time.sleep(0.02)
    raise AssertionError(f"no English stored for {sender_id} within {timeout} s")


def product_turns(models: Path, runs: int) -> dict[str, Any]:
    """English and Spanish turns through a stack whose translator has the opus-mt-size CTranslate2 models, as a
    shop that installed them would run it: the Spanish message is understood by the encoder and answered from the
    localized replies; its English (for agents) is made by CTranslate2 after the reply. Turns alternate, each in
    a fresh conversation; after a Spanish turn the bench waits until that English is stored, so each turn meets
    an idle machine (one shopper's pace) and the background cost is recorded too."""
    import httpx

    turns: dict[str, list[float]] = {"en": [], "es": []}
    background: list[tuple[str, float]] = []
    with running_stack(extra_env={"TRANSLATION_MODELS_DIR": str(models)}) as (url, _), \
            httpx.Client(base_url=url, timeout=60) as client:
        spanish = client.get("/health").json()["languages"]["es"]
        assert spanish["mt_to_english"] == "ctranslate2", spanish
        for i in range(runs + 2):  # 2 warm-up
            for language, text in (("en", "where is my order 1000234? I paid by card a week ago."), ("es", MESSAGE)):
                sender_id = f"bench-t-{uuid.uuid4().hex[:8]}"
                start = time.perf_counter()
                client.post("/api/v1/chat", json={"sender_id": sender_id, "text": text}).raise_for_status()
                elapsed = time.perf_counter() - start
                if language == "es":
                    message = english_text_of(sender_id)
                    background.append((message.translation_backend, message.translation_ms))
                if i >= 2:
                    turns[language].append(elapsed)
    backends = sorted({backend for backend, _ in background})
    return {"turns": turns, "backends": backends,
            "background_mt_p50_ms": percentile([ms for _, ms in background], 50),
            "health_es": spanish}


def measure_mt(services: dict[str, TranslationService], reply_en: str, runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for tokens in OUTPUT_TOKENS:
        wrappers = {name: fix_length(service.backends[0], tokens) for name, service in services.items()}
        costs: dict[str, list[dict[str, float]]] = {name: [] for name in services}
        for i in range(runs + 3):  # 3 warm-up; the engines alternate so both see the same machine load
            for name, service in services.items():
                cost = message_cost(service, reply_en)
                if i >= 3:
                    costs[name].append(cost)
        for name, values in costs.items():
            produced = sorted({n for wrapper in wrappers[name] for n in wrapper.produced})
            assert produced == [tokens], f"{name}: decoded {produced} tokens, not {tokens}"
            results[f"{name}, {tokens} tokens"] = {
                step: {f"p{q}_ms": percentile([v[step] for v in values], q) * 1000 for q in (50, 95)}
                | {"summary": summary_ms([v[step] for v in values])} for step in values[0]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mt-") as models:  # ~700 MB of models, removed afterwards
        os.environ["TRANSLATION_MODELS_DIR"] = models
        run(args, Path(models))


def run(args: argparse.Namespace, root: Path) -> None:
    catalog, manifest = get_catalog(), get_manifest()
    reply_en = catalog.render(REPLY, "en")
    glossary = TranslationService([]).glossary
    spanish = [*SPANISH, MESSAGE, protect(MESSAGE, glossary).text]
    english = [*ENGLISH, reply_en, protect(reply_en, glossary).text]
    print("building random opus-mt-size models and their int8 conversions...", flush=True)
    for src, tgt, source, target in (("es", "en", spanish, english), ("en", "es", english, spanish)):
        parameters = build_marian(hf_dir(manifest.model_for(src, tgt), root), source, target, src, tgt)
        convert_model(manifest.model_for(src, tgt), root)  # what `shopbot models convert` runs
    services = {"transformers fp32": TranslationService([MarianBackend(root, threads=1)]),
                "ctranslate2 int8": TranslationService([CTranslate2Backend(root, threads=1)])}
    mt = measure_mt(services, reply_en, args.runs)
    tokenizer = services["ctranslate2 int8"].backends[0]._get(manifest.model_for("es", "en"))[0][0]
    input_tokens = len(tokenizer(protect(MESSAGE, glossary).text)["input_ids"])

    from gateway.replies import render_reply

    def reply_in(language: str) -> None:  # a localized reply touches neither the translator nor the database
        render_reply(REPLY, language, responses=catalog, translator=services["ctranslate2 int8"], db_session=None)

    reply = {language: timed(lambda language=language: reply_in(language)) for language in ("en", "es")}
    render_es = timed(lambda: catalog.render(REPLY, "es"))
    hits, stored = memory_hit(services["ctranslate2 int8"], reply_en)
    print("starting the stack with the CTranslate2 models installed...", flush=True)
    product = product_turns(root, runs=20)
    turns = product["turns"]
    english_p50, spanish_p50 = (percentile(turns[language], 50) * 1000 for language in ("en", "es"))

    ms = {name: percentile(values, 50) * 1000 for name, values in
          (("render_es", render_es), ("reply_es", reply["es"]), ("reply_en", reply["en"]), ("memory_hit", hits))}
    print(f"\nTranslation path per message ({run_identity()})\n  MarianMT, random weights: {parameters / 1e6:.1f} M "
          f"parameters, vocabulary {VOCAB_SIZE}; {input_tokens} tokens in (small tokenizer); 1 thread; "
          f"{args.runs} runs after 3 warm-up")
    print(f"  the product, CTranslate2 models installed for es<->en (gateway /api/v1/chat, 20 turns each):\n"
          f"    English turn {summary_ms(turns['en'])}\n    Spanish turn {summary_ms(turns['es'])}\n"
          f"    Spanish / English turn (p50) {spanish_p50 / english_p50:.2f}x (target <= 1.3x with ctranslate2); "
          f"English for agents made after the reply by {', '.join(product['backends'])}: p50 "
          f"{product['background_mt_p50_ms']:.0f} ms (random weights decode to the length cap)\n"
          f"  if MT were on the critical path (MT in + MT out, the engines alone):")
    for key, steps in mt.items():
        steps["ratio_to_english_turn"] = (english_p50 + steps["total"]["p50_ms"]) / english_p50
        p50 = {step: values["p50_ms"] for step, values in steps.items() if isinstance(values, dict)}
        print(f"  {key:<28} total {steps['total']['summary']}\n{'':<30} p50: detect {p50['detect']:.2f} ms, protect + "
              f"MT in {p50['mt_in']:.0f} ms, protect + MT out {p50['mt_out']:.0f} ms; (English turn + path) / "
              f"English turn {steps['ratio_to_english_turn']:.2f}x")
    print(f"  localized reply: catalog.render es p50 {ms['render_es']:.3f} ms; gateway render_reply p50 es "
          f"{ms['reply_es']:.3f} ms, en {ms['reply_en']:.3f} ms: adds {ms['reply_es'] - ms['reply_en']:.3f} ms "
          f"(target <= 2 ms)\n  translation memory hit (SQLite): p50 {ms['memory_hit']:.3f} ms, p95 "
          f"{percentile(hits, 95) * 1000:.3f} ms" + ("" if stored else " (random output rejected; row stored by hand)"))
    results = {"identity": run_identity(), "parameters": parameters, "vocab_size": VOCAB_SIZE,
               "input_tokens": input_tokens, "runs": args.runs, "mt_path_ms": mt,
               "english_turn_p50_ms": english_p50, "spanish_turn_p50_ms": spanish_p50,
               "spanish_to_english_turn": spanish_p50 / english_p50, "background_backends": product["backends"],
               "background_mt_p50_ms": product["background_mt_p50_ms"],
               **{f"{name}_p50_ms": value for name, value in ms.items()}, "memory_miss_stored": stored}
    write_results("translation_path", results)


if __name__ == "__main__":
    main()
