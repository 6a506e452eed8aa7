# Two commands on a fresh machine: `make run` and `make test`. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py
# The ASGI server, with its options from one place (config/serve.py): also the Dockerfile's,
# docker-compose's and the benchmarks'.
SERVE := $(BIN)/python -m config.serve

.PHONY: run test setup translations migrate demo bench lint messages clean axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

setup: $(VENV)/.installed translations

# Compile every catalogue (locale/ and each app's locale/) with Babel: pure Python, so no
# gettext is needed on the machine.
translations: $(VENV)/.installed
	@for dir in locale */locale; do \
		if [ -d "$$dir" ]; then $(BIN)/pybabel compile --domain django --directory "$$dir" || exit 1; fi; \
	done

migrate: setup
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) migrate --no-input -v 0

demo: migrate
	DJANGO_SETTINGS_MODULE=config.settings.dev $(MANAGE) load_demo

run: demo
	@echo ""
	@echo "Kakehashi is at http://$(HOST):$(PORT)/  (English: http://$(HOST):$(PORT)/en/)"
	@echo "Website editor: http://$(HOST):$(PORT)/cms-admin/  ·  Health: http://$(HOST):$(PORT)/healthz"
	@echo ""
	DJANGO_SETTINGS_MODULE=config.settings.dev $(SERVE) --host $(HOST) --port $(PORT)

# Two test processes (pytest-xdist), each with its own test database. A work unit is a module (its
# demo is built once) or one of the two groups of tests that commit, which run last (tests/conftest.py).
# TEST_PROCESSES=0 runs everything in this process.
TEST_PROCESSES ?= 2
test: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -n $(TEST_PROCESSES) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

bench: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m bench $(BENCH)

# axe-core for the browser tests, from the npm registry (version and integrity pinned in
# tests/browser/axe.py); the tests fetch it themselves when it is missing.
axe: setup
	$(BIN)/python tests/browser/axe.py

lint: setup
	$(BIN)/ruff check .

# For developers with GNU gettext: refresh the catalogues from the code and templates.
messages: setup
	$(MANAGE) makemessages --locale ja --locale en --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete

clean:
	rm -rf $(VENV) staticfiles
