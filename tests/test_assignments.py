"""The instructor's edition's master notebooks (``assignments/edition.py``), without
otter: what otter assign is given. The edition itself, built and graded with otter, is
``tests/test_assignments_grading.py`` (``make assignments-test``)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from exercise_answers import modules
from exercise_flow import find_exercises

from assignments.edition import (
    IGNORE,
    exercises_range,
    master_notebook,
    setup_source,
    solution_code,
)
from assignments.variants import hidden_source, public_source

ROOT = Path(__file__).resolve().parent.parent
MODULES = modules()
IDS = [m.NOTEBOOK[:2] for m in MODULES]


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _lecture(m) -> dict:
    return json.loads((ROOT / "notebooks" / f"{m.NOTEBOOK}.ipynb").read_text())


def _master(m, hidden=None) -> dict:
    stubs = set(m.EXERCISES) if hidden is None else hidden
    return master_notebook(
        _lecture(m), m.CHECKS.rsplit(".", 1)[-1], m.EXERCISES, m.SETUP, stubs
    )


def _blocks(cells) -> list[str]:
    """The raw cells' first lines: otter assign's block markers."""
    return [_source(c).splitlines()[0] for c in cells if c["cell_type"] == "raw"]


@pytest.mark.parametrize("m", MODULES, ids=IDS)
def test_every_exercise_is_one_question_with_its_tests(m):
    master = _master(m)
    blocks = _blocks(master["cells"])
    assert blocks[0] == "# ASSIGNMENT CONFIG"
    one = [
        "# BEGIN QUESTION",
        "# BEGIN SOLUTION",
        "# END SOLUTION",
        "# BEGIN TESTS",
        "# END TESTS",
        "# END QUESTION",
    ]
    assert blocks[1:] == one * len(m.EXERCISES)
    names = [
        re.search(r"^name: (\w+)$", _source(c), re.M).group(1)
        for c in master["cells"]
        if _source(c).startswith("# BEGIN QUESTION")
    ]
    assert names == list(m.EXERCISES)


@pytest.mark.parametrize("m", MODULES, ids=IDS)
def test_the_references_are_left_out_and_the_stubs_are_the_prompts(m):
    lecture, master = _lecture(m), _master(m)
    text = "\n".join(_source(c) for c in master["cells"])
    assert "@title Solution" not in text and "{solution-start}" not in text
    assert not re.search(r"\b\w+_solution\b", text)
    for e in find_exercises(lecture["cells"]):
        stub = _source(lecture["cells"][e.stub_cell]).rstrip("\n")
        # otter keeps the prompt's lines and drops the solution block
        assert f"''' # BEGIN PROMPT\n{stub}\n''';  # END PROMPT\n" in text
        assert e.check_source in text


@pytest.mark.parametrize("m", MODULES, ids=IDS)
def test_grading_skips_the_lecture_and_runs_the_setup_the_stubs_and_tests(m):
    lecture, master = _lecture(m), _master(m)
    start, _ = exercises_range(lecture["cells"])
    cells = master["cells"]
    heading = next(
        i for i, c in enumerate(cells) if _source(c).startswith("## Exercises")
    )
    for cell in cells[1:heading]:  # the lecture before its exercises
        assert IGNORE in cell["metadata"].get("tags", []), _source(cell)[:80]
    graded = [
        _source(c)
        for c in cells[heading:]
        if c["cell_type"] == "code"
        and IGNORE not in c["metadata"].get("tags", [])
        and not _source(c).lstrip().startswith(("def test_", '"""'))
    ]
    assert graded[0] == setup_source(m.SETUP)
    assert graded[1].startswith("from helpers.exercises import")
    assert len(graded) == 2 + len(m.EXERCISES)  # then one solution cell each
    ns: dict = {}
    exec(graded[0], ns)  # the setup runs on its own
    assert {"np", "torch", "math", "Counter", "F"} <= set(ns)


@pytest.mark.parametrize("m", MODULES, ids=IDS)
def test_no_lecture_cell_looks_like_an_otter_ignore_line(m):
    """otter assign drops a cell whose first line is '# ignore' or '## ignore ##'."""
    for cell in _lecture(m)["cells"]:
        first = (_source(cell).splitlines() or [""])[0]
        assert not re.match(r"(##\s*ignore\s*##\s*|#\s*ignore\s*)", first, re.I)


@pytest.mark.parametrize("m", MODULES, ids=IDS)
def test_solution_code_defines_the_stub_and_calls_no_check(m):
    for e in find_exercises(_lecture(m)["cells"]):
        code = solution_code(e)
        assert "strict=True" not in code and "@title" not in code
        defs = [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
        assert e.stub in defs


def test_the_tests_are_otter_exception_based_test_functions():
    for src in (
        public_source("f", "lecture02", "check_dropout"),
        hidden_source("f", "lecture02", "check_dropout"),
    ):
        tree = ast.parse(src)
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef)
        assert [a.arg for a in tree.body[0].args.args] == [
            "f"
        ]  # read from the notebook
        assert "strict=True" in src


def test_a_hidden_variant_is_written_only_where_asked():
    m = MODULES[1]
    stub = next(iter(m.EXERCISES))
    master = _master(m, hidden={stub})
    hidden = [
        c for c in master["cells"] if "BEGIN TEST CONFIG\nhidden: true" in _source(c)
    ]
    assert len(hidden) == 1 and f"def test_{stub}_other_seeds(" in _source(hidden[0])
