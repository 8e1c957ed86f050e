# Two commands set everything up from nothing: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SECRET := instance/secret_key
HOST ?= 127.0.0.1
PORT ?= 5000
# The address links and the trusted Host header are built from; set it in the environment when
# the app is reached under another name.
TOOLBOX_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-slow bench clean-local translations

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# KERN UX, the open design system of German administrations, from npm (package-lock.json pins
# it). Only what the pages link is copied to static/vendor/kern/, so the app serves stylesheet and
# fonts itself and no page asks a third party for anything. Runs again only when the lock file
# changes. Without npm or the registry the app falls back to its own stylesheet, so this step
# never fails `make run` or `make test`.
KERN_DIST := node_modules/@kern-ux/native/dist
KERN_VENDOR := static/vendor/kern
KERN_STAMP := $(KERN_VENDOR)/.installed

$(KERN_STAMP): package-lock.json
	@rm -rf $(KERN_VENDOR)
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "KERN UX: npm not found - the app falls back to its own stylesheet (static/kern-fallback.css)."; \
	elif log=$$(npm ci --ignore-scripts --omit=optional --no-audit --no-fund --loglevel=error --fetch-retries=1 \
			--fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 2>&1) \
		&& mkdir -p $(KERN_VENDOR)/fonts/fira-sans \
		&& cp $(KERN_DIST)/kern.min.css $(KERN_DIST)/../LICENSE.md $(KERN_VENDOR)/ \
		&& cp $(KERN_DIST)/fonts/fira-sans.css $(KERN_VENDOR)/fonts/ \
		&& fonts=$$(sed -n 's|.*url("\./fira-sans/\([^"]*\)").*|$(KERN_DIST)/fonts/fira-sans/\1|p' $(KERN_DIST)/fonts/fira-sans.css) \
		&& test -n "$$fonts" && cp $$fonts $(KERN_VENDOR)/fonts/fira-sans/ \
		&& touch $@; then \
		echo "KERN UX $$(node -p 'require("./$(KERN_DIST)/../package.json").version') installed in $(KERN_VENDOR)/"; \
	else \
		rm -rf $(KERN_VENDOR); \
		echo "KERN UX could not be installed ($$(printf '%s\n' "$$log" | grep -m1 -i error || echo 'copying its files failed')) - the app falls back to its own stylesheet (static/kern-fallback.css)."; \
	fi

# PDF.js (pdfjs-dist, pinned in package-lock.json), the page viewer of the preview: its two modules,
# the standard fonts that PDFs name without embedding, and the image decoders, copied to
# static/vendor/pdfjs/ and served from our own origin. `npm ci` ran in the KERN step before
# (--omit=optional: the native canvas pdfjs-dist offers is for Node, not for browsers). Without
# npm or the registry the preview page shows the text of the file only, so this step never fails
# `make run` or `make test` either.
PDFJS_DIST := node_modules/pdfjs-dist
PDFJS_VENDOR := static/vendor/pdfjs
PDFJS_STAMP := $(PDFJS_VENDOR)/.installed

$(PDFJS_STAMP): package-lock.json | $(KERN_STAMP)
	@rm -rf $(PDFJS_VENDOR)
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "PDF.js: npm not found - previews show the text of the files only, without the page viewer."; \
	elif { test -f $(PDFJS_DIST)/build/pdf.min.mjs || log=$$(npm ci --ignore-scripts --omit=optional --no-audit \
			--no-fund --loglevel=error --fetch-retries=1 --fetch-retry-mintimeout=2000 \
			--fetch-retry-maxtimeout=10000 2>&1); } \
		&& mkdir -p $(PDFJS_VENDOR)/standard_fonts $(PDFJS_VENDOR)/wasm \
		&& cp $(PDFJS_DIST)/build/pdf.min.mjs $(PDFJS_DIST)/build/pdf.worker.min.mjs $(PDFJS_DIST)/LICENSE $(PDFJS_VENDOR)/ \
		&& cp $(PDFJS_DIST)/standard_fonts/* $(PDFJS_VENDOR)/standard_fonts/ \
		&& cp $(PDFJS_DIST)/wasm/* $(PDFJS_VENDOR)/wasm/ \
		&& touch $@; then \
		echo "PDF.js $$(node -p 'require("./$(PDFJS_DIST)/package.json").version') installed in $(PDFJS_VENDOR)/"; \
	else \
		rm -rf $(PDFJS_VENDOR); \
		echo "PDF.js could not be installed ($$(printf '%s\n' "$$log" | grep -m1 -i error || echo 'copying its files failed')) - previews show the text of the files only, without the page viewer."; \
	fi

# A random key per checkout: sessions survive restarts, and no key is ever committed.
$(SECRET):
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $(SECRET)
	chmod 600 $(SECRET)

# Text recognition of scans needs three Debian packages; without them the app and the tests run
# on, scans stay unsearchable (the document page says so) and the OCR tests skip.
define OCR_CHECK
missing=""; \
command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
tesseract --list-langs 2>/dev/null | grep -qx deu || missing="$$missing tesseract-ocr-deu"; \
command -v gs >/dev/null 2>&1 || missing="$$missing ghostscript"; \
if [ -n "$$missing" ]; then echo "OCR not available: missing$$missing (apt-get install tesseract-ocr tesseract-ocr-deu ghostscript) - scans stay unsearchable, OCR tests skip."; fi; \
command -v soffice >/dev/null 2>&1 || echo "LibreOffice not available (apt-get install libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui) - DOC, XLS and PPT stay unsearchable, their tests skip."
endef

# The background worker (OCR jobs) runs beside the development server as a second process of
# this one shell: Ctrl-C or the end of the server stops both, a crash of one never takes the
# other along, and the worker is the same `toolbox worker` that production runs.
run: $(STAMP) $(SECRET) $(KERN_STAMP) $(PDFJS_STAMP)
	@$(OCR_CHECK)
	TOOLBOX_SECRET_KEY=$$(cat $(SECRET)) TOOLBOX_BASE_URL=$(TOOLBOX_BASE_URL) $(BIN)/toolbox demo --if-empty
	@export TOOLBOX_SECRET_KEY=$$(cat $(SECRET)) TOOLBOX_BASE_URL=$(TOOLBOX_BASE_URL); \
	$(BIN)/toolbox worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/toolbox run --host $(HOST) --port $(PORT)

# `make test` is the quick suite (under ten minutes on a quiet two-core machine); the tests
# marked slow (multi-process crash and load runs, long OCR and conversion matrices) run with
# `make test-slow`, and .ci/run runs both.
test: $(STAMP) $(KERN_STAMP) $(PDFJS_STAMP)
	@$(OCR_CHECK)
	@echo "make test: the quick suite; 'make test-slow' runs the tests marked slow (CI runs both)."
	$(BIN)/pytest -m "not slow" -n auto

test-slow: $(STAMP) $(KERN_STAMP) $(PDFJS_STAMP)
	@$(OCR_CHECK)
	$(BIN)/pytest -m slow -n auto

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

# After changing texts: extract them, merge into the English catalogue, translate the new
# entries in toolbox/translations/en/LC_MESSAGES/messages.po, then `make translations` again to
# compile. The compiled .mo is committed, so a fresh clone needs no step; tests/test_i18n.py
# fails while an entry is missing, empty, fuzzy or not compiled.
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -k Nn_:1,2 --no-location --sort-output --no-wrap \
		--project smart-region-toolbox -o toolbox/translations/messages.pot .
	$(BIN)/pybabel -q update -i toolbox/translations/messages.pot -d toolbox/translations \
		--no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d toolbox/translations
