# Two commands set everything up from nothing: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SECRET := instance/secret_key
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench clean-local translations

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# A random key per checkout: sessions survive restarts, and no key is ever committed.
$(SECRET):
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $(SECRET)
	chmod 600 $(SECRET)

run: $(STAMP) $(SECRET)
	TOOLBOX_SECRET_KEY=$$(cat $(SECRET)) $(BIN)/toolbox demo --if-empty
	TOOLBOX_SECRET_KEY=$$(cat $(SECRET)) $(BIN)/toolbox run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

# After changing texts: extract them, merge into the English catalogue, translate the new
# entries in toolbox/translations/en/LC_MESSAGES/messages.po, then `make translations` again to
# compile. The compiled .mo is committed, so a fresh clone needs no step; tests/test_i18n.py
# fails while an entry is missing, empty, fuzzy or not compiled.
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output --no-wrap \
		--project smart-region-toolbox -o toolbox/translations/messages.pot .
	$(BIN)/pybabel -q update -i toolbox/translations/messages.pot -d toolbox/translations \
		--no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d toolbox/translations
