# The two commands: `make run` serves the whole system, `make test` runs the whole suite.
# Both start from nothing but Python 3.11: they create .venv and install the pinned packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PIP := $(BIN)/python -m pip

.PHONY: run test lint format check install install-dev migrate seed messages clean ci bench-ivr bench-routing bench-casework bench-outreach bench-fcr faults backup backup-drill bench-pages bench-peak bench-notices

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt constraints.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt constraints.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

seed: migrate
	$(MANAGE) seed_demo
	$(MANAGE) seed_casework
	$(MANAGE) seed_outreach

run: seed
	$(MANAGE) runstack

# Tests run on every core (pytest-xdist; a worker that runs out steals from the others);
# PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= auto
test: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal) $(PYTEST_ARGS)

# The fault scenarios on the real stack (docs/operations.md), in file order; `make test` runs them too.
faults: install-dev
	$(BIN)/pytest tests/faults -p no:randomly $(PYTEST_ARGS)

# A full pg_dump of DATABASE_URL into BACKUP_DIR (var/backups), kept BACKUP_RETENTION_DAYS (35).
backup:
	deploy/backup.sh

# Dump the database, restore it into a new empty one, compare every table's rows, migrate --check.
backup-drill: install
	$(MANAGE) backup_drill $(DRILL_ARGS)

# The project's templates and each app's (djLint, configured in pyproject.toml [tool.djlint]).
TEMPLATE_DIRS = templates $(wildcard */templates)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
# The core names no channel's URL either: strings the import linter cannot see.
	@! grep -rnE "[\"'](ivr|casework|outreach):" contactcenter --include='*.py'
	$(BIN)/djlint --check $(TEMPLATE_DIRS)
	$(BIN)/djlint --lint $(TEMPLATE_DIRS)
	$(BIN)/python scripts/lint_templates.py
	$(BIN)/python scripts/workflow_diagrams.py --check

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint --reformat $(TEMPLATE_DIRS)

check: install-dev
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check
	DJANGO_SETTINGS_MODULE=contactcenter.settings.production SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
		DATABASE_URL=sqlite:///var/deploy-check.sqlite3 $(MANAGE) check --deploy --fail-level WARNING

messages: install-dev
	$(MANAGE) makemessages -l es --ignore=.venv --ignore=var --ignore=tests --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf var/ .pytest_cache

bench-ivr: install-dev
	$(BIN)/python -m tests.load.bench_ivr $(BENCH_ARGS)

bench-routing: install-dev
	$(BIN)/python -m tests.load.bench_routing $(BENCH_ARGS)

bench-casework: install-dev
	$(BIN)/python -m tests.load.bench_casework $(BENCH_ARGS)

bench-outreach: install-dev
	$(BIN)/python -m tests.load.bench_outreach $(BENCH_ARGS)

bench-fcr: install-dev
	$(BIN)/python -m tests.load.bench_fcr $(BENCH_ARGS)

bench-pages: install-dev
	$(BIN)/python -m tests.load.bench_pages $(BENCH_ARGS)

bench-peak: install-dev
	$(BIN)/python -m tests.load.bench_peak $(BENCH_ARGS)

bench-notices: install-dev
	$(BIN)/python -m tests.load.bench_notices $(BENCH_ARGS)
