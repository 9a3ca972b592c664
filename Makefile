# airsign: two commands for a newcomer on a fresh Debian machine.
#   make run   set up, create demo SoftHSM tokens and a demo home, start the TUI
#   make test  set up, then run the whole test suite against real SoftHSM tokens
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: run test test-fuzz bench lint system-deps venv demo wheelhouse clean

system-deps:
	@scripts/ensure-system-deps

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: system-deps $(STAMP)

demo: venv
	@$(BIN)/python scripts/demo-setup.py $(DEMO)

run: demo
	@source $(DEMO)/env.sh && $(BIN)/airsign --home $(DEMO)/home tui

test: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-fuzz: venv
	$(BIN)/python -m pytest -q -m fuzz -p no:cacheprovider

bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: venv
	$(BIN)/ruff check signer ceremony demo_appliance softhsm tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

# An offline bundle for an air-gapped host: every package of the lock file (downloads
# checked against its hashes; sdist-only packages built into wheels), airsign's own
# wheel, a requirements file pinning each wheel's hash, and an install script.
# See docs/offline-install.md.
wheelhouse: venv
	rm -rf wheelhouse && mkdir -p wheelhouse/wheels
	$(BIN)/pip wheel --quiet --disable-pip-version-check --require-hashes --no-deps \
	    -r requirements.lock -w wheelhouse/wheels
	$(BIN)/pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation . \
	    -w wheelhouse/wheels
	$(BIN)/python scripts/wheelhouse-lock wheelhouse
	cp scripts/install-offline wheelhouse/install.sh
	cd wheelhouse && sha256sum requirements.txt wheels/* > SHA256SUMS
	@echo "wheelhouse/ is ready: copy it to the air-gapped host and run ./install.sh DIR"

clean:
	rm -rf $(VENV) $(DEMO) wheelhouse build *.egg-info
