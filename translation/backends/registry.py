"""Backend name -> class; `TRANSLATION_BACKENDS` picks which are tried, in order, for each language pair."""

import importlib
import logging

from translation.backends.base import TranslationBackend
from translation.settings import get_settings

logger = logging.getLogger(__name__)

BACKENDS = {
    "bergamot": "translation.backends.bergamot:BergamotBackend",
    "ctranslate2": "translation.backends.ctranslate2_backend:CTranslate2Backend",
    "marian": "translation.backends.marian:MarianBackend",
    "apertium": "translation.backends.apertium:ApertiumBackend",
}


def create_backend(name: str) -> TranslationBackend:
    module_name, class_name = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)()


def configured_backends() -> list[TranslationBackend]:
    backends = []
    for name in get_settings().backends:
        if name not in BACKENDS:
            raise ValueError(f"unknown translation backend {name!r}; known: {', '.join(BACKENDS)}")
        try:
            backends.append(create_backend(name))
        except ImportError as error:  # an optional engine (ctranslate2, torch) is not installed
            logger.warning("translation backend %s unavailable: %s", name, error)
    return backends
