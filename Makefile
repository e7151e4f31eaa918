# Two commands for a fresh machine:
#   make book   set up .venv, execute every notebook, render HTML into _build/html
#   make test   set up .venv, ruff, helper tests, the helpers' wheel in a fresh venv, nbval over
#               every notebook (plus a student on every exercise), lecture 04 re-run for
#               determinism, strict build of the executed notebooks, every page in Chromium
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb)) book/results.ipynb

.PHONY: book test venv helpers-test nbval determinism book-strict lint benchmarks clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# Executes every notebook (cached by jupyter-cache) and renders the book; fails on any warning
# or on a cell that raises.
book: $(STAMP)
	NLPBOOK_NO_PROGRESS=1 $(BIN)/jupyter-book build . -W -n --keep-going

# pytest exits 5 when it collects no test: make treats that as the failure it is.
helpers-test: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests

# nbval executes each notebook in one kernel; tests/nbval_plugin.py then writes the executed
# notebook (outputs and images) to $(EXECUTED)/notebooks/ and, in the same kernel, plays a
# student on every exercise: a wrong answer from tests/student_answers.py must fail its check
# with a reason, the folded reference must pass it (--no-student-flow leaves that out).
# env -u MPLBACKEND: the kernels draw inline (PNG outputs in the copies) even where CI exports
# MPLBACKEND=Agg (with Agg a kernel's plt.show() outputs nothing).
EXECUTED := _build/executed
nbval: $(STAMP)
	env -u MPLBACKEND TQDM_DISABLE=1 $(BIN)/python -m pytest -q -p no:cacheprovider -p tests.nbval_plugin \
		--executed-dir $(EXECUTED) --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600 --durations=0 $(NOTEBOOKS)

# Executing a notebook twice gives the same text outputs: the fastest lecture once more, compared
# (after tests/sanitize.cfg) with nbval's executed copy (executed twice when there is none).
DETERMINISM_NOTEBOOK := notebooks/04_seq2seq_attention.ipynb
determinism: $(STAMP)
	env -u MPLBACKEND TQDM_DISABLE=1 $(BIN)/python tests/determinism.py $(DETERMINISM_NOTEBOOK) \
		--against $(EXECUTED)

# nbval has just executed every notebook; the strict build (-W -n, execution off) renders a staged
# copy of the book whose notebooks are nbval's executed copies (tests/stage_book.py fails when one
# is missing or stale), so its pages show the outputs, without executing a second time.
STRICT_DIR  := _build/strict
STRICT_HTML ?= $(STRICT_DIR)/_build/html
book-strict: $(STAMP)
	$(BIN)/python tests/stage_book.py --executed $(EXECUTED) --out $(STRICT_DIR)/src
	$(BIN)/jupyter-book build $(STRICT_DIR)/src -W -n --keep-going --path-output $(STRICT_DIR)

# lint first (seconds); the Colab wheel before the long nbval run; the browser over the strict build.
test: lint helpers-test wheel nbval determinism book-strict browser

# Style (settings in pyproject.toml): code fits the book's 88-character column.
LINT_PATHS := helpers tests benchmarks notebooks _ext
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# The rendered book in headless Chromium (tests/browser: console errors, math typeset,
# images, error outputs, folded solutions, Colab links; screenshots in _build/screenshots).
# Debian's chromium and chromium-driver, installed when missing (CI: root on Debian 12).
# The pages are STRICT_HTML's (book-strict's, above): `make browser STRICT_HTML=DIR` for others.
.PHONY: browser-deps browser
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver; \
	fi

browser: browser-deps $(STAMP)
	BOOK_HTML=$(STRICT_HTML) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		--durations=5 tests/browser

# The Colab flow: the helpers' wheel built, installed with its dependency ranges in a fresh venv
# (torch==2.13.0 first, from this disk), every helper module imported and used there.
.PHONY: wheel
wheel: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python tests/colab_flow.py

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build $(VENV)/_strict
