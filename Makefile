# Two commands do everything: `make serve` (the site, instructors' view) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve serve-students test install clean browser container-check

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

# The instructors' view of the site (reference solutions shown); never published.
serve: $(STAMP)
	SITE_AUDIENCE=instructors $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# The students' view, as the Pages workflow publishes it (docs/instructors.md, "Two views of the site").
serve-students: $(STAMP)
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

# Not part of `make test`: grades a correct, a buggy, a tampering and a hostile submission through
# the Gradescope bundle's run_autograder, as root in a podman container (runc) confined like
# Docker's defaults (its seccomp profile and capabilities), and prints the isolation level
# reached, the scores and whether anything escaped. As root, after `apt-get install -y podman runc`.
container-check: $(STAMP)
	$(BIN)/python tools/container_check.py

clean:
	rm -rf $(VENV) site .pytest_cache
