"""Environment of the processes run from Rasa's venv."""

import os
from pathlib import Path

from database.settings import REPO_ROOT


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
