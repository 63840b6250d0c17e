"""`rasa test` conversation tests (bot/tests/test_stories.yml) against the running action server."""

import subprocess

import pytest
import yaml

from database.settings import REPO_ROOT
from shopbot.training import rasa_environment
from tests.conftest import TEST_VAR

pytestmark = pytest.mark.stack


def test_every_conversation_story_passes(running_stack, trained_model):
    rasa = running_stack.stack
    endpoints = TEST_VAR / "endpoints-stories.yml"
    endpoints.write_text(yaml.safe_dump(
        {"action_endpoint": {"url": f"http://127.0.0.1:{rasa.actions_port}/webhook"}}
    ))
    out = TEST_VAR / "rasa-test"
    result = subprocess.run(
        [str(rasa.rasa_venv / "bin" / "rasa"), "test", "core", "--model", str(trained_model),
         "--stories", "bot/tests/test_stories.yml", "--endpoints", str(endpoints), "--out", str(out)],
        cwd=REPO_ROOT, env=rasa_environment(), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    failed = out / "failed_test_stories.yml"
    assert "None of the test stories failed" in failed.read_text(), failed.read_text()
