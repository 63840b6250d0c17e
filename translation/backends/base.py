"""The interface every machine-translation backend implements."""

from typing import Protocol


class TranslationError(Exception):
    """A backend could not translate (no model for the pair, a failing model, bad input)."""


class TranslationBackend(Protocol):
    #: Short name stored with each translated message ("bergamot", "marian", "ctranslate2", "apertium"; the
    #: service stores "identity" for text that needed no translation).
    name: str

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        """Whether a model for this pair is installed (cheap: no model is loaded)."""
        ...

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        """Translate a batch; one output per input, in order. Raises TranslationError."""
        ...
