"""Apertium rule-based translation (Debian packages `apertium` + `apertium-en-es`): gist-quality en<->es that
runs offline, ~0.15 s per call. Tried after the neural backends, so an installed model always wins."""

import shutil
import subprocess
from functools import lru_cache

from translation.backends.base import TranslationError

#: Apertium's mode names for the language pairs of the assistant.
MODES = {("en", "es"): "eng-spa", ("es", "en"): "spa-eng"}


@lru_cache
def _installed_modes() -> frozenset[str]:
    if shutil.which("apertium") is None:
        return frozenset()
    result = subprocess.run(["apertium", "-l"], capture_output=True, text=True, timeout=10)
    return frozenset(result.stdout.split())


class ApertiumBackend:
    name = "apertium"

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        mode = MODES.get((src_lang, tgt_lang))
        return mode is not None and mode in _installed_modes()

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        if not self.supports(src_lang=src_lang, tgt_lang=tgt_lang):
            raise TranslationError(f"apertium has no {src_lang}->{tgt_lang} mode installed")
        # One line per text: Apertium translates line by line and keeps the line structure.
        lines = "\n".join(" ".join(text.split()) for text in texts)
        try:
            result = subprocess.run(["apertium", "-u", MODES[(src_lang, tgt_lang)]], input=lines, capture_output=True,
                                    text=True, timeout=30, check=True)
        except (subprocess.SubprocessError, OSError) as error:
            raise TranslationError(f"apertium {src_lang}->{tgt_lang}: {error}") from error
        out = result.stdout.rstrip("\n").split("\n")
        if len(out) != len(texts):
            raise TranslationError(f"apertium returned {len(out)} lines for {len(texts)} texts")
        return out
