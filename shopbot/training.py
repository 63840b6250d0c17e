"""Train the Rasa model when (and only when) its inputs changed, keyed by a fingerprint of those inputs."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from database.settings import REPO_ROOT

TRAINING_INPUTS = ["config.yml", "bot/domain", "bot/data", "bot/components", "bot/requirements.txt"]


class TrainingFailed(RuntimeError):
    pass


def _input_files(root: Path) -> list[Path]:
    files = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py"})
        elif path.is_file():
            files.append(path)
    return sorted(files)


def data_fingerprint(root: Path = REPO_ROOT) -> str:
    """sha256 over the relative paths and contents of everything `rasa train` reads."""
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rasa_environment(root: Path = REPO_ROOT) -> dict[str, str]:
    """Environment for processes of Rasa's venv: the repository importable, Rasa's noise silenced."""
    return {
        **os.environ,
        "PYTHONPATH": str(root),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONWARNINGS": "ignore",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def model_path(models_dir: Path, fingerprint: str) -> Path:
    return models_dir / f"{fingerprint}.tar.gz"


def train(*, rasa_venv: Path, models_dir: Path, force: bool = False, root: Path = REPO_ROOT) -> Path:
    """Return the model for the current training data, training it first if it does not exist."""
    fingerprint = data_fingerprint(root)
    target = model_path(models_dir, fingerprint)
    if target.exists() and not force:
        print(f"Rasa model up to date: {target.relative_to(root) if target.is_relative_to(root) else target}")
        return target
    print(f"Training the Rasa model (data fingerprint {fingerprint}); this takes about a minute...", flush=True)
    command = [
        str(rasa_venv / "bin" / "rasa"), "train",
        "--config", "config.yml", "--domain", "bot/domain", "--data", "bot/data",
        "--out", str(models_dir), "--fixed-model-name", fingerprint,
    ]
    result = subprocess.run(command, cwd=root, env=rasa_environment(root), stdout=sys.stdout, stderr=sys.stderr)
    if result.returncode != 0 or not target.exists():
        raise TrainingFailed(f"rasa train failed (exit code {result.returncode}); see the output above")
    print(f"Trained: {target}", flush=True)
    return target
