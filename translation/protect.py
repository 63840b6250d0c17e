"""Keep what must not be translated out of machine translation.

Order numbers, amounts with a currency, e-mail addresses, URLs, phone numbers and glossary terms (brand and
product names from the shop's do-not-translate list) are replaced by `[0]`, `[1]`, ... before MT (measured:
the models pass such tokens through; `#85632` itself came back as `(85632)`) and put back afterwards. A
translation that lost, duplicated or invented a placeholder is rejected by `restore`.
"""

import re
from dataclasses import dataclass

_CURRENCY = r"(?:US\$|R\$|RM|Rp|S\$|[$€£¥₫฿₺₽₩₹]|USD|EUR|GBP|SAR|AED|EGP|MXN|BRL|IDR|MYR|THB|VND|TRY|RUB|JPY|KRW|CNY)"
_AMOUNT = r"\d[\d.,\u00a0 ]*\d|\d"
_PATTERNS = [
    r"https?://[^\s<>\"]+|www\.[^\s<>\"]+",                                   # URLs
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",                                        # e-mail addresses
    rf"{_CURRENCY}\s?(?:{_AMOUNT})|(?:{_AMOUNT})\s?{_CURRENCY}",            # amounts with a currency
    r"\+\d[\d\s().-]{6,}\d",                                                # phone numbers (international form)
    r"#?\b(?:[A-Za-z]{1,3}-)?\d{5,}\b|#\d+",                                # order numbers, tracking numbers
    r"\b[A-Z]{2,5}\d{6,}\b",                                                # tracking codes such as TRK4926226243
    r"\[\d+\]",                                                             # text that looks like a placeholder
]
_PLACEHOLDER = re.compile(r"\[(\d+)\]")


class PlaceholderMismatch(ValueError):
    """The translation lost, duplicated or invented a protected value."""


@dataclass(frozen=True)
class ProtectedText:
    text: str
    values: list[str]


def _pattern(glossary: list[str]) -> re.Pattern[str]:
    terms = sorted({term for term in glossary if term.strip()}, key=len, reverse=True)
    parts = [rf"(?<!\w){re.escape(term)}(?!\w)" for term in terms] + _PATTERNS
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def protect(text: str, glossary: list[str] | None = None) -> ProtectedText:
    values: list[str] = []

    def hold(match: re.Match[str]) -> str:
        values.append(match.group(0))
        return f"[{len(values) - 1}]"

    return ProtectedText(_pattern(glossary or []).sub(hold, text), values)


def restore(translated: str, values: list[str]) -> str:
    """Put the protected values back; raise PlaceholderMismatch unless each placeholder appears exactly once."""
    found = [int(n) for n in _PLACEHOLDER.findall(translated)]
    if sorted(found) != list(range(len(values))):
        raise PlaceholderMismatch(f"expected placeholders 0..{len(values) - 1}, found {found}")
    return _PLACEHOLDER.sub(lambda m: values[int(m.group(1))], translated)


def segments(protected: ProtectedText) -> list[str]:
    """The text between placeholders, for translating piece by piece when a whole translation failed."""
    return _PLACEHOLDER.split(protected.text)[::2]
