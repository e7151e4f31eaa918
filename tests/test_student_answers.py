"""The student flow's wrong answers, checked in a plain process, and its exercise
finder.

Every check needs only its own module (``helpers.exercises.lectureNN``), so each wrong
answer of ``tests/student_answers.py`` can be run against its check here, without the
notebook's state; ``make nbval`` then runs the same answers in each notebook's live
kernel.
"""

import importlib
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from exercise_flow import ExerciseLayoutError, find_exercises, verdict
from student_answers import WRONG_ANSWERS

NOTEBOOKS = sorted(
    (Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb")
)
FOUND = {
    nb.stem: find_exercises(json.loads(nb.read_text())["cells"]) for nb in NOTEBOOKS
}


def test_every_exercise_has_one_wrong_answer_on_file_and_no_entry_is_stale():
    assert FOUND, "no notebooks found"
    for stem, exercises in FOUND.items():
        assert exercises, f"{stem}: no exercises found"
        stubs = {e.stub for e in exercises}
        on_file = set(WRONG_ANSWERS.get(stem, {}))
        assert stubs <= on_file, (
            f"{stem}: no wrong answer on file for {sorted(stubs - on_file)}"
        )
        assert on_file <= stubs, (
            f"{stem}: wrong answers for stubs the notebook lacks: "
            f"{sorted(on_file - stubs)}"
        )
    assert set(WRONG_ANSWERS) <= set(FOUND), (
        f"entries for missing notebooks: {set(WRONG_ANSWERS) - set(FOUND)}"
    )


CASES = [
    (stem, e)
    for stem, exercises in FOUND.items()
    for e in exercises
    if e.stub in WRONG_ANSWERS.get(stem, {})
]


@pytest.mark.parametrize(
    "stem, exercise", CASES, ids=[f"{s}-{e.stub}" for s, e in CASES]
)
def test_wrong_answer_fails_its_check_with_a_reason(stem, exercise, capsys):
    module = importlib.import_module(f"helpers.exercises.lecture{stem[:2]}")
    namespace = {"np": np, "torch": torch, "math": math, "Counter": Counter}
    exec(WRONG_ANSWERS[stem][exercise.stub], namespace)
    fn = namespace[exercise.stub]
    assert getattr(module, exercise.check_name)(fn) is False
    out = capsys.readouterr().out
    assert verdict(out) == "failed", out
    # a realistic mistake is caught by what the check tests, not by a crash of the
    # answer
    assert "your function raised" not in out, out


# find_exercises on small hand-made notebooks ------------------------------------------
def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, **metadata):
    return {
        "cell_type": "code",
        "metadata": metadata,
        "source": text,
        "outputs": [],
        "execution_count": None,
    }


def exercise_cells(name="f", title="Exercise 3.2: Add one", check="check_f"):
    return [
        md(f"````{{exercise}} {title}\n:label: ex-{name}\n\nWrite `{name}`.\n````"),
        code(f"def {name}(x):\n    # YOUR CODE HERE\n    raise NotImplementedError"),
        code(f"ex.{check}({name});"),
        md(f"````{{solution-start}} ex-{name}\n:class: dropdown\n````"),
        code(
            f"# @title Solution\ndef {name}_solution(x):\n    return x + "
            f"1\n\nex.{check}({name}_solution, strict=True);",
            cellView="form",
        ),
        md("````{solution-end}\n````"),
    ]


def test_finds_stub_check_and_reference_by_code():
    cells = (
        [code("import numpy as np"), md("## Exercises")]
        + exercise_cells()
        + exercise_cells("g", "Two", "check_g")
    )
    found = find_exercises(cells)
    assert [(e.stub, e.check_call, e.check_name, e.title, e.label) for e in found] == [
        ("f", "ex.check_f", "check_f", "Exercise 3.2: Add one", "ex-f"),
        ("g", "ex.check_g", "check_g", "Two", "ex-g"),
    ]
    f = found[0]
    assert (f.stub_cell, f.check_cell, f.reference_cell, f.check_code_cell) == (
        3,
        4,
        6,
        2,
    )
    assert f.check_source == "ex.check_f(f);"
    assert f.reference_as_stub().startswith("# @title Solution\ndef f(x):")
    assert "ex.check_f(f, strict=True)" in f.reference_as_stub()


def test_titles_do_not_matter_and_lists_of_lines_are_read():
    cells = exercise_cells(title="")
    cells = [dict(c, source=c["source"].splitlines(keepends=True)) for c in cells]
    (e,) = find_exercises(cells)
    assert e.stub == "f" and e.title == ""


def test_an_exercise_without_its_stub_or_check_or_reference_is_an_error():
    with pytest.raises(
        ExerciseLayoutError, match="1 {exercise} directives but 0 stubs"
    ):
        find_exercises([md("````{exercise} Think\n:label: ex-think\n\nWhy?\n````")])
    no_check = [c for c in exercise_cells() if "ex.check_f(f);" not in c["source"]]
    with pytest.raises(ExerciseLayoutError, match="no later code cell calls a check"):
        find_exercises(no_check)
    no_reference = [c for c in exercise_cells() if "f_solution" not in c["source"]]
    with pytest.raises(ExerciseLayoutError, match="defines f_solution"):
        find_exercises(no_reference)


def test_other_not_implemented_cells_are_not_stubs():
    cells = [
        code("class Base:\n    def forward(self):\n        raise NotImplementedError")
    ]
    assert find_exercises(cells) == []


def test_verdict():
    assert verdict("[v] add-k smoothing: passed\n") == "passed"
    assert verdict("[x] add-k smoothing: failed: row 3 does not sum to 1\n") == "failed"
    # a failure must give a reason
    assert verdict("[x] add-k smoothing: failed: \n") == "unclear"
    assert (
        verdict("[ ] add-k: not attempted yet - fill in the cell above\n")
        == "not attempted"
    )
    assert verdict("") == "unclear"
    assert verdict("[v] a: passed\n[x] b: failed: no\n") == "unclear"
