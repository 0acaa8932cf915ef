# The two commands of the README: `make up` (the platform) and `make test` (all tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up demo test faults lint docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Huiwu needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/huiwu up

demo: $(STAMP)
	$(BIN)/huiwu up --demo

test: $(STAMP)
	$(BIN)/pytest

# Every fault scenario on the cluster topology (minutes); writes docs/reliability.md.
faults: $(STAMP)
	$(BIN)/pytest tests/faults -m faults

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

docs: $(STAMP)
	$(BIN)/python -m huiwu.events.docs > docs/events.md
	$(BIN)/python -m huiwu.events.asyncapi --out docs/events/
	$(BIN)/python -m huiwu.apidocs > docs/api.md

clean:
	rm -rf $(VENV) .huiwu .pytest_cache .mypy_cache .ruff_cache
