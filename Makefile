# The two commands of the README: `make demo` and `make test`.
# Both create the virtual environment in .venv and install what they need.
# `make demo` uses the same database as `wastematch` run anywhere (see web/config.py): the per-user data
# folder, WASTEMATCH_INSTANCE_PATH or WASTEMATCH_DATABASE_URL. Options: make demo DEMO_ARGS="--port 5001".
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

DEMO_ARGS ?=

.PHONY: demo test venv clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/wastematch demo $(DEMO_ARGS)

# Chromium and CJK fonts for the browser tests, from Debian's packages (skipped with a warning where
# they cannot be installed; CI requires them).
browser:
	-@bash scripts/ensure-browser.sh

# One worker per core (pytest-xdist; a third worker on two cores was slower). With PostgreSQL and Chromium
# (.ci/run) the suite took 9.7 min on a fresh clone on the two-core machine on 2026-12-07 (see "The two commands"
# in the README).
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# The demo's database is left alone: it lives in the data folder (`wastematch catalog status` names it).
clean:
	rm -rf $(VENV) .pytest_cache
