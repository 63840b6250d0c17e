"""Custom Rasa NLU components. They run inside Rasa's own Python 3.10 environment (.venv-rasa)."""
