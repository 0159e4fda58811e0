# Set-up on a fresh machine: `make demo` and `make test`. Both bootstrap .venv from uv.lock.
SHELL := /bin/bash
PY_VERSION := 3.11
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON := $(PY_VERSION)
DEMO_HOME ?= $(CURDIR)/.demo
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test bench clean dagster chromium

$(CURDIR)/.tools/bin/uv:
	python$(PY_VERSION) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --extra embeddings
	touch $@

demo: .venv/.synced
	rm -rf $(DEMO_HOME)
	.venv/bin/clearinghouse --home $(DEMO_HOME) run
	.venv/bin/clearinghouse --home $(DEMO_HOME) stats
	.venv/bin/clearinghouse --home $(DEMO_HOME) search "data" --limit 5

# The browser test (tests/test_browser.py) drives Debian's chromium. Installed here when missing and
# possible (apt-get, as root); never fails the build: without chromium that test skips, or fails
# when CI is set.
chromium:
	@if [ ! -x $(CHROMIUM) ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's chromium for the browser test"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq chromium >/dev/null \
	    || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	    || echo "could not install chromium: tests/test_browser.py will skip (or fail under CI)"; \
	fi

# Two processes by default (pytest-xdist; one test file stays in one process, so a file's shared
# fixtures are built once): TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
test: .venv/.synced chromium
	.venv/bin/pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

bench: .venv/.synced
	.venv/bin/python bench/run_bench.py

dagster: .venv/.synced
	mkdir -p $(DEMO_HOME)/dagster && cp pipelines/dagster.yaml $(DEMO_HOME)/dagster/ && DAGSTER_HOME=$(DEMO_HOME)/dagster CLEARINGHOUSE_HOME=$(DEMO_HOME) .venv/bin/dagster dev

clean:
	rm -rf .venv .tools .demo
