# Jifen — the two commands a newcomer needs:
#   make demo   install everything, load the demo organisation, serve http://127.0.0.1:8000
#   make test   install everything, then lint, type-check and run the whole test suite
# DATABASE_URL selects the database (default: SQLite in ./data).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export JIFEN_DATA_DIR ?= $(CURDIR)/data
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install browser demo run test lint typecheck pytest bench clean

$(BIN)/jifen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/jifen

# Browser tests drive Debian's chromium (never a downloaded browser) with CJK fonts.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "Installing chromium and fonts-noto-cjk with apt (for the browser tests)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

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

pytest: install browser
	$(BIN)/pytest

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/ledger_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache
