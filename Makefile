# Jifen — the two commands a newcomer needs:
#   make demo   install everything, load the demo organisation, serve http://127.0.0.1:8000
#   make test   install everything, then lint, type-check and run the whole test suite
# DATABASE_URL selects the database (default: SQLite in ./data).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export JIFEN_DATA_DIR ?= $(CURDIR)/data

.PHONY: install demo run test lint typecheck pytest bench clean

$(BIN)/jifen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/jifen

# Secret keys for this machine, generated once; production sets them in its environment.
$(JIFEN_DATA_DIR)/.env: | $(BIN)/jifen
	mkdir -p $(JIFEN_DATA_DIR)
	umask 077 && $(BIN)/jifen genkeys > $@

demo: install $(JIFEN_DATA_DIR)/.env
	$(BIN)/jifen migrate --noinput
	$(BIN)/jifen collectstatic --noinput -v0
	$(BIN)/jifen demo
	$(MAKE) --no-print-directory run

run: install $(JIFEN_DATA_DIR)/.env
	@echo "积分 Jifen: http://127.0.0.1:8000  (Ctrl+C 停止)"
	$(BIN)/gunicorn jifen.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile -

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/ledger_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache
