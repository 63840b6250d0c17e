"""bot/rasa_server.py's check of an action server's answer: the same verdicts and errors as Rasa's own check
(run with Rasa itself)."""

import subprocess
from pathlib import Path

from runtime.environment import rasa_environment

RASA_PYTHON = Path(__file__).parents[2] / ".venv-rasa" / "bin" / "python"

_CHECK = """
import bot.rasa_server
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

action = RemoteAction("action_answer_order_task", None)
print(action._validate_action_result({"events": [{"event": "slot", "name": "order_email", "value": None}],
                                      "responses": [{"json_message": {"response": "utter_x", "vars": {}}}]}))
for bad in ({"events": [{"event": "slot"}]}, {"responses": "not a list"}):
    try:
        action._validate_action_result(bad)
    except ValidationError as error:
        print("invalid:", error.message)
"""


def test_action_results_are_checked_as_rasa_checks_them():
    result = subprocess.run([str(RASA_PYTHON), "-c", _CHECK], env=rasa_environment(), capture_output=True,
                            text=True, timeout=300, check=True)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "True"
    assert len(lines) == 3 and all(line.startswith("invalid:") for line in lines[1:])
    assert all("Failed to validate Action server response from API" in line for line in lines[1:])
