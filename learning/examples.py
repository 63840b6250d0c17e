"""Training examples and intents that admins add, kept in the database with who and when."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.exceptions import InvalidTrainingData, UnknownIntent
from learning.models import IntentDefinition, ResponseText, TrainingExample
from learning.settings import get_settings
from translation.responses import BOT_LANGUAGE
from translation.settings import get_settings as get_translation_settings

INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
MAX_EXAMPLE_CHARS = 500


@dataclass(frozen=True)
class ExampleIn:
    text: str
    language: str = BOT_LANGUAGE
    text_en: str | None = None


@lru_cache(maxsize=4)
def _domain_intents(domain_dir: Path, _mtime: float) -> frozenset[str]:
    intents: set[str] = set()
    for path in domain_dir.glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            intents.add(item if isinstance(item, str) else next(iter(item)))
    return frozenset(intents)


def domain_intents() -> frozenset[str]:
    """The intents of the shipped domain (bot/domain/*.yml)."""
    domain_dir = get_settings().domain_dir
    return _domain_intents(domain_dir, max(p.stat().st_mtime for p in domain_dir.glob("*.yml")))


def known_intents(db_session: Session) -> set[str]:
    created = db_session.scalars(select(IntentDefinition.name)).all()
    return set(domain_intents()) | set(created)


def created_intents(db_session: Session) -> list[IntentDefinition]:
    return list(db_session.scalars(select(IntentDefinition).order_by(IntentDefinition.name)))


def response_key(intent: str) -> str:
    return f"utter_{intent}"


def _check_language(language: str) -> None:
    configured = get_translation_settings().languages
    if language not in configured:
        raise InvalidTrainingData(f"language {language!r} is not configured; use one of {', '.join(configured)}")


def _check_example(example: ExampleIn) -> None:
    _check_language(example.language)
    if not example.text.strip():
        raise InvalidTrainingData("an example is empty")
    if len(example.text) > MAX_EXAMPLE_CHARS:
        raise InvalidTrainingData(f"an example is longer than {MAX_EXAMPLE_CHARS} characters")
    if "\n" in example.text.strip():
        raise InvalidTrainingData("an example must be a single line")


def add_examples(
    *, db_session: Session, intent: str, examples: list[ExampleIn], created_by: str, message_id: int | None = None
) -> list[TrainingExample]:
    """Store examples for a known intent; an example already stored for the intent is not stored twice."""
    if intent not in known_intents(db_session):
        raise UnknownIntent(f"no intent {intent!r}; create it first (with its response)")
    stored = []
    for example in examples:
        _check_example(example)
        text = example.text.strip()
        duplicate = db_session.scalar(select(TrainingExample).where(
            TrainingExample.intent == intent, TrainingExample.language == example.language,
            TrainingExample.text == text))
        if duplicate is not None:
            stored.append(duplicate)
            continue
        row = TrainingExample(intent=intent, text=text, language=example.language,
                              text_en=(example.text_en or "").strip() or None, message_id=message_id,
                              created_by=created_by)
        db_session.add(row)
        stored.append(row)
    db_session.flush()
    return stored


def counts_by_intent(db_session: Session) -> dict[str, int]:
    """How many examples admins added per intent."""
    query = select(TrainingExample.intent, func.count()).group_by(TrainingExample.intent)
    return {intent: count for intent, count in db_session.execute(query)}


def list_examples(*, db_session: Session, intent: str | None = None, limit: int = 500) -> list[TrainingExample]:
    query = select(TrainingExample).order_by(TrainingExample.id.desc()).limit(limit)
    if intent:
        query = query.where(TrainingExample.intent == intent)
    return list(db_session.scalars(query))


def create_intent(
    *, db_session: Session, name: str, description: str, responses: dict[str, str], examples: list[ExampleIn],
    created_by: str,
) -> IntentDefinition:
    """A new intent with its response (English required; other languages optional, else machine-translated)."""
    if not INTENT_NAME.match(name):
        raise InvalidTrainingData(f"{name!r} is not a valid intent name: use 3-64 lowercase letters, digits "
                                  "and underscores, starting with a letter")
    if name in known_intents(db_session):
        raise InvalidTrainingData(f"intent {name!r} already exists")
    if not (responses.get(BOT_LANGUAGE) or "").strip():
        raise InvalidTrainingData("a new intent needs its response in English")
    intent = IntentDefinition(name=name, description=description, created_by=created_by)
    db_session.add(intent)
    db_session.flush()
    for language, text in responses.items():
        set_response(db_session=db_session, key=response_key(name), language=language, text=text,
                     updated_by=created_by)
    add_examples(db_session=db_session, intent=name, examples=examples, created_by=created_by)
    return intent


def set_response(*, db_session: Session, key: str, language: str, text: str, updated_by: str) -> ResponseText:
    _check_language(language)
    if not text.strip():
        raise InvalidTrainingData(f"the {language} response text is empty")
    row = db_session.scalar(select(ResponseText).where(ResponseText.key == key, ResponseText.language == language))
    if row is None:
        row = ResponseText(key=key, language=language, text=text.strip(), updated_by=updated_by)
        db_session.add(row)
    else:
        row.text, row.updated_by = text.strip(), updated_by
    return row


def admin_responses(db_session: Session) -> dict[str, dict[str, str]]:
    """{language: {key: text}} for the response catalog."""
    texts: dict[str, dict[str, str]] = {}
    for row in db_session.scalars(select(ResponseText)):
        texts.setdefault(row.language, {})[row.key] = row.text
    return texts


def _node_value(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    return None


def parse_nlu_yaml(content: str) -> list[tuple[str, ExampleIn, int]]:
    """(intent, example, line) for every example of a Rasa NLU YAML file; errors say which line and why."""
    try:
        root = yaml.compose(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InvalidTrainingData(f"{where}not valid YAML ({getattr(error, 'problem', None) or error})") from error
    nlu = _node_value(root, "nlu") if root is not None else None
    if not isinstance(nlu, yaml.SequenceNode):
        raise InvalidTrainingData("line 1: a training file needs a top-level 'nlu:' list "
                                  "(see bot/data/nlu/*.yml for the format)")
    rows = []
    for item in nlu.value:
        line = item.start_mark.line + 1
        intent = _node_value(item, "intent")
        examples = _node_value(item, "examples")
        if intent is None or examples is None:
            raise InvalidTrainingData(f"line {line}: each entry needs 'intent:' and 'examples:'")
        language_node = _node_value(_node_value(item, "metadata") or yaml.MappingNode("", []), "language")
        language = language_node.value if language_node is not None else BOT_LANGUAGE
        if not isinstance(examples, yaml.ScalarNode):
            raise InvalidTrainingData(f"line {examples.start_mark.line + 1}: 'examples' must be a block of "
                                      "'- example' lines (examples: |)")
        for offset, text in enumerate(examples.value.splitlines()):
            example_line = examples.start_mark.line + 2 + offset
            if not text.strip():
                continue
            if not text.lstrip().startswith("- "):
                raise InvalidTrainingData(f"line {example_line}: an example line must start with '- '")
            rows.append((intent.value, ExampleIn(text=text.lstrip()[2:].strip(), language=language), example_line))
    if not rows:
        raise InvalidTrainingData("the file has no examples")
    return rows


def import_nlu_yaml(*, db_session: Session, content: str, created_by: str) -> int:
    """Store every example of an NLU YAML file, or none if any line is wrong."""
    rows = parse_nlu_yaml(content)
    known = known_intents(db_session)
    for intent, example, line in rows:
        if intent not in known:
            raise InvalidTrainingData(f"line {line}: no intent {intent!r}; create it first (with its response)")
        try:
            _check_example(example)
        except InvalidTrainingData as error:
            raise InvalidTrainingData(f"line {line}: {error}") from None
    for intent, example, _ in rows:
        add_examples(db_session=db_session, intent=intent, examples=[example], created_by=created_by)
    return len(rows)
