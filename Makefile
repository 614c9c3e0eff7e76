# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: espeak run worker test lint format install install-test messages makemessages bench serve bpjs-sim clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

makemessages: install
	$(PY) manage.py makemessages --locale id --ignore=.venv --ignore=staticfiles --no-obsolete

# The waiting-room display speaks calls with espeak-ng (Debian package); without it the display still
# shows every call. Installed when we may (root or password-less sudo), otherwise only reported.
espeak:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq espeak-ng >/dev/null 2>&1 || true; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get install -y -qq espeak-ng >/dev/null 2>&1 || true; fi; }
	@command -v espeak-ng >/dev/null 2>&1 && echo "espeak-ng: $$(command -v espeak-ng) (display voice on)" \
	  || echo "espeak-ng not found: the display shows calls without server speech (sudo apt-get install espeak-ng)"

# The dev server, the background worker (django-tasks' db_worker: the Mobile JKN outbox and other
# background jobs) and the BPJS Antrean simulator, stopped together by Ctrl-C.
ANTREAN_SIM_PORT ?= 8090
run: install messages espeak
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo
	@export BPJS_ANTREAN_SIMULATOR_URL=$${BPJS_ANTREAN_SIMULATOR_URL:-http://127.0.0.1:$(ANTREAN_SIM_PORT)/antreanrs}; \
	$(PY) manage.py antrean_simulator --port $(ANTREAN_SIM_PORT) & sim=$$!; \
	$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker $$sim 2>/dev/null; wait' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The worker alone, as production runs it (its own process, beside gunicorn; see README "Worker").
worker: install
	$(PY) manage.py db_worker --no-reload

serve: install messages espeak
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4

# ruff (lint + format check) and djlint (template lint), settings in pyproject.toml. `make format` fixes what
# is safe to fix by machine; djlint's reformatter is left out on purpose (it re-wraps blocktranslate text,
# which changes the msgids and loses the translations).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint . --lint

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install-test messages lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install-test messages
	$(PY) -m bench $(BENCH_ARGS)

bpjs-sim: install
	$(PY) manage.py bpjs_simulator --port 8089 --verbose-requests

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
