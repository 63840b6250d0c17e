"""Hugging Face `transformers` seq2seq models on CPU: MarianMT (opus-mt) per language pair, NLLB-200 for the rest.

Models load from the models directory only (`local_files_only=True`): nothing is downloaded here; that is
`shopbot models download`. Each model loads on first use, once per process (the NLLB model serves several pairs),
and translates one batch at a time.
"""

import logging
import os
import threading
from pathlib import Path
from typing import Any

from translation.backends.base import TranslationError
from translation.manifest import Manifest, ModelEntry, get_manifest, has_weights, hf_dir
from translation.manifest import models_dir as default_models_dir

logger = logging.getLogger(__name__)

#: Longer inputs are truncated (the caller splits long messages by sentence first).
MAX_INPUT_TOKENS = 256
#: Hard cap on generated tokens, whatever the input length.
MAX_OUTPUT_TOKENS = 256
#: Larger batches are run in chunks of this size (bounds memory and padding waste).
MAX_BATCH_SIZE = 16


def max_new_tokens(input_tokens: int, cap: int = MAX_OUTPUT_TOKENS) -> int:
    """Output budget tied to the input, so a model that starts repeating itself stops early."""
    return min(cap, 2 * input_tokens + 8)


def _env_threads() -> int | None:
    value = os.environ.get("TRANSLATION_THREADS")
    return int(value) if value else None


class Seq2SeqBackend:
    """Shared bookkeeping: pick the manifest entry, load each model once, keep blanks and order, wrap errors."""

    name = "seq2seq"

    def __init__(self, models_dir: Path | None = None, *, manifest: Manifest | None = None,
                 threads: int | None = None, max_input_tokens: int = MAX_INPUT_TOKENS,
                 max_output_tokens: int = MAX_OUTPUT_TOKENS, max_batch_size: int = MAX_BATCH_SIZE) -> None:
        self.models_dir = Path(models_dir) if models_dir else default_models_dir()
        self.manifest = manifest or get_manifest()
        self.threads = threads if threads is not None else _env_threads()
        self.max_input_tokens = max_input_tokens
        self.max_output_tokens = max_output_tokens
        self.max_batch_size = max_batch_size
        self._models: dict[Path, tuple[Any, threading.Lock]] = {}
        self._load_lock = threading.Lock()

    # Subclasses: where the model lives, whether it is complete, how to load it and run a batch.
    def model_dir(self, entry: ModelEntry) -> Path:
        raise NotImplementedError

    def is_ready(self, entry: ModelEntry) -> bool:
        raise NotImplementedError

    def _load(self, entry: ModelEntry) -> Any:
        raise NotImplementedError

    def _run(self, model: Any, entry: ModelEntry, texts: list[str]) -> list[str]:
        raise NotImplementedError

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        entry = self.manifest.model_for(src_lang, tgt_lang)
        return entry is not None and self.is_ready(entry)

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        entry = self.manifest.model_for(src_lang, tgt_lang)
        if entry is None:
            raise TranslationError(f"{self.name}: no model for {src_lang}->{tgt_lang} in the manifest")
        if not self.is_ready(entry):
            raise TranslationError(
                f"{self.name}: no model installed for {src_lang}->{tgt_lang} (expected {self.model_dir(entry)}; "
                f"see `shopbot models list`)")
        if not all(isinstance(text, str) for text in texts):
            raise TranslationError(f"{self.name}: texts must be strings")
        results = [""] * len(texts)
        positions = [index for index, text in enumerate(texts) if text.strip()]
        if not positions:
            return results
        outputs: list[str] = []
        try:
            model, lock = self._get(entry)
            with lock:
                for start in range(0, len(positions), self.max_batch_size):
                    chunk = positions[start:start + self.max_batch_size]
                    outputs.extend(self._run(model, entry, [texts[index] for index in chunk]))
        except TranslationError:
            raise
        except Exception as error:  # the model libraries' boundary: torch, transformers and ctranslate2 raise
            # many unrelated types (OSError, RuntimeError, ValueError...); as a TranslationError the service falls back
            raise TranslationError(f"{self.name} {src_lang}->{tgt_lang} failed: {error}") from error
        if len(outputs) != len(positions):
            raise TranslationError(f"{self.name} {src_lang}->{tgt_lang}: {len(outputs)} outputs for {len(positions)}")
        for index, output in zip(positions, outputs):
            results[index] = output
        return results

    def _get(self, entry: ModelEntry) -> tuple[Any, threading.Lock]:
        key = self.model_dir(entry)
        cached = self._models.get(key)
        if cached is not None:
            return cached
        with self._load_lock:
            if key not in self._models:
                logger.info("Loading %s model %s from %s", self.name, entry.repo, key)
                self._models[key] = (self._load(entry), threading.Lock())
            return self._models[key]


class MarianBackend(Seq2SeqBackend):
    """transformers MarianMT / NLLB on CPU: greedy, batched, output length tied to the input."""

    name = "marian"

    def model_dir(self, entry: ModelEntry) -> Path:
        return hf_dir(entry, self.models_dir)

    def is_ready(self, entry: ModelEntry) -> bool:
        return has_weights(self.model_dir(entry))

    def _load(self, entry: ModelEntry) -> Any:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if self.threads:
            torch.set_num_threads(self.threads)  # process-wide: every torch model shares the pool
        directory = self.model_dir(entry)
        tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(directory, local_files_only=True).to("cpu").eval()
        return tokenizer, model

    def _run(self, model: Any, entry: ModelEntry, texts: list[str]) -> list[str]:
        import torch

        tokenizer, seq2seq = model
        batch = encode(tokenizer, entry, texts, self.max_input_tokens, padding=True, return_tensors="pt")
        longest = int(batch["attention_mask"].sum(dim=1).max())
        extra: dict[str, Any] = {}
        if entry.architecture == "nllb":
            extra["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(entry.tgt_code)
        with torch.inference_mode():
            output = seq2seq.generate(
                **batch, num_beams=1, do_sample=False,
                max_new_tokens=max_new_tokens(longest, self.max_output_tokens), **extra)
        return [text.strip() for text in tokenizer.batch_decode(output, skip_special_tokens=True)]


def encode(tokenizer: Any, entry: ModelEntry, texts: list[str], max_tokens: int, **kwargs: Any) -> Any:
    """Tokenize source texts the way the model was trained: language token prefix (Marian) or src_lang (NLLB)."""
    if entry.architecture == "nllb":
        tokenizer.src_lang = entry.src_code  # callers hold the model's lock: the tokenizer is shared by pairs
    if entry.prefix:
        texts = [f"{entry.prefix} {text}" for text in texts]
    batch = tokenizer(texts, truncation=True, max_length=max_tokens, **kwargs)
    lengths = [len(ids) for ids in batch["input_ids"]]
    if lengths and max(lengths) >= max_tokens:
        logger.warning("%s: input truncated to %d tokens", entry.repo, max_tokens)
    return batch
