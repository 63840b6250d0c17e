"""The Rasa project: domain, training data, custom NLU components (Rasa venv) and custom actions (.venv)."""
