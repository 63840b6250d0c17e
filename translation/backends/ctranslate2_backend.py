"""The same models converted to CTranslate2 int8 (`shopbot models convert`): about 2x faster than transformers fp32.

ctranslate2 is an optional dependency, imported only when a model loads. The tokenizer still comes from the
downloaded Hugging Face directory; the converted directory holds the weights.
"""

import importlib.util
from pathlib import Path
from typing import Any

from translation.backends.marian import Seq2SeqBackend, encode, max_new_tokens
from translation.manifest import ModelEntry, ct2_dir, has_ct2_model, hf_dir


def ctranslate2_available() -> bool:
    return importlib.util.find_spec("ctranslate2") is not None


class CTranslate2Backend(Seq2SeqBackend):
    name = "ctranslate2"

    def __init__(self, models_dir: Path | None = None, *, compute_type: str = "int8", **kwargs: Any) -> None:
        super().__init__(models_dir, **kwargs)
        self.compute_type = compute_type

    def model_dir(self, entry: ModelEntry) -> Path:
        return ct2_dir(entry, self.models_dir)

    def is_ready(self, entry: ModelEntry) -> bool:
        return (ctranslate2_available() and has_ct2_model(self.model_dir(entry))
                and (hf_dir(entry, self.models_dir) / "tokenizer_config.json").is_file())

    def _load(self, entry: ModelEntry) -> Any:
        import ctranslate2
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(hf_dir(entry, self.models_dir), local_files_only=True)
        translator = ctranslate2.Translator(
            str(self.model_dir(entry)), device="cpu", compute_type=self.compute_type,
            intra_threads=self.threads or 0, inter_threads=1)
        return tokenizer, translator

    def _run(self, model: Any, entry: ModelEntry, texts: list[str]) -> list[str]:
        tokenizer, translator = model
        ids = encode(tokenizer, entry, texts, self.max_input_tokens)["input_ids"]
        sources = [tokenizer.convert_ids_to_tokens(row) for row in ids]
        longest = max(len(tokens) for tokens in sources)
        # NLLB starts the output with the target language code; CTranslate2 takes it as a forced prefix.
        prefix = [[entry.tgt_code]] * len(sources) if entry.architecture == "nllb" else None
        results = translator.translate_batch(
            sources, target_prefix=prefix, beam_size=1,
            max_decoding_length=max_new_tokens(longest, self.max_output_tokens) + (1 if prefix else 0))
        outputs = []
        for result in results:
            tokens = result.hypotheses[0]
            if prefix and tokens[:1] == [entry.tgt_code]:
                tokens = tokens[1:]
            outputs.append(tokenizer.decode(tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True).strip())
        return outputs
