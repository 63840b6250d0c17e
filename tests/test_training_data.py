"""The training data covers the intent catalogue and never contains the rows the assistant is measured on."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.understanding import BOT_ONLY_INTENTS
from translation.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def normalized(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


#: The questions most shoppers ask, which every language must cover in its own words.
COMMON_QUESTIONS = ("order_status", "cancel_order", "return_item", "refund_request", "refund_status",
                    "delivery_options", "delivery_time", "payment_methods", "payment_problem", "complaint",
                    "human_handoff")


def training_examples_by_language() -> list[tuple[str, str, str]]:
    """(intent, text, language) of every example under bot/data/nlu."""
    examples = []
    for path in sorted((REPO / "bot" / "data" / "nlu").rglob("*.yml")):
        for item in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in item:
                language = (item.get("metadata") or {}).get("language", "en")
                examples += [(item["intent"], line.strip()[2:], language) for line in item["examples"].splitlines()
                             if line.strip().startswith("- ")]
    return examples


def training_examples() -> list[tuple[str, str]]:
    return [(intent, text) for intent, text, _ in training_examples_by_language()]


def catalogue() -> dict:
    return yaml.safe_load((SHARED / "intents.yml").read_text())["intents"]


def test_every_catalogue_intent_has_at_least_30_examples():
    counts = Counter(intent for intent, _ in training_examples())
    thin = {name: counts[name] for name in catalogue() if counts[name] < 30}
    assert not thin


def test_every_language_has_at_least_15_examples_of_each_common_question():
    counts = Counter((language, intent) for intent, _, language in training_examples_by_language())
    thin = {(language, intent): counts[language, intent] for language in get_settings().languages
            for intent in COMMON_QUESTIONS if counts[language, intent] < 15}
    assert not thin


def test_every_catalogue_intent_is_in_the_domain_and_the_bots_own_are_known_to_the_parse_api():
    domain_intents = set()
    for path in (REPO / "bot" / "domain").glob("*.yml"):
        domain_intents.update(yaml.safe_load(path.read_text()).get("intents") or [])
    assert set(catalogue()) <= domain_intents
    assert domain_intents - set(catalogue()) == BOT_ONLY_INTENTS  # what /api/v1/parse reports as out_of_scope


def test_no_example_is_in_two_intents():
    owners: dict[str, set[str]] = {}
    for intent, text in training_examples():
        owners.setdefault(normalized(text), set()).add(intent)
    assert not {text: intents for text, intents in owners.items() if len(intents) > 1}


@pytest.mark.skipif(not (SHARED / "evaldata").exists(), reason="shared evaluation data not present")
def test_no_evaluation_row_is_in_the_training_data():
    """Short generic phrases ('hi', 'thanks') are bound to coincide; longer rows must never appear. HINT3's
    real shoppers' messages and its designers' examples are measured on, never trained on."""
    evaluation = set()
    for name in ("bitext_customer_support_en.dev.jsonl", "clinc150.train_val.jsonl", "xsid.valid.jsonl",
                 "hint3_ecommerce.dev.jsonl"):
        for line in (SHARED / "evaldata" / name).open():
            text = normalized(json.loads(line)["text"])
            if len(text.split()) >= 4:
                evaluation.add(text)
    leaked = sorted({text for _, text in training_examples() if normalized(text) in evaluation})
    assert not leaked


#: Characters of scripts written without spaces between words (Chinese, Japanese, Thai): their turns count as
#: long by characters, not words.
UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff]")


def test_no_automation_bench_turn_is_in_the_training_data():
    """bench/automation/<lang>.yml scores the assistant on the team's scripted conversations: training on their
    turns would fake that bench. Short replies ('yes', 'thanks', an order number) are bound to coincide; longer
    turns must never appear verbatim (placeholders such as {order} left out)."""
    turns = set()
    for path in sorted((REPO / "bench" / "automation").glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            for turn in conversation["turns"]:
                text = normalized(re.sub(r"\{\w+\}", " ", turn))
                if len(text.split()) >= 4 or len(UNSPACED.findall(text)) >= 8:
                    turns.add(text)
    leaked = sorted({text for _, text in training_examples()
                     if normalized(re.sub(r"\[([^\]]+)\]\((order_id|email)\)", " ", text)) in turns})
    assert not leaked
