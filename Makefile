# Two commands for a fresh machine:
#   make book   set up .venv, execute every notebook, render HTML into _build/html
#   make test   set up .venv, helper tests, nbval over every notebook, strict book build
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: book test venv helpers-test nbval book-strict lint benchmarks clean

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

nbval: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600 --durations=0 $(NOTEBOOKS)

# nbval has just executed every notebook; the strict build checks the book's markup, links and
# references without executing them a second time.
book-strict: $(STAMP)
	sed -e 's/execute_notebooks: cache/execute_notebooks: "off"/' \
		-e 's|exercise_numbers: _ext|exercise_numbers: $(CURDIR)/_ext|' _config.yml > $(VENV)/_config_noexec.yml
	$(BIN)/jupyter-book build . -W -n --keep-going --config $(VENV)/_config_noexec.yml \
		--path-output $(VENV)/_strict

test: helpers-test nbval book-strict

# Style (settings in pyproject.toml): code fits the book's 88-character column.
LINT_PATHS := helpers tests benchmarks notebooks _ext
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build $(VENV)/_strict
