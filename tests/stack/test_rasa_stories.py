"""`rasa test` conversation tests (bot/tests/test_stories.yml): NLU and next-action predictions per flow."""

import subprocess

import pytest

from database.settings import REPO_ROOT
from runtime.environment import rasa_environment
from tests.conftest import TEST_VAR

pytestmark = pytest.mark.stack


def test_every_conversation_story_passes(trained_model):
    out = TEST_VAR / "rasa-test"
    result = subprocess.run(
        [str(REPO_ROOT / ".venv-rasa" / "bin" / "rasa"), "test", "core", "--model", str(trained_model),
         "--stories", "bot/tests/test_stories.yml", "--out", str(out)],
        cwd=REPO_ROOT, env=rasa_environment(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    failed = (out / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in failed, failed
