# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/skualign
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test venv dev-venv services migrate serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

dev-venv: $(VENV)/.installed-dev

demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py runserver 127.0.0.1:8000

services:
	./scripts/services.sh

test: dev-venv services
	./scripts/browser.sh
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: dev-venv services
	$(BIN)/python bench/import.py
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/alignment.py
	$(BIN)/python bench/reviews.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
