# `make run` and `make test` are the whole contract with a new user: both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench samples lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs come from the lock files: every transitive dependency at an exact version.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.lock
	@touch $@ $(VENV)/.runtime

# Streamlit reads STREAMLIT_SERVER_PORT itself; the app opens on the bundled sample.
# Arrow on glibc's allocator, whose freed pages the app's tidy-up hands back (ui/memory.py).
run: $(VENV)/.runtime
	ARROW_DEFAULT_MEMORY_POOL=system ADMISSIONS_OPEN_SAMPLE=1 $(BIN)/streamlit run app.py

test: $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	$(BIN)/python -m bench

samples: $(VENV)/.runtime
	$(BIN)/python data/make_samples.py

# Rewrites both lock files from requirements.txt / requirements-dev.txt (after editing them).
LOCK_FLAGS := --python-version 3.11 --no-header --annotation-style line -q
lock: | $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements.txt -o requirements.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) requirements.txt requirements-dev.txt -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
