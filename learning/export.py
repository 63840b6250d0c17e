"""Training inputs as Rasa reads them: the repository's YAML plus what admins added in the database.

The export mirrors the repository layout (config.yml, bot/domain, bot/data, bot/components), so the export's
data fingerprint equals the repository's when admins added nothing, and the cached model is reused.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from database.settings import REPO_ROOT
from learning.examples import created_intents, response_key
from learning.models import TrainingExample
from learning.settings import get_settings
from runtime.training import data_fingerprint

ADMIN_FILE = "admin.yml"


@dataclass
class Export:
    root: Path
    fingerprint: str
    admin_examples: int


def _nlu_yaml(examples: dict[str, list[str]]) -> str:
    """Rasa NLU YAML; written by hand because examples are a literal block of '- ' lines."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(examples.items()):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in texts]
    return "\n".join(lines) + "\n"


def _admin_examples(db_session: Session) -> dict[str, list[str]]:
    """Each example as written and in English (both are trained, at full weight), without repeats."""
    examples: dict[str, list[str]] = {}
    for row in db_session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        texts = examples.setdefault(row.intent, [])
        for text in (row.text, row.text_en):
            if text and " ".join(text.split()) not in texts:
                texts.append(" ".join(text.split()))
    return examples


def admin_examples_yaml(db_session: Session) -> str:
    """The examples admins added, as Rasa NLU YAML."""
    return _nlu_yaml(_admin_examples(db_session))


def write_export(*, db_session: Session, out_root: Path) -> Export:
    settings = get_settings()
    if out_root.exists():
        shutil.rmtree(out_root)
    bot = out_root / "bot"
    bot.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "config.yml", out_root / "config.yml")
    shutil.copy(REPO_ROOT / "bot" / "__init__.py", bot / "__init__.py")
    shutil.copy(REPO_ROOT / "bot" / "requirements.txt", bot / "requirements.txt")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO_ROOT / "bot" / "components", bot / "components", ignore=ignore)
    shutil.copytree(settings.domain_dir, bot / "domain", ignore=ignore)
    shutil.copytree(settings.data_dir, bot / "data", ignore=ignore)

    examples = _admin_examples(db_session)
    if examples:
        (bot / "data" / "nlu" / ADMIN_FILE).write_text(_nlu_yaml(examples), encoding="utf-8")
    intents = [intent.name for intent in created_intents(db_session)]
    if intents:
        domain = {
            "version": "3.1",
            "intents": intents,
            "responses": {response_key(name): [{"custom": {"response": response_key(name)}}] for name in intents},
        }
        rules = {"version": "3.1", "rules": [
            {"rule": f"answer {name}", "steps": [{"intent": name}, {"action": response_key(name)}]}
            for name in intents
        ]}
        (bot / "domain" / ADMIN_FILE).write_text(yaml.safe_dump(domain, sort_keys=False), encoding="utf-8")
        (bot / "data" / "rules").mkdir(exist_ok=True)
        (bot / "data" / "rules" / ADMIN_FILE).write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return Export(root=out_root, fingerprint=data_fingerprint(out_root),
                  admin_examples=sum(len(texts) for texts in examples.values()))
