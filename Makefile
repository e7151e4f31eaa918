# Two commands for a fresh machine:
#   make book   set up .venv, execute every notebook once with nbval (make nbval), render the
#               executed copies into _build/html (make render): the HTML a fork publishes
#   make test   set up .venv, ruff, helper tests, the helpers' wheel in a fresh venv, the
#               instructor's edition graded with otter (make assignments-test), make book
#               (nbval plays a student on every exercise too), every page of _build/html in
#               Chromium: the book the tests check is the book make book writes
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb)) book/results.ipynb

.PHONY: book test venv helpers-test nbval render determinism lint benchmarks clean \
	assignments assignments-test

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# One execution path: nbval executes every notebook once, the render shows what it executed.
book: nbval render

# pytest exits 5 when it collects no test: make treats that as the failure it is.
helpers-test: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests

# nbval executes each notebook in one kernel; tests/nbval_plugin.py then writes the executed
# notebook (outputs and images) to $(EXECUTED)/notebooks/ and, in the same kernel, plays a
# student on every exercise: a wrong answer from tests/student_answers.py must fail its check
# with a reason, the folded reference must pass it (--no-student-flow leaves that out).
# pytest-xdist: NBVAL_WORKERS kernels side by side, a whole notebook per worker (--dist
# loadfile: a notebook's cells share one kernel), in the order of NBVAL_ORDER, then the rest
# (--no-loadscope-reorder keeps it; xdist hands each worker two notebooks at the start:
# the first and third, the second and fourth): 02 then 01, the two longest, on one worker,
# so neither trains its word vectors beside the other; 05, 03, 04 on the other; each kernel on
# NBVAL_THREADS=1 thread (OMP_NUM_THREADS; the notebooks print it). NBVAL_WORKERS=0 runs them
# one after another in this process.
# env -u MPLBACKEND: the kernels draw inline (PNG outputs in the copies) even where CI exports
# MPLBACKEND=Agg (with Agg a kernel's plt.show() outputs nothing).
EXECUTED := _build/executed
NBVAL_WORKERS ?= 2
NBVAL_THREADS ?= 1
NBVAL_ORDER := notebooks/02_neural_networks.ipynb notebooks/05_transformers.ipynb \
	notebooks/01_word_vectors.ipynb notebooks/03_language_models.ipynb
NBVAL_NOTEBOOKS := $(filter $(NOTEBOOKS),$(NBVAL_ORDER)) $(filter-out $(NBVAL_ORDER),$(NOTEBOOKS))
NBVAL = env -u MPLBACKEND TQDM_DISABLE=1 OMP_NUM_THREADS=$(NBVAL_THREADS) $(BIN)/python -m pytest -q \
	-p no:cacheprovider -p tests.nbval_plugin --nbval-lax --nbval-current-env \
	--nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600 --durations=0 \
	$(if $(filter-out 0,$(NBVAL_WORKERS)),-n $(NBVAL_WORKERS) --dist loadfile --no-loadscope-reorder)
nbval: $(STAMP)
	$(NBVAL) --executed-dir $(EXECUTED) $(NBVAL_NOTEBOOKS)

# The render: tests/stage_book.py copies the book's sources to $(STAGED) with nbval's executed
# copies in place of the notebooks (it fails when one is missing or stale: run make nbval) and
# execution off (execute_notebooks: "off", as in _config.yml); jupyter-book renders that copy
# into _build/html, strict: any warning (-W), any broken reference (-n) fails, all reported
# (--keep-going). Nothing executes here, and no page loads anything from another host
# (_config.yml: nb_ipywidgets_js: {}).
STAGED := _build/src
render: $(STAMP)
	$(BIN)/python tests/stage_book.py --executed $(EXECUTED) --out $(STAGED)
	$(BIN)/jupyter-book build $(STAGED) -W -n --keep-going --path-output .

# Executing every notebook twice gives the same text outputs: nbval once more (no student flow)
# into $(AGAIN), each notebook's text outputs (after tests/sanitize.cfg) compared with those of
# $(EXECUTED) (make nbval or make book first). Not part of make test (it doubles nbval's time).
AGAIN := _build/determinism
determinism: $(STAMP)
	$(BIN)/python tests/determinism.py --check-copies --against $(EXECUTED) $(NOTEBOOKS)
	$(NBVAL) --no-student-flow --executed-dir $(AGAIN) $(NBVAL_NOTEBOOKS)
	$(BIN)/python tests/determinism.py --against $(EXECUTED) --again $(AGAIN) $(NOTEBOOKS)

# The set-up; lint (seconds); then the helper tests, the Colab wheel and the browser's packages
# side by side (each mostly on one core or on the disk); make book (nbval's two kernels take
# both cores); the browser over make book's _build/html. Each stage prints its time
# ("[make test] STAGE: N s"; the README's table of where the time goes).
timed = s=$$(date +%s); $(MAKE) --no-print-directory $(2); rc=$$?; \
	echo "[make test] $(1): $$(( $$(date +%s) - s )) s"; exit $$rc
test:
	+@$(call timed,venv,venv)
	+@$(call timed,lint,lint)
	+@$(call timed,helpers-test + wheel + browser-deps + assignments-test,-j3 -O helpers-test \
		wheel browser-deps assignments-test ASSIGNMENT_WORKERS=1)
	+@$(call timed,nbval,nbval)
	+@$(call timed,render,render)
	+@$(call timed,browser,browser)

# Style (settings in pyproject.toml): code fits the book's 88-character column.
LINT_PATHS := helpers tests benchmarks notebooks _ext assignments
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# The rendered book in headless Chromium (tests/browser: console errors, math typeset,
# images, error outputs, folded solutions, Colab links, no request off 127.0.0.1; a light
# and a dark screenshot of each page in _build/screenshots).
# Debian's chromium and chromium-driver, installed when missing (CI: root on Debian 12).
# The pages are make book's _build/html (`make browser BOOK_HTML=DIR` for others).
BOOK_HTML ?= _build/html
.PHONY: browser-deps browser
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver; \
	fi

browser: browser-deps $(STAMP)
	BOOK_HTML=$(BOOK_HTML) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		--durations=5 tests/browser

# The Colab flow: the helpers' wheel built, installed with its dependency ranges in a fresh venv
# (torch==2.13.0 first, from this disk), every helper module imported and used there.
.PHONY: wheel
wheel: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python tests/colab_flow.py

# The instructor's edition: `make assignments` writes, from the lecture notebooks, a student
# edition (folded references removed, stubs and checks kept: _build/assignments/student/)
# and an otter-grader 7 autograder per lecture (_build/assignments/autograder/NN.zip; grade
# with `otter run -a ZIP SUBMISSION.ipynb`, no Docker) whose tests call the book's checks
# in strict mode, plus a hidden rerun with shifted seeds where a check draws seeded data
# (assignments/). otter needs wrapt<2 (the book pins 2.5.2): .venv-otter holds otter and
# what it adds (requirements-otter.txt, --no-deps) and reads the book's .venv below its
# own packages (assignments/layer.py): torch and the helpers are not installed twice
# (20-35 s instead of about 3 min for a standalone venv with torch).
# Cost: grading executes the Exercises section alone (the lecture's cells are tagged
# otter_ignore; the checks take milliseconds): about 5-8 s of CPU per submission (a
# kernel, otter's and torch's imports) instead of the lecture's 90-290 s. A submission
# holds one answer per question: the 160 wrong answers take 29 submissions (one for each
# k: every question's k-th). make assignments-test grades with otter's runner 10 (each
# lecture's references: full marks; its first wrong answers, one per question: no
# marks) and every wrong answer on file against the autograder's own test files with
# otter's Checker in-process (no marks for its question), about 60-100 s in all;
# ASSIGNMENT_BATCHES=all sends every wrong answer through the runner (34 submissions).
# make test runs it beside the helper tests and the wheel (one worker there): that
# stage took 46-71 s longer with it (175 -> 221 s, 116 -> 187 s; 2 shared cores).
OTTER_VENV  := .venv-otter
OTTER_STAMP := $(OTTER_VENV)/.installed
ASSIGNMENTS := _build/assignments
$(OTTER_STAMP): requirements-otter.txt $(STAMP)
	rm -rf $(OTTER_VENV)
	$(PYTHON) -m venv $(OTTER_VENV)
	$(OTTER_VENV)/bin/python -m assignments.layer $(VENV)
	$(OTTER_VENV)/bin/python -m pip install -q --no-deps --no-compile -r requirements-otter.txt
	$(OTTER_VENV)/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(OTTER_STAMP)

assignments: $(OTTER_STAMP)
	OMP_NUM_THREADS=1 $(OTTER_VENV)/bin/python -m assignments.build --out $(ASSIGNMENTS)

ASSIGNMENT_WORKERS ?= 2
ASSIGNMENT_BATCHES ?= 1
assignments-test: assignments
	ASSIGNMENTS_OUT=$(ASSIGNMENTS) ASSIGNMENT_WORKERS=$(ASSIGNMENT_WORKERS) \
	ASSIGNMENT_BATCHES=$(ASSIGNMENT_BATCHES) TQDM_DISABLE=1 OMP_NUM_THREADS=1 \
		$(OTTER_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_assignments_grading.py

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build
