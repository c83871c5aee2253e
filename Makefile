# simlib — two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
PYTEST  = $(PY) -m pytest

.PHONY: setup demo test test-slow fuzz validate bench lint clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebooks,distributed]'
	touch $(STAMP)

# JupyterLab without news or update pop-ups (settings of this environment only).
LAB_OVERRIDES = $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): $(STAMP)
	mkdir -p $(dir $@)
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

# The browser tests drive the system Chromium; install it where missing (needs root and apt).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	} || echo "Chromium could not be installed: the browser tests will be skipped"

# The engine's compiled loops (numba), compiled once ahead so that the first simulation
# (the demo, the explorer) loads them from the cache instead of compiling for ~15 s.
COMPILED = $(VENV)/.compiled
$(COMPILED): $(STAMP) simlib/state/compiled.py
	$(PY) -m simlib.engine.compile_ahead scenarios
	touch $(COMPILED)

setup: $(STAMP) $(LAB_OVERRIDES) $(COMPILED) chromium

# The shipped synthetic HR export first: import, calibrate (kept when the organization, its
# moments and simlib are unchanged) and compare over the posterior (redone only when the
# calibration was; its tables go to a file). Then the scenarios' reports: a second run with
# nothing changed (scenarios, notebook, parameters, simlib's code) reuses the reports already
# written; it ends with the index's path and a five-line summary.
DEMO_ORG = reports/example_org
DEMO_CAL = reports/example_calibration
DEMO_CMP = reports/example_compare
demo: setup
	$(PY) -m simlib.hr.example $(DEMO_ORG)/export
	$(VENV)/bin/simlib import $(DEMO_ORG)/export/employees.csv $(DEMO_ORG)/export/reviews.csv \
	  --mapping $(DEMO_ORG)/export/mapping.yaml --out $(DEMO_ORG)
	$(VENV)/bin/simlib calibrate $(DEMO_ORG)/organization.yaml --observed $(DEMO_ORG)/observed.csv \
	  --out $(DEMO_CAL) --jobs 2 --resume
	@$(MAKE) --no-print-directory $(DEMO_CMP)/summary.csv
	$(VENV)/bin/simlib batch scenarios/*.yaml --out reports --jobs 2 --resume

$(DEMO_CMP)/summary.csv: $(DEMO_CAL)/scenario.yaml $(DEMO_CAL)/posterior.parquet
	mkdir -p $(DEMO_CMP)
	$(VENV)/bin/simlib compare $(DEMO_CAL)/scenario.yaml --posterior $(DEMO_CAL)/posterior.parquet \
	  --set policies.forced_distribution.preset=forced_distribution --reps 10 --jobs 2 --quiet \
	  --out $(DEMO_CMP) > $(DEMO_CMP)/tables.txt.part && mv $(DEMO_CMP)/tables.txt.part $(DEMO_CMP)/tables.txt
	@echo "Compared over the calibration's posterior: $(DEMO_CMP)/tables.txt"

test: setup
	$(PYTEST) -m "not slow" -q

test-slow: setup
	$(PYTEST) -m slow -q

# Scenario fuzzing at depth: fresh random cases (the default run does 200, repeatably), and
# fresh corruptions of a finished sweep (bit flips, truncation, foreign, duplicated and
# swapped parts; the default run does 200 flips).
FUZZ_CASES ?= 1000
FUZZ_FLIPS ?= 2000
fuzz: setup
	SIMLIB_FUZZ_CASES=$(FUZZ_CASES) SIMLIB_FUZZ_FLIPS=$(FUZZ_FLIPS) $(PYTEST) tests/fuzz -q

# The full validation against published findings (make test runs a quick one).
validate: setup
	$(VENV)/bin/simlib validate --out reports/validation

bench: setup
	$(PY) benchmarks/model_speed.py
	$(PY) benchmarks/explorer_speed.py

lint: setup
	$(VENV)/bin/ruff check simlib tests benchmarks
	$(VENV)/bin/ruff format --check simlib tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) reports .pytest_cache
