# Two commands do everything: `make serve` (the site) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change. A venv set up by hand as the README
# says has no stamp: course/installed.py tells whether its install already matches
# pyproject.toml. setuptools' "Editable installation" notice is information only (issue 24).
$(STAMP): pyproject.toml | $(BIN)/python
	@if $(BIN)/python -m course.installed >/dev/null 2>&1; then \
	  echo "make: .venv already holds this checkout as pyproject.toml says: not reinstalling"; \
	else \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[dev]"; \
	fi
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# Two pytest-xdist workers (whole files, and files sharing a session fixture, on one worker,
# heaviest first: tests/conftest.py). Measured on the quiet 2-core AMD EPYC machine with every
# branch merged: 450 tests in 266 s on two workers against 413 s in one process
# (make test TEST_WORKERS=0); under heavy load from other processes the two were level.
TEST_WORKERS ?= 2
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The site's browser test (tests/site) drives Debian's chromium. On a fresh machine as root
# (CI), install it; otherwise say how, and let the test fail with the same hint.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing chromium for the site's browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make: chromium not found; the site's browser test will fail (sudo apt-get install -y chromium)"; \
	  fi; }

clean:
	rm -rf $(VENV) site .pytest_cache
