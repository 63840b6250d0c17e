"""The held-out evaluation set (bot/tests/heldout.jsonl) is well formed and shares no row with the training data."""

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "bot" / "tests" / "heldout.jsonl"
LANGUAGES = {"en", "es", "pt", "fr", "de", "it", "ar", "tr", "ru", "zh", "ja", "ko", "id", "vi", "th", "ms"}
MIN_ROWS_PER_LANGUAGE = 15
ENTITY = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def normalized_keys(text: str) -> set[str]:
    """Case-insensitive keys with punctuation stripped, under two normalisations.

    The first is the one tests/test_training_data.py uses; it turns Thai vowel and tone marks (not `\\w`) into
    spaces, so the second one (drop punctuation, symbols and whitespace by Unicode category) is checked as well.
    """
    text = ENTITY.sub(r"\1", text)
    words = re.sub(r"[^\w]+", " ", text.lower()).strip()
    folded = unicodedata.normalize("NFKC", text).casefold()
    compact = "".join(char for char in folded if unicodedata.category(char)[0] not in "PSZC")
    return {words, compact}


def training_texts() -> set[str]:
    keys: set[str] = set()
    for path in sorted((REPO / "bot" / "data").rglob("*.yml")):
        for item in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" in item:
                for line in item["examples"].splitlines():
                    if line.strip().startswith("- "):
                        keys |= normalized_keys(line.strip()[2:])
    return keys


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (REPO / "bot" / "domain").glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text()).get("intents") or [])
    return intents


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in HELDOUT.read_text().splitlines() if line.strip()]


def test_rows_have_text_intent_and_language(rows):
    fields = {"text", "intent", "language"}
    bad = [row for row in rows if set(row) != fields or not all(isinstance(v, str) and v.strip() for v in row.values())]
    assert not bad


def test_every_intent_is_a_domain_intent(rows):
    assert not {row["intent"] for row in rows} - domain_intents()


def test_every_language_is_supported(rows):
    assert not {row["language"] for row in rows} - LANGUAGES


def test_no_row_is_repeated(rows):
    seen: set[str] = set()
    repeated = []
    for row in rows:
        keys = normalized_keys(row["text"])
        if keys & seen:
            repeated.append(row["text"])
        seen |= keys
    assert not repeated


def test_no_row_is_in_the_training_data(rows):
    training = training_texts()
    assert not [row["text"] for row in rows if normalized_keys(row["text"]) & training]


def test_every_language_has_enough_rows(rows):
    counts = Counter(row["language"] for row in rows)
    assert {language: counts[language] for language in LANGUAGES if counts[language] < MIN_ROWS_PER_LANGUAGE} == {}
