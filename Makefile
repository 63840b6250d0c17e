# Two commands for a newcomer: `make run` (set up everything, then start the assistant) and `make test`.
# `make run` installs every real part the product uses by default (the Rasa and project venvs, Apertium for Spanish).
SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11)
PYTHON310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10.*/bin/python3.10) $(shell command -v python3.10))
VENV := .venv
RASA_VENV := .venv-rasa

.PHONY: run test install lint typecheck test-postgres bench browser apertium servers

run: install apertium
	$(VENV)/bin/shopbot run

test: install browser apertium servers lint typecheck
	$(VENV)/bin/python -m pytest
	$(MAKE) test-postgres

# The database and end-to-end tests again, against a real PostgreSQL server started for the run.
test-postgres: install
	$(VENV)/bin/python -m pytest --postgres tests/shop tests/handoff tests/privacy tests/stack

lint: install
	$(VENV)/bin/ruff check .

# mypy over the project's packages; the strictness and the remaining per-module switches are in pyproject.toml.
typecheck: install
	$(VENV)/bin/mypy

install: $(VENV)/.installed $(RASA_VENV)/.installed

# Python 3.11 project environment (gateway, action server, MT, tools). torch is pinned to the CPU wheel.
$(VENV)/.installed: pyproject.toml
	@echo "==> Creating $(VENV) (Python 3.11) and installing the project..."
	test -x $(VENV)/bin/python || $(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/pip install --upgrade pip
	$(VENV)/bin/pip install --progress-bar on -e '.[mt,test,bench]'
	touch $@

# Rasa's own environment (Python 3.10): about 3 minutes and 2.7 GB the first time.
$(RASA_VENV)/.installed: bot/requirements.txt
	@echo "==> Creating $(RASA_VENV) (Python 3.10) and installing Rasa 3.6 (about 3 minutes the first time)..."
	test -n "$(PYTHON310)" || (echo "Python 3.10 is needed for Rasa: pyenv install 3.10.13" && exit 1)
	test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --upgrade pip
	$(RASA_VENV)/bin/pip install --progress-bar on -r bot/requirements.txt
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null || (echo "==> Installing Debian's chromium for the browser tests..." && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Apertium's rule-based en<->es (Debian): real Spanish MT offline, used where no neural model is installed.
apertium:
	@command -v apertium >/dev/null && apertium -l | grep -q eng-spa || \
		(echo "==> Installing Debian's apertium-en-es..." && apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apertium apertium-en-es)

# Debian's Redis and HAProxy for the tests of replicas (started by the tests on free ports).
servers:
	@command -v redis-server >/dev/null && { command -v haproxy || test -x /usr/sbin/haproxy; } >/dev/null || \
		(echo "==> Installing Debian's redis-server and haproxy..." && apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server haproxy)

bench: install
	$(VENV)/bin/python -m bench.run_all
