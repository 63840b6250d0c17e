"""Machine translation with protected values, verification, a translation memory and per-pair backends."""

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telemetry.instruments import MT_ERRORS
from translation.backends.base import TranslationBackend, TranslationError
from translation.models import TranslationMemory
from translation.protect import PlaceholderMismatch, protect, restore, segments

logger = logging.getLogger(__name__)

GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.yml"
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Translation:
    text: str
    backend: str
    milliseconds: float
    cached: bool = False


def load_glossary(path: Path = GLOSSARY_PATH) -> list[str]:
    return [str(term) for term in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("terms", [])]


def _same_numbers(source: str, translated: str) -> bool:
    """No digit run added, lost or altered (amounts and order numbers are protected; this catches the rest)."""
    return sorted(_DIGITS.findall(source)) == sorted(_DIGITS.findall(translated))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TranslationService:
    def __init__(self, backends: list[TranslationBackend], glossary: list[str] | None = None) -> None:
        self.backends = backends
        self.glossary = glossary if glossary is not None else load_glossary()

    def backend_for(self, *, src_lang: str, tgt_lang: str) -> TranslationBackend | None:
        return next((b for b in self.backends if b.supports(src_lang=src_lang, tgt_lang=tgt_lang)), None)

    def translate(self, text: str, *, src_lang: str, tgt_lang: str) -> Translation | None:
        """The translation, or None when no model covers the pair or no verified translation was possible."""
        if src_lang == tgt_lang:
            return Translation(text, "identity", 0.0)
        backend = self.backend_for(src_lang=src_lang, tgt_lang=tgt_lang)
        if backend is None:
            return None
        start = time.perf_counter()
        try:
            translated = self._translate_verified(backend, text, src_lang, tgt_lang)
        except TranslationError as error:
            logger.warning("translation failed (%s %s->%s): %s", backend.name, src_lang, tgt_lang, error)
            MT_ERRORS.labels(backend.name, src_lang, tgt_lang).inc()
            return None
        if translated is None:
            logger.warning("rejected %s %s->%s translation: protected values not kept", backend.name, src_lang,
                           tgt_lang)
            MT_ERRORS.labels(backend.name, src_lang, tgt_lang).inc()
            return None
        return Translation(translated, backend.name, (time.perf_counter() - start) * 1000)

    def _translate_verified(self, backend: TranslationBackend, text: str, src: str, tgt: str) -> str | None:
        protected = protect(text, self.glossary)
        [whole] = backend.translate([protected.text], src_lang=src, tgt_lang=tgt)
        try:
            result = restore(whole, protected.values)
            if _same_numbers(text, result):
                return result
        except PlaceholderMismatch:
            pass
        if not protected.values:
            return None
        # Retry piece by piece: the protected values then stay where the source had them.
        pieces = segments(protected)
        to_translate = [piece for piece in pieces if piece.strip()]
        translated = iter(backend.translate(to_translate, src_lang=src, tgt_lang=tgt)) if to_translate else iter(())
        out = []
        for index, piece in enumerate(pieces):
            out.append(_keep_spacing(piece, next(translated)) if piece.strip() else piece)
            if index < len(protected.values):
                out.append(protected.values[index])
        result = "".join(out)
        return result if _same_numbers(text, result) else None

    def translate_cached(
        self, text: str, *, src_lang: str, tgt_lang: str, db_session: Session
    ) -> Translation | None:
        """Like translate, through the translation memory (for texts that recur: the bot's responses)."""
        if src_lang == tgt_lang:
            return Translation(text, "identity", 0.0)
        key = _hash(text)
        query = select(TranslationMemory).where(
            TranslationMemory.src_lang == src_lang, TranslationMemory.tgt_lang == tgt_lang,
            TranslationMemory.source_hash == key,
        )
        hit = db_session.scalars(query).first()
        if hit is not None:
            return Translation(hit.translated_text, hit.backend, 0.0, cached=True)
        translation = self.translate(text, src_lang=src_lang, tgt_lang=tgt_lang)
        if translation is not None:
            try:
                with db_session.begin_nested():
                    db_session.add(TranslationMemory(src_lang=src_lang, tgt_lang=tgt_lang, source_hash=key,
                                                     source_text=text, translated_text=translation.text,
                                                     backend=translation.backend))
            except IntegrityError:  # another request stored it first
                pass
        return translation


def _keep_spacing(original: str, translated: str) -> str:
    leading = original[: len(original) - len(original.lstrip())]
    trailing = original[len(original.rstrip()):]
    return leading + translated.strip() + trailing


@lru_cache
def get_translation_service() -> TranslationService:
    from translation.backends.registry import configured_backends

    return TranslationService(configured_backends())
