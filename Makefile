# Every target creates or reuses .venv and installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench fuzz lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/posim certify --dialect all --out reports

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Locust monkey-patches with gevent, so the load tests run in a pytest process of their own.
test: lint
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest tests/load -p loadtests.gevent_early

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The larger seeded run: state machine and schemathesis at the fuzz profile, the bad-input
# suites, then hostile input and 50 MB bodies against a live server (figures printed).
FUZZ_SEED ?= 14
fuzz: $(STAMP)
	POSIM_FUZZ=1 $(BIN)/python -m pytest -p no:randomly --hypothesis-seed=$(FUZZ_SEED) \
		tests/engine/test_stateful.py tests/contract/test_schemathesis.py tests/hostile
	$(BIN)/python scripts/fuzz_figures.py --seed $(FUZZ_SEED)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
