# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
FRONTEND_STAMP := frontend/node_modules/.installed
NODE_TEST_STAMP := tests/node/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)
export OUTCOMES_DATABASE_URL ?= sqlite:///var/outcomes.db

.PHONY: run test install system-deps frontend node-test-deps chromium lint typecheck pytest clean bench bench-quick bench-hardening

# Debian packages: Pango for WeasyPrint's PDFs (run and test); LibreOffice and poppler-utils
# open the exported files in the tests; nginx fronts the deploy tests (tests/deploy, run
# unprivileged from a temporary directory) and envsubst renders its site as the image does. Only what is missing is installed.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils libreoffice-writer-nogui nginx gettext-base
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi
endef

system-deps:
	$(call apt_install,$(RUN_DEBS))

run: install system-deps frontend
	@mkdir -p var
	@$(BIN)/outcomes demo --if-empty
	@echo "Outcomes is starting on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@exec $(BIN)/outcomes serve

test: install frontend node-test-deps chromium lint typecheck pytest

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

frontend: frontend/dist/index.html

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: $(FRONTEND_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	@touch $@

node-test-deps: $(NODE_TEST_STAMP)

$(NODE_TEST_STAMP): tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund
	@touch $@

# Browser tests drive Debian's Chromium; test tools cannot download browsers here.
chromium:
	$(call apt_install,$(TEST_DEBS))

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/lint-imports

# The frontend's layers (app -> pages -> components -> sync/api, no cycles): frontend/.dependency-cruiser.cjs
typecheck: install $(FRONTEND_STAMP)
	$(BIN)/mypy
	cd frontend && npx tsc --noEmit
	cd frontend && npx depcruise src

# Two workers, each taking whole test files (a file's servers and browser stay in one process).
# On this two-core machine a third worker did not pay: server start-ups are CPU-bound imports,
# and with three workers the slowest tests took about twice as long (fresh-clone CI: 21 min 37 s
# of pytest on 3 workers; 17 min 44 s on 2, with the set-up commands since moved in-process).
# The slowest tests are listed at the end, to see where CI's time goes.
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25

# Benchmarks (docs/benchmarks.md): Outcomes beside y-websocket's and Hocuspocus' servers and
# a bare Python relay, one after another on this machine. bench-quick is the few-minutes variant.
BENCH_STAMP := bench/node_modules/.installed

$(BENCH_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund
	@touch $@

bench: install $(BENCH_STAMP)
	$(PY) -m bench.run

bench-quick: install $(BENCH_STAMP)
	$(PY) -m bench.run --quick

# Issue 16's long runs: the websocket fuzzer for 10 minutes (fresh seeds, printed), then
# 10,000 connect/leave cycles and a client that never reads (docs/security.md), then what
# 5,000 viewers who leave leave to the garbage collector (bench/leaving.py).
bench-hardening: install
	$(PY) -m bench.fuzz --seconds 600
	$(PY) -m bench.cycles
	$(PY) -m bench.leaving

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist tests/node/node_modules
