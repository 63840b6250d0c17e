"""Render assistant responses in the conversation's language from the per-language response files.

Rasa and the action server never produce display text: they send payloads such as
`{"response": "utter_order_status_shipped", "vars": {"order_id": "1000042", "expected_date": {"date": "..."}}}`
and this module renders them with `bot/responses/<language>.yml`, formatting dates and money for the locale.
Variable values may be plain strings/numbers or one of:
`{"term": KEY}` (a translated term), `{"date": ISO}`, `{"datetime": ISO with offset}` (weekday and time),
`{"money": [AMOUNT, CURRENCY]}`,
`{"list": [VALUE, ...]}` (joined the locale's way) or a nested payload `{"response": KEY, "vars": {...}}`.
"""

from __future__ import annotations

import logging
import string
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_currency

logger = logging.getLogger(__name__)

RESPONSES_DIR = Path(__file__).resolve().parent.parent / "bot" / "responses"
BOT_LANGUAGE = "en"


class ResponseError(KeyError):
    """A payload names a response key that no language file has."""


class _Vars(dict):
    def __missing__(self, key: str) -> str:
        logger.error("response variable %r missing", key)
        return ""


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(BOT_LANGUAGE)


class ResponseCatalog:
    def __init__(self, directory: Path = RESPONSES_DIR) -> None:
        self.directory = directory
        self._files: dict[str, dict[str, Any]] = {}
        #: Responses admins wrote for intents they created (database), consulted after the files.
        self._admin: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            self._files[data.get("language", path.stem)] = data
        if BOT_LANGUAGE not in self._files:
            raise FileNotFoundError(f"no {BOT_LANGUAGE}.yml in {directory}")

    @property
    def languages(self) -> list[str]:
        return sorted(self._files)

    def set_admin_responses(self, texts: dict[str, dict[str, str]]) -> None:
        """Replace the admin-written responses: {language: {key: text}}."""
        self._admin = texts

    def _responses(self, language: str) -> dict[str, str]:
        return {**self._admin.get(language, {}), **self._files.get(language, {}).get("responses", {})}

    def keys(self, language: str = BOT_LANGUAGE) -> set[str]:
        return set(self._responses(language))

    def is_localized(self, payload: dict[str, Any], language: str) -> bool:
        """Whether the language has every response the payload (and its nested parts) uses."""
        localized = self._responses(language)
        nested = [v for v in (payload.get("vars") or {}).values() if isinstance(v, dict) and "response" in v]
        return payload["response"] in localized and all(
            self.is_localized(part, language) for part in nested + list(payload.get("items") or [])
        )

    def template(self, key: str, language: str) -> tuple[str, str]:
        """The template text for `key` and the language it is written in (English if not translated)."""
        for lang in (language, BOT_LANGUAGE):
            text = self._responses(lang).get(key)
            if text is not None:
                return text, lang
        raise ResponseError(key)

    def term(self, key: str, language: str) -> str:
        for lang in (language, BOT_LANGUAGE):
            text = self._files.get(lang, {}).get("terms", {}).get(key)
            if text is not None:
                return text
        return key.rsplit(".", 1)[-1]

    def _value(self, value: Any, language: str, defaults: dict[str, Any]) -> str:
        if isinstance(value, dict):
            if "term" in value:
                return self.term(value["term"], language)
            if "date" in value:
                return format_date(date.fromisoformat(value["date"][:10]), format="long", locale=_locale(language))
            if "datetime" in value:
                moment = datetime.fromisoformat(value["datetime"])
                return format_datetime(moment, "EEEE HH:mm", tzinfo=moment.tzinfo, locale=_locale(language))
            if "money" in value:
                amount, currency = value["money"]
                return format_currency(Decimal(str(amount)), currency, locale=_locale(language))
            if "list" in value:
                items = [self._value(v, language, defaults) for v in value["list"]]
                return format_list(items, locale=_locale(language)) if items else ""
            if "response" in value:
                return self.render(value, language, defaults)
        return str(value)

    def format_value(self, value: Any, language: str) -> str:
        """One variable as it reads in the language (money, dates, terms), e.g. for a template parameter."""
        return self._value(value, language, {})

    def render(self, payload: dict[str, Any], language: str, defaults: dict[str, Any] | None = None) -> str:
        """The display text of a payload; list `items` are rendered one per line under the main text."""
        defaults = defaults or {}
        template, _ = self.template(payload["response"], language)
        values = _Vars(defaults)
        for name, value in (payload.get("vars") or {}).items():
            values[name] = self._value(value, language, defaults)
        text = string.Formatter().vformat(template, (), values).strip()
        lines = [text] + ["• " + self.render(item, language, defaults) for item in payload.get("items") or []]
        return "\n".join(line for line in lines if line)


@lru_cache
def get_catalog() -> ResponseCatalog:
    return ResponseCatalog()
