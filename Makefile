# The two commands of the README: `make demo` and `make test`.
# Both create the virtual environment in .venv and install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/wastematch demo

# Chromium and CJK fonts for the browser tests, from Debian's packages (skipped with a warning where
# they cannot be installed; CI requires them).
browser:
	-@bash scripts/ensure-browser.sh

# One worker per core (pytest-xdist): the suite takes 3.7 min on two cores instead of 5.4.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
