# Two commands: `make run` and `make test`. Everything else is a building block.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONPATH := $(CURDIR)

.PHONY: run test install stop train seed lint typecheck unit check print-python lock nlu-report bench \
	conversation-report

install:
	@scripts/install.sh

run: install
	@$(PY) -m bot.runtime run

test: install
	@$(PY) -m bot.runtime test -- tests

stop:
	@$(PY) -m bot.runtime stop

train: install
	@$(PY) -m bot.runtime train

seed: install
	@$(PY) -m bot seed

lint: install
	@$(VENV)/bin/ruff check .

# Types of the product code (settings in pyproject.toml).
typecheck: install
	@$(VENV)/bin/mypy

# Tests that need no running stack (those that do skip themselves here).
unit: install
	@$(PY) -m pytest tests -q -p no:cacheprovider

# The fast lane: a lint or type error fails in seconds, before anything starts.
check: lint typecheck unit

print-python:
	@echo $(abspath $(PY))

lock:
	@$(VENV)/bin/pip freeze --exclude-editable > requirements.lock.new && mv requirements.lock.new requirements.lock

bench: install
	@$(PY) bench/catalogue_cache.py

# NLU quality on our data: 3-fold cross-validation + held-out tests per language and script
# (English, Hinglish, Devanagari; results/, see bench/README.md and docs/NLU.md).
nlu-report: install
	@$(PY) bench/nlu_report.py

# Multi-turn conversation scenarios (tests/conversations) on a test stack: pass rate per
# category (results/conversation-report.json); fails when a scenario fails.
conversation-report: install
	@rm -f results/conversation-report.json; \
	CONVERSATION_REPORT=$(CURDIR)/results/conversation-report.json \
		$(PY) -m bot.runtime test -- tests/conversations -q; status=$$?; \
	$(PY) -m tests.conversations.harness_report results/conversation-report.json \
		|| status=1; exit $$status

# CLINC150: our config.yml pipeline vs Rasa's default pipeline (20-40 min on two cores).
.PHONY: bench-nlu
bench-nlu: install
	@$(PY) bench/nlu_clinc150.py
