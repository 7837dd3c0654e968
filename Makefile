# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
FLASK := $(VENV)/bin/flask --app wsgi

.PHONY: run test install install-test check-content bench bench-reports bench-load clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# WeasyPrint (the council report's PDF) needs Pango and a font from the system.
install: $(VENV)/.installed
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

# Plain http on loopback: the session cookie cannot be "Secure" here. Behind TLS the default (secure) applies.
# One process with threads, so the in-memory sign-in throttle sees every attempt (several processes
# or hosts need LEARNING_RATELIMIT_STORAGE_URI=redis://...).
run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) bootstrap
	LEARNING_SESSION_COOKIE_SECURE=false LEARNING_REMEMBER_COOKIE_SECURE=false \
	  $(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers 1 --threads 8 --access-logfile - wsgi:app

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install-test: install node_modules/.installed
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v pdfinfo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

test: install-test
	$(VENV)/bin/pytest

check-content: install
	$(FLASK) check-content

bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/part_page.py

# Completion/coverage dashboards on a generated city of 3,000/30,000/300,000 employees, SQLite and PostgreSQL
# (see bench/README.md). Needs PostgreSQL on 127.0.0.1:5432 unless BENCH_DATABASES=sqlite.
bench-reports: install
	$(PY) bench/reports.py

# Waves of learners (quiz double clicks, two sessions, survey, an editor publishing, kill -9 and restart) against
# gunicorn at 4 workers, then every row counted (see bench/README.md). Loopback only, bounded in time; needs
# PostgreSQL on 127.0.0.1:5432 unless BENCH_DATABASES=sqlite.
bench-load: install
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) node_modules
