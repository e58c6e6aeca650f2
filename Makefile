# Two commands: `make run` sets everything up and starts the app; `make test` sets up and
# runs the whole suite. Every install step lives here so a fresh machine needs nothing else.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=wsgi.py $(BIN)/flask
KERN := node_modules/@kern-ux/native/dist
VENDOR := static/vendor

.PHONY: crawl run test setup venv frontend translations migrate demo system-packages bench loadtest scan clean \
	install-production production-packages bringup

run: setup migrate demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system-packages venv frontend translations

system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	[ -n "$$(fc-list 2>/dev/null | grep -i dejavu)" ] || missing="$$missing fonts-dejavu-core"; \
	[ -n "$$(ldconfig -p | grep libpango-1.0)" ] || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# A production host (docs/DEPLOYMENT.md): only the packages the app needs to run (no test
# tools, no browser), the front-end assets and compiled translations. Needs npm once for the
# assets; node_modules can be removed afterwards.
install-production: production-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(MAKE) frontend
	for po in $(CATALOGUES); do $(BIN)/pybabel compile -i $$po -o $${po%.po}.mo -f; done

production-packages:
	@missing=""; \
	[ -n "$$(fc-list 2>/dev/null | grep -i dejavu)" ] || missing="$$missing fonts-dejavu-core"; \
	[ -n "$$(ldconfig -p | grep libpango-1.0)" ] || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi

# The production guide, followed literally on this machine: PostgreSQL (BRINGUP_DATABASE_URL,
# default the local test database), an S3 server (moto) and Redis on loopback, two gunicorn
# hosts; ends with an application submitted through them (tests/test_bringup.py).
bringup: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_bringup.py

frontend: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/kern $(VENDOR)/axe $(VENDOR)/htmx
	cp -r $(KERN)/kern.min.css $(KERN)/fonts $(VENDOR)/kern/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

# Compiled only when a catalogue changed, so that two `make test` at once (.ci/run) never
# write a catalogue the other is reading.
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)
%.mo: %.po | venv
	$(BIN)/pybabel compile -i $< -o $@ -f

# The crawl alone: every page of every demo role in German and English, checked with axe-core
# and the Nu HTML Checker (it is also part of `make test`).
crawl: setup
	$(BIN)/python -m pytest tests/e2e/test_crawl.py $(PYTEST_ARGS)

migrate: setup
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) seed-demo

# Benchmarks of the scale issue: large data set in PostgreSQL, gunicorn, wrk; writes
# docs/BENCHMARKS.md. Needs PostgreSQL on 127.0.0.1:5432 (BENCH_DATABASE_URL to change).
bench: setup
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py

# Load test: 50 jurors and 20 applicants at once for 2 minutes against gunicorn and
# PostgreSQL on loopback; fails on any error or lost write (docs/BENCHMARKS.md, "Lasttest").
loadtest: setup
	$(BIN)/python scripts/loadtest.py

# Bounded wapiti scan of the running demo as anonymous, staff, juror and applicant;
# fails on any finding (reports in docs/scan/).
scan: setup
	bash scripts/scan.sh

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance/awards.sqlite
