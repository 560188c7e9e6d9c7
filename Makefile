# The course's commands. Every target sets up .venv first if it is missing.
#   make lab      set up and open the course in JupyterLab
#   make test     lint + unit tests + every notebook under nbval (strict); hypothesis derandomized, same examples everywhere
#   make explore  the property tests only, with 10x as many fresh random examples (EXPLORE_FACTOR=N to change)
#   make test-e2e the browser tests (tests/e2e/): widgets in JupyterLab, the playground in Voila, the static site, the decks
#   make execute  re-run notebooks in place (NB=path for one); make figures, make lint, make lock, make clean
#   make stats    per notebook: main-line words, folded words, figures, code lines, run time
#   make bench    speed comparisons with numpy/scipy/PyTorch -> benchmarks/results.md
#   make html     the course as a static site in _build/html/ (offline); make slides: reveal.js decks in _build/slides/
#   make app      the playground (notebook 12) as a web app with Voila on http://127.0.0.1:8866
# See README.md for the rest.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements-lock.txt
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# The project's own Jupyter configuration (jupyter-config/README.md): JupyterLab starts as root too,
# without the news pop-up. It is read on top of the user's settings and never written to.
PROJECT_JUPYTER := JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config
# Notebooks run on the test environment's own kernel, with Jupyter's and
# matplotlib's state kept out of the user's home folder.
JUPYTER_ENV := $(PROJECT_JUPYTER) JUPYTER_PLATFORM_DIRS=1 JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter/config \
	JUPYTER_DATA_DIR=$(CURDIR)/.jupyter/data JUPYTER_RUNTIME_DIR=$(CURDIR)/.jupyter/runtime \
	IPYTHONDIR=$(CURDIR)/.jupyter/ipython MPLCONFIGDIR=$(CURDIR)/.jupyter/matplotlib

.PHONY: help setup lab test lint unit explore nbval execute figures lock clean bench html slides app test-e2e stats

help:
	@sed -n 's/^#   //p' Makefile

setup: $(STAMP)

# Install the locked versions (those that produced the stored notebook outputs)
# when this Python matches the lock's; otherwise the package's own ranges.
$(STAMP): pyproject.toml $(LOCK)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	if $(BIN)/python scripts/lock_matches.py $(LOCK); then \
		$(BIN)/python -m pip install --quiet -r $(LOCK); \
	else \
		echo "note: $(LOCK) is for another Python; installing ranges (notebook outputs may differ)"; \
		$(BIN)/python -m pip install --quiet -e ".[dev]"; \
	fi
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# LAB_ARGS passes options on to JupyterLab, e.g. `make lab LAB_ARGS="--no-browser --port 8890"`.
LAB_ARGS ?=
lab: $(STAMP)
	$(PROJECT_JUPYTER) $(BIN)/jupyter lab $(LAB_ARGS) notebooks/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

# Hunt for counterexamples: only the hypothesis tests, with fresh random examples, EXPLORE_FACTOR
# (default 10) times as many as `make unit` runs (tests/conftest.py). Pin what it finds as an @example.
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -n 2 -p no:cacheprovider tests

nbval: $(STAMP)
	$(JUPYTER_ENV) $(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider \
		--nbval --nbval-current-env --nbval-cell-timeout 120 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

test: lint unit nbval

# Re-execute every notebook in place, top to bottom in a fresh kernel: the only
# way stored outputs are refreshed. `make execute NB=notebooks/01_...` does one.
NB ?= $(NOTEBOOKS)
execute: $(STAMP)
	$(JUPYTER_ENV) $(BIN)/python scripts/execute_notebooks.py $(NB)

# The second edition's budget per notebook (scripts/notebook_stats.py): main line under 3,000 words,
# at least 4 figures; also folded words, code lines and the stored run time.
stats: $(STAMP)
	$(BIN)/python scripts/notebook_stats.py $(NB)

# Regenerate every figure the notebooks export into figures/ (PNG + SVG) by
# running them with COURSE_EXPORT_FIGURES=1; the notebooks themselves are not rewritten.
figures: $(STAMP)
	$(JUPYTER_ENV) COURSE_EXPORT_FIGURES=1 $(BIN)/python scripts/execute_notebooks.py --no-write $(NOTEBOOKS)

# An optional extra of pyproject.toml (book, app, e2e) installed into .venv on first use, held to
# the lock's versions when this Python matches the lock's: `make .venv/.book-installed` and so on.
$(VENV)/.%-installed: $(STAMP) pyproject.toml
	if $(BIN)/python scripts/lock_matches.py $(LOCK); then \
		$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[$*]"; \
	else \
		$(BIN)/python -m pip install --quiet -e ".[$*]"; \
	fi
	touch $@

# Speed comparisons against numpy/scipy and, if installed, PyTorch (benchmarks/README.md);
# prints a table and writes benchmarks/results.md. Without torch it runs the rest and says what it skipped.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The static site and the slides, from the notebooks' stored outputs (nothing is re-executed;
# book/README.md). Their Python packages (the `book` extra: jupyter-book 1.x, nbconvert) go into
# .venv on first use, held to the lock's versions; the JavaScript pages load (MathJax, require.js,
# the widget manager, reveal.js) comes from npm into book/node_modules (`npm ci`, package-lock.json).
BOOK_STAMP := $(VENV)/.book-installed
NODE_STAMP := book/node_modules/.package-lock.json

$(NODE_STAMP): book/package.json book/package-lock.json
	@command -v npm >/dev/null || { echo "make html/slides need Node.js and npm (to install MathJax, reveal.js)"; exit 1; }
	cd book && npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

html: $(BOOK_STAMP) $(NODE_STAMP)
	$(JUPYTER_ENV) $(BIN)/python scripts/build_book.py

slides: $(BOOK_STAMP) $(NODE_STAMP)
	$(JUPYTER_ENV) $(BIN)/python scripts/build_slides.py

# The playground (notebooks/12_complexity_playground.ipynb) as a web app: Voila runs the notebook
# in a kernel on the server and shows its markdown and outputs, widgets live, without the code.
# Voila (the `app` extra) goes into .venv on first use, held to the lock's versions. Serves on
# http://127.0.0.1:8866 (this machine only) until Ctrl-C; it may fail to fetch two icon
# stylesheets from a CDN when offline, which changes nothing but a few icons.
APP_STAMP := $(VENV)/.app-installed

app: $(APP_STAMP)
	$(JUPYTER_ENV) $(BIN)/voila notebooks/12_complexity_playground.ipynb --no-browser --port 8866 --Voila.ip=127.0.0.1

# The browser tests, tests/e2e/ (not part of `make test`, which never collects them): every notebook
# with widgets run in JupyterLab with its sliders moved, the playground (notebook 12) in Voila, every
# page of the static site and every slide of every deck at 1280x720. They drive Debian's Chromium at
# /usr/bin/chromium (`apt-get install -y --no-install-recommends chromium`; .ci/run installs it when
# missing) through the `playwright` package (the `e2e` extra, into .venv on first use, held to the
# lock's versions; `playwright install` is never run). The site and the decks are rebuilt first when
# missing or older than the notebooks. Screenshots of the run go to a temporary folder whose path is
# printed at the end.
E2E_STAMP := $(VENV)/.e2e-installed
SITE_INDEX := _build/html/index.html

# scripts/build_book.py empties _build/html before each build, so index.html is as new as the site.
$(SITE_INDEX): $(NOTEBOOKS) $(wildcard book/_config.yml book/_toc.yml book/intro.md book/js/*.js book/css/*.css)
	$(MAKE) html || { rm -f $@; exit 1; }

# scripts/build_slides.py empties _build/slides before each build, so index.html is as new as the decks.
SLIDES_INDEX := _build/slides/index.html
$(SLIDES_INDEX): $(NOTEBOOKS) $(wildcard book/_config.yml book/slides/* scripts/build_slides.py scripts/lecture_deck.py)
	$(MAKE) slides || { rm -f $@; exit 1; }

test-e2e: $(E2E_STAMP) $(APP_STAMP) $(SITE_INDEX) $(SLIDES_INDEX)
	$(JUPYTER_ENV) $(BIN)/python -m pytest -p no:cacheprovider tests/e2e

# Regenerate the lock from the ranges in pyproject.toml, in a throwaway venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	.lock-venv/bin/python scripts/write_lock.py > $(LOCK)
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .jupyter .pytest_cache .ruff_cache .mypy_cache .hypothesis _build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
