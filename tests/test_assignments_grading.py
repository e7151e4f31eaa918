"""The instructor's edition, graded (``make assignments-test``: it runs in
``.venv-otter`` after ``make assignments``; the book's own pytest, without otter, skips
this file).

Otter's local runner (``otter run``, here ``otter.api.grade_submission``: no Docker, no
network) grades, for every lecture, the student edition with

* the references in the stubs: full marks for every question, no error in any cell
  it executed, and none of the lecture's cells executed (the Exercises section alone);
* the first wrong answer on file in every stub (a batch: one submission, every
  question wrong): no marks for any question. ``ASSIGNMENT_BATCHES=all`` grades every
  wrong answer this way (batch k: each question's k-th wrong answer, the reference
  where a question has fewer: 34 submissions, 261 s on one core), ``=N`` the first N.

Every wrong answer on file (160) is also graded against the autograder's own test
files by otter's ``Checker``, the call otter's runner makes in the kernel once the
submission has run, here in this process (the answer run in the namespace the setup
cell gives): no marks for its question. A runner submission costs a kernel, otter's
and torch's imports (about 5 s of CPU); the Checker, milliseconds.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import json
import os
import re
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import pytest

pytest.importorskip(
    "otter",
    reason="the instructor's edition runs in .venv-otter (make assignments-test)",
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assignments.edition import SETUP_HEAD, solution_code  # noqa: E402
from tests.exercise_answers import modules  # noqa: E402
from tests.exercise_flow import find_exercises  # noqa: E402

OUT = Path(os.environ.get("ASSIGNMENTS_OUT", ROOT / "_build" / "assignments"))
WORKERS = int(os.environ.get("ASSIGNMENT_WORKERS", "2"))
BATCHES = os.environ.get("ASSIGNMENT_BATCHES", "1")
MODULES = modules()
STEMS = [m.NOTEBOOK for m in MODULES]
ANSWER_TAG = "otter_answer_cell"
IGNORE_TAG = "otter_ignore"


def module_of(stem: str):
    return next(m for m in MODULES if m.NOTEBOOK == stem)


@lru_cache(None)
def lecture_notebook(stem: str) -> dict:
    return json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())


@lru_cache(None)
def student_edition(stem: str) -> dict:
    path = OUT / "student" / f"{stem}.ipynb"
    if not path.exists():
        pytest.fail(f"no {path}: run make assignments first")
    return json.loads(path.read_text())


@lru_cache(None)
def references(stem: str) -> dict[str, str]:
    return {
        e.stub: solution_code(e)
        for e in find_exercises(lecture_notebook(stem)["cells"])
    }


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def answer_cells(nb: dict) -> dict[str, int]:
    """stub -> index of its answer cell in the student edition."""
    found = {}
    for i, cell in enumerate(nb["cells"]):
        if ANSWER_TAG in cell["metadata"].get("tags", []):
            found[re.search(r"^def\s+(\w+)\s*\(", _source(cell), re.M).group(1)] = i
    return found


def submission(stem: str, answers: dict[str, str]) -> dict:
    """The student edition with ``answers[stub]`` typed into each stub's cell."""
    nb = copy.deepcopy(student_edition(stem))
    cells = answer_cells(nb)
    for stub, src in answers.items():
        nb["cells"][cells[stub]]["source"] = src.strip() + "\n"
    return nb


def batches(stem: str) -> list[tuple[str, dict[str, str], set[str]]]:
    """(name, answers, the questions that must get no marks) for the runner."""
    exercises = module_of(stem).EXERCISES
    refs = references(stem)
    out = [("references", dict(refs), set())]
    most = max(len(a.wrong) for a in exercises.values())
    n = most if BATCHES == "all" else min(int(BATCHES), most)
    for k in range(n):
        answers, wrong = {}, set()
        for stub, a in exercises.items():
            if k < len(a.wrong):
                answers[stub] = a.wrong[k]
                wrong.add(stub)
            else:
                answers[stub] = refs[stub]
        out.append((f"wrong answers #{k + 1}", answers, wrong))
    return out


def _grade(args):
    """In a worker process: grade one submission with otter's local runner."""
    path, autograder = args
    from otter.api import grade_submission

    with contextlib.redirect_stdout(io.StringIO()):
        results = grade_submission(str(path), str(autograder), quiet=True)
    errors = [
        f"{_source(c)[:200]}\n{o.get('ename')}: {o.get('evalue')}"
        for c in results.notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    return {
        "scores": {name: results.get_score(name) for name in results.test_files},
        "possible": results.possible,
        "summary": results.summary(),
        "errors": errors,
        "executed": [_source(c) for c in results.notebook.cells],
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every runner submission, graded WORKERS at a time: {(stem, name): result}."""
    folder = tmp_path_factory.mktemp("submissions")
    jobs, meta = [], []
    for stem in STEMS:
        for k, (name, answers, wrong) in enumerate(batches(stem)):
            path = folder / f"{stem}-{k}" / f"{stem}.ipynb"
            path.parent.mkdir()
            path.write_text(json.dumps(submission(stem, answers)))
            jobs.append((path, OUT / "autograder" / f"{stem}.zip"))
            meta.append((stem, name, wrong))
    with ProcessPoolExecutor(WORKERS) as pool:
        results = list(pool.map(_grade, jobs))
    return {(stem, name): (wrong, r) for (stem, name, wrong), r in zip(meta, results)}


RUNS = [(stem, name) for stem in STEMS for name, _, _ in batches(stem)]


@pytest.mark.parametrize("stem, name", RUNS, ids=[f"{s[:2]}-{n}" for s, n in RUNS])
def test_otter_run_scores_each_question(graded, stem, name):
    wrong, r = graded[(stem, name)]
    assert set(r["scores"]) == set(module_of(stem).EXERCISES), r["summary"]
    for question, score in r["scores"].items():
        want = 0 if question in wrong else 1
        assert score == want, f"{stem} {name}: {question} got {score}\n{r['summary']}"
    if not wrong:
        assert r["errors"] == [], "\n\n".join(r["errors"])
        assert sum(r["scores"].values()) == r["possible"] == len(r["scores"])


@pytest.mark.parametrize("stem", STEMS)
def test_grading_runs_the_exercises_section_alone(graded, stem):
    """No cell before the Exercises section runs when otter grades (they are tagged
    otter_ignore): the lecture's 90-290 s are not paid per submission."""
    _, r = graded[(stem, "references")]
    executed = {src.strip() for src in r["executed"]}
    nb = student_edition(stem)
    start = next(
        i for i, c in enumerate(nb["cells"]) if _source(c).startswith("## Exercises")
    )
    before = [c for c in nb["cells"][:start] if c["cell_type"] == "code"]
    assert before and all(IGNORE_TAG in c["metadata"].get("tags", []) for c in before)
    for cell in before:
        src = _source(cell).strip()
        assert src not in executed, src[:200]


def _otter_checker(stem: str, stub: str, source: str):
    """Grade one answer against the autograder's test file for ``stub`` with otter's
    Checker, in this process."""
    from otter.execute import Checker
    from otter.nbmeta_config import NBMetadataConfig

    m = module_of(stem)
    env: dict = {}
    exec(SETUP_HEAD + m.SETUP, env)
    exec(
        f"from {m.CHECKS.rsplit('.', 1)[0]} import {m.CHECKS.rsplit('.', 1)[1]} as ex",
        env,
    )
    exec(source, env)
    test = unpacked_tests(stem) / f"{stub}.py"
    with contextlib.redirect_stdout(io.StringIO()):
        return Checker.check(str(test), NBMetadataConfig(), global_env=env)


@lru_cache(None)
def unpacked_tests(stem: str) -> Path:
    """The autograder zip's tests, unpacked once."""
    folder = OUT / "_unpacked" / stem
    with zipfile.ZipFile(OUT / "autograder" / f"{stem}.zip") as z:
        z.extractall(folder)
    return folder / "tests"


WRONG = [
    (m.NOTEBOOK, stub, k)
    for m in MODULES
    for stub, a in m.EXERCISES.items()
    for k in range(len(a.wrong))
]


@pytest.mark.parametrize(
    "stem, stub, k", WRONG, ids=[f"{s[:2]}-{q}-{k}" for s, q, k in WRONG]
)
def test_every_wrong_answer_gets_no_marks_from_the_autograders_tests(stem, stub, k):
    result = _otter_checker(stem, stub, module_of(stem).EXERCISES[stub].wrong[k])
    assert result.score == 0, result.summary()
    assert not result.test_case_results[0].passed  # the public test already fails


@pytest.mark.parametrize(
    "stem, stub", [(s, q) for s, q, _ in WRONG if _ == 0], ids=lambda x: str(x)
)
def test_every_reference_gets_full_marks_from_the_autograders_tests(stem, stub):
    result = _otter_checker(stem, stub, references(stem)[stub])
    assert result.score == result.possible == 1, result.summary()
    hidden = [r for r in result.test_case_results if r.test_case.hidden]
    summary = json.loads((OUT / "summary.json").read_text())
    assert len(hidden) == summary[stem]["questions"][stub]["hidden variant"]


@pytest.mark.parametrize("stem", STEMS)
def test_the_student_edition_keeps_stubs_and_checks_and_drops_the_references(stem):
    lecture, student = lecture_notebook(stem), student_edition(stem)
    text = "\n".join(_source(c) for c in student["cells"])
    exercises = find_exercises(lecture["cells"])
    assert "_solution" not in text and "@title Solution" not in text
    assert "{solution-start}" not in text and "{solution-end}" not in text
    cells = answer_cells(student)
    assert list(cells) == [e.stub for e in exercises]
    for e in exercises:
        stub = _source(lecture["cells"][e.stub_cell])
        assert _source(student["cells"][cells[e.stub]]) == stub
        assert e.check_source.strip() in text
    # every other cell of the lecture is there, in order
    dropped = {e.reference_cell for e in exercises} | {
        i
        for i, c in enumerate(lecture["cells"])
        if re.search(r"\{solution-(start|end)\}|\b\w+_solution\b", _source(c))
    }
    kept = [_source(c) for i, c in enumerate(lecture["cells"]) if i not in dropped]
    sources = [_source(c) for c in student["cells"]]
    it = iter(sources)
    assert all(any(s == src for s in it) for src in kept)
    # the student needs no otter: no init cell, no grader.check
    assert not [s for s in sources if "import otter" in s or "grader." in s]


def test_the_hidden_variants_use_other_data():
    """A hidden variant's check draws other data (the shifted seeds), then puts the
    generators back."""
    import numpy as np
    import torch

    from assignments.variants import hidden_test

    seen = {}

    def spy(x, p, u, train):
        seen.setdefault("u", u.copy())
        return np.where(u >= p, x, 0.0) if train else x * (1 - p)

    with contextlib.redirect_stdout(io.StringIO()):
        importlib.import_module("helpers.exercises.lecture02").check_dropout(spy)
    public = seen.pop("u")
    before = (np.random.default_rng, torch.Generator)
    drawn = hidden_test("dropout_np", "lecture02", "check_dropout")(spy)
    assert drawn and not np.array_equal(public, seen["u"])
    assert (np.random.default_rng, torch.Generator) == before  # restored afterwards
