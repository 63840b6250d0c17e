"""Train the Rasa model when (and only when) its inputs changed, keyed by a fingerprint of those inputs."""

import hashlib
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from database.settings import REPO_ROOT
from runtime.environment import rasa_environment

TRAINING_INPUTS = ["config.yml", "bot/domain", "bot/data", "bot/components", "bot/requirements.txt"]


class TrainingFailed(RuntimeError):
    pass


def _input_files(root: Path) -> list[Path]:
    files: list[Path] = []
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


def model_path(models_dir: Path, fingerprint: str) -> Path:
    return models_dir / f"{fingerprint}.tar.gz"


#: A symbolic link beside the models to the active one: what a (re)started Rasa server loads, here or in a
#: container that shares the models' folder, without reading the database.
ACTIVE_MODEL_LINK = "active.tar.gz"


def point_active_model(model: Path) -> None:
    """Make the active-model link beside `model` point to it (replaced in one step: a starting Rasa never sees
    it missing)."""
    link = model.parent / ACTIVE_MODEL_LINK
    staged = model.parent / f".{ACTIVE_MODEL_LINK}.{os.getpid()}"
    staged.unlink(missing_ok=True)
    staged.symlink_to(model.name)
    os.replace(staged, link)


def active_model_path(*, models_dir: Path, fallback: Path) -> Path:
    """The model the active-model link points to; `fallback` before the first activation or when its file is
    gone."""
    link = models_dir / ACTIVE_MODEL_LINK
    return link.resolve() if link.exists() else fallback


def _run_streaming(command: list[str], *, cwd: Path, env: dict[str, str], on_output: Callable[[str], None]) -> int:
    """Run a command, handing each output line (progress bars' carriage-return updates too) to on_output."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buffer = b""
    while chunk := process.stdout.read1(4096):
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for line in lines:
            if line.strip():
                on_output(line.decode(errors="replace"))
    if buffer.strip():
        on_output(buffer.decode(errors="replace"))
    return process.wait()


def train(
    *, rasa_venv: Path, models_dir: Path, force: bool = False, root: Path = REPO_ROOT,
    on_output: Callable[[str], None] | None = None,
) -> Path:
    """Return the model for the training inputs under `root`, training it first if it does not exist.

    Rasa's output goes to stdout, or line by line to `on_output` (the training jobs' progress and log).
    """
    fingerprint = data_fingerprint(root)
    target = model_path(models_dir, fingerprint)
    say = on_output or (lambda line: print(line, flush=True))
    if target.exists() and not force:
        say(f"Rasa model up to date: {target.relative_to(root) if target.is_relative_to(root) else target}")
        return target
    say(f"Training the Rasa model (data fingerprint {fingerprint}); this takes about a minute...")
    command = [
        str(rasa_venv / "bin" / "rasa"), "train",
        "--config", "config.yml", "--domain", "bot/domain", "--data", "bot/data",
        "--out", str(models_dir), "--fixed-model-name", fingerprint,
    ]
    if on_output is None:
        returncode = subprocess.run(command, cwd=root, env=rasa_environment(root)).returncode
    else:
        returncode = _run_streaming(command, cwd=root, env=rasa_environment(root), on_output=on_output)
    if returncode != 0 or not target.exists():
        raise TrainingFailed(f"rasa train failed (exit code {returncode}); see the output above")
    say(f"Trained: {target}")
    return target
