"""Check training inputs before training, and say what is wrong in plain words: which file, which line."""

import re
import subprocess
from pathlib import Path

import yaml

from learning.exceptions import InvalidTrainingData
from learning.export import ADMIN_FILE, Export
from runtime.environment import rasa_environment

#: Lines of `rasa data validate` output worth showing an admin (the rest is TensorFlow and Rasa noise).
_PROBLEM = re.compile(r"(?i)\b(error|invalid|exception|failed|duplicate|conflict|not found|unknown)\b")


def describe_path(export: Export, path: str | Path) -> str:
    """The file an admin knows: the repository path, or the examples admins added (database)."""
    text = str(path)
    relative = text.replace(str(export.root) + "/", "")
    if relative.endswith(f"/{ADMIN_FILE}") and relative.startswith("bot/"):
        return f"what admins added in the console ({relative})"
    return relative


def check_yaml_syntax(export: Export) -> None:
    for path in sorted((export.root / "bot").rglob("*.yml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise InvalidTrainingData(f"{describe_path(export, path)}{where}: not valid YAML ({problem})") from error
        except UnicodeDecodeError as error:
            raise InvalidTrainingData(f"{describe_path(export, path)}: not UTF-8 text") from error


def validate(export: Export, *, rasa_venv: Path, on_output=print) -> None:
    """YAML syntax first (fast, exact lines), then `rasa data validate` (domain, stories, rules, examples)."""
    check_yaml_syntax(export)
    command = [str(rasa_venv / "bin" / "rasa"), "data", "validate", "--domain", "bot/domain", "--data", "bot/data",
               "--config", "config.yml"]
    result = subprocess.run(command, cwd=export.root, env=rasa_environment(export.root), capture_output=True,
                            text=True, errors="replace")
    output = (result.stdout + "\n" + result.stderr).splitlines()
    for line in output:
        if line.strip():
            on_output(line.replace(str(export.root) + "/", ""))
    if result.returncode != 0:
        problems = [describe_path(export, line.strip()) for line in output if _PROBLEM.search(line)]
        summary = "; ".join(dict.fromkeys(problems[-8:])) or f"rasa data validate exited with {result.returncode}"
        raise InvalidTrainingData(f"the training data is not valid: {summary}")
