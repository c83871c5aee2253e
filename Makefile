# simlib — two commands on a fresh machine:  make demo   and   make test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
PYTEST  = $(PY) -m pytest

.PHONY: setup demo test test-slow bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebooks,distributed]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/simlib compare scenarios/baseline.yaml --out reports/baseline

test: setup
	$(PYTEST) -m "not slow" -q

test-slow: setup
	$(PYTEST) -m slow -q

bench: setup
	$(PY) benchmarks/engine_speed.py

lint: setup
	$(VENV)/bin/ruff check simlib tests benchmarks

clean:
	rm -rf $(VENV) reports .pytest_cache
